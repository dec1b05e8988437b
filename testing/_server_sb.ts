// Private to testing/: the loopback switchboard, behaving like today's revival servers
// (shared/SERVERS.md): single-use cookies that expire, a deadline to authenticate, CAL errors
// 208/215/216/217, an ACK for every A/D message and no NAK (unless the `nak` option asks), a
// payload over 1664 bytes or P2P without ack D closes the connection, a session stays open with
// one participant alone, and an optional idle timeout that says `BYE <passport> 1`.

import type { Socket } from "node:net";
import { clearTimeout, setTimeout } from "node:timers";
import { type Command, MAX_SB_MESSAGE_BYTES, parseMime, urlEncode } from "../codec/mod.ts";
import { mediaTypeOf } from "../codec/_content_read.ts";
import {
  allows,
  type Hub,
  randomDigits,
  type ResolvedSwitchboardOptions,
} from "./_server_state.ts";
import { Link } from "./_server_link.ts";

/** Someone in a switchboard session: a socket, a scripted peer, or a `ringFrom` inviter. */
export interface Participant {
  /** Lower-cased passport. */
  readonly key: string;
  readonly passport: string;
  /** False for a `ringFrom` inviter: listed by `IRO`, reads nothing, keeps no session open. */
  readonly real: boolean;
  /** Current display name, not encoded. */
  name(): string;
  deliver(from: Participant, payload: Uint8Array): void;
  joined(who: Participant): void;
  left(who: Participant, idle: boolean): void;
  /** The server ends this participant's part (idle timeout, same account joined again). */
  end(): void;
}

/** What a `CAL` or a peer's invitation may name (the account rule of the server). */
const ADDRESS = /^[^\s@]+@[^\s@]+$/;

/** One switchboard session. */
export class SbSession {
  readonly id: string;
  /** In join order. */
  readonly members = new Map<string, Participant>();
  readonly #sb: Switchboard;
  #idle: ReturnType<typeof setTimeout> | undefined;
  closed = false;

  constructor(sb: Switchboard, id: string) {
    this.#sb = sb;
    this.id = id;
  }

  /** Everyone but `p`, in join order. */
  others(p: Participant): Participant[] {
    return [...this.members.values()].filter((m) => m !== p);
  }

  /** Adds `p`; with `announce`, the others get `JOI`. The same account joining again replaces the older one. */
  add(p: Participant, announce: boolean): void {
    const older = this.members.get(p.key);
    if (older) {
      this.remove(older, false);
      older.end();
    }
    this.members.set(p.key, p);
    if (announce) { for (const o of this.others(p)) o.joined(p); }
    this.touch();
  }

  /** Takes `p` out; the others get `BYE`. The session ends when no real participant is left. */
  remove(p: Participant, idle: boolean): void {
    if (this.members.get(p.key) !== p) return;
    this.members.delete(p.key);
    for (const o of this.members.values()) o.left(p, idle);
    if (![...this.members.values()].some((m) => m.real)) this.#close();
  }

  /** Sends `payload` from `from` to everyone else; returns how many got it. */
  relay(from: Participant, payload: Uint8Array): number {
    const others = this.others(from);
    for (const o of others) o.deliver(from, payload);
    this.touch();
    return others.length;
  }

  /** Restarts the idle timer (after a message or a join). */
  touch(): void {
    const ms = this.#sb.options.idleTimeoutMs;
    if (ms === 0 || this.closed) return;
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.#timeout(), ms);
    this.#idle.unref();
  }

  /** Nobody spoke for `idleTimeoutMs`: everyone is told the others timed out, then dropped. */
  #timeout(): void {
    this.#idle = undefined;
    const members = [...this.members.values()];
    this.members.clear();
    this.#close();
    for (const m of members) {
      for (const o of members) if (o !== m) m.left(o, true);
    }
    for (const m of members) m.end();
  }

  /** Ends the session without telling anyone (the server is closing). */
  dispose(): void {
    this.members.clear();
    this.#close();
  }

  #close(): void {
    this.closed = true;
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    this.#idle = undefined;
    this.#sb.sessions.delete(this.id);
  }
}

