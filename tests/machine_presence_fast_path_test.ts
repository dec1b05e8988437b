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
import { NotificationSession } from "../machine/mod.ts";
import { bytes, concat } from "./_helpers.ts";
import { ACCOUNT, CHALLENGE, sessionOptions, TICKET } from "./_machine_helpers.ts";

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

// Online traffic in canonical form (the fast path takes its presence lines)
// and the same traffic with a double space in each presence line (only the
// general path takes those) must give a session the same outputs and list.
const SYN = "SYN 5 9 2 0\r\n" +
  "LST bob@example.com Bob 11\r\nLST Carol@Example.com Carol 3\r\nCHG 6 NLN 0\r\n";
const MAIL = "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsemailnotification\r\n\r\n" +
  "From: x\r\n\r\n";
const TRAFFIC = [
  "ILN 6 NLN bob@example.com Bob%20%E2%98%83 268435492",
  "ILN 6 BSY carol@example.com Carol 0 %3Cmsnobj%20Creator%3D%22c%22%2F%3E",
  "NLN IDL stranger@example.com Who 1",
  `MSG Hotmail Hotmail ${bytes(MAIL).length}\r\n${MAIL}QNG 50`,
  "NLN AWY CAROL@example.com Carol%20Again 5",
  "FLN bob@example.com",
  "NLN NLN bob@example.com Bob 7 a%zz%C3",
  "FLN nobody@example.com",
];

/** How many raw lines a fast path took (Decoder.skipLine calls) while `fn` ran. */
function skipped(fn: () => void): number {
  const original = Decoder.prototype.skipLine;
  let n = 0;
  Decoder.prototype.skipLine = function (this: Decoder) {
    n++;
    return original.call(this);
  };
  try {
    fn();
  } finally {
    Decoder.prototype.skipLine = original;
  }
  return n;
}

function online(chunks: Uint8Array[]) {
  const s = new NotificationSession(sessionOptions());
  s.start(0);
  s.handleConnected(0);
  s.handleData(bytes("VER 1 MSNP8\r\nCVR 2 1 1 1 x y\r\n"), 0);
  s.handleData(bytes(`USR 3 TWN S ${CHALLENGE}\r\n`), 0);
  s.handlePassportTicket(TICKET, 0);
  s.handleData(bytes(`USR 4 OK ${ACCOUNT} Me 1 0\r\n`), 0);
  s.handleData(bytes(SYN), 0);
  while (s.poll() !== undefined);
  const outputs = [];
  for (const chunk of chunks) {
    s.handleData(chunk.slice(), 0);
    for (let o = s.poll(); o !== undefined; o = s.poll()) outputs.push(o);
  }
  return { phase: s.phase, outputs, list: s.contactList };
}

test("presence lines through the fast and the general path give the same session at every split", () => {
  const fast = bytes(TRAFFIC.map((l) => `${l}\r\n`).join(""));
  // A double space after the command name: the general path still reads it, the fast path declines.
  const slow = bytes(TRAFFIC.map((l) => `${l.replace(/^(ILN|NLN|FLN) /, "$1  ")}\r\n`).join(""));
  const whole = online([fast]);
  assert.equal(whole.phase, "online");
  assert.deepStrictEqual(online([slow]), whole);
  // Not vacuous: the session took every canonical presence line raw, and none of the others.
  assert.equal(skipped(() => online([fast])) - skipped(() => online([slow])), 7);
  const presence = whole.outputs.flatMap((o) =>
    o.type === "event" && o.event.type === "presence" ? [o.event] : []
  );
  assert.equal(presence.length, 7);
  assert.deepStrictEqual(presence[1], {
    type: "presence",
    passport: "carol@example.com",
    status: "BSY",
    friendlyName: "Carol",
    clientId: 0,
    msnObject: '<msnobj Creator="c"/>',
    initial: true,
  });
  assert.deepStrictEqual(
    whole.list.contacts.map((c) => c.friendlyName),
    ["Bob", "Carol Again"],
  );
  for (let k = 1; k < fast.length; k++) {
    assert.deepStrictEqual(online([fast.subarray(0, k), fast.subarray(k)]), whole, `split at ${k}`);
  }
  const ones: Uint8Array[] = [];
  for (let i = 0; i < fast.length; i++) ones.push(fast.subarray(i, i + 1));
  assert.deepStrictEqual(online(ones), whole, "one byte at a time");
});
