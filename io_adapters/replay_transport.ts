// A Transport that plays the server side of a transcript (./_transcript.ts) so a client can be run
// with no network, over any number of interleaved connections. Server steps (`recv`,
// `close:server`) and hooks (`time`, `event`) are played in transcript order as soon as every
// earlier step has been played; a client action (`connect`, a write, a close, a Passport sign-in)
// must match the first unplayed step of its own connection, which may lie ahead of a step still
// waiting on another connection. The first thing the client does differently is a
// ReplayMismatchError, after which every operation fails with that error.

import type { PassportFetch } from "../auth/mod.ts";
import { describeStep as describe, excerpt, quote } from "./_replay_text.ts";
import { replayPassportFetch, replayRunPassport } from "./_replay_passport.ts";
import { NS_CONNECTION, stepBytes, stepConnection, type TranscriptStep } from "./_transcript.ts";
import type { RunPassportFunction } from "./run_passport.ts";
import { hostPort } from "./_shared.ts";
import { ReplayConnection } from "./_replay_connection.ts";
import { type ReplayMismatchCode, ReplayMismatchError, TransportError } from "./errors.ts";
import type { Connection, ConnectOptions, Transport } from "./transport.ts";

/** Hooks for the steps that are not transport concerns. */
export interface ReplayTransportOptions {
  /** Called when the replay reaches a `{"time":ms}` step (e.g. to set a fake clock). */
  onTime?: (ms: number, step: number) => void;
  /**
   * Called when the replay reaches an `{"event":{...}}` step (e.g. to queue an expectation);
   * `connection` is the step's connection id (`ns` when it names none).
   */
  onEvent?: (event: Record<string, unknown>, step: number, connection: string) => void;
  /**
   * Called when the replay reaches a `{"call":{...}}` step, so a driver can make the
   * application's call there; `connection` is the step's connection id.
   */
  onCall?: (call: { method: string; args?: unknown[] }, step: number, connection: string) => void;
}

/** Per connection id: its transport steps in order and the live connection. */
interface Lane {
  readonly id: string;
  readonly steps: number[];
  head: number;
  sendOffset: number;
  current: ReplayConnection | undefined;
}

/**
 * Plays a transcript's server side as a {@linkcode Transport}. Writes are compared byte-exactly
 * with the `send` steps of their connection on the concatenated stream (one step may come in
 * several writes, several steps in one write). `recv` steps become readable chunks; `close:server`
 * ends the readable; `close:client` expects {@linkcode Connection.close}. `passport` steps are
 * answered through {@linkcode ReplayTransport.runPassport} (a drop-in for `runPassport`) or
 * {@linkcode ReplayTransport.passportFetch} (a `PassportFetch` for the real `runPassport`).
 *
 * Connections: a `connect` call plays the earliest `connect` step, first in its connection's line,
 * for that `host:port` (and kind, when both the call and the step give one). A later `connect` on
 * the same connection id (a redirect) makes the earlier connection stale: closing it is ignored,
 * writing to it is a mismatch. Closing a connection after `close:server` needs no step.
 *
 * Recordings redact secrets as `[REDACTED]`: a client replaying one gets `[REDACTED]` as its
 * Passport ticket (and in redacted cookies) and so writes back exactly the recorded bytes.
 * Mismatch messages redact what the client wrote the same way.
 *
 * @example Replay a short exchange
 * ```ts
 * import { ReplayTransport } from "@msnp/client/io_adapters";
 *
 * const replay = new ReplayTransport([
 *   { connect: "messenger.hotmail.com:1863" },
 *   { send: "VER 1 MSNP8 CVR0\r\n" },
 *   { recv: "VER 1 MSNP8 CVR0\r\n" },
 *   { close: "server" },
 * ]);
 * const connection = await replay.connect("messenger.hotmail.com", 1863);
 * await connection.write(new TextEncoder().encode("VER 1 MSNP8 CVR0\r\n"));
 * for await (const chunk of connection.readable) console.log(new TextDecoder().decode(chunk));
 * await replay.done();
 * ```
 */
export class ReplayTransport implements Transport {
  readonly #steps: readonly TranscriptStep[];
  readonly #options: ReplayTransportOptions;
  readonly #played: boolean[];
  readonly #lanes = new Map<string, Lane>();
  /** The lane of each transport step (undefined for hooks). */
  readonly #laneOf: (Lane | undefined)[];
  #frontier = 0;
  #error: ReplayMismatchError | undefined;
  readonly #done: Promise<void>;
  #resolveDone: () => void = () => {};
  #rejectDone: (error: ReplayMismatchError) => void = () => {};

