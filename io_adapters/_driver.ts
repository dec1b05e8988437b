// The I/O loop for one sans-IO session: carries out its outputs (connect, transmit, close, run
// Passport, event) over a Transport and feeds back what happens (connected, data, closed, ticket,
// timeouts). It knows nothing of MSNP: the notification session and the switchboard sessions run
// on the same driver. One driver per session; the Client owns and routes them.

import type { ConnectionKind } from "../codec/mod.ts";
import type { SessionError } from "../machine/mod.ts";
import { ConnectionError, TransportError } from "./errors.ts";
import { hostPort } from "./_shared.ts";
import type { Connection, Transport } from "./transport.ts";
import type { Timers } from "./_timers.ts";
import { ConnectionTrace, type TraceFunction } from "./_trace.ts";

/** What a session asks its driver to do (the machine's `SessionOutput`, any event type). */
export type DriverOutput<E> =
  | { type: "connect"; host: string; port: number; kind?: ConnectionKind }
  | { type: "transmit"; bytes: Uint8Array }
  | { type: "close" }
  | { type: "passport"; account: string; challenge: string }
  | { type: "event"; event: E };

/** The sans-IO session surface a driver runs. */
export interface DrivenSession<E> {
  /** The next output, or `undefined`. */
  poll(): DriverOutput<E> | undefined;
  /** When `handleTimeout` is next due, or `undefined`. */
  pollTimeout(): number | undefined;
  /** The last `connect` output's connection is open. */
  handleConnected(now: number): void;
  /** Bytes arrived. */
  handleData(bytes: Uint8Array, now: number): void;
  /** The connection closed or could not be opened. */
  handleClosed(now: number): void;
  /** Time passed. */
  handleTimeout(now: number): void;
  /** Passport produced a ticket (notification sessions only). */
  handlePassportTicket?(ticket: string, now: number): void;
  /** Passport failed (notification sessions only). */
  handlePassportError?(failure: { code: string; message: string }, now: number): void;
  /** The lifecycle phase, when the session has one; a Passport result is used only while `authenticating`. */
  readonly phase?: string;
}

/** Where the last connection went and how it failed. */
export interface ConnectionInfo {
  /** Connection id. */
  id: number;
  /** Server kind. */
  kind: ConnectionKind;
  /** Host. */
  host: string;
  /** Port. */
  port: number;
  /** Whether it ever opened. */
  opened: boolean;
  /** The transport's error, when connecting failed or the connection broke. */
  error?: unknown;
}

/** How a {@linkcode SessionDriver} reaches the outside world. */
export interface DriverOptions<E> {
  /** Opens connections. */
  transport: Transport;
  /** Monotonic ms. */
  clock: () => number;
  /** Timers. */
  timers: Timers;
  /** Connect timeout in ms. */
  connectTimeoutMs: number;
  /** Kind assumed when a connect output does not say (older sessions). */
  kind: ConnectionKind;
  /** Hands out connection ids, shared by all drivers of one client. */
  nextConnectionId: () => number;
  /** Runs Passport for a `passport` output; resolves with the ticket. */
  passport?: (
    request: { account: string; challenge: string },
    signal: AbortSignal,
  ) => Promise<string>;
  /** Each event output, in order. */
  onEvent: (event: E) => void;
  /** A connection is being opened. */
  onConnecting?: (info: ConnectionInfo) => void;
  /** Passport is being run for a `passport` output. */
  onPassport?: () => void;
  /** Wire trace. */
  trace?: TraceFunction;
}

/**
 * Runs one sans-IO session: every output becomes an action, every action's result an input. It
 * writes each transmit output with one `write` call (a command is never cut across writes) and in
 * order, never nests the output loop, and ignores everything once {@linkcode stop} was called.
 */
export class SessionDriver<E> {
  readonly #session: DrivenSession<E>;
  readonly #o: DriverOptions<E>;
  #connection: Connection | undefined;
  #info: ConnectionInfo | undefined;
  #attempt: AbortController | undefined;
  #writeChain: Promise<void> = Promise.resolve();
  #timer: unknown;
  #timerAt: number | undefined;
  #pumping = false;
  #again = false;
  #stopped = false;
  #passportAbort = new AbortController();
  #trace: ConnectionTrace | undefined;

  /** Creates a driver; call {@linkcode pump} after each input given to the session from outside. */
  constructor(session: DrivenSession<E>, options: DriverOptions<E>) {
    this.#session = session;
    this.#o = options;
  }

  /** The session this driver runs. */
  get session(): DrivenSession<E> {
    return this.#session;
  }

  /** The latest connection asked for (open, opening or failed). */
  get connection(): ConnectionInfo | undefined {
    return this.#info;
  }

  /** Whether {@linkcode stop} was called. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Resolves once every write issued so far has settled. */
  get written(): Promise<void> {
    return this.#writeChain;
  }

