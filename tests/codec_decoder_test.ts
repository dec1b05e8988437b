import { test } from "node:test";
import assert from "node:assert/strict";
import { DecodeError, Decoder } from "../codec/mod.ts";
import { hasTrid } from "../codec/command.ts";
import { assertDecodes, bytes, cmd, concat, decodeChunks, pcmd } from "./_helpers.ts";

test("decoder reads TrIDs from the per-command table, not from numeric-looking arguments", () => {
  assertDecodes(
    "RNG 17342299 207.46.108.78:1863 CKI 1056411141.26158 bob@passport.com Bob\r\n" +
      "QNG 48\r\nBPR 12182 bob@x.com PHH 555\r\nNLN NLN a@b.c A 0\r\nFLN a@b.c\r\n" +
      "CHL 0 15570131571988941333\r\nADD 0 RL 12 a@b.c A\r\nXFR 0 NS 0\r\n911 3\r\n",
    [
      cmd(
        "RNG",
        null,
        "17342299",
        "207.46.108.78:1863",
        "CKI",
        "1056411141.26158",
        "bob@passport.com",
        "Bob",
      ),
      cmd("QNG", null, "48"),
      cmd("BPR", null, "12182", "bob@x.com", "PHH", "555"),
      cmd("NLN", null, "NLN", "a@b.c", "A", "0"),
      cmd("FLN", null, "a@b.c"),
      cmd("CHL", 0, "15570131571988941333"),
      cmd("ADD", 0, "RL", "12", "a@b.c", "A"),
      cmd("XFR", 0, "NS", "0"),
      cmd("911", 3),
    ],
  );
});

test("decoder tells GTC, BLP and PRP inside SYN (no TrID) from their replies (TrID)", () => {
  assertDecodes(
    "GTC A\r\nBLP AL\r\nPRP PHH 123%20(4567)\r\nGTC 9 16 N\r\nBLP 10 17 BL\r\nPRP 11 18 MOB Y\r\n",
    [
      cmd("GTC", null, "A"),
      cmd("BLP", null, "AL"),
      cmd("PRP", null, "PHH", "123%20(4567)"),
      cmd("GTC", 9, "16", "N"),
      cmd("BLP", 10, "17", "BL"),
      cmd("PRP", 11, "18", "MOB", "Y"),
    ],
  );
});

test("decoder frames payloads by byte length, with multi-byte UTF-8 split anywhere", () => {
  const body = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nhé 😀 €\r\nend";
  const payload = bytes(body);
  assert.notEqual(payload.length, body.length);
  assertDecodes(
    concat([bytes(`MSG bob@x.com B%C3%B6b ${payload.length}\r\n`), payload, bytes("QNG 50\r\n")]),
    [pcmd("MSG", null, ["bob@x.com", "B%C3%B6b"], payload), cmd("QNG", null, "50")],
  );
});

test("decoder keeps raw UTF-8 in command lines intact across splits", () => {
  assertDecodes("NLN NLN a@b.c Zoë😀 0\r\nLSG 1 Frère 0\r\n", [
    cmd("NLN", null, "NLN", "a@b.c", "Zoë😀", "0"),
    cmd("LSG", null, "1", "Frère", "0"),
  ]);
});

test("decoder accepts a bare LF as line end and payloads without a trailing newline", () => {
  assertDecodes("VER 1 MSNP8\nCVR 2 6.0 6.0 1.0 http://a http://b\nNOT 3\n<x>QNG\n", [
    cmd("VER", 1, "MSNP8"),
    cmd("CVR", 2, "6.0", "6.0", "1.0", "http://a", "http://b"),
    pcmd("NOT", null, [], "<x>"),
    cmd("QNG", null),
  ]);
});

test("decoder reads a zero-length payload and payloads ending in CRLF", () => {
  assertDecodes("IPG 0\r\nMSG Hotmail Hotmail 4\r\na\r\n\r\nQNG 1\r\n", [
    pcmd("IPG", null, [], ""),
    pcmd("MSG", null, ["Hotmail", "Hotmail"], "a\r\n\r"),
    // The 4-byte payload leaves a lone "\n": an empty line, skipped silently.
    cmd("QNG", null, "1"),
  ]);
});

