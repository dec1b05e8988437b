// Private to testing/ (re-exported by loopback_server.ts): the loopback server's options, accounts
// and handle, as plain data types.
import type { LoopbackPeer, LoopbackPeerOptions } from "./_server_peer_types.ts";
/** A contact list: forward, allow, block, reverse. */
export type LoopbackList = "FL" | "AL" | "BL" | "RL";

/** A phone property (`PRP`/`BPR`); `WWE` is MSNP9 only. */
export type LoopbackPhone = "PHH" | "PHW" | "PHM" | "MOB" | "MBE" | "WWE";

/** A contact-list group. */
export interface LoopbackGroup {
  /** Group id, 0..29; group 0 cannot be removed. */
  id: number;
  /** Display name (not URL-encoded). */
  name: string;
}

/** One entry of an account's contact list. */
export interface LoopbackContact {
  /** The contact's passport. It need not be an account of this server. */
  passport: string;
  /** Stored name shown in `LST`; defaults to the passport. */
  friendlyName?: string;
  /** Lists the contact is on. `RL` is also added automatically (see {@linkcode LoopbackAccount}). */
  lists: LoopbackList[];
  /** Groups, for a contact on `FL`; defaults to `[0]` when group 0 exists. */
  groupIds?: number[];
  /** Phone numbers, sent as `BPR` lines after the contact's `LST`. */
  phones?: Partial<Record<LoopbackPhone, string>>;
}

/**
 * An account. Reverse lists are kept consistent with forward lists: if account A has account B on
 * its `FL`, A is on B's `RL` whether or not B's data says so.
 */
export interface LoopbackAccount {
  /** Sign-in name; matched case-insensitively. */
  passport: string;
  /** Password the Passport login endpoint checks. */
  password: string;
  /** Display name; defaults to the passport. */
  friendlyName?: string;
  /** The `verified` flag of `USR OK`; default `true`. */
  verified?: boolean;
  /** Groups; default `[{ id: 0, name: "Other Contacts" }]`. */
  groups?: LoopbackGroup[];
  /** Contact list. */
  contacts?: LoopbackContact[];
  /** `BLP` (default `AL`) and `GTC` (default `A`). */
  privacy?: { blp?: "AL" | "BL"; gtc?: "A" | "N" };
  /** Own phone numbers, sent as `PRP` lines in a full `SYN`. */
  phones?: Partial<Record<LoopbackPhone, string>>;
  /** Contact-list version; default 1. Every list change adds 1. */
  listVersion?: number;
}

/** Options of {@linkcode startLoopbackServer}. */
export interface LoopbackServerOptions {
  /** The accounts; their contact lists change as clients manage them. */
  accounts: LoopbackAccount[];
  /**
   * Run a separate dispatch listener that answers `VER`/`CVR`/`USR TWN I` with `XFR NS` to the
   * notification server and closes. Default `true`. When `false`, `dispatchAddress` is the
   * notification server.
   */
  dispatch?: boolean;
  /** Protocol versions the server accepts; default `["MSNP9", "MSNP8"]`. */
  protocols?: string[];
  /**
   * Answer `VER` by echoing the client's list from the chosen version on (`VER 1 MSNP8 CVR0`)
   * instead of the chosen version alone (`VER 1 MSNP8`). Default `false`.
   */
  echoVersions?: boolean;
  /**
   * Send `CHL 0 <20 digits>` this many ms after a session's first `CHG`, then again at this
   * interval. Default 0: never (use {@linkcode LoopbackServer.challenge}).
   */
  challengeIntervalMs?: number;
  /**
   * Product ID and key `QRY` answers are checked against; default `MSMSGS_PRODUCT` of the codec
   * (any `ProductKey` fits).
   */
  product?: { readonly id: string; readonly key: string };
  /** Seconds in the MSNP9 `QNG` reply; default 50. */
  qngSeconds?: number;
  /** Answer the first login request with a `302` `da-status=redir` to itself. Default `false`. */
  passportRedirectOnce?: boolean;
  /**
   * Run the switchboard (default `true`, with the defaults of
   * {@linkcode LoopbackSwitchboardOptions}); when `false`, `XFR SB` gets `201`.
   */
  switchboard?: boolean | LoopbackSwitchboardOptions;
}

