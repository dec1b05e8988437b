// Options of the notification session and their defaults. The lifecycle
// chart reads the time limits from here as its `after` delays.
import type { ClientInfo, ProductKey, Status } from "../codec/mod.ts";
import type { ContactListSnapshot } from "./contact_list.ts";

/** Per-phase time limits in milliseconds; each has a default. */
export interface SessionTimeouts {
  /** Opening a TCP connection. Default 15 000. */
  connect: number;
  /** Each of the VER, CVR and `USR TWN I` replies. Default 30 000. */
  handshake: number;
  /** The driver's Passport sign-in. Default 60 000. */
  passport: number;
  /** `USR TWN S` to `USR OK`. Default 30 000. */
  authorize: number;
  /** `SYN` to the end of the contact list. Default 120 000. */
  sync: number;
  /** A request's reply (ADD, REM, CHG, ...). Default 30 000. */
  request: number;
  /** Time between `PNG`s when the server does not say (MSNP8). Default 45 000. */
  pingInterval: number;
  /** `PNG` to `QNG`; no `QNG` by then means the server is gone. Default 30 000. */
  pong: number;
  /** `OUT` to the server closing. Default 5 000. */
  signOut: number;
}

/** The defaults of {@link SessionTimeouts}. */
export const DEFAULT_TIMEOUTS: Readonly<SessionTimeouts> = Object.freeze({
  connect: 15_000,
  handshake: 30_000,
  passport: 60_000,
  authorize: 30_000,
  sync: 120_000,
  request: 30_000,
  pingInterval: 45_000,
  pong: 30_000,
  signOut: 5_000,
});

/** The historical dispatch server. */
export const DEFAULT_SERVER: Readonly<{ host: string; port: number }> = Object.freeze({
  host: "messenger.hotmail.com",
  port: 1863,
});

/** Options for `NotificationSession`. */
export interface SessionOptions {
  /** The account (passport) to sign in. */
  account: string;
  /** Dispatch (or notification) server. Default `messenger.hotmail.com:1863`. */
  server?: { host: string; port: number };
  /** Protocol versions to offer, most preferred first. Default `["MSNP9", "MSNP8"]`. */
  protocols?: readonly ("MSNP9" | "MSNP8")[];
  /** Client identification for `CVR`. */
  clientInfo?: ClientInfo;
  /** Product id and key for answering `CHL`. Default `MSMSGS_PRODUCT`. */
  product?: ProductKey;
  /** Status set after sync. Default `NLN`. */
  initialStatus?: Status;
  /** Client ID (capabilities) sent with `CHG`. Default 0. */
  clientId?: number;
  /** MSNObject XML sent with `CHG` on MSNP9. */
  msnObject?: string;
  /** The contact list from last time; `SYN` then asks only for changes since its version. */
  contactListCache?: ContactListSnapshot;
  /** Most `XFR NS` redirects in a row. Default 5. */
  maxRedirects?: number;
  /**
   * Whether TrIDs start again at 1 on each new connection after a redirect.
   * Default `true`; both are accepted by servers.
   */
  restartTridsOnRedirect?: boolean;
  /** Phase time limits. */
  timeouts?: Partial<SessionTimeouts>;
  /** Decoder limits. */
  maxLineBytes?: number;
  /** Decoder limits. */
  maxPayloadBytes?: number;
}
