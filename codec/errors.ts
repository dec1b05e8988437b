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
    this.code = code;
    this.offset = offset;
    this.fatal = fatal;
  }
}
// On the prototype, so that errors made by stacklessDecodeError have it too.
Object.defineProperty(DecodeError.prototype, "name", {
  value: "DecodeError",
  writable: true,
  configurable: true,
});

/**
 * A {@link DecodeError} made without running the `Error` constructor, for the
 * decoder's per-line errors: a stream of malformed lines gets one error each,
 * and constructing an `Error` costs several times decoding a line (Deno
 * records a detailed stack trace for every one, whatever
 * `Error.stackTraceLimit` says). Its frames would only show decoder
 * internals; `offset` says where the bytes were. `stack` is the first line
 * of a normal one, `instanceof` and printing work as for any DecodeError.
 */
export function stacklessDecodeError(
  code: DecodeErrorCode,
  message: string,
  offset: number,
  fatal: boolean,
): DecodeError {
  const error = Object.create(DecodeError.prototype);
  Object.defineProperty(error, "stack", {
    value: `DecodeError: ${message}`,
    writable: true,
    configurable: true,
  });
  Object.defineProperty(error, "message", { value: message, writable: true, configurable: true });
  error.code = code;
  error.offset = offset;
  error.fatal = fatal;
  return error;
}

/** Why a command could not be encoded. */
export type EncodeErrorCode =
  | "invalid-name"
  | "invalid-trid"
  | "invalid-argument"
  | "too-long"
  | "payload-length-mismatch"
  /** A MIME header name is empty, not well-formed, or holds `:`, CR, LF or NUL. */
  | "invalid-header-name"
  /** A MIME header value is not well-formed or holds CR, LF or NUL. */
  | "invalid-header-value"
  /** An `X-MMS-IM-Format` field holds a character it cannot carry. */
  | "invalid-format";

/**
 * The caller asked to encode something that is not a valid command or
 * payload, for example an argument that would inject a space, CR, LF or NUL,
 * or text with a lone UTF-16 surrogate (which would silently become U+FFFD).
 * Every builder of the codec (`encodeCommand`, `ver`, `msg`, `encodeMime`,
 * `buildTextMessage`, ...) throws this and nothing else for bad input.
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
