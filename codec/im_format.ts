// The X-MMS-IM-Format header of a text message: one grammar for parsing and building.
import { EncodeError } from "./errors.ts";
import { urlDecode, urlEncode } from "./url_encoding.ts";

/** Text effect letters of `EF`: bold, italic, underline, strike-through. */
export type ImEffect = "B" | "I" | "U" | "S";

/**
 * The `X-MMS-IM-Format` header of a text message. Every field is optional.
 * `CO`, `CS` and `PF` keep the text sent, so an odd value survives a parse
 * and format round trip; keys the protocol does not define are kept in
 * `extra`.
 */
export interface ImFormat {
  /** `FN`: font name, URL-decoded (for example `Lucida Sans Unicode`). */
  font?: string;
  /** `EF`: effects in the order sent; letters other than B, I, U, S are dropped. */
  effects?: ImEffect[];
  /**
   * `CO`: colour as the hex text sent. The byte order is BGR with leading
   * zeros dropped, so `ff0000` is blue and `ff` red; see {@link imColor}.
   */
  color?: string;
  /** `CS`: Windows character set as sent (hex text, `0` = ANSI). */
  charset?: string;
  /** `PF`: Windows pitch and family as sent (hex text, such as `22`). */
  pitchFamily?: string;
  /** Fields with other keys, `[key, value]` in wire order, written back after the known ones. */
  extra?: [key: string, value: string][];
}

const EFFECT_LETTERS: readonly string[] = ["B", "I", "U", "S"];

/**
 * Parses an `X-MMS-IM-Format` header value (`FN=...; EF=...; CO=...; CS=...; PF=...`).
 * Keys are matched in any case and order; parts without `=` are skipped.
 * Never throws: a malformed `FN` escape keeps the raw text.
 *
 * @example Parsing the usual form
 * ```ts
 * import { parseImFormat } from "@msnp/client/codec";
 *
 * parseImFormat("FN=Lucida%20Sans%20Unicode; EF=B; CO=ff0000; CS=0; PF=22");
 * // { font: "Lucida Sans Unicode", effects: ["B"], color: "ff0000", charset: "0", pitchFamily: "22" }
 * ```
 *
 * @param value The header value.
 * @returns The format fields present.
 */
export function parseImFormat(value: string): ImFormat {
  const format: ImFormat = {};
  for (const part of value.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    const rawKey = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    switch (rawKey.toUpperCase()) {
      case "FN":
        format.font = urlDecode(v);
        break;
      case "EF":
        format.effects = [...v.toUpperCase()].filter((c): c is ImEffect =>
          EFFECT_LETTERS.includes(c)
        );
        break;
      case "CO":
        format.color = v;
        break;
      case "CS":
        format.charset = v;
        break;
      case "PF":
        format.pitchFamily = v;
        break;
      default:
        if (rawKey !== "") (format.extra ??= []).push([rawKey, v]);
    }
  }
  return format;
}

// A value must not end its field (`;`), the header (CR, LF) or be trimmed away by a parser.
const BAD_VALUE = /[;\r\n\0]|^\s|\s$/;
const KEY = /^[A-Za-z0-9-]+$/;

// CO, CS and PF are single tokens (hex digits in practice); odd ones are kept if they are tokens.
const TOKEN = /^[^\s;\0]*$/;

function checkValue(key: string, value: string, token = false): string {
  if (
    typeof value !== "string" || BAD_VALUE.test(value) || !value.isWellFormed() ||
    (token && !TOKEN.test(value))
  ) {
    throw new EncodeError(
      "invalid-format",
      `Cannot build X-MMS-IM-Format field ${key}: value holds ';', CR, LF, NUL, ` +
        "outer spaces or a lone surrogate",
    );
  }
  return value;
}

