import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  buildMsnObject,
  isMsnObjectSha1cValid,
  msnObjectSha1c,
  msnObjectSha1d,
  MsnObjectType,
  parseMsnObject,
} from "../codec/msn_object.ts";
import { EncodeError } from "../codec/errors.ts";
import { PayloadError } from "../codec/mime.ts";

// NINA wiki (Protocols/MSNP/MSNC/MSN_Object), example 1. Its SHA1C was also
// recomputed with Node's crypto SHA-1.
const NINA = '<msnobj Creator="buddy1@hotmail.com" Size="24539" Type="3" ' +
  'Location="TFR2C.tmp" Friendly="AAA=" SHA1D="trC8SlFx2sWQxZMIBAWSEnXc8oQ=" ' +
  'SHA1C="U32o6bosZzluJq82eAtMpx5dIEI="/>';

const NINA_FIELDS = {
  creator: "buddy1@hotmail.com",
  size: 24539,
  type: 3,
  location: "TFR2C.tmp",
  friendly: "AAA=",
  sha1d: "trC8SlFx2sWQxZMIBAWSEnXc8oQ=",
};

test("msnObjectSha1c reproduces NINA's example", () => {
  assert.equal(msnObjectSha1c(NINA_FIELDS), "U32o6bosZzluJq82eAtMpx5dIEI=");
});

test("msnObjectSha1c hashes UTF-8 and matches an independent SHA-1", () => {
  assert.equal(
    msnObjectSha1c({
      creator: "Änne@hotmail.com",
      size: 1024,
      type: 3,
      location: "TFR&1.dat",
      sha1d: "2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
    }),
    "cASe7/phDpsp2uNCs9VlpYvxVws=",
  );
});

