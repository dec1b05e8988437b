import { EncodeError } from "./errors.ts";

/**
 * URL-encodes a friendly name, group name, phone number or MSNObject for use
 * as a command argument: every UTF-8 octet outside `A-Z a-z 0-9 - _ . ! ~ * ' ( )`
 * becomes `%XX`. The result never contains a space, CR, LF, NUL or a bare `%`.
 *
 * @example
 * ```ts
 * import { urlEncode } from "@msnp/client/codec";
 * urlEncode("another user"); // "another%20user"
 * urlEncode("100% é"); // "100%25%20%C3%A9"
 * ```
 */
export function urlEncode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    throw new EncodeError(
      "invalid-argument",
      "Cannot URL-encode text: it contains a lone surrogate",
    );
  }
}

// ignoreBOM: a leading U+FEFF is text here, as it is for decodeURIComponent.
const lenientUtf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Decodes `%XX` escapes as UTF-8 octets. Lenient, because servers differ: a
 * `%` not followed by two hex digits is kept as it is, raw UTF-8 passes
 * through, and invalid UTF-8 becomes U+FFFD rather than an error.
 *
 * @example
 * ```ts
 * import { urlDecode } from "@msnp/client/codec";
 * urlDecode("another%20user"); // "another user"
 * urlDecode("100%"); // "100%"
 * ```
 */
export function urlDecode(text: string): string {
  if (text.indexOf("%") === -1) return text;
  // The built-in is exact for well-formed input and an order of magnitude faster; it throws on
  // anything this function must treat leniently.
  try {
    return decodeURIComponent(text);
  } catch {
    return lenientDecode(text);
  }
}

function lenientDecode(text: string): string {
  // Copies the text between escapes in slices: a string of bare "%" must not cost a string
  // concatenation per character.
  let out = "";
  let last = 0;
  let i = text.indexOf("%");
  while (i !== -1) {
    if (!isEscape(text, i)) {
      i = text.indexOf("%", i + 1);
      continue;
    }
    out += text.slice(last, i);
    const bytes: number[] = [];
    while (i < text.length && text.charCodeAt(i) === 37 && isEscape(text, i)) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 3;
    }
    out += lenientUtf8.decode(new Uint8Array(bytes));
    last = i;
    i = text.indexOf("%", i);
  }
  return out + text.slice(last);
}

function isEscape(text: string, i: number): boolean {
  return i + 2 < text.length && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2));
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
