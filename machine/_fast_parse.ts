// The SYN hot path: LST and in-SYN BPR lines, the bulk of the bytes a session
// ever handles, parsed straight from the decoder's raw lines (see
// Decoder.peekLine and ConnectionCore.drain) into what the general path (parseServerCommand,
// then the session) would build from them. Only the canonical form is taken:
// single spaces, no trailing space, printable ASCII. Anything else returns
// `undefined` and takes the general path, which handles or reports it.
//
// What this saves is not parsing but strings: the general path makes a line
// string, slices it into arguments and URL-decodes the name into another
// string. Here the escapes are undone in bytes, and the passport and the name
// are each decoded once, into strings that hold nothing else alive (slices of
// one string would cost two more objects per contact for the GC to copy).

import { type DraftContact, NO_GROUPS, NO_PHONES, sharedLists } from "./contact_list.ts";

const SPACE = 32;
const PERCENT = 37;
const COMMA = 44;

/** Shared frozen `[id]` arrays for the usual group ids, so most contacts cost no array. */
const SINGLE_GROUP: readonly (readonly number[])[] = Array.from(
  { length: 30 },
  (_, id) => Object.freeze([id]),
);

/** Shared frozen `[a, b]` arrays of usual group ids, made as first seen (at most 900). */
const PAIRS: (readonly number[] | undefined)[] = [];

/** `ids` itself, or the shared array equal to it when it is a pair of usual ids. */
function sharedPair(ids: number[]): readonly number[] {
  if (ids.length !== 2 || ids[0] >= 30 || ids[1] >= 30) return ids;
  const at = ids[0] * 30 + ids[1];
  return PAIRS[at] ??= Object.freeze(ids);
}

// Escaped bytes decode leniently, as urlDecode's do (invalid UTF-8 becomes
// U+FFFD); raw bytes must be valid UTF-8, as the decoder requires of a line.
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });
const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
let scratch = new Uint8Array(1024);

/** Value of a hex digit, or -1. */
function hex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/** Index of the first space in `[from, end)`, or `end`. */
function tokenEnd(bytes: Uint8Array, from: number, end: number): number {
  let i = from;
  while (i < end && bytes[i] !== SPACE) i++;
  return i;
}

/** Whether `bytes[start, end)` has a byte of 0x80 or more (part of a multi-byte character). */
function hasHigh(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] >= 128) return true;
  return false;
}

/**
 * `bytes[start, end)` with `%XX` escapes undone, decoded as UTF-8 (through
 * `scratch`, which must have room); `undefined` when the raw bytes are not valid
 * UTF-8 (the general path reports that line). A raw character is whole, and
 * never starts with a continuation byte, so decoding it together with the
 * escaped bytes around it gives what urlDecode gives.
 */
function decodeName(bytes: Uint8Array, start: number, end: number): string | undefined {
  // One ASCII character (`BPR MOB Y`): the engine's shared single-character string.
  if (end - start === 1 && bytes[start] < 128) return String.fromCharCode(bytes[start]);
  if (hasHigh(bytes, start, end)) {
    try {
      strict.decode(bytes.subarray(start, end));
    } catch {
      return undefined;
    }
  }
  return utf8.decode(scratch.subarray(0, unescapeInto(bytes, start, end)));
}

/** A decimal of 1-10 digits in `bytes[start, end)`, at most `max`; or -1. */
function uint(bytes: Uint8Array, start: number, end: number, max: number): number {
  const n = end - start;
  if (n === 0 || n > 10) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = bytes[i] - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v > max ? -1 : v;
}

/**
 * Copies `bytes[start, end)` to the start of `scratch`, undoing `%XX`
 * escapes as urlDecode does (a `%` without two hex digits stays); returns the
 * length written.
 */
