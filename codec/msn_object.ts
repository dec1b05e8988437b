/**
 * The MSNObject (MSNP9): an `<msnobj .../>` XML element describing a display
 * picture or other content, sent URL-encoded as the last argument of `CHG`,
 * `ILN` and `NLN`.
 *
 * @module
 */

import { sha1 } from "@noble/hashes/legacy.js";
import { EncodeError } from "./errors.ts";
import { PayloadError } from "./mime.ts";

const utf8Encoder = new TextEncoder();

/** Known `Type` values of an MSNObject. */
export const MsnObjectType = {
  /** 2: custom emoticon. */
  CUSTOM_EMOTICON: 2,
  /** 3: display picture. */
  DISPLAY_PICTURE: 3,
  /** 5: background. */
  BACKGROUND: 5,
  /** 7: dynamic display picture. */
  DYNAMIC_DISPLAY_PICTURE: 7,
  /** 8: wink. */
  WINK: 8,
} as const;

/** A parsed MSNObject. Fields are `undefined` when absent or malformed. */
export interface MsnObject {
  /** `Creator`: the passport that owns the object. */
  creator?: string;
  /** `Size`: data length in bytes. */
  size?: number;
  /** `Type`, see {@linkcode MsnObjectType}. */
  type?: number;
  /** `Location`: the creator's file name. */
  location?: string;
  /** `Friendly`: base64 of a UTF-16LE name (`AAA=` when none). */
  friendly?: string;
  /** `SHA1D`: base64 SHA-1 of the data. */
  sha1d?: string;
  /** `SHA1C`: base64 SHA-1 of the other fields, see {@linkcode msnObjectSha1c}. */
  sha1c?: string;
  /** Every attribute in document order, entities decoded, names as sent. */
  attributes: [name: string, value: string][];
  /** The XML text parsed (URL-decoded first when it arrived encoded). */
  xml: string;
}

/** The fields {@linkcode buildMsnObject} writes. */
export interface MsnObjectFields {
  /** `Creator`: your passport. */
  creator: string;
  /** `Size`: data length in bytes. */
  size: number;
  /** `Type`, see {@linkcode MsnObjectType}. */
  type: number;
  /** `Location`: a file name; any text the creator chooses. */
  location: string;
  /** `Friendly`; defaults to `AAA=` (an empty name). */
  friendly?: string;
  /** `SHA1D`: base64 SHA-1 of the data, see {@linkcode msnObjectSha1d}. */
  sha1d: string;
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  quot: '"',
  lt: "<",
  gt: ">",
  apos: "'",
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith("#")) {
      const code = ref[1] === "x" || ref[1] === "X"
        ? parseInt(ref.slice(2), 16)
        : parseInt(ref.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref] ?? whole;
  });
}