  /** Carries out every pending output, then re-arms the timer. */
  pump(): void {
    // Outputs may cause inputs (a failed write closes the connection); never nest.
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        for (let out = this.#session.poll(); out !== undefined; out = this.#session.poll()) {
          this.#carryOut(out);
        }
      } while (this.#again);
    } finally {
      this.#pumping = false;
    }
    this.#schedule();
  }

  /** Gives the session the time, then pumps: an intent's deadline counts from it. */
  tick(): void {
    if (this.#stopped) return;
    this.#session.handleTimeout(this.#o.clock());
    this.pump();
  }

  /** Drops the connection now and tells the session it closed. */
  dropConnection(): void {
    if (this.#stopped) return;
    this.#closeConnection();
    this.#session.handleClosed(this.#o.clock());
    this.pump();
  }

  /** Stops for good: no timer, no connection, no Passport; later outputs are ignored. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#passportAbort.abort();
    if (this.#timer !== undefined) this.#o.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = undefined;
    this.#closeConnection();
  }

  #carryOut(out: DriverOutput<E>): void {
    if (out.type === "event") {
      this.#o.onEvent(out.event);
      return;
    }
    if (this.#stopped) return;
    switch (out.type) {
      case "connect":
        this.#connect(out.host, out.port, out.kind ?? this.#o.kind);
        break;
      case "transmit":
        this.#write(out.bytes);
        break;
      case "close":
        this.#closeConnection();
        break;
      case "passport":
        this.#runPassport(out.account, out.challenge);
        break;
    }
  }

  #schedule(): void {
    const due = this.#stopped ? undefined : this.#session.pollTimeout();
    if (due === this.#timerAt) return;
    if (this.#timer !== undefined) this.#o.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = due;
    if (due === undefined) return;
    // Timers take at most 2^31-1 ms; a later deadline is simply re-checked then.
    const delay = Math.min(0x7fffffff, Math.max(0, due - this.#o.clock()));
    this.#timer = this.#o.timers.setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = undefined;
      this.tick();
    }, delay);
  }

  #connect(host: string, port: number, kind: ConnectionKind): void {
    const attempt = new AbortController();
    this.#attempt = attempt;
    const info: ConnectionInfo = {
      id: this.#o.nextConnectionId(),
      kind,
      host,
      port,
      opened: false,
    };
    this.#info = info;
    this.#o.onConnecting?.(info);
    this.#o.transport.connect(host, port, {
      signal: attempt.signal,
      timeoutMs: this.#o.connectTimeoutMs,
      kind,
    }).then(
      (connection) => {
        if (this.#attempt !== attempt || this.#stopped) {
          connection.close();
          return;
        }
        this.#attempt = undefined;
        this.#connection = connection;
        info.opened = true;
        this.#writeChain = Promise.resolve();
        if (this.#o.trace) this.#trace = new ConnectionTrace(this.#o.trace, info.id, info.kind);
        this.#session.handleConnected(this.#o.clock());
        this.pump();
        void this.#read(connection, info);
      },
      (error: unknown) => {
        if (this.#attempt !== attempt || this.#stopped) return;
        this.#attempt = undefined;
        info.error = error;
        this.#session.handleClosed(this.#o.clock());
        this.pump();
      },
    );
  }

  async #read(connection: Connection, info: ConnectionInfo): Promise<void> {
    try {
      for await (const chunk of connection.readable) {
        if (this.#connection !== connection) return;
        this.#trace?.receive(chunk);
        this.#session.handleData(chunk, this.#o.clock());
        this.pump();
      }
    } catch (error) {
      // A reset ends the connection like a close does; keep the reason for the error message.
      info.error = error;
    }
    if (this.#connection !== connection) return;
    this.#connection = undefined;
    connection.close();
    this.#session.handleClosed(this.#o.clock());
    this.pump();
  }

  #write(bytes: Uint8Array): void {
    const connection = this.#connection;
    if (!connection) return;
    this.#trace?.send(bytes);
    // One write per transmit output: a server that parses per read never sees a command cut.
    this.#writeChain = this.#writeChain.then(() => connection.write(bytes)).catch(() => {
      // The reader sees the same failure and reports the close; make sure it wakes up.
      if (this.#connection === connection) connection.close();
    });
  }

  #closeConnection(): void {
    // Immediate, so it stays in order with what follows (a redirect's new connection).
    this.#attempt?.abort();
    this.#attempt = undefined;
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.close();
  }

  #runPassport(account: string, challenge: string): void {
    const run = this.#o.passport;
    const session = this.#session;
    const now = this.#o.clock;
    const current = () =>
      !this.#stopped && (session.phase ?? "authenticating") === "authenticating";
    if (!run || !session.handlePassportTicket || !session.handlePassportError) {
      session.handlePassportError?.({ code: "protocol", message: "no Passport runner" }, now());
      return;
    }
    this.#o.onPassport?.();
    run({ account, challenge }, this.#passportAbort.signal).then(
      (ticket) => {
        if (!current()) return;
        try {
          session.handlePassportTicket!(ticket, now());
        } catch {
          // A ticket that cannot go on an MSNP line (a custom runner's mistake) fails the sign-in.
          session.handlePassportError!(
            { code: "protocol", message: "Passport returned a ticket that cannot be sent" },
            now(),
          );
        }
        this.pump();
      },
      (error: unknown) => {
        if (!current()) return;
        const code = typeof (error as { code?: unknown })?.code === "string"
          ? (error as { code: string }).code
          : "network";
        const message = error instanceof Error ? error.message : "unknown failure";
        session.handlePassportError!({ code, message }, now());
        this.pump();
      },
    );
  }
}

/**
 * A session's connection error (`connection-lost`, `timeout`) as a {@linkcode ConnectionError}
 * that names the server and keeps the transport's error as `cause`; other errors unchanged.
 */
export function connectionError(
  error: SessionError,
  info: ConnectionInfo | undefined,
): SessionError {
  if (!info || (error.code !== "connection-lost" && error.code !== "timeout")) return error;
  const where = hostPort(info.host, info.port);
  const message = info.opened
    ? `${error.message} (${where})`
    : info.error instanceof TransportError
    ? info.error.message
    : `Cannot connect to ${where}`;
  return new ConnectionError(error, {
    host: info.host,
    port: info.port,
    message,
    cause: info.error,
  });
}
