/**
 * An in-process MSNP8/MSNP9 server on 127.0.0.1 for exercising clients over real sockets: a
 * dispatch server that refers with `XFR NS`, a notification server, a minimal switchboard and a
 * Passport 1.4 Nexus + login endpoint over HTTP. Accounts and contact lists are plain data.
 *
 * It runs unchanged under Deno, Node and Bun (`node:net`, `node:http`), listens on ephemeral
 * ports, and {@linkcode LoopbackServer.close} leaves no socket or timer behind.
 *
 * Behaviour (PROTOCOL.md): login is lock-step, `VER` → `CVR` (optional) → `USR TWN I` →
 * `USR TWN S <ticket>`; a login command out of order gets `715` and a close, any other command
 * before `USR OK` just a close, an unknown account or a ticket the Passport endpoint did not
 * issue for it `911` and a close. A second sign-in sends `OUT OTH` to the first session. Presence
 * follows the lists: a session sees a contact it has on `FL` when the contact is online, not `HDN`,
 * and allows it (on `AL`, or not on `BL` with `BLP AL`); `ILN` comes after the first `CHG`, then
 * `NLN`/`FLN` on every change; MSNObjects go only to MSNP9 sessions. `ADD`/`REM` on `FL` keep the
 * other account's `RL` in step (`ADD 0 RL` / `REM 0 RL`). After sign-in, an unknown command gets
 * `200`; a malformed line closes the connection.
 *
 * @example Start a server and sign in with the Passport runner
 * ```ts
 * import { startLoopbackServer } from "@msnp/client/testing";
 *
 * const server = await startLoopbackServer({
 *   accounts: [
 *     { passport: "alice@example.com", password: "a", friendlyName: "Alice" },
 *     { passport: "bob@example.com", password: "b", contacts: [
 *       { passport: "alice@example.com", lists: ["FL", "AL"] },
 *     ] },
 *   ],
 * });
 * console.log(server.dispatchAddress, server.nexusUrl);
 * // connect to dispatchAddress, VER/CVR/USR I, follow XFR NS, run Passport against nexusUrl
 * // (allowInsecureLoopback: true), send USR S with the ticket, SYN, CHG...
 * await server.close();
 * ```
 *
 * @module
 */

import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { type AddressInfo, createServer, type Server } from "node:net";
import { LoopbackServerError, type LoopbackServerErrorCode } from "./_server_errors.ts";
import { NsConnection } from "./_server_ns.ts";
import { issueTicket, PassportEndpoint } from "./_server_passport.ts";
import { Switchboard } from "./_server_sb.ts";
import { Hub, randomDigits } from "./_server_state.ts";

export { LoopbackServerError, type LoopbackServerErrorCode };

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
  /** Run the switchboard; when `false`, `XFR SB` gets `201`. Default `true`. */
  switchboard?: boolean;
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
  /** Issues a Passport ticket for an account without HTTP, for tests that skip Passport. */
  issueTicket(passport: string): string;
  /** Passports of the signed-in accounts (after `USR OK`), in sign-in order. */
  onlineAccounts(): string[];
  /** Closes every connection and listener and stops every timer. */
  close(): Promise<void>;
}

