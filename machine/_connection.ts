// The per-connection engine every session kind shares (notification now,
// switchboard next): outputs, TrIDs, pending requests, timers, the decoder,
// the sticky fatal error and the one error boundary. It knows nothing of any
// protocol phase; the session on top decides what a command or a timeout means.

import {
  type Command,
  DecodeError,
  type Decoder,
  encodeCommand,
  EncodeError,
} from "../codec/mod.ts";
import { SessionError, UsageError } from "./errors.ts";
import type { ConnectionKind, ConnectionOutput } from "./events.ts";

/** A request waiting for its reply, keyed by TrID in {@link ConnectionCore}. */
export interface PendingRequest {
  /** What was asked (the session's own tag, e.g. `"ADD"`). */
  readonly kind: string;
  /** When it times out, on the session's clock. */
  readonly deadline: number;
}

/** How a session plugs into {@link ConnectionCore}. */
export interface ConnectionHooks {
  /** Which kind of server this connection talks to; carried by `connect` outputs. */
  readonly kind: ConnectionKind;
  /** A fresh decoder for a new connection (one per connection: framing never carries over). */
  newDecoder(): Decoder;
  /**
   * Something thrown while handling what the peer sent (a `PayloadError`, a
   * `DecodeError`, a `TypeError` from a malformed value, ...) inside
   * {@link ConnectionCore.input}, {@link ConnectionCore.push} or
   * {@link ConnectionCore.drain}. The session must turn it into a `warning`
   * event (and go on) or a fatal error via {@link ConnectionCore.fail}. It
   * must not throw.
   */
  fault(error: unknown): void;
}

/**
 * The sans-IO connection engine shared by every session kind: no socket,
 * timer or clock inside; time comes in as `now` with each input.
 *
 * - Outputs: {@link poll} pulls them in order; {@link emit} queues an event,
 *   {@link transmit} one command (line and payload in one `transmit` output),
 *   {@link output} any other output (e.g. the notification session's `passport`).
 * - Connection: {@link open} (a `connect` output with this core's `kind`, and a
 *   new decoder), {@link connected}, {@link close} (a `close` output),
 *   {@link lost}; {@link connection} is `none`, `pending` or `open`.
 * - TrIDs: {@link nextTrid} (1, 2, ... wrapping after 2^32-1), {@link resetTrids}.
 * - Requests: {@link request} builds, sends and records a pending request with
 *   a deadline; {@link settle} takes one by TrID; {@link expire} takes every
 *   request whose deadline has passed.
 * - Timers: named deadlines ({@link setTimer}, {@link clearTimer},
 *   {@link timerDue}); {@link pollTimeout} is the earliest of all timers and
 *   pending requests, `undefined` once ended.
 * - Failure: {@link fail} records the sticky fatal error (then every
 *   {@link intent} throws it) and stops all timers; {@link end} stops them
 *   without an error.
 * - Error boundary: {@link input} and {@link intent} wrap every public method
 *   of a session; {@link drain} feeds decoded items to a handler one at a time,
 *   so a throw while handling one item never loses the rest of the chunk.
 *
 * @typeParam Event the session's event union (`event` outputs).
 * @typeParam Extra further outputs of that session kind (default none).
 */
export class ConnectionCore<Event, Extra = never> {
  readonly #hooks: ConnectionHooks;
  #outputs: (ConnectionOutput<Event> | Extra)[] = [];
  #outputHead = 0;
  #trid = 0;
  #decoder: Decoder;
  #connection: "none" | "pending" | "open" = "none";
  #pending = new Map<number, PendingRequest>();
  #timers = new Map<string, number>();
  #fatal: SessionError | undefined;
  #ended = false;

  /** The latest `now` given with an input or intent (milliseconds, any monotonic clock). */
  now = 0;

  /** Creates the core; nothing is connected until {@link open}. */
  constructor(hooks: ConnectionHooks) {
    this.#hooks = hooks;
    this.#decoder = hooks.newDecoder();
  }

  // ---- outputs ----