/**
 * Builds an `X-MMS-IM-Format` header value. Fields appear in the order
 * `FN EF CO CS PF`, then `extra`, each only when set; the font is URL-encoded.
 *
 * @example The documented example
 * ```ts
 * import { formatImFormat } from "@msnp/client/codec";
 *
 * formatImFormat({
 *   font: "Lucida Sans Unicode",
 *   effects: ["B"],
 *   color: "ff0000",
 *   charset: "0",
 *   pitchFamily: "22",
 * }); // "FN=Lucida%20Sans%20Unicode; EF=B; CO=ff0000; CS=0; PF=22"
 * ```
 *
 * @param format Fields to write.
 * @returns The header value.
 * @throws {EncodeError} `invalid-format` when the font holds a lone
 * surrogate, an effect is unknown, or a value holds `;`, CR, LF or NUL.
 */
export function formatImFormat(format: ImFormat): string {
  const parts: string[] = [];
  if (format.font !== undefined) {
    if (typeof format.font !== "string" || !format.font.isWellFormed()) {
      throw new EncodeError(
        "invalid-format",
        "Cannot build X-MMS-IM-Format field FN: font name holds a lone surrogate",
      );
    }
    parts.push(`FN=${urlEncode(format.font)}`);
  }
  if (format.effects !== undefined) {
    for (const e of format.effects) {
      if (!EFFECT_LETTERS.includes(e)) {
        throw new EncodeError(
          "invalid-format",
          `Cannot build X-MMS-IM-Format effect ${JSON.stringify(e)}: expected B, I, U or S`,
        );
      }
    }
    parts.push(`EF=${format.effects.join("")}`);
  }
  if (format.color !== undefined) parts.push(`CO=${checkValue("CO", format.color, true)}`);
  if (format.charset !== undefined) parts.push(`CS=${checkValue("CS", format.charset, true)}`);
  if (format.pitchFamily !== undefined) {
    parts.push(`PF=${checkValue("PF", format.pitchFamily, true)}`);
  }
  for (const [key, value] of format.extra ?? []) {
    if (!KEY.test(key)) {
      throw new EncodeError(
        "invalid-format",
        "Cannot build X-MMS-IM-Format: an extra key is not letters, digits and '-'",
      );
    }
    parts.push(`${key}=${checkValue(key, value)}`);
  }
  return parts.join("; ");
}

/** A colour as red, green and blue components, each 0..255. */
export interface RgbColor {
  /** Red, 0..255. */
  red: number;
  /** Green, 0..255. */
  green: number;
  /** Blue, 0..255. */
  blue: number;
}

/**
 * The `CO` text for a colour: hex BGR with leading zeros dropped, as the
 * official client writes it.
 *
 * @example
 * ```ts
 * import { imColor } from "@msnp/client/codec";
 * imColor({ red: 255, green: 0, blue: 0 }); // "ff"
 * imColor({ red: 0, green: 0, blue: 255 }); // "ff0000"
 * imColor({ red: 0, green: 0, blue: 0 }); // "0"
 * ```
 *
 * @param rgb The colour.
 * @returns The `CO` value.
 * @throws {RangeError} When a component is not an integer in 0..255.
 */
export function imColor(rgb: RgbColor): string {
  for (const c of [rgb.red, rgb.green, rgb.blue]) {
    if (!Number.isInteger(c) || c < 0 || c > 255) {
      throw new RangeError("Cannot build colour: components must be integers in 0..255");
    }
  }
  return ((rgb.blue << 16) | (rgb.green << 8) | rgb.red).toString(16);
}

/**
 * Reads a `CO` value (hex BGR, leading zeros dropped, any case) as a colour,
 * or `undefined` when it is not 1 to 6 hex digits.
 *
 * @example
 * ```ts
 * import { parseImColor } from "@msnp/client/codec";
 * parseImColor("ff"); // { red: 255, green: 0, blue: 0 }
 * ```
 *
 * @param color The `CO` text.
 * @returns The colour, or `undefined`.
 */
export function parseImColor(color: string): RgbColor | undefined {
  if (!/^[0-9A-Fa-f]{1,6}$/.test(color)) return undefined;
  const n = parseInt(color, 16);
  return { red: n & 0xff, green: (n >> 8) & 0xff, blue: (n >> 16) & 0xff };
}
