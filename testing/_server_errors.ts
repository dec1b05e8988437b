// Private to testing/: the loopback server's error class, re-exported by loopback_server.ts.

/** Why a loopback server call failed. */
export type LoopbackServerErrorCode =
  /** The options describe an impossible server (duplicate account, bad group id, ...). */
  | "invalid-options"
  /** A test hook named an account that is not signed in. */
  | "not-online"
  /** A test hook named a passport that is not an account of this server. */
  | "unknown-account"
  /** The server was closed. */
  | "closed";

/** A loopback server option or test hook was used wrongly. Branch on `code`. */
export class LoopbackServerError extends Error {
  /** Stable machine-readable reason. */
  readonly code: LoopbackServerErrorCode;

  /** Creates an error; `message` never holds a password or ticket. */
  constructor(code: LoopbackServerErrorCode, message: string) {
    super(message);
    this.name = "LoopbackServerError";
    this.code = code;
  }
}
