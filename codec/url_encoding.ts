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

// A run of %XX escapes; one pass, no ambiguity to backtrack over.
const ESCAPE_RUN = /(?:%[0-9A-Fa-f]{2})+/g;

function lenientDecode(text: string): string {
  // Each run is decoded as one byte sequence, so a character split over several escapes
  // survives; everything between runs (a bare "%" included) is kept as it is.
  return text.replace(ESCAPE_RUN, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(3 * i + 1, 3 * i + 3), 16);
    return lenientUtf8.decode(bytes);
  });
}
