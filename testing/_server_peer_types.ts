// Private to testing/: the public types of scripted peers, re-exported by loopback_server.ts.

import type { ImFormat, Status } from "../codec/mod.ts";

/** A presence a scripted peer can show (`HDN` looks offline to everyone). */
export type LoopbackStatus = Status;

/** Options of `LoopbackServer.peer`. */
export interface LoopbackPeerOptions {
  /** Presence shown right away; default `NLN`. */
  status?: LoopbackStatus;
  /**
   * Join every conversation the peer is invited into at once (as a client answering `RNG`).
   * Default `true`. When `false`, invitations wait in `nextInvitation()` until `answer()`.
   */
  autoAnswer?: boolean;
  /** Default timeout of every wait, in ms; default 2000. */
  timeout?: number;
}

/** How long one wait may take. */
export interface LoopbackWaitOptions {
  /** Milliseconds; default the peer's `timeout` option (2000). */
  timeout?: number;
}

/** Options of `LoopbackPeer.say`. */
export interface LoopbackSayOptions {
  /** `X-MMS-IM-Format` fields (font, effects, colour...). */
  format?: ImFormat;
}

/** A peer's handle on one switchboard session it took part in. */
export interface LoopbackConversation {
  /** The switchboard session id (as in `CAL ... RINGING <id>` and `RNG <id>`). */
  readonly id: string;
  /** Passports of the other participants present now, in join order; empty once left. */
  readonly participants: readonly string[];
  /** False once the peer left, signed out, or the server ended its part (idle timeout). */
  readonly active: boolean;
}

/** What a received message is, by content type. */
export type LoopbackMessageKind =
  /** `text/plain`: `text` holds the body. */
  | "text"
  /** `text/x-msmsgscontrol`: `typingUser` holds `TypingUser`. */
  | "typing"
  /** `text/x-msnmsgr-datacast` with `ID: 1`. */
  | "nudge"
  /** Anything else, or a payload that is not MIME: see `payload`. */
  | "other";

/** One message a peer received, exactly as the sender's client sent it. */
export interface LoopbackMessage {
  /** The conversation it arrived in. */
  readonly conversation: LoopbackConversation;
  /** Sender's passport. */
  readonly from: string;
  /** Sender's display name (decoded) when it was sent. */
  readonly fromName: string;
  /** Interpretation by content type. */
  readonly kind: LoopbackMessageKind;
  /** Media type, lower case, without parameters (`text/plain`); `""` when missing. */
  readonly contentType: string;
  /** Body decoded as UTF-8, for `text`. */
  readonly text?: string;
  /** Parsed `X-MMS-IM-Format`, for `text` that carries one. */
  readonly format?: ImFormat;
  /** `TypingUser`, for `typing`. */
  readonly typingUser?: string;
  /** MIME headers in wire order (empty when the payload is not MIME). */
  readonly headers: readonly (readonly [name: string, value: string])[];
  /** The payload bytes, exactly as relayed. */
  readonly payload: Uint8Array;
}

/** An invitation into a switchboard session (what `RNG` carries for a client). */
export interface LoopbackInvitation {
  /** Switchboard session id. */
  readonly sessionId: string;
  /** Inviter's passport. */
  readonly inviter: string;
  /** Inviter's display name (decoded). */
  readonly inviterName: string;
}

/** Everything a peer saw, in order. */
export type LoopbackPeerEvent =
  /** A message arrived (also in `received`). */
  | { readonly type: "message"; readonly message: LoopbackMessage }
  /** Someone joined a conversation of the peer (`JOI`). */
  | {
    readonly type: "joined";
    readonly conversation: LoopbackConversation;
    readonly passport: string;
    readonly name: string;
  }
  /** Someone left (`BYE`); `idle` when the server timed them out (`BYE <passport> 1`). */
  | {
    readonly type: "left";
    readonly conversation: LoopbackConversation;
    readonly passport: string;
    readonly idle: boolean;
  }
  /** The peer was invited (answered at once with `autoAnswer`). */
  | { readonly type: "invited"; readonly invitation: LoopbackInvitation }
  /** The server ended the peer's part in a conversation (idle timeout). */
  | { readonly type: "ended"; readonly conversation: LoopbackConversation };

