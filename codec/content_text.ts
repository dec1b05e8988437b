// Instant messages (`text/plain`), with their optional `X-MMS-IM-Format` (see im_format.ts).
import { dropUndefined } from "./_content_read.ts";
import { formatImFormat, type ImFormat, parseImFormat } from "./im_format.ts";
import {
  decodeUtf8,
  encodeMime,
  encodeUtf8,
  getHeader,
  type MimeHeader,
  type MimeMessage,
} from "./mime.ts";

/** Media type of instant messages. */
export const TEXT_TYPE = "text/plain";

/** `text/plain` instant message. */
export interface TextView {
  /** Discriminant. */
  kind: "text";
  /** The body decoded as UTF-8. */
  text: string;
  /** Parsed `X-MMS-IM-Format`, when present. */
  format?: ImFormat;
}

/**
 * Builds the payload of a `text/plain` instant message: `MIME-Version`,
 * `Content-Type: text/plain; charset=UTF-8`, then `X-MMS-IM-Format` when a
 * format is given, an empty line and the UTF-8 text.
 *
 * @example The 143-byte documentation example
 * ```ts
 * import { buildTextMessage } from "@msnp/client/codec";
 *
 * const payload = buildTextMessage("Hello.", {
 *   font: "Lucida Sans Unicode",
 *   effects: ["B"],
 *   color: "ff0000",
 *   charset: "0",
 *   pitchFamily: "22",
 * });
 * payload.length; // 143
 * ```
 *
 * @param text Message text; may hold line breaks.
 * @param format Optional `X-MMS-IM-Format` fields.
 * @returns The payload bytes for `MSG trid U|N|A|D <length>`.
 * @throws {EncodeError} `invalid-format` for a format field it cannot carry,
 * `invalid-argument` for text with a lone surrogate.
 */
export function buildTextMessage(text: string, format?: ImFormat): Uint8Array {
  const headers: MimeHeader[] = [
    ["MIME-Version", "1.0"],
    ["Content-Type", "text/plain; charset=UTF-8"],
  ];
  if (format !== undefined) headers.push(["X-MMS-IM-Format", formatImFormat(format)]);
  return encodeMime({ headers, body: encodeUtf8(text, "text message") });
}

/**
 * Reads a `text/plain` message: the body as UTF-8 and the parsed format. Never throws.
 *
 * @param msg The parsed message.
 * @returns The view.
 */
export function readText(msg: MimeMessage): TextView {
  const formatValue = getHeader(msg, "X-MMS-IM-Format");
  return dropUndefined<TextView>({
    kind: "text",
    text: decodeUtf8(msg.body),
    format: formatValue === undefined ? undefined : parseImFormat(formatValue),
  });
}
