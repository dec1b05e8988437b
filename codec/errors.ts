/** Why a byte stream could not be decoded into commands. */
export type DecodeErrorCode =
  | "line-too-long"
  | "payload-too-large"
  | "invalid-name"
  | "missing-trid"
  | "invalid-trid"
  | "invalid-payload-length"
  | "invalid-utf8"
  | "invalid-arguments"
  | "truncated";

/**
 * The peer sent bytes that are not a valid MSNP command.
 *
 * `fatal` says whether the decoder still knows where the next command
 * starts: when `false` the bad line was skipped and decoding goes on; when
 * `true` the framing is lost and the decoder reports this same error for
 * every later call.
 *
 * @example Telling a recoverable error from a fatal one
 * ```ts
 * import { Decoder, DecodeError } from "@msnp/client/codec";
 * const decoder = new Decoder();
 * decoder.push(new TextEncoder().encode("qng 5\r\nQNG 50\r\n"));
 * const first = decoder.next();
 * console.log(first instanceof DecodeError && !first.fatal); // true
 * ```
 */
export class DecodeError extends Error {
  /** Stable machine-readable reason. */
  readonly code: DecodeErrorCode;
  /** Stream offset (bytes since the decoder was created) of the offending line. */
  readonly offset: number;
  /** Whether framing is lost; see the class description. */
  readonly fatal: boolean;

  /** Creates an error; `message` must not quote secrets. */
  constructor(code: DecodeErrorCode, message: string, offset: number, fatal: boolean) {
    super(message);
    this.name = "DecodeError";
    this.code = code;
    this.offset = offset;
    this.fatal = fatal;
  }
}

/** Why a command could not be encoded. */
export type EncodeErrorCode =
  | "invalid-name"
  | "invalid-trid"
  | "invalid-argument"
  | "too-long"
  | "payload-length-mismatch";

/**
 * The caller asked to encode something that is not a valid command, for
 * example an argument that would inject a space, CR, LF or NUL.
 *
 * @example
 * ```ts
 * import { encodeCommand, EncodeError } from "@msnp/client/codec";
 * try {
 *   encodeCommand({ name: "REA", trid: 4, args: ["a@b.c", "x\r\nOUT"] });
 * } catch (e) {
 *   console.log(e instanceof EncodeError && e.code); // "invalid-argument"
 * }
 * ```
 */
export class EncodeError extends Error {
  /** Stable machine-readable reason. */
  readonly code: EncodeErrorCode;

  /** Creates an error; `message` must not quote secrets. */
  constructor(code: EncodeErrorCode, message: string) {
    super(message);
    this.name = "EncodeError";
    this.code = code;
  }
}

/** Shortens untrusted text quoted in an error message and makes controls visible. */
export function quote(text: string, max = 32): string {
  const cut = text.length > max ? text.slice(0, max) + "…" : text;
  return JSON.stringify(cut);
}
