// A Transport that plays the server side of a transcript (testing/transcript.ts) so a client can be
// run with no network. It walks the steps in order: `recv` and `close:server` are played as soon
// as they are reached; `connect`, `send`, `close:client` and `passport` wait for the client to do
// exactly that; `time` and `event` go to hooks; `comment` is skipped. The first thing the client
// does differently is a ReplayMismatchError, after which every operation fails with that error.

import {
  PassportError,
  type PassportErrorCode,
  type PassportFetch,
  type PassportHttpRequest,
  type PassportHttpResponse,
  type PassportLoginOptions,
  type PassportResult,
} from "../auth/mod.ts";
import { stepBytes, type TranscriptStep } from "../testing/transcript.ts";
import type { PassportRunOptions } from "./run_passport.ts";
import { ChunkQueue, hostPort } from "./_shared.ts";
import { ReplayMismatchError, TransportError } from "./errors.ts";
import type { Connection, ConnectOptions, Transport } from "./transport.ts";

/** The login-server URL a replayed Passport sign-in reports (and its fake Nexus names). */
export const REPLAY_LOGIN_URL = "https://login.replay.invalid/login2.srf";

/** Hooks for the steps that are not transport concerns. */
export interface ReplayTransportOptions {
  /** Called when the replay reaches a `{"time":ms}` step (e.g. to set a fake clock). */
  onTime?: (ms: number, step: number) => void;
  /** Called when the replay reaches an `{"event":{...}}` step (e.g. to queue an expectation). */
  onEvent?: (event: Record<string, unknown>, step: number) => void;
}

/**
 * The signature of `runPassport`, which {@linkcode ReplayTransport.runPassport} implements and
 * {@linkcode RecordingTransport.wrapRunPassport} wraps.
 */
export type RunPassportFunction = (
  login: PassportLoginOptions,
  options?: PassportRunOptions,
) => Promise<PassportResult>;

const PASSPORT_CODES = new Set<PassportErrorCode>([
  "bad-credentials",
  "too-many-redirects",
  "insecure-url",
  "protocol",
  "timeout",
  "aborted",
  "network",
]);