test("msnObjectSha1d is base64 SHA-1 of the data", () => {
  assert.equal(msnObjectSha1d(new Uint8Array(0)), "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
  assert.equal(
    msnObjectSha1d(new Uint8Array([0, 1, 2, 3, 255])),
    "qZFGgvLb68+MG5THUgyiGl1Zkp4=",
  );
});

test("buildMsnObject writes NINA's example exactly", () => {
  const { friendly: _, ...withoutFriendly } = NINA_FIELDS;
  assert.equal(buildMsnObject(withoutFriendly), NINA);
  assert.equal(buildMsnObject(NINA_FIELDS), NINA);
});

test("buildMsnObject escapes XML but hashes the raw values", () => {
  const xml = buildMsnObject({
    creator: "Änne@hotmail.com",
    size: 1024,
    type: 3,
    location: 'TFR&1"<>.dat',
    sha1d: "2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
  });
  assert.ok(xml.includes('Location="TFR&amp;1&quot;&lt;&gt;.dat"'));
  const parsed = parseMsnObject(xml);
  assert.equal(parsed.location, 'TFR&1"<>.dat');
  assert.equal(isMsnObjectSha1cValid(parsed), true);
});

test("buildMsnObject refuses a negative or fractional size or type", () => {
  const base = { ...NINA_FIELDS };
  const refused = (e: unknown) => e instanceof EncodeError && e.code === "invalid-argument";
  assert.throws(() => buildMsnObject({ ...base, size: -1 }), refused);
  assert.throws(() => buildMsnObject({ ...base, type: 1.5 }), refused);
  assert.throws(() => buildMsnObject({ ...base, location: "a\uD800b" }), refused);
});

test("parseMsnObject reads NINA's example", () => {
  const obj = parseMsnObject(NINA);
  assert.deepEqual(obj, {
    ...NINA_FIELDS,
    sha1c: "U32o6bosZzluJq82eAtMpx5dIEI=",
    attributes: [
      ["Creator", "buddy1@hotmail.com"],
      ["Size", "24539"],
      ["Type", "3"],
      ["Location", "TFR2C.tmp"],
      ["Friendly", "AAA="],
      ["SHA1D", "trC8SlFx2sWQxZMIBAWSEnXc8oQ="],
      ["SHA1C", "U32o6bosZzluJq82eAtMpx5dIEI="],
    ],
    xml: NINA,
  });
  assert.equal(isMsnObjectSha1cValid(obj), true);
  assert.equal(obj.type, MsnObjectType.DISPLAY_PICTURE);
});

test("parseMsnObject is tolerant of order, quotes, spacing, case and extra attributes", () => {
  const obj = parseMsnObject(
    '<MSNOBJ  sha1c=\'U32o6bosZzluJq82eAtMpx5dIEI=\' Type = "3" Extra="x"\n' +
      ' creator="buddy1@hotmail.com" SIZE="24539" Location="TFR2C.tmp" Friendly="AAA="' +
      ' SHA1D="trC8SlFx2sWQxZMIBAWSEnXc8oQ=" >',
  );
  assert.equal(obj.creator, "buddy1@hotmail.com");
  assert.equal(obj.size, 24539);
  assert.equal(obj.type, 3);
  assert.equal(obj.sha1c, "U32o6bosZzluJq82eAtMpx5dIEI=");
  assert.deepEqual(obj.attributes[2], ["Extra", "x"]);
  assert.equal(isMsnObjectSha1cValid(obj), true);
});

test("parseMsnObject decodes the five XML entities and character references", () => {
  const obj = parseMsnObject(
    '<msnobj Creator="a&amp;b@x.com" Location="&quot;&lt;&gt;&apos;&#65;&#x42;&bogus;"/>',
  );
  assert.equal(obj.creator, "a&b@x.com");
  assert.equal(obj.location, "\"<>'AB&bogus;");
});

test("parseMsnObject URL-decodes text that still arrives encoded", () => {
  const encoded = encodeURIComponent(NINA);
  const obj = parseMsnObject(encoded);
  assert.equal(obj.xml, NINA);
  assert.equal(obj.sha1c, "U32o6bosZzluJq82eAtMpx5dIEI=");
});

test("parseMsnObject leaves missing and malformed fields undefined", () => {
  const obj = parseMsnObject('<msnobj Creator="a@b.com" Size="big"/>');
  assert.equal(obj.creator, "a@b.com");
  assert.equal(obj.size, undefined);
  assert.equal(obj.type, undefined);
  assert.equal("sha1c" in obj, false);
  assert.equal(isMsnObjectSha1cValid(obj), false);
});

test("isMsnObjectSha1cValid spots a tampered field", () => {
  const obj = parseMsnObject(NINA.replace('Size="24539"', 'Size="24540"'));
  assert.equal(isMsnObjectSha1cValid(obj), false);
});

test("parseMsnObject refuses text without an msnobj element", () => {
  for (const bad of ["", "0", '<msn Creator="x"/>', "%3Cmsnobj%ZZ"]) {
    assert.throws(
      () => parseMsnObject(bad),
      (e: unknown) => e instanceof PayloadError && e.code === "INVALID_MSN_OBJECT",
    );
  }
});

// The grammar parseMsnObject implemented with a backtracking regex until it was found quadratic.
const ATTRIBUTE_REGEX = /([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

test("parseMsnObject finds exactly the attributes the old regex grammar found", () => {
  const piece = fc.constantFrom(
    "a",
    "B_",
    "x.y:z-1",
    "=",
    " ",
    "\t",
    '"',
    "'",
    "&amp;",
    "/",
    ">",
    "9",
    "é",
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
      const inner = pieces.join("");
      // The element ends at the first ">".
      const element = inner.split(">")[0];
      const expected = [...element.matchAll(ATTRIBUTE_REGEX)].map((m) => [m[1], m[2] ?? m[3]]);
      const got = parseMsnObject(`<msnobj ${inner}`).attributes.map(([n, v]) => [
        n,
        v.replaceAll("&", "&amp;"),
      ]);
      assert.deepEqual(got, expected);
    }),
    { numRuns: 2000 },
  );
});

test("parseMsnObject reads hostile shapes: unterminated values, long names, lone equals signs", () => {
  const n = 100_000;
  assert.deepEqual(parseMsnObject(`<msnobj A="${"a".repeat(n)}`).attributes, []);
  assert.deepEqual(parseMsnObject(`<msnobj ${"a".repeat(n)}`).attributes, []);
  assert.deepEqual(parseMsnObject(`<msnobj ${"a= ".repeat(n)}`).attributes, []);
  assert.deepEqual(
    parseMsnObject(`<msnobj A="x B='y' ${"c".repeat(n)}='z'/>`).attributes,
    [["B", "y"], ["c".repeat(n), "z"]],
  );
});
