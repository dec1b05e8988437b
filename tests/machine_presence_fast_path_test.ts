// The presence fast path (presenceEvent in machine/_fast_parse.ts, run by the
// session for raw lines through ConnectionCore.drain) must build exactly the
// `presence` event the general path builds (Decoder, parseServerCommand, then
// onOnline/onOffline), for any line, and the session must come out the same
// however the traffic is chunked, whichever path each line takes.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DecodeError, Decoder, parseServerCommand } from "../codec/mod.ts";
import { presenceEvent } from "../machine/_fast_parse.ts";
import { bytes, concat } from "./_helpers.ts";

const piece = fc.constantFrom(
  "bob",
  "@example.com",
  "%20",
  "%C3%A9",
  "%C3",
  "%",
  "%zz",
  "é",
  "☃",
  "\uFFFD",
  "0",
  "42",
  "NLN",
  "FLN",
  "XYZ",
  "4294967296",
  "\t",
  "%3Cmsnobj%20Creator%3D%22a%22%2F%3E",
);
const raw = fc.constantFrom([0xa9], [0xff], [0xc3], [0xed, 0xa0, 0x80]).map((b) =>
  new Uint8Array(b)
);
const token = fc.array(fc.oneof({ weight: 8, arbitrary: piece.map(bytes) }, raw), {
  minLength: 1,
  maxLength: 3,
}).map(concat);
const canonical = fc.tuple(
  fc.constantFrom("ILN", "NLN", "FLN"),
  fc.constantFrom("7", "0", "x"),
  fc.constantFrom("NLN", "BSY", "IDL", "HDN", "FLN", "XXX", "nln"),
  fc.constantFrom("bob@example.com", "Bob@Example.COM", "a@b"),
  token,
  fc.constantFrom("0", "268435492", "4294967295", "4294967296", "x"),
  fc.option(token, { nil: undefined }),
).map(([name, trid, status, passport, friendly, clientId, obj]) => {
  const parts = name === "FLN"
    ? [passport]
    : [...(name === "ILN" ? [trid] : []), status, passport, friendly, clientId, obj];
  return {
    name,
    tokens: parts.filter((p) => p !== undefined).map((p) => typeof p === "string" ? bytes(p) : p),
  };
});
const anyLine = fc.tuple(fc.constantFrom("ILN", "NLN", "FLN"), fc.array(token, { maxLength: 7 }))
  .map(([name, tokens]) => ({ name, tokens }));
const separators = fc.oneof(
  { arbitrary: fc.constant([bytes(" ")]), weight: 4 },
  { arbitrary: fc.array(fc.constantFrom(" ", "  ").map(bytes), { minLength: 1 }), weight: 1 },
);

/** The event the general path emits for the line, or `undefined` if it gives none. */
function general(data: Uint8Array) {
  const decoder = new Decoder({ from: "server" });
  decoder.push(concat([data, bytes("\r\n")]));
  const command = decoder.next();
  if (command === undefined || command instanceof DecodeError) return undefined;
  let m;
  try {
    m = parseServerCommand(command);
  } catch {
    return undefined;
  }
  if (m.type === "FLN") {
    return { type: "presence", passport: m.passport, status: "FLN", initial: false };
  }
  if (m.type !== "ILN" && m.type !== "NLN") return undefined;
  return {
    type: "presence",
    passport: m.passport,
    status: m.status,
    friendlyName: m.friendlyName,
    clientId: m.clientId,
    ...(m.msnObject !== undefined ? { msnObject: m.msnObject } : {}),
    initial: m.type === "ILN",
  };
}

test("the fast presence path builds the event the general path builds, or declines", () => {
  let taken = 0;
  fc.assert(
    fc.property(
      fc.oneof({ weight: 3, arbitrary: canonical }, anyLine),
      separators,
      fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      ({ name, tokens }, seps, trailing) => {
        const parts = [bytes(name)];
        tokens.forEach((t, i) => parts.push(seps[i % seps.length], t));
        if (trailing && tokens.length > 0) parts.push(bytes(" "));
        const data = concat(parts);
        const fast = presenceEvent(data, 0, data.length);
        if (fast === undefined) return;
        taken++;
        const expected = general(data);
        assert.ok(expected !== undefined, "the general path handles what the fast path takes");
        assert.deepStrictEqual({ ...fast }, expected);
      },
    ),
    { numRuns: 5000, seed: 20261202 },
  );
  // Most canonical lines must take the fast path, or the test shows nothing.
  assert.ok(taken > 1000, `fast path took ${taken} lines`);
});
