// The public vocabulary of conversations: settings, the events a conversation delivers (to its own
// handlers and, with `conversation` set, to the Client's stream) and the typed send error.

import type { ImFormat, SwitchboardContent } from "../codec/mod.ts";
import type { SwitchboardSettings } from "../machine/mod.ts";
import type { Conversation } from "./conversation.ts";

/** Conversation settings of a `Client` (`ClientOptions.conversations`). */
export interface ConversationSettings {
  /**
   * Join every conversation someone invites us to (`RNG`). Default `true`. When `false`, each
   * invitation is an `invitation` client event to `accept()` or `decline()`.
   */
  acceptInvitations?: boolean;
  /**
   * Longest time a send (or `invite`) may take from the call to its outcome, waiting for a
   * switchboard and for someone to join included. Default 60 000 ms.
   */
  sendTimeoutMs?: number;
  /** Shortest time between two typing notifications of one conversation. Default 4 000 ms. */
  typingIntervalMs?: number;
  /** Switchboard session settings: time limits, default text format, invitation CANCELs. */
  switchboard?: SwitchboardSettings;
}

/** Options of `Conversation.send`. */
export interface SendOptions {
  /** `X-MMS-IM-Format` (font, effects, colour) of this message. */
  format?: ImFormat;
  /**
   * Stops waiting: the promise rejects with `ConversationError` `aborted`. A message already
   * written may still be delivered.
   */
  signal?: AbortSignal;
}

/** Options of `Client.openConversation` and `Conversation.invite`. */
export interface OpenOptions {
  /** Stops waiting: rejects with `ConversationError` `aborted`. */
  signal?: AbortSignal;
}

/**
 * Why a conversation ended: `left` (we called `leave()`), `signedOut` (the client signed out or
 * the server signed us out), `connectionLost` (the notification connection was lost; also when
 * the client then signs in again), `failed` (it never opened: `openConversation` or `accept`
 * rejected, or an invitation answered automatically could not be joined).
 */
export type ConversationEndReason = "left" | "signedOut" | "connectionLost" | "failed";

/**
 * Why someone left: `left` (`BYE`), `idle` (the server timed them out, `BYE <passport> 1`),
 * `closed` (our switchboard connection ended with them still in).
 */
export type LeftReason = "left" | "idle" | "closed";

/** Everything a {@linkcode Conversation} tells the application, in order. */
export type ConversationEvent =
  /** A text message (split messages arrive as they were sent, one event each). */
  | {
    type: "message";
    conversation: Conversation;
    from: string;
    friendlyName: string;
    text: string;
    format?: ImFormat;
  }
  /** `from` is typing (sent again about every 4 s while they type). */
  | { type: "typing"; conversation: Conversation; from: string; friendlyName: string }
  /** `from` sent a nudge. */
  | { type: "nudge"; conversation: Conversation; from: string; friendlyName: string }
  /**
   * Any other content, read by its content type with its bytes intact: custom emoticons,
   * application invitations (unsupported ones are answered with a CANCEL unless
   * `switchboard.cancelInvitations` is `false`), P2P, other datacasts, unknown types.
   */
  | {
    type: "content";
    conversation: Conversation;
    from: string;
    friendlyName: string;
    content: Exclude<SwitchboardContent, { kind: "text" | "typing" | "nudge" }>;
  }
  /** Someone is in (`JOI`, or already there when we joined). */
  | { type: "joined"; conversation: Conversation; passport: string; friendlyName: string }
  /** Someone left. */
  | { type: "left"; conversation: Conversation; passport: string; reason: LeftReason }
  /** An invitation (`CAL`) failed; the conversation goes on with whoever is there. */
  | { type: "inviteFailed"; conversation: Conversation; passport: string; error: ConversationError }
  /** Only in `Conversation.events`: `count` unread events were dropped (1 000 are kept). */
  | { type: "eventsDropped"; conversation: Conversation; count: number }
  /** The conversation is over: sends reject with `closed` from now on. Its last event. */
  | {
    type: "ended";
    conversation: Conversation;
    reason: ConversationEndReason;
    /** What ended it, for `connectionLost` and `failed`. */
    error?: Error;
  };

/**
 * Why a conversation operation failed; stable across releases.
 *
 * - `offline`: the contact is offline, hidden or unknown (`217`).
 * - `blocked`: the contact blocks you (`216`).
 * - `invalid-address`: not a valid passport (`208`).
 * - `hidden`: the server does not let you chat while you appear offline (`913`).
 * - `closed`: the conversation ended, or its switchboard closed before the server answered (the
 *   message may or may not have arrived); see `cause`.
 * - `timeout`: no outcome within `sendTimeoutMs` (or a switchboard time limit).
 * - `nak`: the server said it could not deliver the message.
 * - `server-error`: any other error code; see `serverCode`.
 * - `aborted`: the call's `AbortSignal` fired.
 * - `invalid-argument`: the text, format or passport cannot be sent.
 */
export type ConversationErrorCode =
  | "offline"
  | "blocked"
  | "invalid-address"
  | "hidden"
  | "closed"
  | "timeout"
  | "nak"
  | "server-error"
  | "aborted"
  | "invalid-argument";

/**
 * A conversation operation failed. The message names the operation, the reason and the contact
 * concerned, never a cookie.
 *
 * @example Branch on the code
 * ```ts
 * import { ConversationError } from "@msnp/client/io_adapters";
 *
 * const err: unknown = new ConversationError("send message", "offline", { passport: "bob@example.com", serverCode: 217 });
 * if (err instanceof ConversationError && err.code === "offline") console.log(err.passport, "is away");
 * ```
 */
export class ConversationError extends Error {
  /** Why; stable across releases. */
  readonly code: ConversationErrorCode;
  /** The server's error code, when the server refused (`217`, `913`, ...). */
  readonly serverCode?: number;
  /** The name of the server's error code, e.g. `USER_OFFLINE`. */
  readonly serverName?: string;
  /** The contact the failure concerns (an invitee), when there is one. */
  readonly passport?: string;

  /**
   * Creates the error.
   *
   * @param what The operation, as in `Cannot <what>` (`"send message"`).
   * @param code Stable reason.
   * @param details Server code and name, the contact, and the underlying `cause`.
   */
  constructor(
    what: string,
    code: ConversationErrorCode,
    details: { serverCode?: number; serverName?: string; passport?: string; cause?: unknown } = {},
  ) {
    super(conversationMessage(what, code, details), { cause: details.cause });
    this.name = "ConversationError";
    this.code = code;
    if (details.serverCode !== undefined) this.serverCode = details.serverCode;
    if (details.serverName !== undefined) this.serverName = details.serverName;
    if (details.passport !== undefined) this.passport = details.passport;
  }
}

const REASONS: Record<ConversationErrorCode, string> = {
  "offline": "the contact is offline",
  "blocked": "the contact blocks you",
  "invalid-address": "not a valid address",
  "hidden": "not allowed while you appear offline",
  "closed": "the conversation or its connection closed",
  "timeout": "no answer in time",
  "nak": "the server could not deliver it",
  "server-error": "server error",
  "aborted": "aborted",
  "invalid-argument": "invalid argument",
};

function conversationMessage(
  what: string,
  code: ConversationErrorCode,
  details: { serverCode?: number; serverName?: string; passport?: string },
): string {
  const who = details.passport === undefined ? "" : ` (${details.passport})`;
  const server = details.serverCode === undefined
    ? ""
    : ` ${details.serverCode}${details.serverName ? ` ${details.serverName}` : ""}`;
  return `Cannot ${what}: ${REASONS[code]}${server}${who}`;
}