/** The switchboard's sessions and the rules shared by sockets and scripted peers. */
export class Switchboard {
  readonly hub: Hub;
  readonly sessions = new Map<string, SbSession>();

  constructor(hub: Hub) {
    this.hub = hub;
  }

  /** Options after defaults (the switchboard only runs when they exist). */
  get options(): ResolvedSwitchboardOptions {
    return this.hub.options.switchboard as ResolvedSwitchboardOptions;
  }

  /** Creates an empty session. */
  open(): SbSession {
    let id = randomDigits(8);
    while (this.sessions.has(id)) id = randomDigits(8);
    const session = new SbSession(this, id);
    this.sessions.set(id, session);
    return session;
  }

  /** The error code a `CAL` from `caller` for `passport` gets, or undefined when it may ring. */
  callError(session: SbSession, caller: Participant, passport: string): number | undefined {
    if (!ADDRESS.test(passport)) return 208;
    const key = passport.toLowerCase();
    if (key === caller.key || session.members.has(key)) return 215;
    const target = this.hub.sessions.get(key);
    if (!target || target.status === "FLN" || target.status === "HDN") return 217;
    if (!allows(target.account, caller.key)) return 216;
    return undefined;
  }

  /**
   * Invites the online account `passport` into `session`: `RNG` on its notification connection
   * with a fresh cookie, or straight to a scripted peer.
   */
  ring(session: SbSession, passport: string, inviter: Participant): void {
    const key = passport.toLowerCase();
    const target = this.hub.sessions.get(key);
    if (!target) return;
    if (target.invited) return target.invited(session.id, inviter.passport, inviter.name());
    const cookie = this.hub.issueSbCookie({ kind: "ring", key, sessionId: session.id });
    target.link.send("RNG", null, [
      session.id,
      `${this.hub.host}:${this.hub.sbPort}`,
      "CKI",
      cookie,
      inviter.passport,
      urlEncode(inviter.name()),
    ]);
  }

  /** Drops every session and its timer (the server is closing). */
  closeAll(): void {
    for (const session of [...this.sessions.values()]) session.dispose();
  }

  /** Accepts a switchboard connection. */
  accept(socket: Socket): void {
    new SbConnection(this, socket);
  }
}

/** A `ringFrom` inviter: listed by `IRO`, never reads or speaks. */
export function virtualParticipant(passport: string, friendlyName: string): Participant {
  return {
    key: passport.toLowerCase(),
    passport,
    real: false,
    name: () => friendlyName,
    deliver() {},
    joined() {},
    left() {},
    end() {},
  };
}

/** Whether the payload is P2P (`application/x-msnmsgrp2p`), which must be sent with ack `D`. */
function isP2P(payload: Uint8Array): boolean {
  try {
    return mediaTypeOf(parseMime(payload)) === "application/x-msnmsgrp2p";
  } catch {
    return false;
  }
}

/** One client connection to the switchboard. */
export class SbConnection implements Participant {
  readonly link: Link;
  readonly real = true;
  readonly #sb: Switchboard;
  key = "";
  passport = "";
  #session: SbSession | undefined;
  #auth: ReturnType<typeof setTimeout> | undefined;