  /** The next output, or `undefined` when there is none. */
  poll(): ConnectionOutput<Event> | Extra | undefined {
    if (this.#outputHead >= this.#outputs.length) return undefined;
    const output = this.#outputs[this.#outputHead++];
    if (this.#outputHead === this.#outputs.length) {
      this.#outputs = [];
      this.#outputHead = 0;
    }
    return output;
  }

  /** Queues an event for the application. */
  emit(event: Event): void {
    this.#outputs.push({ type: "event", event });
  }

  /** Queues any output (for outputs only one session kind has). */
  output(output: ConnectionOutput<Event> | Extra): void {
    this.#outputs.push(output);
  }

  /** Encodes `command` and queues it as one `transmit` output (line and payload in one write). */
  transmit(command: Command): void {
    this.#outputs.push({ type: "transmit", bytes: encodeCommand(command) });
  }

  // ---- connection ----

  /** `none`: nothing open or asked for; `pending`: a `connect` output awaits {@link connected}; `open`. */
  get connection(): "none" | "pending" | "open" {
    return this.#connection;
  }

  /** The current connection's decoder (a new one per {@link open}). */
  get decoder(): Decoder {
    return this.#decoder;
  }

  /** Asks the driver to connect: a new decoder, then a `connect` output of this core's kind. */
  open(host: string, port: number): void {
    this.#decoder = this.#hooks.newDecoder();
    this.#connection = "pending";
    this.#outputs.push({ type: "connect", host, port, kind: this.#hooks.kind });
  }

  /** The asked-for connection is open; a `UsageError` when none was asked for. */
  connected(): void {
    if (this.#connection !== "pending") {
      throw new UsageError("invalid-state", "Cannot handle connected: no connection was asked for");
    }
    this.#connection = "open";
  }

  /** Asks the driver to close the connection (a `close` output), unless none is open or asked for. */
  close(): void {
    if (this.#connection === "none") return;
    this.#connection = "none";
    this.#outputs.push({ type: "close" });
  }

  /** The peer closed (or the connection failed to open): no `close` output. Returns whether it was open. */
  lost(): boolean {
    const wasOpen = this.#connection === "open";
    this.#connection = "none";
    return wasOpen;
  }

  // ---- TrIDs and requests ----

  /** The next TrID: 1, 2, ..., wrapping to 1 after 2^32-1. */
  nextTrid(): number {
    this.#trid = this.#trid >= 0xffffffff ? 1 : this.#trid + 1;
    return this.#trid;
  }

  /** The next {@link nextTrid} returns 1 (a new connection after a redirect). */
  resetTrids(): void {
    this.#trid = 0;
  }

  /**
   * Sends a request and records it as pending until `now + timeout`. `build`
   * is called once with TrID 1 first, so an argument it refuses (an
   * `EncodeError`) leaves no gap in the TrIDs. Returns the TrID.
   */
  request(kind: string, timeout: number, build: (trid: number) => Command): number {
    build(1);
    const trid = this.nextTrid();
    this.transmit(build(trid));
    this.#pending.set(trid, { kind, deadline: this.now + timeout });
    return trid;
  }

  /** Records an already-sent command's TrID as pending until `now + timeout`. */
  track(trid: number, kind: string, timeout: number): void {
    this.#pending.set(trid, { kind, deadline: this.now + timeout });
  }

  /** Whether a request with this TrID is pending. */
  isPending(trid: number): boolean {
    return this.#pending.has(trid);
  }

  /** Takes the pending request with this TrID (it is no longer pending), or `undefined`. */
  settle(trid: number): PendingRequest | undefined {
    const pending = this.#pending.get(trid);
    if (pending !== undefined) this.#pending.delete(trid);
    return pending;
  }

  /** Takes every pending request whose deadline is at or before `now`, in TrID order of sending. */
  expire(now: number): [trid: number, request: PendingRequest][] {
    const expired: [number, PendingRequest][] = [];
    for (const [trid, p] of this.#pending) {
      if (now >= p.deadline) {
        this.#pending.delete(trid);
        expired.push([trid, p]);
      }
    }
    return expired;
  }

  // ---- timers ----

  /** Sets (or moves) the named deadline. */
  setTimer(name: string, at: number): void {
    this.#timers.set(name, at);
  }

  /** Clears the named deadline. */
  clearTimer(name: string): void {
    this.#timers.delete(name);
  }

  /** The named deadline, if set. */
  timer(name: string): number | undefined {
    return this.#timers.get(name);
  }

  /** Whether the named deadline is set and has passed at `now`; a due timer is cleared. */
  timerDue(name: string, now: number): boolean {
    const at = this.#timers.get(name);
    if (at === undefined || now < at) return false;
    this.#timers.delete(name);
    return true;
  }

  /** When the session should next be called with the time: the earliest timer or request deadline. */
  pollTimeout(): number | undefined {
    if (this.#ended) return undefined;
    let next: number | undefined;
    for (const t of this.#timers.values()) if (next === undefined || t < next) next = t;
    for (const p of this.#pending.values()) {
      if (next === undefined || p.deadline < next) next = p.deadline;
    }
    return next;
  }

  // ---- the end ----

  /** The sticky fatal error, once {@link fail} was called. */
  get fatal(): SessionError | undefined {
    return this.#fatal;
  }

  /** Whether {@link end} or {@link fail} was called. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Records the fatal error (the first one wins) and ends: every later {@link intent} throws it. */
  fail(error: SessionError): void {
    this.#fatal ??= error;
    this.end();
  }

  /** Ends without an error: no timers, no pending requests, {@link pollTimeout} is `undefined`. */
  end(): void {
    this.#ended = true;
    this.#timers.clear();
    this.#pending.clear();
  }

  // ---- the error boundary ----

  /**
   * Runs an input (data, close, timeout, ...) at `now`. `UsageError` and
   * `SessionError` pass through; anything else goes to the session's `fault`
   * hook and does not escape.
   */
  input(now: number, run: () => void): void {
    this.now = now;
    try {
      run();
    } catch (e) {
      if (e instanceof UsageError || e instanceof SessionError) throw e;
      this.#hooks.fault(e);
    }
  }

  /**
   * Runs an intent: throws the sticky fatal error if there is one, records
   * `now` if given, and lets only `UsageError`/`SessionError` out. An
   * `EncodeError` (a bad argument) becomes `UsageError("invalid-argument")`
   * with the `EncodeError` as `cause`; so does anything else thrown (a
   * `TypeError` from an argument of the wrong type): validate arguments
   * before changing state, as {@link request} does, so the session is
   * unchanged when one is refused.
   */
  intent<T>(now: number | undefined, run: () => T): T {
    if (this.#fatal) throw this.#fatal;
    if (now !== undefined) this.now = now;
    try {
      return run();
    } catch (e) {
      if (e instanceof UsageError || e instanceof SessionError) throw e;
      if (e instanceof EncodeError) {
        throw new UsageError("invalid-argument", e.message, { cause: e });
      }
      // Arguments are checked before anything changes (see request), so
      // anything else thrown here is an argument of the wrong type.
      throw new UsageError("invalid-argument", "Cannot run the intent: invalid argument", {
        cause: e,
      });
    }
  }

  /**
   * Feeds bytes to the decoder. A throw from inside the decoder goes to the
   * `fault` hook. Returns whether it went through.
   */
  push(bytes: Uint8Array): boolean {
    try {
      this.#decoder.push(bytes);
      return true;
    } catch (e) {
      this.#hooks.fault(e);
      return false;
    }
  }

  /**
   * Hands each decoded command or `DecodeError` to `handle`, one at a time,
   * until the decoder needs more bytes, `stop()` says so (the session
   * ended), or the connection was replaced ({@link open}) or failed fatally.
   * A throw from `handle` goes to the `fault` hook and the next item is
   * handled: one bad command never drops the rest of a chunk.
   *
   * `fast`, the session's fast path for its hottest lines, is shown each
   * command line's raw bytes first (`bytes[start, end)`, line end excluded,
   * valid during the call; never a payload command's): returning `true`
   * consumes the line, which then never becomes a command. The session pulls;
   * the decoder never calls back.
   */
  drain(
    handle: (item: Command | DecodeError) => void,
    stop: () => boolean,
    fast?: (bytes: Uint8Array, start: number, end: number) => boolean,
  ): void {
    const decoder = this.#decoder;
    for (;;) {
      if (fast !== undefined) {
        const line = decoder.peekLine();
        let taken = false;
        if (line !== undefined) {
          try {
            taken = fast(line.bytes, line.start, line.end);
          } catch (e) {
            if (e instanceof UsageError) throw e;
            this.#hooks.fault(e);
          }
        }
        if (taken) {
          decoder.skipLine();
          if (stop() || this.#decoder !== decoder) return;
          continue;
        }
      }
      const item = decoder.next();
      if (item === undefined) return;
      try {
        handle(item);
      } catch (e) {
        if (e instanceof UsageError) throw e;
        this.#hooks.fault(e);
      }
      // A redirect or close replaced the connection: the old one's bytes are dropped.
      if (stop() || this.#decoder !== decoder || (item instanceof DecodeError && item.fatal)) {
        return;
      }
    }
  }
}
