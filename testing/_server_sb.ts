// Private to testing/: a minimal switchboard (PROTOCOL.md sec. 7). USR with an XFR cookie opens a
// session, CAL rings a contact over the notification server (RNG), ANS joins with IRO/JOI, MSG is
// relayed to the other participants with ACK/NAK, OUT or a dropped socket sends BYE.

import type { Socket } from "node:net";
import { type Command, urlEncode } from "../codec/mod.ts";
import { type Hub, Link, randomDigits } from "./_server_state.ts";

/** A participant that is not a socket: the inviter of a `ringFrom` test hook. */
interface VirtualParticipant {
  passport: string;
  friendlyName: string;
}

/** One switchboard session. */
export interface SbSession {
  id: string;
  members: Map<string, SbConnection>;
  virtual: VirtualParticipant[];
}

/** The switchboard's sessions, shared by its connections. */
export class Switchboard {
  readonly hub: Hub;
  readonly sessions = new Map<string, SbSession>();

  constructor(hub: Hub) {
    this.hub = hub;
  }

  /** Creates a session, optionally with a virtual participant already in it. */
  open(virtual?: VirtualParticipant): SbSession {
    let id = randomDigits(8);
    while (this.sessions.has(id)) id = randomDigits(8);
    const session: SbSession = { id, members: new Map(), virtual: virtual ? [virtual] : [] };
    this.sessions.set(id, session);
    return session;
  }

  /** Sends `RNG` to `toKey`'s notification session, inviting it into `session`. */
  ring(session: SbSession, toKey: string, inviter: VirtualParticipant): void {
    const target = this.hub.sessions.get(toKey);
    if (!target) return;
    const cookie = `${randomDigits(10)}.${randomDigits(5)}`;
    this.hub.sbTickets.set(cookie, { kind: "ring", key: toKey, sessionId: session.id });
    target.link.send("RNG", null, [
      session.id,
      `${this.hub.host}:${this.hub.sbPort}`,
      "CKI",
      cookie,
      inviter.passport,
      urlEncode(inviter.friendlyName),
    ]);
  }

  /** Accepts a switchboard connection. */
  accept(socket: Socket): void {
    new SbConnection(this, socket);
  }
}

/** One client connection to the switchboard. */
export class SbConnection {
  readonly link: Link;
  readonly #sb: Switchboard;
  #key = "";
  #passport = "";
  #session: SbSession | undefined;

  constructor(sb: Switchboard, socket: Socket) {
    this.#sb = sb;
    this.link = new Link(sb.hub, socket, (c) => this.#handle(c), () => this.#leave());
  }

  get #name(): string {
    return this.#sb.hub.accounts.get(this.#key)?.friendlyName ?? this.#passport;
  }

  #others(): SbConnection[] {
    return [...(this.#session?.members.values() ?? [])].filter((m) => m !== this);
  }

  #leave(): void {
    const session = this.#session;
    if (!session) return;
    this.#session = undefined;
    session.members.delete(this.#key);
    for (const m of session.members.values()) m.link.send("BYE", null, [this.#passport]);
    if (session.members.size === 0) this.#sb.sessions.delete(session.id);
  }

  #fail(code: number, trid: number | null): void {
    this.link.error(code, trid);
    this.link.close();
  }

  #handle(c: Command): void {
    const t = c.trid ?? 0;
    const hub = this.#sb.hub;
    if (!this.#session) {
      if (c.name === "USR") {
        const [passport, cookie] = c.args;
        const ticket = cookie === undefined ? undefined : hub.sbTickets.get(cookie);
        if (!ticket || ticket.kind !== "xfr" || ticket.key !== passport?.toLowerCase()) {
          return this.#fail(911, t);
        }
        hub.sbTickets.delete(cookie);
        this.#join(passport, this.#sb.open());
        this.link.send("USR", t, ["OK", passport, urlEncode(this.#name)]);
        return;
      }
      if (c.name === "ANS") {
        const [passport, cookie, sessionId] = c.args;
        const ticket = cookie === undefined ? undefined : hub.sbTickets.get(cookie);
        const session = sessionId === undefined ? undefined : this.#sb.sessions.get(sessionId);
        if (
          !ticket || ticket.kind !== "ring" || ticket.key !== passport?.toLowerCase() ||
          ticket.sessionId !== sessionId || !session
        ) {
          return this.#fail(911, t);
        }
        hub.sbTickets.delete(cookie);
        const roster = [
          ...session.virtual,
          ...[...session.members.values()].map((m) => ({
            passport: m.#passport,
            friendlyName: m.#name,
          })),
        ];
        roster.forEach((p, i) => {
          this.link.send("IRO", t, [
            String(i + 1),
            String(roster.length),
            p.passport,
            urlEncode(p.friendlyName),
          ]);
        });
        this.#join(passport, session);
        this.link.send("ANS", t, ["OK"]);
        for (const m of this.#others()) m.link.send("JOI", null, [passport, urlEncode(this.#name)]);
        return;
      }
      return this.link.close();
    }
    switch (c.name) {
      case "CAL":
        return this.#cal(c, t);
      case "MSG":
        return this.#msg(c, t);
      case "OUT":
        return this.link.close();
      default:
        this.link.error(200, t);
    }
  }

  #join(passport: string, session: SbSession): void {
    this.#key = passport.toLowerCase();
    this.#passport = passport;
    this.#session = session;
    session.members.get(this.#key)?.link.close();
    session.members.set(this.#key, this);
    this.#sb.sessions.set(session.id, session);
  }

  #cal(c: Command, t: number): void {
    const passport = c.args[0];
    if (passport === undefined) return this.link.error(201, t);
    const session = this.#session as SbSession;
    const key = passport.toLowerCase();
    if (session.members.has(key)) return this.link.error(215, t);
    const target = this.#sb.hub.sessions.get(key);
    if (!target || target.status === "HDN" || target.status === "FLN") {
      return this.link.error(217, t);
    }
    this.link.send("CAL", t, ["RINGING", session.id]);
    this.#sb.ring(session, key, { passport: this.#passport, friendlyName: this.#name });
  }

  #msg(c: Command, t: number): void {
    const ack = c.args[0];
    const payload = c.payload ?? new Uint8Array(0);
    const others = this.#others();
    for (const m of others) {
      m.link.send("MSG", null, [this.#passport, urlEncode(this.#name)], payload);
    }
    const delivered = others.length > 0 || (this.#session?.virtual.length ?? 0) > 0;
    if (!delivered && (ack === "A" || ack === "N" || ack === "D")) this.link.send("NAK", t, []);
    else if (ack === "A" || ack === "D") this.link.send("ACK", t, []);
  }
}
