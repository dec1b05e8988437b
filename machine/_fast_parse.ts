// Specialised handling for the lines a big SYN is made of (LST and in-SYN
// BPR), which are most of the bytes a session ever handles. They go straight
// to a Contact, without the intermediate ServerMessage; anything that is not
// a well-formed line returns `undefined` and takes the general path
// (parseServerCommand), which handles or reports it.

import { type Command, urlDecode } from "../codec/mod.ts";
import { type DraftContact, NO_GROUPS, NO_PHONES, sharedLists } from "./contact_list.ts";

/** Shared frozen `[id]` arrays for the usual group ids, so most contacts cost no array. */
const SINGLE_GROUP: readonly (readonly number[])[] = Array.from(
  { length: 30 },
  (_, id) => Object.freeze([id]),
);

/** A decimal of 1-10 digits, at most `max`; or -1. */
function uint(text: string, start: number, end: number, max: number): number {
  const n = end - start;
  if (n === 0 || n > 10) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v > max ? -1 : v;
}

/**
 * The contact of `LST <passport> <name> <bits> [<groups>]`, exactly as the
 * general path (parseServerCommand, then the session) builds it; `undefined`
 * when the line is not well formed.
 */
export function lstContact(command: Command): DraftContact | undefined {
  const args = command.args;
  if (args.length < 3) return undefined;
  const bitsText = args[2];
  const bits = uint(bitsText, 0, bitsText.length, 0xffffffff);
  if (bits === -1) return undefined;
  let groupIds: number[] | undefined;
  let single = -1;
  const groups = args[3];
  if (groups !== undefined) {
    // Comma-separated ids; empty items are skipped (as the codec does).
    let start = 0;
    for (let i = 0; i <= groups.length; i++) {
      if (i < groups.length && groups.charCodeAt(i) !== 44) continue;
      if (i > start) {
        const id = uint(groups, start, i, Number.MAX_SAFE_INTEGER);
        if (id === -1) return undefined;
        if (single === -1 && groupIds === undefined) single = id;
        else (groupIds ??= [single]).push(id);
      }
      start = i + 1;
    }
  }
  return {
    passport: args[0],
    friendlyName: urlDecode(args[1]),
    lists: sharedLists(bits),
    groupIds: !(bits & 1) || single === -1
      ? NO_GROUPS
      : groupIds ?? (single < 30 ? SINGLE_GROUP[single] : [single]),
    phones: NO_PHONES as Record<string, string>,
  };
}
