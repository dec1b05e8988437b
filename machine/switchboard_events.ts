// The switchboard session's vocabulary: options, phases, events and outputs.
import type {
  DecodeError,
  HostPort,
  ImFormat,
  PayloadError,
  SwitchboardContent,
} from "../codec/mod.ts";
import type { SessionError } from "./errors.ts";
import type { ConnectionOutput } from "./events.ts";

/** Time limits of a switchboard session in milliseconds; each has a default. */
export interface SwitchboardTimeouts {
  /** Opening the TCP connection. Default 15 000. */
  connect: number;
  /** `USR` to `USR OK`, or `ANS` to `ANS OK` (the server closes unauthenticated switchboards after about 60 s). Default 30 000. */
  auth: number;
  /** `CAL` to `CAL RINGING` (or its error). Default 30 000. */
  call: number;
  /** `MSG` with ack `A` or `D` to its `ACK`. Default 30 000. */
  ack: number;
  /** `MSG` with ack `N`: how long a `NAK` may still come; after it the send counts as completed. Default 5 000. */
  nak: number;
  /** `OUT` to the server closing the connection. Default 5 000. */
  leave: number;
}

/** The defaults of {@link SwitchboardTimeouts}. */
export const DEFAULT_SWITCHBOARD_TIMEOUTS: Readonly<SwitchboardTimeouts> = Object.freeze({
  connect: 15_000,
  auth: 30_000,
  call: 30_000,
  ack: 30_000,
  nak: 5_000,
  leave: 5_000,
});

/** Open a switchboard you asked for: the reply to `XFR t SB` on the notification server. */
export interface CallEntry {
  /** Discriminant. */
  mode: "call";
  /** `host:port` from the `XFR` reply, used exactly. */
  address: HostPort;
  /** The cookie after `CKI` (a secret; never logged or emitted). */
  cookie: string;
  /** Our own passport. */
  account: string;
  /** Contacts to invite (`CAL`) as soon as the switchboard accepts us. */
  invitees?: readonly string[];
}

/** Answer an invitation: the notification server's `RNG`. */
export interface AnswerEntry {
  /** Discriminant. */
  mode: "answer";
  /** `host:port` from `RNG`, used exactly. */
  address: HostPort;
  /** The cookie after `CKI` (a secret; never logged or emitted). */
  cookie: string;
  /** The session id from `RNG`. */
  sessionId: string;
  /** Our own passport. */
  account: string;
}

/** Settings common to both ways in. */
export interface SwitchboardSettings {
  /** Time limits. */
  timeouts?: Partial<SwitchboardTimeouts>;
  /** `X-MMS-IM-Format` for {@link SwitchboardSession.sendText} when the call gives none. */
  textFormat?: ImFormat;
  /** Answer every `INVITE` of `text/x-msmsgsinvite` with a CANCEL (they are unsupported). Default `true`. */
  cancelInvitations?: boolean;
  /** Decoder limit: longest line. */
  maxLineBytes?: number;
  /** Decoder limit: largest payload. */
  maxPayloadBytes?: number;
}

/** Options for {@link SwitchboardSession}: how it was entered, and settings. */
export type SwitchboardOptions = (CallEntry | AnswerEntry) & SwitchboardSettings;

/**
 * Phases of a switchboard session: `idle` → `connecting` → `authenticating`
 * (call: `USR`) or `answering` (answer: `ANS`, `IRO`s) → `open` → `leaving`
 * (`OUT` sent) → `closed`; `failed` from anywhere.
 */
export type SwitchboardPhase =
  | "idle"
  | "connecting"
  | "authenticating"
  | "answering"
  | "open"
  | "leaving"
  | "closed"
  | "failed";

/** A participant other than us. */
export interface Participant {
  /** Passport as the server sent it. */
  passport: string;
  /** Friendly name, URL-decoded. */
  friendlyName: string;
}

/** Why an invitation (`CAL`) failed. */
export type InviteFailure =
  | {
    /**
     * `already-present` (215: already in this switchboard, or yourself),
     * `blocked` (216), `offline` (217: offline, hidden or unknown),
     * `invalid-address` (208), `too-fast` (713), or `server-error` for any
     * other code.
     */
    reason:
      | "already-present"
      | "blocked"
      | "offline"
      | "invalid-address"
      | "too-fast"
      | "server-error";
    /** The server's error code. */
    serverCode: number;
    /** Its name, e.g. `USER_OFFLINE`. */
    serverName: string;
  }
  /** No answer within `timeouts.call`. */
  | { reason: "timeout" }
  /** The switchboard closed first. */
  | { reason: "closed" };

/** Why a send failed. */
export type SendFailure =
  /** `NAK`: the server could not deliver it. */
  | { reason: "nak" }
  /** An error reply such as 282 (malformed `D` message). */
  | { reason: "server-error"; serverCode: number; serverName: string }
  /** The switchboard closed before the server answered. */
  | { reason: "closed" }
  /** No `ACK` within `timeouts.ack`. */
  | { reason: "timeout" };

/** How a switchboard session ended: see {@link SwitchboardEndedEvent}. */
export type SwitchboardEndReason = "left" | "serverClosed" | "connectionLost" | "error";

/** The last event a switchboard session emits. */
export interface SwitchboardEndedEvent {
  /** Event type. */
  type: "ended";
  /**
   * `left`: we sent `OUT` (then the server closed, or the leave time ran
   * out). `serverClosed`: the server sent `OUT`. `connectionLost`: the
   * connection closed while open. `error`: the session failed; see `error`.
   */
  reason: SwitchboardEndReason;
  /** The failure, when `reason` is `error`. */
  error?: SessionError;
}

/** Everything a switchboard session tells the application, in order. */
export type SwitchboardEvent =
  /** The server accepted us (`USR OK` or `ANS OK`); `participants` are the others already there. */
  | { type: "ready"; sessionId?: string; participants: Participant[] }
  /** Someone is in: `JOI`, or an `IRO` entry (`initial`) while answering. */
  | { type: "participantJoined"; passport: string; friendlyName: string; initial: boolean }
  /** Someone left (`BYE`); `timedOut` for `BYE passport 1` (idle timeout). */
  | { type: "participantLeft"; passport: string; timedOut: boolean }
  /** `CAL t RINGING`: the invitation went out; the invitee is in only at `participantJoined`. */
  | { type: "inviteRinging"; inviteId: number; passport: string; sessionId: string }
  /** The invitation failed. */
  | { type: "inviteFailed"; inviteId: number; passport: string; failure: InviteFailure }
  /** A message from a participant, read by its content type. */
  | { type: "message"; from: string; friendlyName: string; content: SwitchboardContent }
  /**
   * A send is done: `acknowledged` when the server sent `ACK` for every part
   * (ack `A`/`D`); `false` for ack `U` (no answer exists) and `N` (no `NAK`
   * within `timeouts.nak`). `recipients` are the other participants when it
   * was sent: an ACK while alone means the message was lost.
   */
  | { type: "sendCompleted"; sendId: number; acknowledged: boolean; recipients: string[] }
  /** A send failed; for split text, the first part that failed decides. */
  | { type: "sendFailed"; sendId: number; failure: SendFailure }
  /** The server sent something malformed that was skipped; the session goes on. */
  | { type: "warning"; error: DecodeError | PayloadError }
  | SwitchboardEndedEvent;

/**
 * What the switchboard session asks its driver to do: `connect` (always
 * `kind: "sb"`), `transmit` (one command per output: write it in one write),
 * `close`, and `event`s for the application.
 */
export type SwitchboardOutput = ConnectionOutput<SwitchboardEvent>;
