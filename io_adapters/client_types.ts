// The Client's public types: its options, the events it delivers and the reply of each intent.

import type { PassportFetch } from "../auth/mod.ts";
import type { ConnectionKind, ServerMessage } from "../codec/mod.ts";
import type { SessionEvent, SessionOptions } from "../machine/mod.ts";
import type { RunPassportFunction } from "./run_passport.ts";
import type { Transport } from "./transport.ts";
import type { Timers } from "./_timers.ts";
import type { TraceFunction } from "./_trace.ts";
import type { ReconnectOptions } from "./_reconnect.ts";
import type { Conversation } from "./conversation.ts";
import type { ConversationEvent, ConversationSettings } from "./conversation_types.ts";

/** Options for `Client.connect`. */
export interface ClientOptions extends SessionOptions {
  /** The account's password; only ever sent to Passport. */
  password: string;
  /** How to open TCP connections. Default: the running runtime's adapter. */
  transport?: Transport;
  /** Passport settings. */
  passport?: {
    /** Nexus URL; revival servers run their own. */
    nexusUrl?: string;
    /** A login URL cached from an earlier sign-in; skips the Nexus. */
    loginUrl?: string;
    /** Allow plain `http:` to loopback hosts (local test servers only). */
    allowInsecureLoopback?: boolean;
    /** The HTTP function. Default: `fetch` with manual redirects. */
    fetch?: PassportFetch;
    /**
     * Runs the whole Passport sign-in instead of `runPassport`: e.g.
     * `ReplayTransport.runPassport` in tests, or `RecordingTransport.wrapRunPassport(runPassport)`.
     */
    run?: RunPassportFunction;
  };
  /** Cancels the sign-in, or signs out once online. */
  signal?: AbortSignal;
  /** Monotonic clock in ms. Default `performance.now()`. */
  clock?: () => number;
  /** Timer functions. Default the runtime's `setTimeout`/`clearTimeout`. */
  timers?: Timers;
  /** Random numbers in [0, 1) for the reconnect jitter. Default `Math.random`. */
  random?: () => number;
  /**
   * Sign in again after the session was lost (connection dropped, server restarted or shut
   * down, no answer to pings). Default `true` (with the defaults of {@linkcode ReconnectOptions});
   * `false` ends the client instead. Never after our own sign-out, `OUT OTH`, bad credentials or
   * `911`. Only once the first sign-in succeeded: `Client.connect` itself does not retry.
   */
  reconnect?: boolean | ReconnectOptions;
  /** Receives every command line sent and received, secrets redacted. */
  trace?: TraceFunction;
  /**
   * Called with every event as it happens, from the start of the sign-in: unlike `Client.events`
   * and `on`, it sees the events of `Client.connect` while that is still pending (`connecting`,
   * `authenticating`, `syncProgress`), e.g. to show progress. Same as `on("*", onEvent)`.
   */
  onEvent?: (event: ClientEvent) => void;
  /** Most events kept while nobody reads `Client.events`; older ones are dropped. Default 10 000. */
  maxBufferedEvents?: number;
  /** Conversations: whether to join when invited, time limits, switchboard settings. */
  conversations?: ConversationSettings;
}

/** Options every intent takes. */
export interface IntentOptions {
  /** Stops waiting for the reply: the promise rejects with `RequestError` `aborted`. */
  signal?: AbortSignal;
}

/** The server's reply of type `T` (`"ADD"`, `"CHG"`, ...). */
export type ServerReply<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

/**
 * Everything a `Client` tells the application. Request outcomes are not events: they
 * settle the intent's promise, once.
 */
export type ClientEvent =
  | Exclude<
    SessionEvent,
    { type: "requestCompleted" | "requestFailed" | "switchboard" | "invitation" }
  >
  /** Every conversation's events (its `ended` as `conversationEnded`), `conversation` set. */
  | Exclude<ConversationEvent, { type: "ended" | "eventsDropped" }>
  | ConversationEndedEvent
  /** Someone invited us and we joined; the conversation's `joined` events follow. */
  | {
    type: "conversationStarted";
    conversation: Conversation;
    inviter: string;
    inviterName: string;
  }
  /** Someone invites us (only with `conversations.acceptInvitations: false`). */
  | InvitationEvent
  /** A connection is being opened; `connection` is the id the trace uses. */
  | { type: "connecting"; host: string; port: number; kind: ConnectionKind; connection: number }
  /** Passport is running (the slow step of a sign-in). */
  | { type: "authenticating" }
  /** The session was lost; attempt `attempt` to sign in again starts in `delayMs`. */
  | { type: "reconnecting"; attempt: number; delayMs: number; cause: Error }
  /** Signed in again and the list synced (the status is restored next). */
  | { type: "reconnected"; attempt: number }
  /** The iterator's buffer overflowed: `count` older events were dropped. */
  | { type: "eventsDropped"; count: number };

/** A conversation ended (its `ended` event, on the client's stream). */
export type ConversationEndedEvent =
  & Omit<Extract<ConversationEvent, { type: "ended" }>, "type">
  & { type: "conversationEnded" };

/**
 * An invitation into a conversation, offered to the application when
 * `conversations.acceptInvitations` is `false`. Answer within about two minutes (the server's
 * cookie expires) or not at all.
 */
export interface InvitationEvent {
  /** Event type. */
  type: "invitation";
  /** Who invites us. */
  passport: string;
  /** Their friendly name. */
  friendlyName: string;
  /** The switchboard session id. */
  sessionId: string;
  /** Joins; resolves with the conversation once in (a `conversationStarted` event comes too). */
  accept(): Promise<Conversation>;
  /** Lets it expire (MSNP has no refusal). `accept()` then rejects. */
  decline(): void;
}
