/**
 * Stable reasons a Passport 1.4 sign-in can fail. Branch on these, not on messages.
 *
 * - `"bad-credentials"`: the login server answered `da-status=failed` or `failed-noretry`. Never retried.
 * - `"too-many-redirects"`: more `da-status=redir` hops than the configured limit.
 * - `"insecure-url"`: a URL (Nexus, `DALogin`, `Location`) that is not `https:`, or `http:` to a
 *   non-loopback host, or `http:` loopback without `allowInsecureLoopback`.
 * - `"protocol"`: the server answered something unusable (5xx, missing or garbled header, bad ticket).
 * - `"timeout"`: one HTTP exchange took longer than the runner's per-request timeout.
 * - `"aborted"`: the caller's `AbortSignal` fired.
 * - `"network"`: the HTTP function itself failed (DNS, refused connection, TLS).
 */
export type PassportErrorCode =
  | "bad-credentials"
  | "too-many-redirects"
  | "insecure-url"
  | "protocol"
  | "timeout"
  | "aborted"
  | "network";

/** Extra facts a {@linkcode PassportError} may carry. */
export interface PassportErrorDetails {
  /** HTTP status of the response that caused the failure, when there was one. */
  status?: number;
  /** URL-decoded `cbtxt` text from a failed login (server-chosen, shown to users by old clients). */
  cbtxt?: string;
}

/**
 * A failed Passport sign-in. It never carries the password, the `Authorization` header, the ticket,
 * the request object or an underlying error as `cause`, so it is safe to log and to show.
 *
 * @example Branch on the code
 * ```ts
 * import { PassportError } from "@msnp/client/auth";
 *
 * const err: unknown = new PassportError("bad-credentials", "Cannot sign in: wrong account or password", {
 *   status: 401,
 * });
 * if (err instanceof PassportError && err.code === "bad-credentials") {
 *   console.log("Check the password", err.cbtxt ?? "");
 * }
 * ```
 */
export class PassportError extends Error {
  /** Why it failed; stable across releases. */
  readonly code: PassportErrorCode;
  /** HTTP status of the response that caused the failure, if any. */
  readonly status: number | undefined;
  /** URL-decoded `cbtxt` of a failed login, if the server sent one. */
  readonly cbtxt: string | undefined;

  /**
   * Creates the error; `message` must not hold a secret.
   *
   * @param code Stable reason.
   * @param message Human-readable text; callers must keep secrets out of it.
   * @param details Status and `cbtxt` when known.
   */
  constructor(code: PassportErrorCode, message: string, details: PassportErrorDetails = {}) {
    super(message);
    this.name = "PassportError";
    this.code = code;
    this.status = details.status;
    this.cbtxt = details.cbtxt;
  }
}