/**
 * How the switchboard behaves. The defaults are those of today's revival servers (Escargot):
 * cookies valid 120 s, 60 s to authenticate, no idle timeout, an ACK for every `A`/`D` message.
 */
export interface LoopbackSwitchboardOptions {
  /** How long an `XFR SB` or `RNG` cookie may be used (once); default 120000 ms. */
  cookieLifetimeMs?: number;
  /** A connection that has not sent a good `USR`/`ANS` by then is closed; default 60000 ms. */
  authTimeoutMs?: number;
  /**
   * When no message was sent in a session for this long, every participant gets
   * `BYE <other> 1` for each other one and is disconnected. Default 0: never.
   */
  idleTimeoutMs?: number;
  /**
   * Answer `NAK` to an `A`, `N` or `D` message that nobody else was there to receive (as the
   * 2003 servers could). Default `false`: like revival servers, `A`/`D` get `ACK` and the message
   * is lost.
   */
  nak?: boolean;
}

/** A listening address. */
export interface LoopbackAddress {
  /** Always `127.0.0.1`. */
  host: string;
  /** Ephemeral port. */
  port: number;
}

/** Reason sent with a server-initiated `OUT`: signed in elsewhere, or server shutdown. */
export type LoopbackKickReason = "OTH" | "SSD";

/** A running loopback server, with hooks for tests. */
export interface LoopbackServer {
  /** Where a client connects first (the notification server when `dispatch` is off). */
  readonly dispatchAddress: LoopbackAddress;
  /** The notification server. */
  readonly notificationAddress: LoopbackAddress;
  /** The switchboard that `XFR SB` and `RNG` point to. */
  readonly switchboardAddress: LoopbackAddress;
  /** `http://127.0.0.1:<port>/rdr/pprdr.asp`; its `DALogin` is {@linkcode LoopbackServer.loginUrl}. */
  readonly nexusUrl: string;
  /** `http://127.0.0.1:<port>/login2.srf`. */
  readonly loginUrl: string;
  /** Sends `OUT <reason>` to the account's session and closes it. */
  kick(passport: string, reason: LoopbackKickReason): void;
  /** Destroys the account's connection without a word, as a network failure would. */
  dropConnection(passport: string): void;
  /** Stops the account's session from reading or writing anything; the socket stays open. */
  pause(passport: string): void;
  /** Writes `text` as it is to the account's notification connection. */
  sendRaw(passport: string, text: string): void;
  /** Sends `CHL 0 <challenge>` now (20 random digits by default); returns the challenge. */
  challenge(passport: string, challenge?: string): string;
  /**
   * Sends `RNG` to `toPassport` from `inviter` (who need not be online): answering it joins a
   * switchboard session in which `inviter` is listed by `IRO` but never speaks. Returns the
   * session id.
   */
  ringFrom(inviter: string, toPassport: string): string;
  /**
   * Signs in a scripted peer: the account goes online without a client (a client already signed
   * in as it gets `OUT OTH`), so a bot can chat with it offline. See {@linkcode LoopbackPeer}.
   *
   * @example A bot test with a scripted peer
   * ```ts ignore
   * const bob = await server.peer("bob@example.com");
   * const chat = await bob.openConversation("bot@example.com"); // RNG to the bot; resolves at JOI
   * bob.say(chat, "ping");
   * const reply = await bob.nextMessage({ kind: "text", timeout: 2000 });
   * // reply.from === "bot@example.com", reply.text === "ping"
   * ```
   *
   * @throws {LoopbackServerError} `unknown-account`, `closed`, or `invalid-argument` for options.
   */
  peer(passport: string, options?: LoopbackPeerOptions): Promise<LoopbackPeer>;
  /** Issues a Passport ticket for an account without HTTP, for tests that skip Passport. */
  issueTicket(passport: string): string;
  /** Passports of the signed-in accounts (after `USR OK`), in sign-in order. */
  onlineAccounts(): string[];
  /** Closes every connection and listener and stops every timer. */
  close(): Promise<void>;
}
