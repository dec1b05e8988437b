/**
 * MIME payloads carried by `MSG`: a block of `Name: value` header lines, an
 * empty line, then the body bytes.
 *
 * The payload length on the wire counts bytes, so this module works on
 * `Uint8Array` throughout and never re-encodes the body.
 *
 * @module
 */

import { EncodeError, quote } from "./errors.ts";

/** Stable codes of {@linkcode PayloadError}. */
export type PayloadErrorCode =
  /** A header line has no `:` separator. */
  | "MALFORMED_HEADER"
  /** A `CHL` challenge or product key is empty or holds whitespace or control characters. */
  | "INVALID_CHALLENGE"
  /** A client ID is not a decimal integer in 0..4294967295. */
  | "INVALID_CLIENT_ID"
  /** Text does not contain an `<msnobj .../>` element. */
  | "INVALID_MSN_OBJECT"
  /** A `ClientPort` value is not an integer in 0..65535. */
  | "INVALID_CLIENT_PORT";

/**
 * A payload (MIME message, challenge, client ID or MSNObject) received from
 * the peer could not be parsed. Building one from bad input throws
 * `EncodeError` instead.
 *
 * Callers branch on {@linkcode PayloadError.code}; the message is for people.
 * Messages never contain header values, so a secret such as `MSPAuth` cannot
 * leak through them.
 *
 * @example Branching on the code
 * ```ts
 * import { parseMime, PayloadError } from "@msnp/client/codec";
 *
 * try {
 *   parseMime(new TextEncoder().encode("no colon here\r\n\r\n"));
 * } catch (e) {
 *   if (e instanceof PayloadError && e.code === "MALFORMED_HEADER") {
 *     // the peer sent a broken payload
 *   }
 * }
 * ```
 */
export class PayloadError extends Error {
  /** Stable machine-readable reason. */
  readonly code: PayloadErrorCode;

  /**
   * Creates the error.
   *
   * @param code Stable reason callers branch on.
   * @param message Human-readable text, like `Cannot parse MIME header line 2: missing ':'`.
   */
  constructor(code: PayloadErrorCode, message: string) {
    super(message);
    this.name = "PayloadError";
    this.code = code;
  }
}

/** One header as on the wire: `[name, value]`, in wire order. */
export type MimeHeader = [name: string, value: string];

/** A parsed `MSG` payload. */
export interface MimeMessage {
  /** Headers in wire order; names keep their case; duplicates are kept. */
  headers: MimeHeader[];
  /** Exact bytes after the empty line that ends the header block. */
  body: Uint8Array;
}

const LF = 0x0a;
const CR = 0x0d;

const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/**
 * Decodes UTF-8 bytes to text, keeping a leading byte order mark and turning
 * invalid sequences into U+FFFD instead of throwing.
 *
 * @param bytes Bytes to decode.
 * @returns The decoded text.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

/**
 * Parses a `MSG` payload into headers and body.
 *
 * Header lines end in CRLF or a bare LF. The header block ends at the first
 * empty line; everything after that line's terminator is the body, byte for
 * byte. A payload without an empty line is all headers with an empty body.
 * Each header is split at the first `:` and exactly one space after it is
 * dropped; the rest of the value (trailing spaces included) is kept. Header
 * text is decoded as UTF-8.
 *
 * {@linkcode encodeMime} gives back the same bytes for payloads that use CRLF,
 * `": "` separators and an empty line after the headers.
 *
 * @example Parsing a typing notification
 * ```ts
 * import { getHeader, parseMime } from "@msnp/client/codec";
 *
 * const payload = new TextEncoder().encode(
 *   "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\n" +
 *     "TypingUser: bob@passport.com\r\n\r\n\r\n",
 * );
 * const msg = parseMime(payload);
 * getHeader(msg, "typinguser"); // "bob@passport.com"
 * ```
 *
 * @param payload The exact payload bytes (the length given on the `MSG` line).
 * @returns The headers and body.
 * @throws {PayloadError} `MALFORMED_HEADER` when a header line has no `:`.
 */
export function parseMime(payload: Uint8Array): MimeMessage {
  // Find the empty line in bytes (the body is counted in bytes), then decode the header
  // block with one call and split it in the string: a line end never falls inside a UTF-8
  // sequence, so this gives what decoding each line would.
  let start = 0;
  let headerEnd = payload.length;
  let body: Uint8Array | undefined;
  while (start < payload.length) {
    const lf = payload.indexOf(LF, start);
    if (lf === -1) break;
    if (lf === start || (lf === start + 1 && payload[start] === CR)) {
      headerEnd = start;
      body = payload.slice(lf + 1);
      break;
    }
    start = lf + 1;
  }
  const headers: MimeHeader[] = [];
  if (headerEnd > 0) {
    const lines = decodeUtf8(payload.subarray(0, headerEnd)).split("\n");
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i];
      if (line.length > 0 && line.charCodeAt(line.length - 1) === CR) line = line.slice(0, -1);
      if (line.length > 0) headers.push(splitHeader(line, i + 1));
    }
  }
  return { headers, body: body ?? new Uint8Array(0) };
}