function listen(server: Server | HttpServer, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server | HttpServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Starts the servers on ephemeral ports of 127.0.0.1.
 *
 * The Nexus answers with `DALogin=http://127.0.0.1:<port>/login2.srf`, scheme included, because a
 * scheme-less `DALogin` (as the real Nexus sends) becomes `https:`; clients must allow plain HTTP
 * to loopback (`allowInsecureLoopback: true` in `auth/`).
 *
 * @example
 * ```ts
 * import { startLoopbackServer } from "@msnp/client/testing";
 *
 * const server = await startLoopbackServer({
 *   accounts: [{ passport: "alice@example.com", password: "secret" }],
 *   dispatch: false,
 * });
 * const ticket = server.issueTicket("alice@example.com"); // skip the HTTP part
 * console.log(server.notificationAddress.port, ticket.startsWith("t="));
 * await server.close();
 * ```
 *
 * @throws {LoopbackServerError} `invalid-options` for duplicate or malformed accounts.
 */
export async function startLoopbackServer(
  options: LoopbackServerOptions,
): Promise<LoopbackServer> {
  const hub = new Hub(options);
  const host = hub.host;
  const switchboard = new Switchboard(hub);
  const passport = new PassportEndpoint(hub, options.passportRedirectOnce ?? false);

  const ns = createServer((socket) => {
    if (hub.closed) socket.destroy();
    else new NsConnection(hub, socket, false);
  });
  const ds = hub.options.dispatch
    ? createServer((socket) => {
      if (hub.closed) socket.destroy();
      else new NsConnection(hub, socket, true);
    })
    : undefined;
  const sb = createServer((socket) => {
    if (hub.closed) socket.destroy();
    else switchboard.accept(socket);
  });
  const http = createHttpServer((req, res) => {
    try {
      passport.handle(req, res);
    } catch {
      res.destroy();
    }
  });
  const servers: (Server | HttpServer)[] = [ns, sb, http];
  if (ds) servers.push(ds);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    if (closing) return closing;
    hub.closed = true;
    closing = (async () => {
      for (const link of [...hub.links]) link.destroy();
      for (const socket of [...hub.sockets]) socket.destroy();
      hub.sessions.clear();
      http.closeAllConnections();
      await Promise.all(servers.map(closeServer));
    })();
    return closing;
  };

  try {
    hub.nsPort = await listen(ns, host);
    hub.sbPort = await listen(sb, host);
    passport.port = await listen(http, host);
    hub.dsPort = ds ? await listen(ds, host) : hub.nsPort;
  } catch (error) {
    await Promise.all(servers.filter((s) => s.listening).map(closeServer));
    throw error;
  }

  const accountKey = (who: string, hook: string): string => {
    const key = who.toLowerCase();
    if (!hub.accounts.has(key)) {
      throw new LoopbackServerError("unknown-account", `Cannot ${hook}: ${who} is not an account`);
    }
    return key;
  };
  const open = (hook: string) => {
    if (hub.closed) {
      throw new LoopbackServerError("closed", `Cannot ${hook}: the server is closed`);
    }
  };

  return {
    dispatchAddress: { host, port: hub.dsPort },
    notificationAddress: { host, port: hub.nsPort },
    switchboardAddress: { host, port: hub.sbPort },
    nexusUrl: `http://${host}:${passport.port}/rdr/pprdr.asp`,
    loginUrl: `http://${host}:${passport.port}/login2.srf`,
    kick(who, reason) {
      open("kick");
      const session = hub.online(who, "kick");
      session.link.send("OUT", null, [reason]);
      session.link.close();
    },
    dropConnection(who) {
      open("drop connection");
      hub.online(who, "drop connection").link.destroy();
    },
    pause(who) {
      open("pause");
      hub.online(who, "pause").link.paused = true;
    },
    sendRaw(who, text) {
      open("send raw");
      hub.online(who, "send raw").link.raw(text);
    },
    challenge(who, value) {
      open("send challenge");
      const session = hub.online(who, "send challenge");
      const challenge = value ?? randomDigits(20);
      session.challenge(challenge);
      return challenge;
    },
    ringFrom(inviter, to) {
      open("ring");
      const session = hub.online(to, "ring");
      const known = hub.accounts.get(inviter.toLowerCase());
      const from = { passport: inviter, friendlyName: known?.friendlyName ?? inviter };
      const sb = switchboard.open(from);
      switchboard.ring(sb, session.account.key, from);
      return sb.id;
    },
    issueTicket(who) {
      open("issue ticket");
      return issueTicket(hub, accountKey(who, "issue ticket"));
    },
    onlineAccounts() {
      return [...hub.sessions.values()].map((s) => s.account.passport);
    },
    close,
  };
}
