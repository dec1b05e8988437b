// parseMime decodes the header block with one call and splits it in the
// string. It must give exactly what decoding each header line on its own
// gives (the reference below, the earlier implementation), for any payload:
// CRLF or bare LF, stray CRs, invalid or cut UTF-8, lines without a colon.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { type MimeHeader, type MimeMessage, parseMime, PayloadError } from "../codec/mime.ts";
import { bytes, concat } from "./_helpers.ts";

const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** The reference: each line decoded on its own. */
function perLine(payload: Uint8Array): MimeMessage {
  const headers: MimeHeader[] = [];
  let start = 0;
  let lineNumber = 0;
  while (start < payload.length) {
    const lf = payload.indexOf(10, start);
    const lineEnd = lf === -1 ? payload.length : lf;
    const contentEnd = lineEnd > start && payload[lineEnd - 1] === 13 ? lineEnd - 1 : lineEnd;
    lineNumber++;
    if (contentEnd === start && lf !== -1) return { headers, body: payload.slice(lf + 1) };
    if (contentEnd > start) {
      const line = utf8.decode(payload.subarray(start, contentEnd));
      const colon = line.indexOf(":");
      if (colon === -1) {
        throw new PayloadError(
          "MALFORMED_HEADER",
          `Cannot parse MIME header line ${lineNumber}: missing ':'`,
        );
      }
      const rest = line.slice(colon + 1);
      headers.push([line.slice(0, colon), rest.startsWith(" ") ? rest.slice(1) : rest]);
    }
    start = lf === -1 ? payload.length : lf + 1;
  }
  return { headers, body: new Uint8Array(0) };
}

function outcome(parse: (p: Uint8Array) => MimeMessage, payload: Uint8Array): unknown {
  try {
    const m = parse(payload);
    return { headers: m.headers, body: [...m.body] };
  } catch (e) {
    assert.ok(e instanceof PayloadError);
    return { code: e.code, message: e.message };
  }
}

const piece = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      "Content-Type",
      ": ",
      ":",
      " ",
      "text/plain; charset=UTF-8",
      "\r\n",
      "\n",
      "\r",
      "é",
      "☃",
      "\uFEFF",
      "X-MMS-IM-Format: FN=Arial",
      "Hi",
    ).map(bytes),
  },
  fc.constantFrom([0xc3], [0xe2, 0x98], [0xff], [0xed, 0xa0, 0x80], [0x0d, 0x0a, 0x0d, 0x0a])
    .map((b) => new Uint8Array(b)),
);

test("parseMime gives what decoding each header line on its own gives", () => {
  let parsed = 0;
  let withBody = 0;
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
      const payload = concat(pieces);
      const want = outcome(perLine, payload);
      assert.deepStrictEqual(outcome(parseMime, payload), want);
      // The same bytes at an offset in a larger buffer (as a decoder hands them out).
      const padded = concat([bytes("xx"), payload, bytes("yy")]).subarray(2, 2 + payload.length);
      assert.deepStrictEqual(outcome(parseMime, padded), want);
      if ("headers" in (want as object)) {
        parsed++;
        if ((want as { body: number[] }).body.length > 0) withBody++;
      }
    }),
    { numRuns: 20000, seed: 20261202 },
  );
  // Both outcomes must be common, or this shows nothing.
  assert.ok(parsed > 2000 && withBody > 1000, `parsed ${parsed}, with a body ${withBody}`);
});
