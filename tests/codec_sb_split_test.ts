import { test } from "node:test";
import assert from "node:assert/strict";
import {
  buildTextMessage,
  EncodeError,
  type ImFormat,
  interpretSwitchboardPayload,
  parseMime,
  splitTextMessage,
} from "../codec/mod.ts";

const utf8 = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });
const graphemes = (s: string) =>
  [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(s)].map((g) => g.segment);

/** Checks the parts: each within the limit, valid UTF-8, cut between clusters, in order. */
function assertSplit(input: string, parts: Uint8Array[], format?: ImFormat, max = 1664): string[] {
  const bodies = parts.map((p) => {
    assert.ok(p.length <= max, `part of ${p.length} bytes`);
    const view = interpretSwitchboardPayload(p);
    assert.equal(view.kind, "text");
    if (format) assert.deepStrictEqual((view as { format?: ImFormat }).format, format);
    // Exactly valid UTF-8: a cut inside a sequence would throw here.
    return strict.decode(parseMime(p).body);
  });
  const whole = input.replace(/\r\n|\r|\n/g, "\r\n");
  assert.equal(bodies.join(""), whole, "the parts in order are the text");
  // No cut inside a grapheme cluster: the clusters of the parts are the clusters of the text.
  assert.deepStrictEqual(bodies.flatMap(graphemes), graphemes(whole));
  return bodies;
}

test("a 5,000-byte emoji text is split into full parts, never inside a cluster", () => {
  // Skin-tone thumbs (8 bytes), a ZWJ family (25 bytes), flags (8 bytes) and plain ASCII mixed.
  const unit = "👍🏽" + "👨‍👩‍👧‍👦" + "🇳🇱" + "ab";
  let input = "";
  while (utf8.encode(input + unit).length <= 5000) input += unit;
  input += "x".repeat(5000 - utf8.encode(input).length);
  assert.equal(utf8.encode(input).length, 5000);
  const parts = splitTextMessage(input);
  assert.equal(parts.length, 4);
  const bodies = assertSplit(input, parts);
  // Every part but the last is filled to within one cluster of the limit.
  const header = buildTextMessage("").length;
  for (const body of bodies.slice(0, -1)) {
    assert.ok(utf8.encode(body).length > 1664 - header - 25, "parts are filled");
  }
});

test("line breaks become CRLF and a CRLF is never cut", () => {
  const input = ("line\n").repeat(400) + "end\rlast\r\n";
  // 201 bytes leave 137 for text: 22 lines of 6 bytes, then "line\r" would fill it exactly.
  const parts = splitTextMessage(input, { maxPayloadBytes: 201 });
  assert.ok(parts.length > 1);
  const bodies = assertSplit(input, parts, undefined, 201);
  for (const b of bodies) {
    assert.ok(!b.startsWith("\n"), "no part starts inside a CRLF");
    assert.ok(!/\r$/.test(b) || b.endsWith("\r\n"), "no part ends inside a CRLF");
  }
});

test("the format is repeated in every part and counted in the limit", () => {
  const format: ImFormat = { font: "Lucida Sans Unicode", effects: ["B"], color: "ff0000" };
  const input = "é".repeat(3000);
  const parts = splitTextMessage(input, { format });
  assertSplit(input, parts, format);
  assert.equal(parts.length, Math.ceil(6000 / (1664 - buildTextMessage("", format).length)));
});

test("short text is one message, the same bytes as buildTextMessage", () => {
  assert.deepStrictEqual(splitTextMessage("Hello."), [buildTextMessage("Hello.")]);
  assert.deepStrictEqual(splitTextMessage(""), [buildTextMessage("")]);
  const exact = "a".repeat(1664 - buildTextMessage("").length);
  assert.equal(splitTextMessage(exact).length, 1);
  assert.equal(splitTextMessage(exact + "a").length, 2);
});

test("a cluster larger than a part is cut between code points", () => {
  const zalgo = "a" + "\u0301".repeat(1000); // one cluster of 2,001 bytes
  const parts = splitTextMessage(zalgo);
  assert.equal(parts.length, 2);
  const bodies = parts.map((p) => strict.decode(parseMime(p).body));
  assert.equal(bodies.join(""), zalgo);
});

test("lone surrogates and formats that leave no room are refused with typed errors", () => {
  assert.throws(
    () => splitTextMessage("a\ud83d"),
    (e) => e instanceof EncodeError && e.code === "invalid-argument",
  );
  assert.throws(
    () => splitTextMessage("a\0b"),
    (e) => e instanceof EncodeError && e.code === "invalid-argument",
  );
  assert.throws(
    () => splitTextMessage("a", { maxPayloadBytes: 60 }),
    (e) => e instanceof EncodeError && e.code === "invalid-format",
  );
  assert.throws(
    () => splitTextMessage("a", { format: { font: "\ud800" } }),
    (e) => e instanceof EncodeError && e.code === "invalid-format",
  );
});
