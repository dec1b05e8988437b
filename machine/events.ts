import type { ConnectionKind } from "../codec/mod.ts";
import type {
  AnyStatus,
  HostPort,
  ListName,
  MessageView,
  PhoneProperty,
  Profile,
  ServerMessage,
} from "../codec/mod.ts";
import type { ContactListSnapshot } from "./contact_list.ts";
import type { DecodeError, PayloadError } from "../codec/mod.ts";
import type { SessionError } from "./errors.ts";
import type { EndReason } from "./_lifecycle.ts";

/** How a session ended: see {@link SignedOutEvent}. */
export type SignOutReason = EndReason | "error";

/** A change to the contact list, applied to the session's list before it is emitted. */
export type ListChange =
  | {
    kind: "contactAdded";
    passport: string;
    list: ListName;
    friendlyName: string;
    groupId?: number;
  }
  | { kind: "contactRemoved"; passport: string; list: ListName; groupId?: number }
  | { kind: "contactRenamed"; passport: string; friendlyName: string }
  | { kind: "groupAdded"; groupId: number; name: string }
  | { kind: "groupRemoved"; groupId: number }
  | { kind: "groupRenamed"; groupId: number; name: string }
  | { kind: "privacyChanged"; privacy: "AL" | "BL" }
  | { kind: "addPromptChanged"; addPrompt: "A" | "N" }
  | { kind: "phoneChanged"; passport?: string; property: PhoneProperty | string; value: string };

/** Why a request (an intent with a TrID) failed. */
export type RequestFailure =
  | { reason: "server-error"; serverCode: number; serverName: string; meaning: string }
  | { reason: "timeout" };

/** The session ended; the last event a session emits. */
export interface SignedOutEvent {
  /** Event type. */
  type: "signedOut";
  /**
   * `client`: we signed out. `otherLocation`: `OUT OTH`, signed in elsewhere.
   * `serverShutdown`: `OUT SSD`. `serverClosed`: any other `OUT` from the
   * server. `connectionLost`: the connection dropped while online. `error`:
   * the session failed; see `error`.
   */
  reason: SignOutReason;
  /** The failure, when `reason` is `error`. */
  error?: SessionError;
}

/** Everything a session tells the application, in the order it happened. */
export type SessionEvent =
  | { type: "redirected"; host: string; port: number }
  | {
    type: "signedIn";
    passport: string;
    friendlyName: string;
    verified: boolean;
    /** Negotiated protocol version, e.g. `MSNP9`. */
    protocol: string;
  }
  | { type: "profile"; profile: Profile }
  | {
    type: "contactsSynced";
    contactList: ContactListSnapshot;
    /** Whether the server said the cached list was current. */
    fromCache: boolean;
  }
  /**
   * The contact list is arriving: `received` of the `total` contacts the `SYN` reply announced.
   * Emitted with `received` 0 when a reply announces a non-zero total, then each time another
   * tenth of it has arrived (at most 9 more), never for the last contact: `contactsSynced`
   * follows it. Not emitted when the cached list is current.
   */
  | { type: "syncProgress"; received: number; total: number }
  | { type: "statusChanged"; status: AnyStatus; clientId?: number; msnObject?: string }
  | {
    type: "presence";
    passport: string;
    status: AnyStatus;
    friendlyName?: string;
    clientId?: number;
    msnObject?: string;
    /** `true` for the initial presence (`ILN`) after setting a status. */
    initial: boolean;
  }
  | { type: "listChanged"; change: ListChange; version: number }
  | { type: "addedBy"; passport: string; friendlyName: string }
  | { type: "removedBy"; passport: string }
  | { type: "renamed"; friendlyName: string }
  | { type: "requestCompleted"; requestId: number; reply: ServerMessage }
  | { type: "requestFailed"; requestId: number; failure: RequestFailure }
  | { type: "switchboard"; requestId: number; address: HostPort; cookie: string }
  | {
    type: "invitation";
    sessionId: string;
    address: HostPort;
    cookie: string;
    passport: string;
    friendlyName: string;
  }
  | { type: "notification"; message: MessageView }
  /**
   * The server sent something malformed or out of place that was skipped;
   * the session goes on. A `SessionError` (code `protocol`) here reports a
   * server that broke a rule without breaking the session, e.g. a contact
   * listed twice in a SYN, or an `LST` outside a sync.
   */
  | { type: "warning"; error: DecodeError | PayloadError | SessionError }
  | SignedOutEvent;

// One definition, in the codec's command table: the root entry re-exports both folders.
export type { ConnectionKind };

/**
 * What any session asks its driver to do, in order, with `Event` its event
 * union. The driver carries out `connect`, `transmit` and `close`, and hands
 * `event`s to the application.
 */
export type ConnectionOutput<Event> =
  | {
    type: "connect";
    host: string;
    port: number;
    /** Which kind of server: `ns` (notification) or `sb` (switchboard). */
    kind: ConnectionKind;
  }
  /** Bytes to write; one command (line and payload) per output. */
  | { type: "transmit"; bytes: Uint8Array }
  | { type: "close" }
  | { type: "event"; event: Event };

/** The notification session's request to run Passport sign-in. */
export interface PassportOutput {
  /** Output type. */
  type: "passport";
  /** Account to sign in; the session never sees the password. */
  account: string;
  /** The `USR … TWN S` challenge, verbatim. */
  challenge: string;
}

/**
 * What the notification session asks its driver to do, in order. The driver
 * carries out `connect` (always `kind: "ns"`), `transmit`, `close` and
 * `passport`, and hands `event`s to the application.
 */
export type SessionOutput = ConnectionOutput<SessionEvent> | PassportOutput;
