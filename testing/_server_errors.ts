// Private to testing/: the loopback server's error class, re-exported by loopback_server.ts.

/** Why a loopback server call failed. */
export type LoopbackServerErrorCode =
  /** The options describe an impossible server (duplicate account, bad group id, ...). */
  | "invalid-options"
  /** A test hook or peer method got an argument it cannot use (an oversized text, no invitee). */
  | "invalid-argument"
  /** A test hook named an account that is not signed in, or a peer acted after signing out. */
  | "not-online"
  /** A test hook named a passport that is not an account of this server. */
  | "unknown-account"
  /** A peer's invitation was refused; `serverCode` holds the switchboard's error (217, 216...). */
  | "call-failed"
  /** A peer acted on a conversation it is no longer in. */
  | "not-in-conversation"
  /** A peer's wait ran out of time. */
  | "timeout"
  /** The server was closed. */
  | "closed";

/** A loopback server option, test hook or scripted peer was used wrongly. Branch on `code`. */
export class LoopbackServerError extends Error {
  /** Stable machine-readable reason. */
  readonly code: LoopbackServerErrorCode;
  /** For `call-failed`: the MSNP error code the switchboard would have sent (208, 215, 216, 217, 913). */
  readonly serverCode?: number;

  /** Creates an error; `message` never holds a password, ticket or cookie. */
  constructor(code: LoopbackServerErrorCode, message: string, serverCode?: number) {
    super(message);
    this.name = "LoopbackServerError";
    this.code = code;
    if (serverCode !== undefined) this.serverCode = serverCode;
  }
}
