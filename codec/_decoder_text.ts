/**
 * Byte and text helpers of the `Decoder`: a UTF-8 check that does not
 * throw, command-name and argument rules.
 *
 * @module
 */

import { isErrorCode } from "./command.ts";

/**
 * Whether `bytes[start, end)` is well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF): the WHATWG decoder's rules, without
 * an exception for a bad line.
 */
export function isUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return false;
    if (i + need >= end) return false;
    const second = bytes[i + 1];
    if (second < lo || second > hi) return false;
    for (let k = 2; k <= need; k++) {
      const c = bytes[i + k];
      if (c < 0x80 || c > 0xbf) return false;
    }
    i += need + 1;
  }
  return true;
}

/** Whether `name` is three upper-case letters or a three-digit error code. */
export function isCommandName(name: string): boolean {
  if (name.length !== 3) return false;
  return (isUpper(name.charCodeAt(0)) && isUpper(name.charCodeAt(1)) &&
    isUpper(name.charCodeAt(2))) ||
    isErrorCode(name);
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

/** Splits `text[from, end)` on spaces; runs of spaces and trailing spaces are tolerated. */
export function splitArgs(text: string, from: number, end: number): string[] {
  const parts: string[] = [];
  while (from < end) {
    let sp = text.indexOf(" ", from);
    if (sp === -1 || sp > end) sp = end;
    if (sp > from) parts.push(text.slice(from, sp));
    from = sp + 1;
  }
  return parts;
}

/** `bytes[start, end)` as Latin-1 text (for error messages: never fails). */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i += 4096) {
    const stop = Math.min(end, i + 4096);
    s += String.fromCharCode.apply(null, bytes.subarray(i, stop) as unknown as number[]);
  }
  return s;
}

/** A three-character command name as one 24-bit number, for lookups without a string. */
export function nameCode(name: string): number {
  return (name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2);
}
