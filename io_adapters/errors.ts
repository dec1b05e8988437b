// Errors raised by the transports (TransportError) and by the replay transport when the client
// strays from its transcript (ReplayMismatchError). Neither ever carries a secret: transport
// messages name only host, port and an OS error code; replay messages quote bytes with secrets
// redacted.

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
export { type ReplayMismatchCode, ReplayMismatchError } from "./_transcript.ts";
