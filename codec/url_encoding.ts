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
  const bytes: number[] = [];
  let out = "";
  const flush = () => {
    if (bytes.length > 0) {
      out += lenientUtf8.decode(new Uint8Array(bytes));
      bytes.length = 0;
    }
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (
      c === 37 && i + 2 < text.length && isHex(text.charCodeAt(i + 1)) &&
      isHex(text.charCodeAt(i + 2))
    ) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      flush();
      out += text[i];
    }
  }
  flush();
  return out;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
