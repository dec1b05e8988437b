// Custom emoticons: `text/x-mms-emoticon`, sent before the text that uses them. The body is
// tab-separated pairs: shortcut, MSNObject, shortcut, MSNObject, ... (with a trailing tab).
import { EncodeError } from "./errors.ts";
import { decodeUtf8, encodeMime, type MimeMessage } from "./mime.ts";

/** Media type of custom-emoticon announcements. */
export const EMOTICON_TYPE = "text/x-mms-emoticon";

/** One custom emoticon: the text it replaces and the MSNObject that names its picture. */
export interface CustomEmoticon {
  /** The shortcut text, such as `(cat)`. */
  shortcut: string;
  /** The `<msnobj .../>` XML as sent (not URL-encoded here). */
  msnObject: string;
}

/** `text/x-mms-emoticon`: the custom emoticons a following text message uses. */
export interface EmoticonsView {
  /** Discriminant. */
  kind: "emoticons";
  /** The pairs in the order sent; an unpaired last shortcut is dropped. */
  emoticons: CustomEmoticon[];
}

/**
 * Reads a custom-emoticon message. Never throws.
 *
 * @param msg The parsed message.
 * @returns The view.
 */
export function readEmoticons(msg: MimeMessage): EmoticonsView {
  const parts = decodeUtf8(msg.body).split("\t");
  const emoticons: CustomEmoticon[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const shortcut = parts[i].replace(/^[\r\n]+/, "");
    if (shortcut === "") break;
    emoticons.push({ shortcut, msnObject: parts[i + 1] });
  }
  return { kind: "emoticons", emoticons };
}

const BAD = /[\t\r\n\0]/;

/**
 * Builds a custom-emoticon message announcing `emoticons`.
 *
 * @example
 * ```ts
 * import { buildEmoticonMessage } from "@msnp/client/codec";
 * const bytes = buildEmoticonMessage([{ shortcut: "(cat)", msnObject: "<msnobj/>" }]);
 * new TextDecoder().decode(bytes).endsWith("\r\n\r\n(cat)\t<msnobj/>\t"); // true
 * ```
 *
 * @param emoticons At least one shortcut and its MSNObject.
 * @returns The payload bytes.
 * @throws {EncodeError} `invalid-argument` when the list is empty or a field is
 * empty or holds a tab, CR, LF, NUL or lone surrogate.
 */
export function buildEmoticonMessage(emoticons: readonly CustomEmoticon[]): Uint8Array {
  if (emoticons.length === 0) {
    throw new EncodeError("invalid-argument", "Cannot build emoticon message: no emoticons");
  }
  let body = "";
  for (const { shortcut, msnObject } of emoticons) {
    for (const field of [shortcut, msnObject]) {
      if (field === "" || BAD.test(field) || !field.isWellFormed()) {
        throw new EncodeError(
          "invalid-argument",
          "Cannot build emoticon message: a field is empty or holds a tab, CR, LF, NUL " +
            "or lone surrogate",
        );
      }
    }
    body += `${shortcut}\t${msnObject}\t`;
  }
  return encodeMime({
    headers: [["MIME-Version", "1.0"], ["Content-Type", EMOTICON_TYPE]],
    body: new TextEncoder().encode(body),
  });
}