test("decoder tolerates repeated and trailing spaces and empty lines", () => {
  assertDecodes("\r\nILN  9 NLN a@b.c A 0 \r\n\r\n", [cmd("ILN", 9, "NLN", "a@b.c", "A", "0")]);
});

test("decoder decodes client commands: TrIDs on all but PNG and OUT; QRY carries a payload", () => {
  assertDecodes(
    "VER 1 MSNP9 MSNP8 CVR0\r\nPNG\r\nQRY 10 msmsgs@msnmsgr.com 32\r\n8f2f5a91b72102cd28355e9fc9000d6eMSG 5 N 3\r\nabcOUT\r\n",
    [
      cmd("VER", 1, "MSNP9", "MSNP8", "CVR0"),
      cmd("PNG", null),
      pcmd("QRY", 10, ["msmsgs@msnmsgr.com"], "8f2f5a91b72102cd28355e9fc9000d6e"),
      pcmd("MSG", 5, ["N"], "abc"),
      cmd("OUT", null),
    ],
    { from: "client" },
  );
});

test("decoder reports a malformed line as a recoverable error and keeps going", () => {
  assertDecodes("qng 5\r\nUSR x TWN S a\r\nCHG\r\nQNG 50\r\n", [
    { error: "invalid-name", fatal: false, offset: 0 },
    { error: "invalid-trid", fatal: false, offset: 7 },
    { error: "missing-trid", fatal: false, offset: 22 },
    cmd("QNG", null, "50"),
  ]);
});

test("decoder rejects a client command without TrID", () => {
  assertDecodes("CHG NLN 0\r\nPNG\r\n", [
    { error: "invalid-trid", fatal: false, offset: 0 },
    cmd("PNG", null),
  ], { from: "client" });
});

test("decoder loses framing on a payload command with a bad length and says so forever", () => {
  const input = "QNG 1\r\nMSG Hotmail Hotmail 1x\r\nQNG 2\r\n";
  assertDecodes(input, [cmd("QNG", null, "1"), {
    error: "invalid-payload-length",
    fatal: true,
    offset: 7,
  }]);
  const decoder = new Decoder();
  decoder.push(bytes(input));
  decoder.next();
  const failure = decoder.next();
  assert.ok(failure instanceof DecodeError);
  assert.equal(failure.fatal, true);
  decoder.push(bytes("QNG 3\r\n"));
  assert.equal(decoder.next(), failure);
  assert.equal(decoder.next(), failure);
});

test("decoder skips an over-large payload without buffering it, then resumes", () => {
  const big = "x".repeat(5000);
  const input = `MSG Hotmail Hotmail ${big.length}\r\n${big}QNG 7\r\n`;
  const options = { maxPayloadBytes: 1000 };
  assertDecodes(input, [
    { error: "payload-too-large", fatal: false, offset: 0 },
    cmd("QNG", null, "7"),
  ], options);
  const decoder = new Decoder(options);
  for (const b of bytes(input)) {
    decoder.push(Uint8Array.of(b));
    assert.ok(decoder.bufferedBytes <= 40, `buffered ${decoder.bufferedBytes}`);
  }
});

