import type { SwitchboardPhase } from "./switchboard_events.ts";

/** Why a session failed. */
export type SessionErrorCode =
  /** The server answered with an error code (see `serverCode`). */
  | "server-error"
  /** The server offers none of the protocol versions we asked for (`VER n 0`). */
  | "version-rejected"
  /** More `XFR NS` redirects in a row than allowed. */
  | "too-many-redirects"
  /** Passport sign-in failed (see `passportCode`). */
  | "passport-failed"
  /** A phase did not complete in time (see `phase`). */
  | "timeout"
  /** The connection closed or could not be opened before sign-in completed. */
  | "connection-lost"
  /** The server sent something that breaks the protocol. */
  | "protocol"
  /** The application aborted the sign-in (an `AbortSignal` given to the client). */
  | "aborted";

/** Lifecycle phases, as reported in errors and by `NotificationSession.phase`. */
export type SessionPhase =
  | "idle"
  | "connecting"
  | "negotiating"
  | "identifying"
  | "requestingAuth"
  | "authenticating"
  | "authorizing"
  | "syncing"
  | "online"
  | "signingOut"
  | "closed"
  | "failed";

/** Details of a {@link SessionError}. */
export interface SessionErrorDetails {
  /** Phase the session was in when it failed. */
  phase: SessionPhase | SwitchboardPhase;
  /** Server error code (`911`, ...) for `server-error`. */
  serverCode?: number;
  /** Name of the server error code, e.g. `AUTHENTICATION_FAILED`. */
  serverName?: string;
  /** The Passport error's `code` for `passport-failed`. */
  passportCode?: string;
  /** The underlying error (e.g. the `PayloadError` behind a `protocol` failure). */
  cause?: unknown;
}

/**
 * A fatal session failure. After one, the session is in phase `failed` and
 * every intent throws this same error.
 *
 * @example
 * ```ts
 * import { SessionError } from "@msnp/client/machine";
 * const err = new SessionError("server-error", "Sign-in refused", { phase: "authorizing", serverCode: 911 });
 * console.log(err.code, err.serverCode); // "server-error" 911
 * ```
 */
export class SessionError extends Error {
  /** Stable machine-readable reason. */
  readonly code: SessionErrorCode;
  /** Phase the session was in when it failed. */
  readonly phase: SessionPhase | SwitchboardPhase;
  /** Server error code for `server-error`. */
  readonly serverCode?: number;
  /** Name of the server error code. */
  readonly serverName?: string;
  /** The Passport error's `code` for `passport-failed`. */
  readonly passportCode?: string;

  /** Creates an error; the message must not contain secrets. */
  constructor(code: SessionErrorCode, message: string, details: SessionErrorDetails) {
    super(message, details.cause !== undefined ? { cause: details.cause } : undefined);
    this.name = "SessionError";
    this.code = code;
    this.phase = details.phase;
    if (details.serverCode !== undefined) this.serverCode = details.serverCode;
    if (details.serverName !== undefined) this.serverName = details.serverName;
    if (details.passportCode !== undefined) this.passportCode = details.passportCode;
  }
}

/**
 * The caller used the session API wrongly (an intent before sign-in, an
 * input in the wrong phase, an invalid argument). The session is unchanged.
 *
 * @example
 * ```ts
 * import { UsageError } from "@msnp/client/machine";
 * console.log(new UsageError("not-online", "Cannot add contact: not signed in").code);
 * ```
 */
export class UsageError extends Error {
  /** Stable machine-readable reason. */
  readonly code: "not-online" | "invalid-state" | "invalid-argument";

  /** Creates an error; `cause` is the underlying error (e.g. an `EncodeError` for a bad argument). */
  constructor(code: UsageError["code"], message: string, options?: { cause?: unknown }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = "UsageError";
    this.code = code;
  }
}
