// One switchboard of a conversation: its SwitchboardSession, the driver that runs it, and what
// the conversation keeps about it (who is in as of the event being handled, who is ringing, the
// sends written on it).

import type { HostPort } from "../codec/mod.ts";
import {
  type Participant,
  type SwitchboardEvent,
  SwitchboardSession,
  type SwitchboardSettings,
} from "../machine/mod.ts";
import type { SessionDriver } from "./_driver.ts";
import type { ConversationError } from "./conversation_types.ts";
import type { Job } from "./_conversation_jobs.ts";
import type { Timers } from "./_timers.ts";
import type { ClientEvent } from "./client_types.ts";
import type { Conversation } from "./conversation.ts";

/** What conversations need from their client: switchboard addresses, drivers, its event stream. */
export interface ClientHooks {
  requestSwitchboard(signal: AbortSignal): Promise<{ address: HostPort; cookie: string }>;
  run(
    session: SwitchboardSession,
    onEvent: (event: SwitchboardEvent) => void,
  ): SessionDriver<SwitchboardEvent>;
  emit(event: ClientEvent): void;
}

/** What a conversation needs from its client. */
export interface ConversationHost extends ClientHooks {
  readonly account: string;
  readonly sendTimeoutMs: number;
  readonly typingIntervalMs: number;
  readonly switchboard: SwitchboardSettings;
  readonly timers: Timers;
  readonly clock: () => number;
  /** An answered conversation is open (`conversationStarted`). */
  started(conversation: Conversation, inviter: Participant): void;
  /** The conversation ended; forget it. */
  ended(conversation: Conversation): void;
  /** The conversation opens a switchboard: it must be ended with the client. */
  active(conversation: Conversation): void;
}

/** One switchboard of the conversation. */
export interface Link {
  readonly session: SwitchboardSession;
  driver: SessionDriver<SwitchboardEvent> | undefined;
  /** Sends written on this switchboard, by send id. */
  readonly sent: Map<number, Job>;
  /**
   * Who is in, by lower-case passport, as of the event being handled (the session's own roster
   * may be ahead: one chunk can hold an ACK and the BYE after it).
   */
  readonly present: Map<string, Participant>;
  /** Lower-case passports invited and not yet in (no answer yet, or ringing). */
  readonly pending: Set<string>;
  ready: boolean;
  firstFailure: ConversationError | undefined;
  readonly inviter?: Participant;
  /** Called once the switchboard session ended. */
  readonly onEnded: (() => void)[];
}

/** How a switchboard is entered: from our `XFR SB`, or from someone's `RNG`. */
export type LinkEntry =
  | { mode: "call"; address: HostPort; cookie: string }
  | { mode: "answer"; address: HostPort; cookie: string; sessionId: string };

/**
 * Creates the session and its driver, and starts it (the caller pumps). Throws `UsageError` for
 * an entry the session refuses.
 */
export function openLink(
  host: ConversationHost,
  entry: LinkEntry,
  inviter: Participant | undefined,
  onEvent: (link: Link, event: SwitchboardEvent) => void,
): Link {
  const session = new SwitchboardSession({
    ...host.switchboard,
    ...entry,
    account: host.account,
  });
  const link: Link = {
    session,
    driver: undefined,
    sent: new Map(),
    present: new Map(),
    pending: new Set(),
    ready: false,
    firstFailure: undefined,
    inviter,
    onEnded: [],
  };
  link.driver = host.run(session, (event) => onEvent(link, event));
  session.start(host.clock());
  return link;
}

/** Invites each passport (`CAL`); they are pending until they join or their invitation fails. */
export function callInto(link: Link, passports: readonly string[], now: number): void {
  for (const p of passports) {
    try {
      link.session.invite(p, now);
      link.pending.add(p.toLowerCase());
    } catch {
      // Only once the switchboard is closing: its end reaches everyone waiting.
    }
  }
  link.driver?.pump();
}

/** Leaves (`OUT`) unless the switchboard already ended. */
export function leaveLink(link: Link, now: number): void {
  if (!link.session.error && link.session.phase !== "closed") link.session.leave(now);
  link.driver?.pump();
}