/**
 * Plays a transcript's server side as a {@linkcode Transport}. Writes are compared byte-exactly
 * with the `send` steps on the concatenated stream (one step may come in several writes, several
 * steps in one write). `recv` steps become readable chunks; `close:server` ends the readable;
 * `close:client` expects {@linkcode Connection.close}. `passport` steps are answered through
 * {@linkcode ReplayTransport.runPassport} (a drop-in for `runPassport`) or
 * {@linkcode ReplayTransport.passportFetch} (a `PassportFetch` for the real `runPassport`).
 *
 * Transcripts hold one connection at a time: a `connect` step switches every later step to the
 * new connection. Closing an earlier connection is ignored; writing to it is a mismatch. Closing a
 * connection after `close:server` needs no step.
 *
 * Recordings redact secrets as `[REDACTED]`: a client replaying one gets `[REDACTED]` as its
 * Passport ticket (and in redacted cookies) and so writes back exactly the recorded bytes.
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
  #index = 0;
  #sendOffset = 0;
  #current: ReplayConnection | undefined;
  #error: ReplayMismatchError | undefined;
  readonly #done: Promise<void>;
  #resolveDone: () => void = () => {};
  #rejectDone: (error: ReplayMismatchError) => void = () => {};

  /**
   * Creates a replay of `steps`. Throws `TypeError` for a transcript that cannot be played: a
   * `send`, `recv` or `close` before any `connect`, or a `passport` step with neither `ticket`
   * nor `error`.
   */
  constructor(steps: readonly TranscriptStep[], options: ReplayTransportOptions = {}) {
    let connected = false;
    steps.forEach((step, i) => {
      if ("connect" in step) connected = true;
      else if (stepBytes(step) !== undefined || "close" in step) {
        if (!connected) {
          throw new TypeError(`Cannot replay step ${i + 1}: ${describe(step)} before any connect`);
        }
      } else if ("passport" in step) {
        if (step.passport.ticket === undefined && step.passport.error === undefined) {
          throw new TypeError(`Cannot replay step ${i + 1}: passport step without ticket or error`);
        }
      }
    });
    this.#steps = steps;
    this.#options = options;
    this.#done = new Promise<void>((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
    // done() may never be awaited; a mismatch must not become an unhandled rejection.
    this.#done.catch(() => {});
    this.#advance();
  }

  /** How many steps have been played. */
  get position(): number {
    return this.#index;
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
   * Throws the first mismatch, or a mismatch with code `"incomplete"` naming the next unplayed
   * step; returns if the whole transcript was played.
   */
  assertComplete(): void {
    if (this.#error) throw this.#error;
    if (this.#index < this.#steps.length) {
      throw new ReplayMismatchError(
        "incomplete",
        this.#index + 1,
        describe(this.#steps[this.#index], this.#sendOffset),
        "nothing more from the client",
      );
    }
  }

  /** Plays a `connect` step: `host:port` must match it exactly. */
  connect(host: string, port: number, options: ConnectOptions = {}): Promise<Connection> {
    if (this.#error) return Promise.reject(this.#error);
    const where = hostPort(host, port);
    if (options.signal?.aborted) {
      return Promise.reject(new TransportError("aborted", `Cannot connect to ${where}: aborted`));
    }
    const step = this.#steps[this.#index];
    if (!step || !("connect" in step) || step.connect !== where || this.#sendOffset > 0) {
      return Promise.reject(this.#mismatch("unexpected-connect", `connect to ${where}`));
    }
    this.#index++;
    const connection = new ReplayConnection(host, port, {
      write: (c, bytes) => this.#write(c, bytes),
      close: (c) => this.#close(c),
    });
    this.#current = connection;
    this.#advance();
    return Promise.resolve(connection);
  }

  /**
   * A drop-in for `runPassport`: plays a `passport` step, which must be next and name
   * `login.challenge`. Resolves with the recorded ticket and {@linkcode REPLAY_LOGIN_URL} (or
   * `login.loginUrl`), or rejects with a `PassportError` carrying the recorded error code.
   */
  readonly runPassport: RunPassportFunction = (login, options = {}) => {
    if (this.#error) return Promise.reject(this.#error);
    if (options.signal?.aborted) {
      return Promise.reject(new PassportError("aborted", "Cannot sign in: sign-in was aborted"));
    }
    try {
      const recorded = this.#passport(login.challenge);
      if (recorded.error !== undefined) return Promise.reject(recordedFailure(recorded.error));
      return Promise.resolve({
        ticket: recorded.ticket ?? "",
        loginUrl: login.loginUrl ?? REPLAY_LOGIN_URL,
      });
    } catch (error) {
      return Promise.reject(error);
    }
  };

  /**
   * A `PassportFetch` that answers like Passport from the transcript, for use with the real
   * `runPassport`: a request without `Authorization` gets a Nexus answer naming
   * {@linkcode REPLAY_LOGIN_URL}; a login request plays the next `passport` step (its challenge
   * is read from the `Authorization` header) and gets the recorded ticket, or a 401 for
   * `bad-credentials`, a network failure for `network`, no answer for `timeout`, a 500 otherwise.
   */
  readonly passportFetch: PassportFetch = (request, signal) => {
    if (this.#error) return Promise.reject(this.#error);
    const authorization = header(request, "authorization");
    if (authorization === undefined) {
      return Promise.resolve({
        status: 200,
        headers: {
          passporturls: `DARealm=Passport.Net,DALogin=${REPLAY_LOGIN_URL},ConfigVersion=15`,
        },
      });
    }
    let recorded: { ticket?: string; error?: string };
    try {
      recorded = this.#passport(challengeOf(authorization));
    } catch (error) {
      return Promise.reject(error);
    }
    return passportResponse(recorded, signal);
  };

  /** Plays the next step if it is a `passport` step for `challenge`. */
  #passport(challenge: string): { ticket?: string; error?: string } {
    const step = this.#steps[this.#index];
    if (
      !step || !("passport" in step) || step.passport.challenge !== challenge ||
      this.#sendOffset > 0
    ) {
      throw this.#mismatch("unexpected-passport", `passport for ${quote(challenge)}`);
    }
    this.#index++;
    this.#advance();
    return step.passport;
  }

  #write(connection: ReplayConnection, bytes: Uint8Array): Promise<void> {
    if (connection.closed) {
      const where = hostPort(connection.remote.host, connection.remote.port);
      return Promise.reject(
        new TransportError("closed", `Cannot write to ${where}: connection closed`),
      );
    }
    if (this.#error) return Promise.reject(this.#error);
    if (connection !== this.#current) {
      return Promise.reject(
        this.#mismatch("unexpected-send", `send on an earlier connection: ${excerpt(bytes)}`),
      );
    }
    let pos = 0;
    while (pos < bytes.length) {
      const step = this.#steps[this.#index];
      const expected = step && ("send" in step || "sendBase64" in step)
        ? stepBytes(step)
        : undefined;
      if (!expected) {
        return Promise.reject(this.#mismatch("unexpected-send", excerpt(bytes.subarray(pos))));
      }
      const n = Math.min(expected.length - this.#sendOffset, bytes.length - pos);
      for (let i = 0; i < n; i++) {
        if (bytes[pos + i] !== expected[this.#sendOffset + i]) {
          const sent = new Uint8Array(this.#sendOffset + bytes.length - pos);
          sent.set(expected.subarray(0, this.#sendOffset));
          sent.set(bytes.subarray(pos), this.#sendOffset);
          const shown = sent.subarray(0, Math.max(this.#sendOffset + i + 24, expected.length));
          this.#sendOffset = 0;
          return Promise.reject(this.#mismatch("send-mismatch", excerpt(shown)));
        }
      }
      pos += n;
      this.#sendOffset += n;
      if (this.#sendOffset === expected.length) {
        this.#sendOffset = 0;
        this.#index++;
        this.#advance();
      }
    }
    return Promise.resolve();
  }

  #close(connection: ReplayConnection): void {
    if (this.#error || connection !== this.#current || connection.serverClosed) return;
    const step = this.#steps[this.#index];
    if (step && "close" in step && step.close === "client" && this.#sendOffset === 0) {
      this.#index++;
      this.#advance();
      return;
    }
    this.#mismatch("unexpected-close", "close by the client");
  }

  /** Plays every step that does not wait for the client. */
  #advance(): void {
    while (this.#index < this.#steps.length && !this.#error) {
      const step = this.#steps[this.#index];
      const number = this.#index + 1;
      if ("comment" in step) {
        // Nothing to do.
      } else if ("time" in step) {
        this.#options.onTime?.(step.time, number);
      } else if ("event" in step) {
        this.#options.onEvent?.(step.event, number);
      } else if ("recv" in step || "recvBase64" in step) {
        this.#current?.deliver(stepBytes(step)!);
      } else if ("close" in step && step.close === "server") {
        this.#current?.closeByServer();
      } else if (("send" in step || "sendBase64" in step) && stepBytes(step)!.length === 0) {
        // An empty send is trivially matched.
      } else {
        return; // connect, send, close:client, passport: wait for the client.
      }
      this.#index++;
    }
    if (this.#index === this.#steps.length && !this.#error) this.#resolveDone();
  }

  /** Records the first mismatch: fails the current connection and `done()`. */
  #mismatch(code: ReplayMismatchError["code"], actual: string): ReplayMismatchError {
    if (this.#error) return this.#error;
    const step = this.#steps[this.#index];
    const error = new ReplayMismatchError(
      code,
      this.#index + 1,
      describe(step, this.#sendOffset),
      actual,
    );
    this.#error = error;
    this.#current?.fail(error);
    this.#rejectDone(error);
    return error;
  }
}

interface Engine {
  write(connection: ReplayConnection, bytes: Uint8Array): Promise<void>;
  close(connection: ReplayConnection): void;
}

class ReplayConnection implements Connection {
  readonly remote: { readonly host: string; readonly port: number };
  readonly readable: AsyncIterable<Uint8Array>;
  readonly #queue = new ChunkQueue();
  readonly #engine: Engine;
  closed = false;
  serverClosed = false;

  constructor(host: string, port: number, engine: Engine) {
    this.remote = { host, port };
    this.readable = this.#queue.iterable();
    this.#engine = engine;
  }

  deliver(bytes: Uint8Array): void {
    if (!this.closed) this.#queue.push(bytes);
  }

  closeByServer(): void {
    this.serverClosed = true;
    this.#queue.end();
  }

  fail(error: Error): void {
    this.#queue.fail(error);
  }

  write(bytes: Uint8Array): Promise<void> {
    return this.#engine.write(this, bytes);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#queue.end();
    this.#engine.close(this);
  }
}

/** A short description of what a step expects, for mismatch messages. */
function describe(step: TranscriptStep | undefined, sendOffset = 0): string {
  if (!step) return "the end of the transcript";
  if ("connect" in step) return `connect to ${step.connect}`;
  if ("close" in step) return `close by the ${step.close}`;
  if ("passport" in step) return `passport for ${quote(step.passport.challenge)}`;
  if ("time" in step) return `time ${step.time}`;
  if ("event" in step) return `event ${String(step.event.type ?? "")}`.trimEnd();
  if ("comment" in step) return "comment";
  const bytes = stepBytes(step)!;
  const kind = "send" in step || "sendBase64" in step ? "send" : "recv";
  const rest = sendOffset > 0 ? ` (${sendOffset} bytes matched)` : "";
  return `${kind} ${excerpt(bytes)}${rest}`;
}

const lenient = new TextDecoder("utf-8");

/** Bytes as a JSON-quoted string, cut after 160 characters. */
function excerpt(bytes: Uint8Array): string {
  return quote(lenient.decode(bytes));
}

function quote(text: string): string {
  return text.length > 160 ? JSON.stringify(text.slice(0, 160)) + "..." : JSON.stringify(text);
}

function header(request: PassportHttpRequest, lowerName: string): string | undefined {
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.toLowerCase() === lowerName) return value;
  }
  return undefined;
}

/**
 * The challenge at the end of a Passport 1.4 login `Authorization`:
 * `Passport1.4 OrgVerb=GET,OrgURL=...,sign-in=...,pwd=...,<challenge>` (the password is
 * URL-encoded, so it holds no comma).
 */
function challengeOf(authorization: string): string {
  const pwd = authorization.indexOf(",pwd=");
  if (pwd < 0) return "";
  const comma = authorization.indexOf(",", pwd + 5);
  return comma < 0 ? "" : authorization.slice(comma + 1);
}

function recordedFailure(code: string): PassportError {
  const known = PASSPORT_CODES.has(code as PassportErrorCode);
  return new PassportError(
    known ? code as PassportErrorCode : "protocol",
    `Cannot sign in: the transcript records a Passport failure ${quote(code)}`,
    code === "bad-credentials" ? { status: 401 } : {},
  );
}

function passportResponse(
  recorded: { ticket?: string; error?: string },
  signal: AbortSignal,
): Promise<PassportHttpResponse> {
  if (recorded.error === undefined) {
    return Promise.resolve({
      status: 200,
      headers: {
        "authentication-info":
          `Passport1.4 da-status=success,tname=MSPAuth,tname=MSPProf,tname=MSPSec,from-PP='${recorded.ticket}',ru=http://messenger.msn.com`,
      },
    });
  }
  if (recorded.error === "bad-credentials") {
    return Promise.resolve({
      status: 401,
      headers: {
        "www-authenticate":
          "Passport1.4 da-status=failed,srealm=Passport.NET,ts=-1,prompt,cbtxt=Replayed%20failure",
      },
    });
  }
  if (recorded.error === "network") {
    return Promise.reject(new TypeError("replayed network failure"));
  }
  if (recorded.error === "timeout" || recorded.error === "aborted") {
    // No answer: the runner's timeout (or the caller's abort) ends the wait.
    return new Promise((_, reject) =>
      signal.addEventListener("abort", () => reject(signal.reason), { once: true })
    );
  }
  return Promise.resolve({ status: 500, headers: {} });
}