function escapeAttribute(text: string): string {
  return text.replace(
    /[&"<>]/g,
    (c) => `&${c === "&" ? "amp" : c === '"' ? "quot" : c === "<" ? "lt" : "gt"};`,
  );
}

function toInt(value: string | undefined): number | undefined {
  if (value === undefined || !/^[0-9]+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * The `name = "value"` / `name = 'value'` pairs of an element's inside, as the
 * regex `([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')` would find them,
 * in one pass: the regex backtracks over every suffix of a long name or an
 * unterminated value, which is quadratic in hostile input.
 */
function scanAttributes(inner: string): [string, string][] {
  const out: [string, string][] = [];
  const n = inner.length;
  // Per quote character, the position from which no closing quote exists.
  let noDouble = n + 1;
  let noSingle = n + 1;
  let i = 0;
  while (i < n) {
    if (!isNameStart(inner.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && isNameChar(inner.charCodeAt(j))) j++;
    // A failed match here fails the same way from any later start inside the
    // name (same text follows), so the scan resumes after the name.
    let k = skipSpaces(inner, j);
    if (inner.charCodeAt(k) !== 61 /* = */) {
      i = j;
      continue;
    }
    k = skipSpaces(inner, k + 1);
    const quote = inner.charCodeAt(k);
    if (quote !== 34 && quote !== 39) {
      i = j;
      continue;
    }
    const limit = quote === 34 ? noDouble : noSingle;
    const close = k + 1 >= limit ? -1 : inner.indexOf(quote === 34 ? '"' : "'", k + 1);
    if (close === -1) {
      if (quote === 34) noDouble = Math.min(noDouble, k + 1);
      else noSingle = Math.min(noSingle, k + 1);
      i = j;
      continue;
    }
    out.push([inner.slice(i, j), decodeEntities(inner.slice(k + 1, close))]);
    i = close + 1;
  }
  return out;
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isNameChar(c: number): boolean {
  // \w plus . : -
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 46 || c === 58 || c === 45;
}

const SPACE = /\s/;

function skipSpaces(text: string, from: number): number {
  let i = from;
  while (i < text.length && SPACE.test(text[i])) i++;
  return i;
}

/**
 * Parses an MSNObject. Tolerant: attribute order, quoting style, extra
 * attributes and name case are free; the five XML entities and numeric
 * character references are decoded; text that is still URL-encoded
 * (starting with `%3C`) is decoded first.
 *
 * @example Parsing NINA's example
 * ```ts
 * import { parseMsnObject } from "@msnp/client/codec";
 *
 * const obj = parseMsnObject(
 *   '<msnobj Creator="buddy1@hotmail.com" Size="24539" Type="3" Location="TFR2C.tmp" ' +
 *     'Friendly="AAA=" SHA1D="trC8SlFx2sWQxZMIBAWSEnXc8oQ=" SHA1C="U32o6bosZzluJq82eAtMpx5dIEI="/>',
 * );
 * obj.size; // 24539
 * ```
 *
 * @param text The XML (or its URL-encoded form).
 * @returns The fields, all attributes and the XML text.
 * @throws {PayloadError} `INVALID_MSN_OBJECT` when there is no `<msnobj` element.
 */
export function parseMsnObject(text: string): MsnObject {
  let xml = text.trim();
  if (/^%3c/i.test(xml)) {
    try {
      xml = decodeURIComponent(xml);
    } catch {
      // keep the raw text; the element search below decides
    }
  }
  const start = xml.search(/<msnobj\b/i);
  if (start === -1) {
    throw new PayloadError(
      "INVALID_MSN_OBJECT",
      "Cannot parse MSNObject: no <msnobj> element",
    );
  }
  const end = xml.indexOf(">", start);
  const inner = xml.slice(start + "<msnobj".length, end === -1 ? xml.length : end);
  const attributes = scanAttributes(inner);
  const get = (name: string) => {
    const wanted = name.toLowerCase();
    return attributes.find(([n]) => n.toLowerCase() === wanted)?.[1];
  };
  const obj: MsnObject = {
    creator: get("Creator"),
    size: toInt(get("Size")),
    type: toInt(get("Type")),
    location: get("Location"),
    friendly: get("Friendly"),
    sha1d: get("SHA1D"),
    sha1c: get("SHA1C"),
    attributes,
    xml,
  };
  for (const key of Object.keys(obj) as (keyof MsnObject)[]) {
    if (obj[key] === undefined) delete obj[key];
  }
  return obj;
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * Computes `SHA1D`: base64 of the SHA-1 of the object's data.
 *
 * @example Hashing a file's bytes
 * ```ts
 * import { msnObjectSha1d } from "@msnp/client/codec";
 *
 * msnObjectSha1d(new Uint8Array()); // "2jmj7l5rSw0yVb/vlWAYkK/YBwk="
 * ```
 *
 * @param data The picture (or other content) bytes.
 * @returns Base64 text.
 */
export function msnObjectSha1d(data: Uint8Array): string {
  return base64(sha1(data));
}

/**
 * Computes `SHA1C`: base64 of the SHA-1 of
 * `"Creator" + creator + "Size" + size + "Type" + type + "Location" + location
 * + "Friendly" + friendly + "SHA1D" + sha1d` (UTF-8).
 *
 * @example NINA's example
 * ```ts
 * import { msnObjectSha1c } from "@msnp/client/codec";
 *
 * msnObjectSha1c({
 *   creator: "buddy1@hotmail.com",
 *   size: 24539,
 *   type: 3,
 *   location: "TFR2C.tmp",
 *   friendly: "AAA=",
 *   sha1d: "trC8SlFx2sWQxZMIBAWSEnXc8oQ=",
 * }); // "U32o6bosZzluJq82eAtMpx5dIEI="
 * ```
 *
 * @param fields The six hashed fields (`friendly` defaults to `AAA=`).
 * @returns Base64 text.
 */
export function msnObjectSha1c(fields: MsnObjectFields): string {
  const text = `Creator${fields.creator}Size${fields.size}Type${fields.type}` +
    `Location${fields.location}Friendly${fields.friendly ?? "AAA="}SHA1D${fields.sha1d}`;
  return base64(sha1(utf8Encoder.encode(text)));
}

/**
 * Whether a parsed object's `SHA1C` matches its other fields.
 *
 * @param obj A parsed MSNObject.
 * @returns `false` when a hashed field is missing or the hash differs.
 */
export function isMsnObjectSha1cValid(obj: MsnObject): boolean {
  const { creator, size, type, location, friendly, sha1d, sha1c } = obj;
  if (
    creator === undefined || size === undefined || type === undefined ||
    location === undefined || friendly === undefined || sha1d === undefined ||
    sha1c === undefined
  ) {
    return false;
  }
  return msnObjectSha1c({ creator, size, type, location, friendly, sha1d }) === sha1c;
}

/**
 * Builds the `<msnobj .../>` XML with the attributes in the usual order and a
 * computed `SHA1C`. The result still needs URL-encoding before it goes into
 * `CHG`.
 *
 * @example A display picture
 * ```ts
 * import { buildMsnObject } from "@msnp/client/codec";
 *
 * buildMsnObject({
 *   creator: "buddy1@hotmail.com",
 *   size: 24539,
 *   type: 3,
 *   location: "TFR2C.tmp",
 *   sha1d: "trC8SlFx2sWQxZMIBAWSEnXc8oQ=",
 * });
 * // '<msnobj Creator="buddy1@hotmail.com" Size="24539" Type="3" Location="TFR2C.tmp"
 * //  Friendly="AAA=" SHA1D="trC8SlFx2sWQxZMIBAWSEnXc8oQ=" SHA1C="U32o6bosZzluJq82eAtMpx5dIEI="/>'
 * // (one line)
 * ```
 *
 * @param fields Object fields; `friendly` defaults to `AAA=`.
 * @returns The XML text.
 * @throws {EncodeError} `invalid-argument` when `size` or `type` is not a non-negative safe
 * integer or a text field is not a well-formed string.
 */
export function buildMsnObject(fields: MsnObjectFields): string {
  for (const key of ["size", "type"] as const) {
    const v = fields[key];
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new EncodeError(
        "invalid-argument",
        `Cannot build MSNObject: ${key} is not a non-negative integer`,
      );
    }
  }
  for (const key of ["creator", "location", "friendly", "sha1d"] as const) {
    const v = fields[key];
    // A lone surrogate would become U+FFFD in the hash and on the wire.
    if (v !== undefined && (typeof v !== "string" || !v.isWellFormed())) {
      throw new EncodeError(
        "invalid-argument",
        `Cannot build MSNObject: ${key} is not a well-formed string`,
      );
    }
  }
  const friendly = fields.friendly ?? "AAA=";
  const sha1c = msnObjectSha1c({ ...fields, friendly });
  const attrs: [string, string][] = [
    ["Creator", fields.creator],
    ["Size", String(fields.size)],
    ["Type", String(fields.type)],
    ["Location", fields.location],
    ["Friendly", friendly],
    ["SHA1D", fields.sha1d],
    ["SHA1C", sha1c],
  ];
  return `<msnobj ${attrs.map(([n, v]) => `${n}="${escapeAttribute(v)}"`).join(" ")}/>`;
}