  constructor(sb: Switchboard, socket: Socket) {
    this.#sb = sb;
    this.link = new Link(sb.hub, socket, (c) => this.#handle(c), () => this.#closed());
    // Revival servers drop a switchboard connection that has not authenticated in time.
    this.#auth = setTimeout(() => this.link.close(), sb.options.authTimeoutMs);
    this.#auth.unref();
  }

  name(): string {
    return this.#sb.hub.accounts.get(this.key)?.friendlyName ?? this.passport;
  }

  deliver(from: Participant, payload: Uint8Array): void {
    this.link.send("MSG", null, [from.passport, urlEncode(from.name())], payload);
  }

  joined(who: Participant): void {
    this.link.send("JOI", null, [who.passport, urlEncode(who.name())]);
  }

  left(who: Participant, idle: boolean): void {
    this.link.send("BYE", null, idle ? [who.passport, "1"] : [who.passport]);
  }

  end(): void {
    this.link.close();
  }

  #closed(): void {
    if (this.#auth !== undefined) clearTimeout(this.#auth);
    this.#auth = undefined;
    const session = this.#session;
    this.#session = undefined;
    session?.remove(this, false);
  }

  #fail(t: number): void {
    this.link.error(911, t);
    this.link.close();
  }

  #authenticated(passport: string): void {
    if (this.#auth !== undefined) clearTimeout(this.#auth);
    this.#auth = undefined;
    this.key = passport.toLowerCase();
    this.passport = passport;
  }

  #handle(c: Command): void {
    const t = c.trid ?? 0;
    if (this.#session) return this.#live(c, t);
    const hub = this.#sb.hub;
    if (c.name === "USR") {
      const [passport, cookie] = c.args;
      const ticket = hub.redeemSbCookie(cookie);
      if (ticket?.kind !== "xfr" || ticket.key !== passport?.toLowerCase()) return this.#fail(t);
      this.#authenticated(passport);
      const session = this.#sb.open();
      this.#session = session;
      session.add(this, false);
      this.link.send("USR", t, ["OK", passport, urlEncode(this.name())]);
      return;
    }
    if (c.name === "ANS") {
      const [passport, cookie, sessionId] = c.args;
      const ticket = hub.redeemSbCookie(cookie);
      const session = sessionId === undefined ? undefined : this.#sb.sessions.get(sessionId);
      if (
        ticket?.kind !== "ring" || ticket.key !== passport?.toLowerCase() ||
        ticket.sessionId !== sessionId || !session
      ) {
        return this.#fail(t);
      }
      this.#authenticated(passport);
      const roster = session.others(this).filter((m) => m.key !== this.key);
      roster.forEach((p, i) => {
        this.link.send("IRO", t, [
          String(i + 1),
          String(roster.length),
          p.passport,
          urlEncode(p.name()),
        ]);
      });
      this.link.send("ANS", t, ["OK"]);
      this.#session = session;
      session.add(this, true);
      return;
    }
    this.link.close();
  }

  #live(c: Command, t: number): void {
    switch (c.name) {
      case "CAL":
        return this.#cal(c, t);
      case "MSG":
        return this.#msg(c, t);
      case "OUT":
        // The others get BYE when the close handler takes this participant out.
        return this.link.close();
      default:
        this.link.error(200, t);
    }
  }

  #cal(c: Command, t: number): void {
    const session = this.#session as SbSession;
    const passport = c.args[0];
    if (passport === undefined) return this.link.error(201, t);
    const code = this.#sb.callError(session, this, passport);
    if (code !== undefined) return this.link.error(code, t);
    this.link.send("CAL", t, ["RINGING", session.id]);
    this.#sb.ring(session, passport, this);
  }

  #msg(c: Command, t: number): void {
    const session = this.#session as SbSession;
    const ack = c.args[0];
    const payload = c.payload ?? new Uint8Array(0);
    if (ack !== "U" && ack !== "N" && ack !== "A" && ack !== "D") return this.link.error(200, t);
    if (payload.length > MAX_SB_MESSAGE_BYTES || (ack !== "D" && isP2P(payload))) {
      return this.link.close();
    }
    const received = session.relay(this, payload);
    if (ack === "U") return;
    if (this.#sb.options.nak && received === 0) return this.link.send("NAK", t, []);
    if (ack !== "N") this.link.send("ACK", t, []);
  }
}
