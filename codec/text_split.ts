// Splitting long text over several switchboard messages: each payload (headers included) fits
// the switchboard's limit, parts follow the text's order, and no cut falls inside a UTF-8
// sequence or a grapheme cluster (an emoji with its modifiers stays whole).
import { EncodeError } from "./errors.ts";
import { MAX_SB_PAYLOAD_BYTES } from "./command.ts";
import type { ImFormat } from "./im_format.ts";
import { buildTextMessage } from "./content_text.ts";

/** Options for {@link splitTextMessage}. */
export interface SplitTextOptions {
  /** `X-MMS-IM-Format` for every part. */
  format?: ImFormat;
  /** Largest payload per message, headers included. Default 1664, the switchboard limit. */
  maxPayloadBytes?: number;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** UTF-8 length of a well-formed string, without encoding it. */
function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Builds the `text/plain` payloads that carry `text`: one when it fits, else
 * several, in order. Line breaks become CRLF. Cuts fall between grapheme
 * clusters (`Intl.Segmenter`); a single cluster larger than a part is cut
 * between code points, never inside a UTF-8 sequence.
 *
 * @example A 5,000-byte emoji text becomes four messages
 * ```ts
 * import { splitTextMessage } from "@msnp/client/codec";
 * const parts = splitTextMessage("😀".repeat(1250));
 * parts.length; // 4
 * parts.every((p) => p.length <= 1664); // true
 * ```
 *
 * @param text The message text.
 * @param options Format and size limit.
 * @returns The payloads, each for one `MSG t A <length>`.
 * @throws {EncodeError} `invalid-argument` when the text holds a lone surrogate or
 * a NUL; `invalid-format` when the format is invalid or leaves no room for text.
 */
export function splitTextMessage(text: string, options: SplitTextOptions = {}): Uint8Array[] {
  if (typeof text !== "string" || !text.isWellFormed() || text.includes("\0")) {
    throw new EncodeError(
      "invalid-argument",
      "Cannot build text message: the text holds a lone surrogate or NUL",
    );
  }
  const max = options.maxPayloadBytes ?? MAX_SB_PAYLOAD_BYTES;
  const headerBytes = buildTextMessage("", options.format).length;
  const room = max - headerBytes;
  // Four bytes is one code point at most: any less cannot always make progress.
  if (!Number.isInteger(max) || room < 4) {
    throw new EncodeError(
      "invalid-format",
      `Cannot build text message: the headers leave ${room} bytes for text in ${max}`,
    );
  }
  const crlf = text.replace(/\r\n|\r|\n/g, "\r\n");
  if (utf8Length(crlf) <= room) return [buildTextMessage(crlf, options.format)];
  const parts: string[] = [];
  let current = "";
  let used = 0;
  const push = (piece: string, size: number) => {
    if (used + size > room) {
      parts.push(current);
      current = "";
      used = 0;
    }
    current += piece;
    used += size;
  };
  for (const { segment } of segmenter.segment(crlf)) {
    const size = utf8Length(segment);
    if (size <= room) {
      push(segment, size);
      continue;
    }
    // A cluster larger than a whole part (combining-mark abuse): cut it between code points.
    for (const codePoint of segment) push(codePoint, utf8Length(codePoint));
  }
  if (current !== "") parts.push(current);
  return parts.map((part) => buildTextMessage(part, options.format));
}
