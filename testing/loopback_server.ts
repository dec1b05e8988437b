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
 * The switchboard (its own port, as revival servers use 1864) behaves like today's revival
 * servers, for MSNP8 and MSNP9 alike: `XFR SB` gets `913` before the first `CHG` and while `HDN`;
 * cookies are single-use and expire; a connection that does not authenticate in time is closed;
 * `USR`/`ANS` with a bad, used or expired cookie get `911` and a close; `CAL` answers `RINGING` or
 * `208` (bad address), `215` (already there, or yourself), `216` (they block you), `217` (offline,
 * hidden or unknown); `ANS` gets one `IRO` per other participant, then `ANS OK`, and the others
 * `JOI`; `MSG` is relayed byte for byte as `MSG <passport> <name> <len>`, every `A`/`D` is ACKed
 * and nothing is NAKed (see {@linkcode LoopbackSwitchboardOptions}); a payload over 1664 bytes, or
 * `application/x-msnmsgrp2p` without ack `D`, closes the connection; on `OUT` the server closes
 * the connection and the others get `BYE <passport>`; a session stays open with one participant
 * alone. Scripted peers ({@linkcode LoopbackServer.peer}) take part without a socket.
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
import { ScriptedPeer } from "./_server_peer.ts";
import type { LoopbackServer, LoopbackServerOptions } from "./_server_types.ts";
import { Switchboard, virtualParticipant } from "./_server_sb.ts";
import { type AccountState, Hub, randomDigits } from "./_server_state.ts";

export { LoopbackServerError, type LoopbackServerErrorCode };
// The server's and the scripted peers' types, all public.
export type * from "./_server_types.ts";
export type * from "./_server_peer_types.ts";

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
    if (hub.closed || !hub.options.switchboard) socket.destroy();
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
      for (const closer of [...hub.closers]) closer();
      for (const link of [...hub.links]) link.destroy();
      for (const socket of [...hub.sockets]) socket.destroy();
      switchboard.closeAll();
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
      const from = virtualParticipant(inviter, known?.friendlyName ?? inviter);
      const sb = switchboard.open();
      sb.add(from, false);
      switchboard.ring(sb, session.account.key, from);
      return sb.id;
    },
    peer(who, peerOptions) {
      try {
        open("sign in a peer");
        if (!hub.options.switchboard) {
          throw new LoopbackServerError(
            "invalid-options",
            "Cannot sign in a peer: the switchboard is off",
          );
        }
        const account = hub.accounts.get(accountKey(who, "sign in a peer")) as AccountState;
        return Promise.resolve(new ScriptedPeer(switchboard, account, peerOptions));
      } catch (error) {
        return Promise.reject(error);
      }
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