function unescapeInto(bytes: Uint8Array, start: number, end: number): number {
  let j = 0;
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if (c === PERCENT && i + 2 < end) {
      const hi = hex(bytes[i + 1]);
      const lo = hi === -1 ? -1 : hex(bytes[i + 2]);
      if (lo !== -1) {
        scratch[j++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    scratch[j++] = c;
  }
  return j;
}

/** `bytes[start, end)` as a string if it is ASCII. */
function ascii(bytes: Uint8Array, start: number, end: number): string | undefined {
  if (hasHigh(bytes, start, end)) return undefined;
  if (end - start === 3) {
    return String.fromCharCode(bytes[start], bytes[start + 1], bytes[start + 2]);
  }
  return utf8.decode(bytes.subarray(start, end));
}

function room(n: number): void {
  if (scratch.length < n) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
}

/** Whether the line is longer than four bytes and starts with the letters `a b c` and a space. */
function startsWith(
  bytes: Uint8Array,
  start: number,
  end: number,
  a: number,
  b: number,
  c: number,
): boolean {
  return end - start > 4 && bytes[start] === a && bytes[start + 1] === b &&
    bytes[start + 2] === c && bytes[start + 3] === SPACE;
}

/**
 * The contact of the line `LST <passport> <name> <bits> [<groups>]` in
 * `bytes[start, end)`, exactly as the general path builds it; `undefined`
 * when the line is anything else or not in canonical form.
 */
export function lstContact(
  bytes: Uint8Array,
  start: number,
  end: number,
): DraftContact | undefined {
  if (!startsWith(bytes, start, end, 76, 83, 84)) return undefined;
  const p0 = start + 4;
  const p1 = tokenEnd(bytes, p0, end);
  if (p1 === p0 || p1 === end) return undefined;
  const n0 = p1 + 1;
  const n1 = tokenEnd(bytes, n0, end);
  if (n1 === n0 || n1 === end) return undefined;
  const b0 = n1 + 1;
  const b1 = tokenEnd(bytes, b0, end);
  const bits = uint(bytes, b0, b1, 0xffffffff);
  if (bits === -1) return undefined;
  let single = -1;
  let groupIds: number[] | undefined;
  if (b1 < end) {
    const g0 = b1 + 1;
    const g1 = tokenEnd(bytes, g0, end);
    if (g1 === g0 || g1 !== end) return undefined;
    // Comma-separated ids; empty items are skipped (as the codec does).
    let from = g0;
    for (let i = g0; i <= g1; i++) {
      if (i < g1 && bytes[i] !== COMMA) continue;
      if (i > from) {
        const id = uint(bytes, from, i, Number.MAX_SAFE_INTEGER);
        if (id === -1) return undefined;
        if (single === -1 && groupIds === undefined) single = id;
        else (groupIds ??= [single]).push(id);
      }
      from = i + 1;
    }
  }
  const passport = ascii(bytes, p0, p1);
  if (passport === undefined) return undefined;
  room(n1 - n0);
  const friendlyName = decodeName(bytes, n0, n1);
  if (friendlyName === undefined) return undefined;
  return {
    passport,
    friendlyName,
    lists: sharedLists(bits),
    groupIds: !(bits & 1) || single === -1
      ? NO_GROUPS
      : groupIds === undefined
      ? (single < 30 ? SINGLE_GROUP[single] : [single])
      : sharedPair(groupIds),
    phones: NO_PHONES as Record<string, string>,
  };
}

/**
 * Applies the in-SYN line `BPR <property> [<value>]` in `bytes[start, end)`
 * to `draft`, the contact of the LST before it, as the general path would.
 * Returns `false`, changing nothing, when the line is anything else or not in
 * canonical form.
 */
export function applySynBpr(
  draft: DraftContact,
  bytes: Uint8Array,
  start: number,
  end: number,
): boolean {
  if (!startsWith(bytes, start, end, 66, 80, 82)) return false;
  const k0 = start + 4;
  const k1 = tokenEnd(bytes, k0, end);
  if (k1 === k0) return false;
  const property = ascii(bytes, k0, k1);
  if (property === undefined) return false;
  let value = "";
  if (k1 < end) {
    const v0 = k1 + 1;
    const v1 = tokenEnd(bytes, v0, end);
    if (v1 === v0 || v1 !== end) return false;
    room(v1 - v0);
    const decoded = decodeName(bytes, v0, v1);
    if (decoded === undefined) return false;
    value = decoded;
  }
  setDraftPhone(draft, property, value);
  return true;
}

/**
 * Sets (or with `""` removes) a phone property of a contact nobody else holds
 * yet. A first property makes a one-property literal (V8 sizes it to fit;
 * `{}` reserves room for four, and most contacts have one phone or none); a
 * second moves the record to `{}`.
 */
export function setDraftPhone(draft: DraftContact, property: string, value: string): void {
  const phones = draft.phones;
  if (value === "") {
    if (phones !== NO_PHONES) delete phones[property];
  } else if (phones === NO_PHONES) draft.phones = onePhone(property, value);
  else if (Object.hasOwn(phones, property)) phones[property] = value;
  else {
    // A second property would not fit the one-property literal: move to `{}`, which has room
    // for four in the object itself.
    const next: Record<string, string> = {};
    for (const key of Object.keys(phones)) next[key] = phones[key];
    next[property] = value;
    draft.phones = next;
  }
}

/** A one-property record; the usual names as literals, which V8 sizes to fit. */
function onePhone(property: string, value: string): Record<string, string> {
  switch (property) {
    case "PHH":
      return { PHH: value };
    case "PHW":
      return { PHW: value };
    case "PHM":
      return { PHM: value };
    case "MOB":
      return { MOB: value };
  }
  // A store, not a computed key: `__proto__` must behave as it does everywhere else.
  const other: Record<string, string> = {};
  other[property] = value;
  return other;
}

/** The statuses an `ILN`/`NLN` may carry, by their three bytes as a 24-bit number. */
const STATUS_BY_CODE: ReadonlyMap<number, string> = new Map(
  ["NLN", "BSY", "IDL", "BRB", "AWY", "PHN", "LUN", "HDN", "FLN"].map((s) => [
    (s.charCodeAt(0) << 16) | (s.charCodeAt(1) << 8) | s.charCodeAt(2),
    s,
  ]),
);

/** A contact's presence from `ILN`, `NLN` or `FLN`, shaped as the `presence` event. */
export interface FastPresence {
  type: "presence";
  passport: string;
  status: string;
  friendlyName?: string;
  clientId?: number;
  msnObject?: string;
  initial: boolean;
}

/**
 * The `presence` event of the line `ILN <trid> <status> <passport> <name>
 * <clientId> [<msnobject>]`, `NLN <status> <passport> <name> <clientId>
 * [<msnobject>]` or `FLN <passport>` in `bytes[start, end)`, exactly as the
 * general path builds it; `undefined` when the line is anything else or not
 * in canonical form.
 */
export function presenceEvent(
  bytes: Uint8Array,
  start: number,
  end: number,
): FastPresence | undefined {
  if (startsWith(bytes, start, end, 70, 76, 78)) {
    const p0 = start + 4;
    const p1 = tokenEnd(bytes, p0, end);
    if (p1 === p0 || p1 !== end) return undefined;
    const passport = ascii(bytes, p0, p1);
    if (passport === undefined) return undefined;
    return { type: "presence", passport, status: "FLN", initial: false };
  }
  const initial = startsWith(bytes, start, end, 73, 76, 78);
  let s0 = start + 4;
  if (initial) {
    const t1 = tokenEnd(bytes, s0, end);
    if (uint(bytes, s0, t1, 0xffffffff) === -1 || t1 === end) return undefined;
    s0 = t1 + 1;
  } else if (!startsWith(bytes, start, end, 78, 76, 78)) return undefined;
  const s1 = tokenEnd(bytes, s0, end);
  if (s1 - s0 !== 3 || s1 === end) return undefined;
  const status = STATUS_BY_CODE.get((bytes[s0] << 16) | (bytes[s0 + 1] << 8) | bytes[s0 + 2]);
  if (status === undefined) return undefined;
  const p0 = s1 + 1;
  const p1 = tokenEnd(bytes, p0, end);
  if (p1 === p0 || p1 === end) return undefined;
  const n0 = p1 + 1;
  const n1 = tokenEnd(bytes, n0, end);
  if (n1 === n0 || n1 === end) return undefined;
  const c0 = n1 + 1;
  const c1 = tokenEnd(bytes, c0, end);
  const clientId = uint(bytes, c0, c1, 0xffffffff);
  if (clientId === -1) return undefined;
  let o1 = c1;
  if (c1 < end) {
    o1 = tokenEnd(bytes, c1 + 1, end);
    if (o1 === c1 + 1 || o1 !== end) return undefined;
  }
  const passport = ascii(bytes, p0, p1);
  if (passport === undefined) return undefined;
  room(Math.max(n1 - n0, o1 - c1));
  const friendlyName = decodeName(bytes, n0, n1);
  if (friendlyName === undefined) return undefined;
  if (c1 === end) {
    return { type: "presence", passport, status, friendlyName, clientId, initial };
  }
  const msnObject = decodeName(bytes, c1 + 1, o1);
  if (msnObject === undefined) return undefined;
  return { type: "presence", passport, status, friendlyName, clientId, msnObject, initial };
}
