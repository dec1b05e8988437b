// Errors raised by the transports (TransportError) and by the replay transport when the client
// strays from its transcript (ReplayMismatchError). Neither ever carries a secret: transport
// messages name only host, port and an OS error code; replay messages quote transcript bytes,
// which recordings have already redacted.

import { SessionError } from "../machine/mod.ts";

/**
 * Why a transport operation failed; stable across releases.
 *
 * - `"connect-failed"`: the connection could not be opened (refused, unreachable, DNS).
 * - `"timeout"`: `connect` took longer than `timeoutMs`.
 * - `"aborted"`: the caller's `AbortSignal` fired during `connect`.
 * - `"closed"`: a write after this side closed the connection (or after the peer ended it).
 * - `"reset"`: the connection broke (reset by the peer, broken pipe).
 */
export type TransportErrorCode = "connect-failed" | "timeout" | "aborted" | "closed" | "reset";

/**
 * A transport failure. The message names the host and port and, when the runtime gave one, the OS
 * error code (`ECONNREFUSED`); the runtime's own error is kept as `cause`.
 *
 * @example Branch on the code
 * ```ts
 * import { TransportError } from "@msnp/client/io_adapters";
 *
 * const err: unknown = new TransportError("connect-failed", "Cannot connect to 127.0.0.1:1: ECONNREFUSED");
 * if (err instanceof TransportError && err.code === "connect-failed") console.log("retry later");
 * ```
 */
export class TransportError extends Error {
  /** Why it failed; stable across releases. */
  readonly code: TransportErrorCode;

  /**
   * Creates the error.
   *
   * @param code Stable reason.
   * @param message Human-readable text without secrets.
   * @param options `cause`: the runtime's error, if any.
   */
  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TransportError";
    this.code = code;
  }
}

// One mismatch error for ReplayTransport and replaySession, defined beside the transcript format.
/**
 * How a client or session strayed from its transcript.
 *
 * - `"unexpected-connect"`: it connected when the transcript expected something else, or to
 *   another `host:port` or kind.
 * - `"unexpected-send"`: it wrote when the transcript expected something else on that connection.
 * - `"send-mismatch"`: the bytes written differ from the transcript's `send` step.
 * - `"unexpected-close"`: it closed a connection early.
 * - `"unexpected-passport"`: it asked Passport when the transcript expected something else, or
 *   for another challenge.
 * - `"missing"`: a session replay reached a `connect`, `send`, `close:client` or `passport` step
 *   and the session had not done it.
 * - `"event-mismatch"`: a session emitted another event than the `event` step, none, or one too many.
 * - `"invalid-step"`: the step cannot be played (a `call` of no such method, data on a
 *   connection that is not open, a switchboard with no session to play it).
 * - `"incomplete"`: steps were left unplayed.
 */
export type ReplayMismatchCode =
  | "unexpected-connect"
  | "unexpected-send"
  | "send-mismatch"
  | "unexpected-close"
  | "unexpected-passport"
  | "missing"
  | "event-mismatch"
  | "invalid-step"
  | "incomplete";

/**
 * A client (through `ReplayTransport`) or a session (through `replaySession`) did something
 * other than what the transcript says. Names the 1-based step number (`steps.length + 1` past the
 * end), the connection id, what the step expected and what happened instead, both as short
 * excerpts with secrets redacted.
 *
 * @example Read a mismatch
 * ```ts
 * import { ReplayMismatchError } from "@msnp/client/io_adapters";
 *
 * const err = new ReplayMismatchError("send-mismatch", 3, 'send "VER 1 MSNP8 CVR0\\r\\n"', '"VER 1 MSNP9"');
 * console.log(err.message); // Replay diverged at step 3: expected send "VER 1 MSNP8 CVR0\r\n", got "VER 1 MSNP9"
 * ```
 */
export class ReplayMismatchError extends Error {
  /** What kind of mismatch; stable across releases. */
  readonly code: ReplayMismatchCode;
  /** 1-based number of the step that did not match (`steps.length + 1` past the end). */
  readonly step: number;
  /** The connection id concerned (`ns`, `sb1`, ...), when one is. */
  readonly connection: string | undefined;
  /** What the transcript expected at that step. */
  readonly expected: string;
  /** What the client or session did instead. */
  readonly actual: string;