test("decoder reports an over-long line with bounded memory and skips it when framing allows", () => {
  const long = "LST a@b.c " + "n".repeat(300) + " 11 0\r\n";
  const options = { maxLineBytes: 64 };
  assertDecodes(long + "QNG 7\r\n", [
    { error: "line-too-long", fatal: false, offset: 0 },
    cmd("QNG", null, "7"),
  ], options);
  const decoder = new Decoder(options);
  for (let i = 0; i < 100_000; i++) {
    decoder.push(bytes("LST aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    assert.ok(decoder.bufferedBytes <= 66);
  }
});

test("decoder treats an over-long payload command line as fatal: its length is unknown", () => {
  assertDecodes(
    "MSG " + "a".repeat(100) + " 5\r\nhelloQNG 1\r\n",
    [{ error: "line-too-long", fatal: true, offset: 0 }],
    { maxLineBytes: 64 },
  );
});

test("decoder accepts a line of exactly the limit with CRLF", () => {
  const line = "QNG " + "1".repeat(60);
  assert.equal(line.length, 64);
  assertDecodes(line + "\r\n", [cmd("QNG", null, "1".repeat(60))], { maxLineBytes: 64 });
  assertDecodes(line + "1\r\n", [{ error: "line-too-long", fatal: false, offset: 0 }], {
    maxLineBytes: 64,
  });
});

test("decoder reports invalid UTF-8 in a line as recoverable", () => {
  const input = concat([
    bytes("NLN NLN a@b.c "),
    Uint8Array.of(0xff, 0xfe),
    bytes(" 0\r\nQNG 1\r\n"),
  ]);
  assertDecodes(input, [{ error: "invalid-utf8", fatal: false, offset: 0 }, cmd("QNG", null, "1")]);
});

test("decoder end() turns a partial command into a fatal truncated error", () => {
  assertDecodes("QNG 1\r\nMSG Hotmail Hotmail 10\r\nabc", [
    cmd("QNG", null, "1"),
    { error: "truncated", fatal: true, offset: 31 },
  ]);
  assertDecodes("QNG 1\r\nQNG", [cmd("QNG", null, "1"), {
    error: "truncated",
    fatal: true,
    offset: 7,
  }]);
  assert.deepStrictEqual(decodeChunks([bytes("QNG 1\r\n")]), [cmd("QNG", null, "1")]);
});

test("decoder never keeps a reference to a pushed chunk", () => {
  const decoder = new Decoder();
  const chunk = bytes("MSG Hotmail Hotmail 3\r\nabcQNG 1\r\nQN");
  decoder.push(chunk);
  chunk.fill(0);
  decoder.push(bytes("G 2\r\n"));
  assert.deepStrictEqual(decoder.next(), pcmd("MSG", null, ["Hotmail", "Hotmail"], "abc"));
  assert.deepStrictEqual(decoder.next(), cmd("QNG", null, "1"));
  assert.deepStrictEqual(decoder.next(), cmd("QNG", null, "2"));
  assert.equal(decoder.next(), undefined);
});

test("decoder refuses pushes after end() and limits below sense", () => {
  const decoder = new Decoder();
  decoder.end();
  assert.throws(() => decoder.push(bytes("QNG\r\n")), TypeError);
  assert.throws(() => new Decoder({ maxLineBytes: 0 }), RangeError);
});

test("decoder keeps unknown server commands whole, without guessing a TrID", () => {
  assertDecodes("ZZZ 12 a b\r\n", [cmd("ZZZ", null, "12", "a", "b")]);
});

test("decoder reports a line of only spaces as a recoverable invalid name", () => {
  assertDecodes(" \r\n  \nQNG 1\r\n", [
    { error: "invalid-name", fatal: false, offset: 0 },
    { error: "invalid-name", fatal: false, offset: 3 },
    cmd("QNG", null, "1"),
  ]);
});

test("hasTrid answers for names that are Object.prototype members", () => {
  assert.equal(hasTrid("valueOf", "server"), undefined);
  assert.equal(hasTrid("constructor", "server"), undefined);
  assert.equal(hasTrid("GTC", "server", "A"), false);
  assert.equal(hasTrid("GTC", "server", "9"), true);
});

test("decoder keeps a byte-order mark at the start of a line as bytes, not a marker to drop", () => {
  const input = concat([
    Uint8Array.of(0xef, 0xbb, 0xbf),
    bytes("QNG 5\r\nNLN NLN a@b.c "),
    Uint8Array.of(0xef, 0xbb, 0xbf),
    bytes("A 0\r\n"),
  ]);
  assertDecodes(input, [
    { error: "invalid-name", fatal: false, offset: 0 },
    cmd("NLN", null, "NLN", "a@b.c", "\ufeffA", "0"),
  ]);
});

// peekLine/skipLine: a consumer's fast path. Lines it takes and commands it
// leaves must come out in stream order, whatever the chunking.
const TAKE_STREAM = "VER 1 MSNP8\r\nLST a@b.c A 1\r\nLST d@e.f D 3 0\nMSG x y 7\r\nLST z\r\n" +
  "BPR PHH 1\r\n\r\nLST g@h.i G 8\r\nQNG 5\r\n  MSG a b 2\r\nhi\r\nLST j@k.l J 8\r\n";

function takeAndDrain(chunks: Uint8Array[]): string[] {
  const log: string[] = [];
  const text = new TextDecoder();
  const decoder = new Decoder({ from: "server" });
  for (const chunk of chunks) {
    decoder.push(chunk);
    for (;;) {
      const raw = decoder.peekLine();
      if (raw !== undefined) {
        const line = text.decode(raw.bytes.subarray(raw.start, raw.end));
        // Shown lines are whole lines without their line end, never a payload command's.
        assert.ok(!/[\r\n]/.test(line) && !/^ *MSG/.test(line), `shown ${JSON.stringify(line)}`);
        if (line.startsWith("LST")) {
          log.push(`taken ${line}`);
          decoder.skipLine();
          continue;
        }
      }
      const c = decoder.next();
      if (c === undefined) break;
      assert.ok(!(c instanceof DecodeError));
      const payload = c.payload ? ` [${text.decode(c.payload)}]` : "";
      log.push(`${[c.name, ...(c.trid === null ? [] : [c.trid]), ...c.args].join(" ")}${payload}`);
    }
  }
  return log;
}

test("decoder peekLine: taken lines and commands come out in stream order at every split", () => {
  const data = bytes(TAKE_STREAM);
  const whole = takeAndDrain([data]);
  // Every LST line is shown and taken; everything else is decoded, in order.
  const expected = [
    "VER 1 MSNP8",
    "taken LST a@b.c A 1",
    "taken LST d@e.f D 3 0",
    "MSG x y 7 [LST z\r\n]",
    "BPR PHH 1",
    "taken LST g@h.i G 8",
    "QNG 5",
    "MSG a b 2 [hi]",
    "taken LST j@k.l J 8",
  ];
  assert.deepStrictEqual(whole, expected);
  for (let k = 1; k < data.length; k++) {
    const split = takeAndDrain([data.subarray(0, k), data.subarray(k)]);
    assert.deepStrictEqual(split, expected, `split at ${k}`);
  }
  const ones: Uint8Array[] = [];
  for (let i = 0; i < data.length; i++) ones.push(data.subarray(i, i + 1));
  assert.deepStrictEqual(takeAndDrain(ones), expected);
});

test("decoder skipLine without a shown line is a TypeError", () => {
  const decoder = new Decoder();
  decoder.push(bytes("QNG 5\r\n"));
  assert.throws(() => decoder.skipLine(), TypeError);
  assert.ok(decoder.peekLine() !== undefined);
  assert.deepStrictEqual(decoder.next(), { name: "QNG", trid: null, args: ["5"] });
  assert.equal(decoder.peekLine(), undefined);
});

/** Runs `fn` while counting the bytes every `Uint8Array#indexOf` call may search. */
function searchedBytes(fn: () => void): number {
  const original = Uint8Array.prototype.indexOf;
  let searched = 0;
  Uint8Array.prototype.indexOf = function (this: Uint8Array, value: number, from = 0) {
    searched += Math.max(0, this.length - from);
    return original.call(this, value, from);
  };
  try {
    fn();
  } finally {
    Uint8Array.prototype.indexOf = original;
  }
  return searched;
}

test("short lines in small chunks after a 64 KiB payload search only new bytes", () => {
  const big = bytes(`MSG Hotmail Hotmail 65536\r\n${"x".repeat(65536)}`);
  const lines = bytes("QNG 50\r\n".repeat(2000));
  const decoder = new Decoder();
  // The payload arrives in small chunks too, so it is assembled in the decoder's own buffer.
  for (let i = 0; i < big.length; i += 1000) decoder.push(big.subarray(i, i + 1000));
  assert.equal((decoder.next() as { payload: Uint8Array }).payload.length, 65536);
  const searched = searchedBytes(() => {
    for (let i = 0; i < lines.length; i += 3) decoder.push(lines.subarray(i, i + 3));
  });
  let count = 0;
  while (decoder.next() !== undefined) count++;
  assert.equal(count, 2000);
  // Each byte is searched a bounded number of times: a partial line plus one chunk at most.
  assert.ok(searched < lines.length * 4, `searched ${searched} bytes for ${lines.length}`);
  // The buffer that held the payload does not stay pinned.
  assert.equal(decoder.bufferedBytes, 0);
});

test("a malformed line costs no throwing TextDecoder and no captured stack", () => {
  const original = TextDecoder.prototype.decode;
  let thrown = 0;
  TextDecoder.prototype.decode = function (this: TextDecoder, ...args) {
    try {
      return original.apply(this, args);
    } catch (e) {
      thrown++;
      throw e;
    }
  };
  const out: (DecodeError | undefined)[] = [];
  try {
    const decoder = new Decoder();
    decoder.push(
      concat([bytes("QNG "), new Uint8Array([0xff, 0xc0, 0xaf]), bytes("\r\nqng 5\r\n")]),
    );
    for (let item = decoder.next(); item !== undefined; item = decoder.next()) {
      out.push(item as DecodeError);
    }
  } finally {
    TextDecoder.prototype.decode = original;
  }
  assert.equal(thrown, 0);
  assert.deepEqual(out.map((e) => [e?.code, e?.offset, e?.fatal]), [
    ["invalid-utf8", 0, false],
    ["invalid-name", 9, false],
  ]);
  for (const e of out) {
    assert.ok(e instanceof DecodeError && e instanceof Error);
    assert.equal(e.name, "DecodeError");
    assert.equal(String(e), `DecodeError: ${e.message}`);
    assert.equal(e.stack, `DecodeError: ${e.message}`);
  }
});

test("invalid-utf8 follows the WHATWG rules: overlong, surrogate and out-of-range forms are refused", () => {
  const bad = [
    [0xc0, 0xaf], // overlong "/"
    [0xe0, 0x80, 0xaf], // overlong
    [0xed, 0xa0, 0x80], // UTF-16 surrogate
    [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
    [0xf8, 0x88, 0x80, 0x80, 0x80],
    [0xe2, 0x82], // cut short
    [0x80],
  ];
  for (const seq of bad) {
    const line = concat([bytes("QNG "), new Uint8Array(seq), bytes("\r\nQNG 1\r\n")]);
    assertDecodes(line, [
      { error: "invalid-utf8", fatal: false, offset: 0 },
      cmd("QNG", null, "1"),
    ]);
  }
  // A real U+FFFD and the extremes of each length decode as text.
  for (const text of ["\uFFFD", "\u0080", "\u07FF", "\u0800", "\uD7FF", "\uE000", "\u{10FFFF}"]) {
    assertDecodes(`QNG ${text}\r\n`, [cmd("QNG", null, text)]);
  }
});

test("decoder decodes a window mixing ASCII runs, non-ASCII lines, bad UTF-8 and empty lines", () => {
  // One push holds all of it: the ASCII runs around the non-ASCII lines are
  // decoded apart from them, and must come out the same as line by line.
  const input = concat([
    bytes("QNG 1\r\n\r\nNLN NLN a@b.c Zo\u00eb 0\r\nFLN a@b.c\r\n\nQNG 2\r\n"),
    bytes("ILN 7 AWY c@d.e \u263a\u263a 0\r\n\r\nNLN NLN e@f.g "),
    Uint8Array.of(0xff),
    bytes(" 0\r\nQNG 3\nNLN BSY h@i.j \ud83d\ude02\r\n"),
  ]);
  assertDecodes(input, [
    cmd("QNG", null, "1"),
    cmd("NLN", null, "NLN", "a@b.c", "Zo\u00eb", "0"),
    cmd("FLN", null, "a@b.c"),
    cmd("QNG", null, "2"),
    cmd("ILN", 7, "AWY", "c@d.e", "\u263a\u263a", "0"),
    { error: "invalid-utf8", fatal: false, offset: 78 },
    cmd("QNG", null, "3"),
    cmd("NLN", null, "BSY", "h@i.j", "\ud83d\ude02"),
  ]);
});