/** Filters of `LoopbackPeer.nextMessage`. */
export interface LoopbackNextMessageOptions extends LoopbackWaitOptions {
  /** Only messages of this kind (others stay for later calls). */
  kind?: LoopbackMessageKind;
  /** Only messages from this passport. */
  from?: string;
  /** Only messages in this conversation. */
  conversation?: LoopbackConversation;
}

/**
 * An account signed in without a client and driven from test code, so a bot can be tested
 * offline: it is online for presence (contacts see it per their lists), it opens and answers
 * switchboard conversations, says things, types, nudges and leaves, and records what it receives.
 *
 * Waits (`next*`, `openConversation`, `invite`) resolve with the first item not yet handed out by
 * the same method, or reject with a `LoopbackServerError`: `timeout` after their timeout, `not-online`
 * or `closed` when the peer signs out or the server closes. Actions on a conversation the peer is
 * not in throw `not-in-conversation`; after sign-out they throw `not-online`.
 */
export interface LoopbackPeer {
  /** The account's passport as configured. */
  readonly passport: string;
  /** False after `signOut()`, a `kick`, a client signing in as the same account, or `close()`. */
  readonly online: boolean;
  /** Current presence. */
  readonly status: LoopbackStatus;
  /** Every conversation the peer opened or joined, in order (a copy). */
  readonly conversations: readonly LoopbackConversation[];
  /** Every message received, in order (a copy). */
  readonly received: readonly LoopbackMessage[];
  /** Every event, in order (a copy). */
  readonly events: readonly LoopbackPeerEvent[];
  /** Changes presence; contacts get `NLN` (or `FLN` for `HDN`). */
  setStatus(status: LoopbackStatus): void;
  /**
   * Opens a switchboard session and invites each passport in turn (each gets `RNG`), resolving
   * once all have joined.
   * @throws `call-failed` with `serverCode` 208, 215, 216, 217 (or 913 while `HDN`); `timeout`.
   */
  openConversation(
    passports: string | readonly string[],
    options?: LoopbackWaitOptions,
  ): Promise<LoopbackConversation>;
  /** Invites one more passport into a conversation; resolves when it joined. Errors as above. */
  invite(
    conversation: LoopbackConversation,
    passport: string,
    options?: LoopbackWaitOptions,
  ): Promise<void>;
  /** Joins the session of an invitation (with `autoAnswer: false`); the others get `JOI`. */
  answer(invitation: LoopbackInvitation): LoopbackConversation;
  /** Sends a `text/plain` message (at most 1664 payload bytes: split longer text yourself). */
  say(conversation: LoopbackConversation, text: string, options?: LoopbackSayOptions): void;
  /** Sends a typing notification (`TypingUser: <passport>`). */
  typing(conversation: LoopbackConversation): void;
  /** Sends a nudge (`text/x-msnmsgr-datacast`, `ID: 1`). */
  nudge(conversation: LoopbackConversation): void;
  /** Relays any payload bytes as they are (no size check: for testing a client's limits). */
  send(conversation: LoopbackConversation, payload: Uint8Array): void;
  /** Leaves (the others get `BYE <passport>`). Does nothing if already out. */
  leave(conversation: LoopbackConversation): void;
  /** The next message not yet returned, optionally filtered by kind, sender, conversation. */
  nextMessage(options?: LoopbackNextMessageOptions): Promise<LoopbackMessage>;
  /** The next event not yet returned, optionally of one type. */
  nextEvent<T extends LoopbackPeerEvent["type"]>(
    options?: LoopbackWaitOptions & { type?: T },
  ): Promise<Extract<LoopbackPeerEvent, { type: T }>>;
  /** The next conversation the peer joined by answering an invitation. */
  nextConversation(options?: LoopbackWaitOptions): Promise<LoopbackConversation>;
  /** The next invitation left unanswered (`autoAnswer: false`). */
  nextInvitation(options?: LoopbackWaitOptions): Promise<LoopbackInvitation>;
  /** Leaves every conversation and goes offline (contacts get `FLN`). */
  signOut(): void;
}
