// A plain driver for tests: runs a NotificationSession and the SwitchboardSessions its
// `switchboard`/`invitation` events open over any Transport, the way a client will (one reader
// per connection, writes in order, Passport through a runPassport-like function). Switchboards are
// named sb1, sb2, ... in the order they open, as recorders name them. It makes the application's
// calls when a ReplayTransport reaches a `call` step (after what was delivered has been read).
import { NotificationSession, type SessionOptions, SwitchboardSession } from "../machine/mod.ts";
import type { RunPassportFunction } from "../io_adapters/run_passport.ts";
import type { Connection, ConnectOptions, Transport } from "../io_adapters/transport.ts";

interface Session {
  poll(): { type: string } | undefined;
  handleConnected(now: number): void;
  handleData(bytes: Uint8Array, now: number): void;
  handleClosed(now: number): void;
  handleTimeout(now: number): void;
}

interface Lane {
  session: Session;
  connection?: Connection;
  writes: Promise<void>;
}

/** Runs the sessions of one sign-in over `transport`; `events` holds every event with its connection. */
export class SessionDriver {
  readonly events: { conn: string; event: Record<string, unknown> }[] = [];
  readonly errors: unknown[] = [];
  readonly #transport: Transport;
  readonly #runPassport: RunPassportFunction;
  readonly #account: string;
  readonly #lanes = new Map<string, Lane>();
  #switchboards = 0;
  #now = 0;

  constructor(transport: Transport, runPassport: RunPassportFunction, options: SessionOptions) {
    this.#transport = transport;
    this.#runPassport = runPassport;
    this.#account = options.account;
    this.#lanes.set("ns", { session: new NotificationSession(options), writes: Promise.resolve() });
  }

  /** Starts the notification session. */
  start(): void {
    (this.#lanes.get("ns")!.session as NotificationSession).start(this.#now);
    this.#pump();
  }

  /** For ReplayTransport's `onCall`: the call runs once what was delivered has been read. */
  readonly call = (call: { method: string; args?: unknown[] }, _step: number, conn: string) => {
    setTimeout(() => {
      const session = this.#lanes.get(conn)!.session as unknown as Record<string, unknown>;
      (session[call.method] as (...a: unknown[]) => unknown).apply(session, call.args ?? []);
      this.#pump();
    }, 0);
  };

  /** For ReplayTransport's `onTime`. */
  readonly time = (ms: number) => {
    this.#now = ms;
    setTimeout(() => {
      for (const lane of this.#lanes.values()) lane.session.handleTimeout(this.#now);
      this.#pump();
    }, 0);
  };

  #pump(): void {
    for (const [conn, lane] of this.#lanes) {
      for (let out = lane.session.poll(); out !== undefined; out = lane.session.poll()) {
        this.#output(conn, lane, out as never);
      }
    }
  }

  #output(
    conn: string,
    lane: Lane,
    out:
      | { type: "connect"; host: string; port: number; kind: "ns" | "sb" }
      | { type: "transmit"; bytes: Uint8Array }
      | { type: "close" }
      | { type: "passport"; challenge: string }
      | { type: "event"; event: Record<string, unknown> },
  ): void {
    const fail = (error: unknown) => this.errors.push(error);
    if (out.type === "connect") {
      const options: ConnectOptions = { kind: out.kind };
      this.#transport.connect(out.host, out.port, options).then((connection) => {
        lane.connection = connection;
        lane.session.handleConnected(this.#now);
        this.#pump();
        this.#read(lane, connection).catch(fail);
      }, fail);
    } else if (out.type === "transmit") {
      const connection = lane.connection!;
      lane.writes = lane.writes.then(() => connection.write(out.bytes)).catch((e) => {
        fail(e);
      });
    } else if (out.type === "close") {
      const connection = lane.connection!;
      lane.writes = lane.writes.then(() => connection.close());
    } else if (out.type === "passport") {
      const ns = lane.session as NotificationSession;
      this.#runPassport({ account: this.#account, password: "pw", challenge: out.challenge })
        .then((r) => {
          ns.handlePassportTicket(r.ticket, this.#now);
          this.#pump();
        }, fail);
    } else if (out.type === "event") {
      this.events.push({ conn, event: out.event });
      const e = out.event as {
        type: string;
        address: { host: string; port: number };
        cookie: string;
        sessionId: string;
      };
      if (e.type === "switchboard" || e.type === "invitation") {
        const sb = new SwitchboardSession(
          e.type === "switchboard"
            ? { mode: "call", address: e.address, cookie: e.cookie, account: this.#account }
            : {
              mode: "answer",
              address: e.address,
              cookie: e.cookie,
              sessionId: e.sessionId,
              account: this.#account,
            },
        );
        this.#lanes.set(`sb${++this.#switchboards}`, { session: sb, writes: Promise.resolve() });
        sb.start(this.#now);
      }
    }
  }

  async #read(lane: Lane, connection: Connection): Promise<void> {
    for await (const chunk of connection.readable) {
      if (lane.connection !== connection) return;
      lane.session.handleData(chunk, this.#now);
      this.#pump();
    }
    if (lane.connection !== connection) return;
    lane.session.handleClosed(this.#now);
    this.#pump();
  }
}