  /**
   * Creates the error.
   *
   * @param code Stable kind of mismatch.
   * @param step 1-based step number.
   * @param expected What the transcript expected, e.g. `send "VER 1 MSNP8 CVR0\r\n"`.
   * @param actual What happened, e.g. `"VER 1 MSNP9"` or `close`.
   * @param options `connection`: the connection id, when one is concerned.
   */
  constructor(
    code: ReplayMismatchCode,
    step: number,
    expected: string,
    actual: string,
    options: { connection?: string } = {},
  ) {
    const on = options.connection === undefined ? "" : ` on connection ${options.connection}`;
    super(`Replay diverged at step ${step}${on}: expected ${expected}, got ${actual}`);
    this.name = "ReplayMismatchError";
    this.code = code;
    this.step = step;
    this.connection = options.connection;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * Why a request (an intent of {@linkcode Client}) did not complete; stable across releases.
 *
 * - `"server-error"`: the server refused it (see `serverCode`).
 * - `"timeout"`: no answer within the session's request timeout.
 * - `"connection-lost"`: the connection ended before the answer (see `cause`).
 * - `"aborted"`: the intent's `AbortSignal` fired; the command may still have reached the server.
 */
export type RequestErrorCode = "server-error" | "timeout" | "connection-lost" | "aborted";

/**
 * A request did not complete. The message names the request and the reason, never an argument
 * that could be a secret.
 *
 * @example Branch on the code
 * ```ts
 * import { RequestError } from "@msnp/client/io_adapters";
 *
 * const err = new RequestError("add contact", "server-error", { serverCode: 201, serverName: "INVALID_PARAMETER" });
 * if (err.code === "server-error" && err.serverCode === 201) console.log("bad address");
 * ```
 */
export class RequestError extends Error {
  /** Why; stable across releases. */
  readonly code: RequestErrorCode;
  /** The server's error code for `server-error`, e.g. `201`. */
  readonly serverCode?: number;
  /** The name of the server's error code, e.g. `INVALID_PARAMETER`. */
  readonly serverName?: string;

  /**
   * Creates the error.
   *
   * @param what The request, as in `Cannot <what>` (`"add contact"`).
   * @param code Stable reason.
   * @param details Server code, name and meaning for `server-error`; `cause` for the others.
   */
  constructor(
    what: string,
    code: RequestErrorCode,
    details: { serverCode?: number; serverName?: string; meaning?: string; cause?: unknown } = {},
  ) {
    super(requestMessage(what, code, details), { cause: details.cause });
    this.name = "RequestError";
    this.code = code;
    if (details.serverCode !== undefined) this.serverCode = details.serverCode;
    if (details.serverName !== undefined) this.serverName = details.serverName;
  }
}

function requestMessage(
  what: string,
  code: RequestErrorCode,
  details: { serverCode?: number; serverName?: string; meaning?: string },
): string {
  switch (code) {
    case "server-error":
      return `Cannot ${what}: server error ${details.serverCode} ${details.serverName ?? ""}${
        details.meaning ? ` (${details.meaning})` : ""
      }`;
    case "timeout":
      return `Cannot ${what}: no answer from the server`;
    case "connection-lost":
      return `Cannot ${what}: the connection ended before the answer`;
    case "aborted":
      return `Cannot ${what}: aborted`;
  }
}

/**
 * Misuse of a {@linkcode Client} method that does not depend on the session: a second consumer of
 * `events`, `waitFor` after the end, an option out of range.
 */
export class ClientUsageError extends Error {
  /** Stable reason. */
  readonly code: "events-consumed" | "closed" | "invalid-argument";

  /** Creates the error. */
  constructor(code: ClientUsageError["code"], message: string) {
    super(message);
    this.name = "ClientUsageError";
    this.code = code;
  }
}

/** `waitFor` saw no matching event in time. */
export class WaitTimeoutError extends Error {
  /** Always `"timeout"`. */
  readonly code = "timeout" as const;
  /** The event type waited for. */
  readonly eventType: string;

  /** Creates the error. */
  constructor(eventType: string, timeoutMs: number) {
    super(`No ${eventType} event within ${timeoutMs} ms`);
    this.name = "WaitTimeoutError";
    this.eventType = eventType;
  }
}

/**
 * A {@linkcode SessionError} about a connection (code `connection-lost` or `timeout`) that names the
 * server: `host` and `port`, in the message too, and the transport's error as `cause` when there
 * was one (`TransportError` code `connect-failed`, `reset`, ...).
 *
 * @example
 * ```ts
 * import { ConnectionError } from "@msnp/client/io_adapters";
 * import { SessionError } from "@msnp/client/machine";
 *
 * const err = new ConnectionError(
 *   new SessionError("connection-lost", "Cannot connect to the server", { phase: "connecting" }),
 *   { host: "127.0.0.1", port: 1863, message: "Cannot connect to 127.0.0.1:1863: ECONNREFUSED" },
 * );
 * console.log(err instanceof SessionError, err.code, err.port); // true "connection-lost" 1863
 * ```
 */
export class ConnectionError extends SessionError {
  /** The server's host. */
  readonly host: string;
  /** The server's port. */
  readonly port: number;

  /**
   * Wraps a session's error with the connection it concerns.
   *
   * @param error The session's error; its code, phase and server details are kept.
   * @param where Host, port, the message to use and the transport error (`cause`).
   */
  constructor(
    error: SessionError,
    where: { host: string; port: number; message: string; cause?: unknown },
  ) {
    super(error.code, where.message, {
      phase: error.phase,
      serverCode: error.serverCode,
      serverName: error.serverName,
      passportCode: error.passportCode,
    });
    this.name = "ConnectionError";
    this.host = where.host;
    this.port = where.port;
    if (where.cause !== undefined) {
      Object.defineProperty(this, "cause", {
        value: where.cause,
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
  }
}
