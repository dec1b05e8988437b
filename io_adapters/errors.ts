// Errors raised by the transports (TransportError) and by the replay transport when the client
// strays from its transcript (ReplayMismatchError). Neither ever carries a secret: transport
// messages name only host, port and an OS error code; replay messages quote transcript bytes,
// which recordings have already redacted.

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

/**
 * How a client strayed from the transcript a {@linkcode ReplayTransport} plays.
 *
 * - `"unexpected-connect"`: `connect` was called when the transcript expected something else, or
 *   to another `host:port`.
 * - `"unexpected-send"`: the client wrote when the transcript expected something else.
 * - `"send-mismatch"`: the bytes written differ from the transcript's `send` step.
 * - `"unexpected-close"`: the client closed the connection early.
 * - `"unexpected-passport"`: the client asked Passport when the transcript expected something
 *   else, or for another challenge.
 * - `"incomplete"`: {@linkcode ReplayTransport.assertComplete} found steps not yet played.
 */
export type ReplayMismatchCode =
  | "unexpected-connect"
  | "unexpected-send"
  | "send-mismatch"
  | "unexpected-close"
  | "unexpected-passport"
  | "incomplete";

/**
 * The client did something other than what the transcript says. Names the 1-based step number
 * (`steps.length + 1` past the end), what the step expected and what the client did, both as short
 * JSON-quoted excerpts.
 *
 * @example Read a mismatch
 * ```ts
 * import { ReplayMismatchError } from "@msnp/client/io_adapters";
 *
 * const err = new ReplayMismatchError("send-mismatch", 3, 'send "VER 1 MSNP8 CVR0\\r\\n"', '"VER 1 MSNP9"');
 * console.log(err.message); // Cannot replay step 3: expected send "VER 1 MSNP8 CVR0\r\n", got "VER 1 MSNP9"
 * ```
 */
export class ReplayMismatchError extends Error {
  /** What kind of mismatch; stable across releases. */
  readonly code: ReplayMismatchCode;
  /** 1-based number of the step that did not match (`steps.length + 1` past the end). */
  readonly step: number;
  /** What the transcript expected at that step. */
  readonly expected: string;
  /** What the client did instead. */
  readonly actual: string;

  /**
   * Creates the error.
   *
   * @param code Stable kind of mismatch.
   * @param step 1-based step number.
   * @param expected What the transcript expected, e.g. `send "VER 1 MSNP8 CVR0\r\n"`.
   * @param actual What the client did, e.g. `"VER 1 MSNP9"` or `close`.
   */
  constructor(code: ReplayMismatchCode, step: number, expected: string, actual: string) {
    super(`Cannot replay step ${step}: expected ${expected}, got ${actual}`);
    this.name = "ReplayMismatchError";
    this.code = code;
    this.step = step;
    this.expected = expected;
    this.actual = actual;
  }
}