function splitHeader(line: string, lineNumber: number): MimeHeader {
  const colon = line.indexOf(":");
  if (colon === -1) {
    throw new PayloadError(
      "MALFORMED_HEADER",
      `Cannot parse MIME header line ${lineNumber}: missing ':'`,
    );
  }
  const name = line.slice(0, colon);
  const rest = line.slice(colon + 1);
  return [name, rest.startsWith(" ") ? rest.slice(1) : rest];
}

/**
 * Returns the value of the first header called `name`, compared without
 * regard to case, or `undefined` when there is none.
 *
 * @example Case-insensitive lookup
 * ```ts
 * import { getHeader } from "@msnp/client/codec";
 *
 * const msg = { headers: [["Content-Type", "text/plain"]] as [string, string][], body: new Uint8Array() };
 * getHeader(msg, "content-type"); // "text/plain"
 * ```
 *
 * @param msg A parsed message.
 * @param name Header name in any case.
 * @returns The header value, or `undefined`.
 */
export function getHeader(msg: MimeMessage, name: string): string | undefined {
  return findField(msg.headers, name);
}

/**
 * Returns the value of the first `[name, value]` pair whose name matches
 * without regard to case.
 *
 * @param fields Ordered pairs to search.
 * @param name Name in any case.
 * @returns The value, or `undefined`.
 */
export function findField(
  fields: readonly (readonly [string, string])[],
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();
  for (const [n, v] of fields) {
    if (n.toLowerCase() === wanted) return v;
  }
  return undefined;
}

const FORBIDDEN_IN_VALUE = /[\r\n\0]/;
const FORBIDDEN_IN_NAME = /[\r\n\0:]/;

/**
 * UTF-8 bytes of text a builder was given, refusing a lone surrogate
 * (`TextEncoder` would silently write U+FFFD for it).
 *
 * @param text Text to encode.
 * @param what What the text is, for the error message.
 * @returns The UTF-8 bytes.
 * @throws {EncodeError} `invalid-argument` when `text` is not a well-formed string.
 */
export function encodeUtf8(text: string, what: string): Uint8Array {
  if (typeof text !== "string" || !text.isWellFormed()) {
    throw new EncodeError("invalid-argument", `Cannot encode ${what}: not a well-formed string`);
  }
  return utf8Encoder.encode(text);
}

/**
 * Serializes a message as `Name: value\r\n` lines, an empty line (`\r\n`) and
 * the body bytes unchanged.
 *
 * @example Building a minimal text message
 * ```ts
 * import { encodeMime } from "@msnp/client/codec";
 *
 * const bytes = encodeMime({
 *   headers: [["MIME-Version", "1.0"], ["Content-Type", "text/plain; charset=UTF-8"]],
 *   body: new TextEncoder().encode("Hi"),
 * });
 * bytes.length; // 64
 * ```
 *
 * @param msg Headers and body to write.
 * @returns The payload bytes; their length is the `MSG` length parameter.
 * @throws {EncodeError} `invalid-header-name` for an empty name or one holding
 * `:`, CR, LF, NUL or a lone surrogate; `invalid-header-value` for a value
 * holding CR, LF, NUL or a lone surrogate.
 */
export function encodeMime(msg: MimeMessage): Uint8Array {
  let head = "";
  const { headers, body } = msg;
  if (!Array.isArray(headers) || !(body instanceof Uint8Array)) {
    throw new EncodeError(
      "invalid-argument",
      "Cannot encode MIME message: headers or body missing",
    );
  }
  for (let i = 0; i < headers.length; i++) {
    const header = headers[i];
    const name: unknown = Array.isArray(header) ? header[0] : undefined;
    const value: unknown = Array.isArray(header) ? header[1] : undefined;
    if (
      typeof name !== "string" || name.length === 0 || FORBIDDEN_IN_NAME.test(name) ||
      !name.isWellFormed()
    ) {
      throw new EncodeError(
        "invalid-header-name",
        `Cannot encode MIME header ${
          i + 1
        }: name is empty, not well-formed or contains ':', CR, LF or NUL`,
      );
    }
    if (typeof value !== "string" || FORBIDDEN_IN_VALUE.test(value) || !value.isWellFormed()) {
      // The value is never quoted: it may be a secret.
      throw new EncodeError(
        "invalid-header-value",
        `Cannot encode MIME header ${
          quote(name)
        }: value is not well-formed or contains CR, LF or NUL`,
      );
    }
    head += `${name}: ${value}\r\n`;
  }
  head += "\r\n";
  const headBytes = utf8Encoder.encode(head);
  const out = new Uint8Array(headBytes.length + body.length);
  out.set(headBytes, 0);
  out.set(body, headBytes.length);
  return out;
}