  /**
   * Creates a replay of `steps`. Throws `TypeError` for a transcript that cannot be played: a
   * `send`, `recv` or `close` on a connection before its `connect`, or a `passport` step with
   * neither `ticket` nor `error`.
   */
  constructor(steps: readonly TranscriptStep[], options: ReplayTransportOptions = {}) {
    const connected = new Set<string>();
    this.#laneOf = steps.map((step, i) => {
      const id = stepConnection(step);
      if (id === undefined || "event" in step || "call" in step) return undefined;
      if ("connect" in step) connected.add(id);
      else if (stepBytes(step) !== undefined || "close" in step) {
        if (!connected.has(id)) {
          throw new TypeError(`Cannot replay step ${i + 1}: ${describe(step)} before any connect`);
        }
      } else if ("passport" in step) {
        if (step.passport.ticket === undefined && step.passport.error === undefined) {
          throw new TypeError(`Cannot replay step ${i + 1}: passport step without ticket or error`);
        }
      }
      let lane = this.#lanes.get(id);
      if (!lane) {
        lane = { id, steps: [], head: 0, sendOffset: 0, current: undefined };
        this.#lanes.set(id, lane);
      }
      lane.steps.push(i);
      return lane;
    });
    this.#steps = steps;
    this.#played = steps.map(() => false);
    this.#options = options;
    this.#done = new Promise<void>((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
    // done() may never be awaited; a mismatch must not become an unhandled rejection.
    this.#done.catch(() => {});
    this.#advance();
  }

  /** How many steps have been played, counting from the start without a gap. */
  get position(): number {
    return this.#frontier;
  }

  /** The first mismatch, if any. */
  get error(): ReplayMismatchError | undefined {
    return this.#error;
  }

  /**
   * Resolves once every step has been played; rejects with the first
   * {@linkcode ReplayMismatchError}. It waits as long as the client leaves steps unplayed: bound it
   * with a timeout, or call {@linkcode ReplayTransport.assertComplete} when the client is done.
   */
  done(): Promise<void> {
    return this.#done;
  }

  /**
   * Throws the first mismatch, or a mismatch with code `"incomplete"` naming the first unplayed
   * step; returns if the whole transcript was played.
   */
  assertComplete(): void {
    if (this.#error) throw this.#error;
    if (this.#frontier < this.#steps.length) {
      const lane = this.#laneOf[this.#frontier];
      throw new ReplayMismatchError(
        "incomplete",
        this.#frontier + 1,
        describe(this.#steps[this.#frontier], lane?.sendOffset),
        "nothing more from the client",
        { connection: stepConnection(this.#steps[this.#frontier]) },
      );
    }
  }

  /** Plays a `connect` step: `host:port` (and the kind, if both give one) must match it exactly. */
  connect(
    host: string,
    port: number,
    options: ConnectOptions = {},
  ): Promise<Connection> {
    if (this.#error) return Promise.reject(this.#error);
    const where = hostPort(host, port);
    if (options.signal?.aborted) {
      return Promise.reject(new TransportError("aborted", `Cannot connect to ${where}: aborted`));
    }
    let best: Lane | undefined;
    let nearest: Lane | undefined;
    for (const lane of this.#lanes.values()) {
      const index = this.#next(lane);
      const step = index === undefined ? undefined : this.#steps[index];
      if (!step || !("connect" in step) || lane.sendOffset > 0) continue;
      if (nearest === undefined || index! < this.#next(nearest)!) nearest = lane;
      const kindOk = options.kind === undefined || step.kind === undefined ||
        step.kind === options.kind;
      if (step.connect === where && kindOk && (best === undefined || index! < this.#next(best)!)) {
        best = lane;
      }
    }
    const what = `connect to ${where}${options.kind ? ` (${options.kind})` : ""}`;
    if (!best) return Promise.reject(this.#mismatch("unexpected-connect", what, nearest));
    this.#play(this.#next(best)!);
    const connection = new ReplayConnection(host, port, {
      write: (c, bytes) => this.#write(best, c, bytes),
      close: (c) => this.#close(best, c),
    });
    best.current = connection;
    this.#advance();
    return Promise.resolve(connection);
  }

  /**
   * A drop-in for `runPassport`: plays a `passport` step, which must be next on the notification
   * connection and name `login.challenge`. Resolves with the recorded ticket and
   * `https://login.replay.invalid/login2.srf` (or `login.loginUrl`), or rejects with a `PassportError` carrying
   * the recorded error code.
   */
  readonly runPassport: RunPassportFunction = replayRunPassport(
    (challenge) => this.#passport(challenge),
    () => this.#error,
  );

  /**
   * A `PassportFetch` that answers like Passport from the transcript, for use with the real
   * `runPassport`: a request without `Authorization` gets a Nexus answer naming that URL; a login request plays the next `passport` step (its challenge
   * is read from the `Authorization` header) and gets the recorded ticket, or a 401 for
   * `bad-credentials`, a network failure for `network`, no answer for `timeout`, a 500 otherwise.
   */
  readonly passportFetch: PassportFetch = replayPassportFetch(
    (challenge) => this.#passport(challenge),
    () => this.#error,
  );

  /** Plays the next step of the notification connection if it is a `passport` step for `challenge`. */
  #passport(challenge: string): { ticket?: string; error?: string } {
    const lane = this.#lanes.get(NS_CONNECTION);
    const index = lane && this.#next(lane);
    const step = index === undefined ? undefined : this.#steps[index];
    if (
      !step || !("passport" in step) || step.passport.challenge !== challenge ||
      lane!.sendOffset > 0
    ) {
      throw this.#mismatch("unexpected-passport", `passport for ${quote(challenge)}`, lane);
    }
    this.#play(index!);
    this.#advance();
    return step.passport;
  }

  #write(lane: Lane, connection: ReplayConnection, bytes: Uint8Array): Promise<void> {
    if (connection.closed) {
      const where = hostPort(connection.remote.host, connection.remote.port);
      return Promise.reject(
        new TransportError("closed", `Cannot write to ${where}: connection closed`),
      );
    }
    if (this.#error) return Promise.reject(this.#error);
    if (connection !== lane.current) {
      return Promise.reject(
        this.#mismatch(
          "unexpected-send",
          `send on an earlier connection: ${excerpt(bytes)}`,
          lane,
        ),
      );
    }
    let pos = 0;
    while (pos < bytes.length) {
      const index = this.#next(lane);
      const step = index === undefined ? undefined : this.#steps[index];
      const expected = step && ("send" in step || "sendBase64" in step)
        ? stepBytes(step)
        : undefined;
      if (!expected) {
        return Promise.reject(
          this.#mismatch("unexpected-send", excerpt(bytes.subarray(pos)), lane),
        );
      }
      const n = Math.min(expected.length - lane.sendOffset, bytes.length - pos);
      for (let i = 0; i < n; i++) {
        if (bytes[pos + i] !== expected[lane.sendOffset + i]) {
          const sent = new Uint8Array(lane.sendOffset + bytes.length - pos);
          sent.set(expected.subarray(0, lane.sendOffset));
          sent.set(bytes.subarray(pos), lane.sendOffset);
          const shown = sent.subarray(0, Math.max(lane.sendOffset + i + 24, expected.length));
          lane.sendOffset = 0;
          return Promise.reject(this.#mismatch("send-mismatch", excerpt(shown), lane));
        }
      }
      pos += n;
      lane.sendOffset += n;
      if (lane.sendOffset === expected.length) {
        lane.sendOffset = 0;
        this.#play(index!);
        this.#advance();
      }
    }
    return Promise.resolve();
  }

  #close(lane: Lane, connection: ReplayConnection): void {
    if (this.#error || connection !== lane.current || connection.serverClosed) return;
    const index = this.#next(lane);
    const step = index === undefined ? undefined : this.#steps[index];
    if (step && "close" in step && step.close === "client" && lane.sendOffset === 0) {
      this.#play(index!);
      this.#advance();
      return;
    }
    this.#mismatch("unexpected-close", "close by the client", lane);
  }

  /** The index of the first unplayed step of `lane`, or `undefined` when it has none left. */
  #next(lane: Lane): number | undefined {
    while (lane.head < lane.steps.length && this.#played[lane.steps[lane.head]]) lane.head++;
    return lane.head < lane.steps.length ? lane.steps[lane.head] : undefined;
  }

  #play(index: number): void {
    this.#played[index] = true;
  }

  /** Plays every step at the frontier that does not wait for the client. */
  #advance(): void {
    while (this.#frontier < this.#steps.length && !this.#error) {
      const index = this.#frontier;
      if (!this.#played[index]) {
        const step = this.#steps[index];
        const number = index + 1;
        if ("time" in step) {
          this.#options.onTime?.(step.time, number);
        } else if ("event" in step) {
          this.#options.onEvent?.(step.event, number, stepConnection(step)!);
        } else if ("call" in step) {
          this.#options.onCall?.(step.call, number, stepConnection(step)!);
        } else if ("recv" in step || "recvBase64" in step) {
          this.#laneOf[index]!.current?.deliver(stepBytes(step)!);
        } else if ("close" in step && step.close === "server") {
          this.#laneOf[index]!.current?.closeByServer();
        } else if (("send" in step || "sendBase64" in step) && stepBytes(step)!.length === 0) {
          // An empty send is trivially matched.
        } else if (this.#laneOf[index] !== undefined) {
          return; // connect, send, close:client, passport: wait for the client.
        }
        this.#played[index] = true;
      }
      this.#frontier++;
    }
    if (this.#frontier === this.#steps.length && !this.#error) this.#resolveDone();
  }

  /** Records the first mismatch: fails every open connection and `done()`. */
  #mismatch(code: ReplayMismatchCode, actual: string, lane?: Lane): ReplayMismatchError {
    if (this.#error) return this.#error;
    let index = lane ? this.#next(lane) : undefined;
    if (index === undefined && !lane) {
      index = this.#frontier < this.#steps.length ? this.#frontier : undefined;
    }
    const offset = lane?.sendOffset ?? 0;
    let expected: string;
    if (index !== undefined) expected = describe(this.#steps[index], offset);
    else if (this.#frontier >= this.#steps.length) expected = "the end of the transcript";
    else expected = `the end of connection ${lane!.id}`;
    const error = new ReplayMismatchError(
      code,
      index === undefined ? this.#steps.length + 1 : index + 1,
      expected,
      actual,
      { connection: lane?.id },
    );
    this.#error = error;
    for (const l of this.#lanes.values()) l.current?.fail(error);
    this.#rejectDone(error);
    return error;
  }
}
