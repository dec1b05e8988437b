// Property-based tests of the line codec: encode -> any chunking -> decode is
// the identity for valid command sequences, arbitrary bytes never make the
// decoder throw or depend on chunking, and encodeCommand never emits a line
// that breaks framing.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type Command,
  DecodeError,
  Decoder,
  type DecoderOptions,
  type Direction,
  encodeCommand,
  EncodeError,
} from "../codec/mod.ts";
import { hasPayload, hasTrid, MAX_TRID } from "../codec/command.ts";
import { bytes, concat } from "./_helpers.ts";

const SERVER_NAMES = (
  "VER CVR USR XFR SYN CHG ADD REM ADG RMG REG REA ILN CHL QRY NLN FLN QNG RNG OUT BPR LSG LST " +
  "JOI BYE IRO ANS CAL ACK NAK GTC BLP PRP MSG NOT IPG"
).split(" ");

const CLIENT_NAMES = (
  "VER CVR USR XFR SYN CHG ADD REM ADG RMG REG REA BLP GTC PRP QRY PNG OUT URL CAL ANS MSG SDC"
).split(" ");

/** Characters that may appear in an argument: anything but space, CR, LF, NUL and TAB. */
const FORBIDDEN_IN_ARG = /[ \r\n\0\t]/;

const argChar: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }), weight: 6 },
  { arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }), weight: 2 },
  {
    arbitrary: fc.constantFrom(
      "é",
      "ß",
      "中",
      "文",
      "€",
      "☕",
      "👋",
      "🎉",
      "🇩🇪",
      "𝄞",
      "\u00a0",
      "\ufeff",
    ),
    weight: 2,
  },
  { arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), weight: 1 },
).filter((c) => !FORBIDDEN_IN_ARG.test(c));

/** One argument token as it may appear on the wire. */
const token: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: argChar, minLength: 1, maxLength: 12 }), weight: 4 },
  { arbitrary: fc.nat({ max: 99999 }).map(String), weight: 1 },
);

/** A first argument that makes GTC, BLP and PRP take either of their shapes. */
function firstArg(name: string): fc.Arbitrary<string> {
  if (name === "GTC") return fc.constantFrom("A", "N", "0", "17");
  if (name === "BLP") return fc.constantFrom("AL", "BL", "0", "17");
  if (name === "PRP") return fc.oneof(fc.constantFrom("PHH", "PHW", "MFN", "MOB"), token);
  return token;
}

/** Payload bytes, often text with CR/LF and multi-byte UTF-8. */
const payload: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }),
  fc.string({ unit: "binary", maxLength: 400 }).map((s) => bytes(s)),
  fc.array(fc.constantFrom("MIME-Version: 1.0", "\r\n", "\n", "\r", "héllo 👋", "MSG 1 N 3", " "), {
    maxLength: 60,
  }).map((parts) => bytes(parts.join(""))),
);

/** A valid command sent in direction `from`, trid and payload consistent with the tables. */
function command(from: Direction): fc.Arbitrary<Command> {
  const errorCode = fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, "0"));
  const name = from === "server"
    ? fc.oneof({ arbitrary: fc.constantFrom(...SERVER_NAMES), weight: 9 }, {
      arbitrary: errorCode,
      weight: 1,
    })
    : fc.constantFrom(...CLIENT_NAMES);
  return name.chain((n) =>
    fc.record({
      first: firstArg(n),
      rest: fc.array(token, { maxLength: 5 }),
      count: fc.integer({ min: 0, max: 6 }),
      trid: fc.oneof(fc.constantFrom(0, 1, MAX_TRID), fc.nat({ max: MAX_TRID })),
      payload,
    }).map(({ first, rest, count, trid, payload }): Command => {
      const args = [first, ...rest].slice(0, count);
      // For GTC/BLP/PRP from the server the first token on the wire decides.
      const withTrid = hasTrid(n, from, args[0]) === true;
      const c: Command = { name: n, trid: withTrid ? trid : null, args };
      if (hasPayload(n, from)) {
        c.args = [...args, String(payload.length)];
        c.payload = payload;
      }
      return c;
    })
  );
}

/** Chunk sizes to cycle through when splitting a stream. */
const chunkSizes = fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 12 });

function split(data: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = sizes[i % sizes.length];
    out.push(data.slice(at, at + n));
    at += n;
  }
  return out;
}

type Output = Command | { error: string; message: string; offset: number; fatal: boolean };

/**
 * Feeds `chunks` to a fresh decoder, scribbling over each chunk after pushing
 * it, then ends the stream; returns everything that came out, up to and
 * including a fatal error. Fails if anything but a Command or DecodeError
 * comes out.
 */
function decodeAll(chunks: Uint8Array[], options: DecoderOptions): Output[] {
  const decoder = new Decoder(options);
  const out: Output[] = [];
  const drain = (): boolean => {
    for (let item = decoder.next(); item !== undefined; item = decoder.next()) {
      if (item instanceof DecodeError) {
        out.push({
          error: item.code,
          message: item.message,
          offset: item.offset,
          fatal: item.fatal,
        });
        if (item.fatal) return false;
      } else {
        assert.ok(item !== null && typeof item === "object" && !(item instanceof Error));
        out.push(item);
      }
    }
    return true;
  };
  for (const chunk of chunks) {
    decoder.push(chunk);
    chunk.fill(0x58);
    if (!drain()) return out;
  }
  decoder.end();
  drain();
  return out;
}

test("valid server command sequences survive encode, any chunking and decode unchanged", () => {
  fc.assert(
    fc.property(
      fc.array(command("server"), { minLength: 1, maxLength: 25 }),
      chunkSizes,
      (commands, sizes) => {
        const wire = concat(commands.map((c) => encodeCommand(c, { from: "server" })));
        assert.deepStrictEqual(decodeAll(split(wire, sizes), { from: "server" }), commands);
      },
    ),
    { numRuns: 600 },
  );
});

test("valid client command sequences survive encode, any chunking and decode unchanged", () => {
  fc.assert(
    fc.property(
      fc.array(command("client"), { minLength: 1, maxLength: 25 }),
      chunkSizes,
      (commands, sizes) => {
        const wire = concat(commands.map((c) => encodeCommand(c, { from: "client" })));
        assert.deepStrictEqual(decodeAll(split(wire, sizes), { from: "client" }), commands);
      },
    ),
    { numRuns: 600 },
  );
});

test("valid command sequences fed one byte at a time decode unchanged", () => {
  const direction = fc.constantFrom<Direction>("server", "client");
  const input = direction.chain((from) =>
    fc.tuple(fc.constant(from), fc.array(command(from), { minLength: 1, maxLength: 6 }))
  );
  fc.assert(
    fc.property(input, ([from, commands]) => {
      const wire = concat(commands.map((c) => encodeCommand(c, { from })));
      assert.deepStrictEqual(decodeAll(split(wire, [1]), { from }), commands);
    }),
    { numRuns: 150 },
  );
});

/** Byte soup that often looks like MSNP: fragments of commands, line ends, bad UTF-8. */
const messyBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 1500 }),
  fc.array(
    fc.oneof(
      fc.constantFrom(
        "MSG ",
        "QRY ",
        "NOT ",
        "IPG ",
        "SDC ",
        "QNG 5",
        "ILN 9 NLN a@b.c A 0",
        "GTC A",
        "GTC 5 A",
        "BLP 3 BL",
        "PRP ",
        "CHL 0 123",
        "911 4",
        "msg",
        "MSG a b 5\r\n",
        "MSG 1 N 3\r\n",
        "MSG a b 99999999999\r\n",
        "\r\n",
        "\n",
        "\r",
        " ",
        "  ",
        "0",
        "12",
        "4294967296",
        "é",
        "👋",
      ).map((text) => bytes(text)),
      fc.uint8Array({ maxLength: 8 }),
    ),
    { maxLength: 80 },
  ).map(concat),
);

const decoderOptions: fc.Arbitrary<DecoderOptions> = fc.record({
  from: fc.constantFrom<Direction>("server", "client"),
  maxLineBytes: fc.oneof(fc.constant(8192), fc.integer({ min: 16, max: 64 })),
  maxPayloadBytes: fc.oneof(fc.constant(65536), fc.integer({ min: 0, max: 40 })),
});

test("arbitrary bytes only ever yield Commands or DecodeErrors, whatever the chunking", () => {
  fc.assert(
    fc.property(messyBytes, decoderOptions, chunkSizes, chunkSizes, (data, options, a, b) => {
      const whole = decodeAll([data.slice()], options);
      assert.deepStrictEqual(decodeAll(split(data, a), options), whole);
      assert.deepStrictEqual(decodeAll(split(data, b), options), whole);
      for (const item of whole) {
        if ("error" in item) continue;
        assert.match(item.name, /^([A-Z]{3}|\d{3})$/);
        assert.ok(item.trid === null || (Number.isInteger(item.trid) && item.trid <= MAX_TRID));
        for (const arg of item.args) assert.ok(arg.length > 0 && !arg.includes(" "));
        if (item.payload !== undefined) {
          assert.equal(item.payload.length, Number(item.args[item.args.length - 1]));
        }
      }
    }),
    { numRuns: 1000 },
  );
});

test("arbitrary bytes fed one byte at a time decode like the whole input", () => {
  fc.assert(
    fc.property(messyBytes, decoderOptions, (data, options) => {
      const whole = decodeAll([data.slice()], options);
      assert.deepStrictEqual(decodeAll(split(data, [1]), options), whole);
    }),
    { numRuns: 250 },
  );
});

/** Strings that may break framing: spaces, CR, LF, TAB, NUL, empty, lone surrogates, huge. */
const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: token, weight: 16 },
  {
    arbitrary: fc.string({
      unit: fc.oneof(
        { arbitrary: argChar, weight: 8 },
        {
          arbitrary: fc.constantFrom(" ", "\r", "\n", "\t", "\0", "\r\n", "\ud800", "\udfff"),
          weight: 1,
        },
      ),
      maxLength: 10,
    }),
    weight: 3,
  },
  { arbitrary: fc.integer({ min: 1000, max: 3000 }).map((n) => "x".repeat(n)), weight: 1 },
);

test("encodeCommand either throws EncodeError or emits one clean line that decodes back", () => {
  const names = fc.oneof(
    { arbitrary: fc.constantFrom(...SERVER_NAMES, ...CLIENT_NAMES, "911", "ZZZ"), weight: 8 },
    { arbitrary: hostileString, weight: 1 },
  );
  const badTrids = fc.constantFrom(null, 0, 7, -1, 1.5, MAX_TRID + 1, Number.NaN, Infinity);
  // Mostly well-shaped commands (TrID and payload as the tables say) so that
  // many get encoded, with hostile names, arguments and TrIDs mixed in.
  const inputs = fc.record({
    name: names,
    from: fc.constantFrom<Direction>("server", "client"),
    args: fc.array(hostileString, { maxLength: 6 }),
    trid: fc.nat({ max: MAX_TRID }),
    badTrid: fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, badTrids),
    body: payload,
    payloadShape: fc.constantFrom(
      "as-table",
      "as-table",
      "as-table",
      "missing",
      "extra",
      "bad-length",
    ),
  }).map(({ name, from, args, trid, badTrid, body, payloadShape }) => {
    // Only command-shaped names go to hasTrid: it looks names up in an object
    // literal, so "valueOf" or "__proto__" make it throw (reported).
    const shaped = /^([A-Z]{3}|\d{3})$/.test(name);
    const withTrid = shaped && hasTrid(name, from, args[0]) === true;
    const input: Command = { name, trid: withTrid ? trid : null, args };
    if (badTrid !== undefined) input.trid = badTrid;
    const wantsPayload = shaped && hasPayload(name, from);
    if (payloadShape === "bad-length" || (payloadShape === "as-table" && wantsPayload)) {
      input.args = [...args, String(body.length + (payloadShape === "bad-length" ? 1 : 0))];
      input.payload = body;
    } else if (payloadShape === "extra" && !wantsPayload) {
      input.args = [...args, String(body.length)];
      input.payload = body;
    } else if (payloadShape === "missing" && wantsPayload) {
      input.args = [...args, String(body.length)];
    }
    return { input, from };
  });
  let encoded = 0;
  fc.assert(
    fc.property(inputs, ({ input, from }) => {
      let wire: Uint8Array;
      try {
        wire = encodeCommand(input, { from });
      } catch (e) {
        assert.ok(e instanceof EncodeError, `unexpected ${String(e)}`);
        return;
      }
      encoded++;
      const lf = wire.indexOf(10);
      assert.ok(lf > 0 && wire[lf - 1] === 13, "line ends in CRLF");
      const line = wire.subarray(0, lf - 1);
      assert.ok(!line.includes(13) && !line.includes(10), "no CR or LF inside the line");
      assert.ok(!line.includes(0) && !line.includes(9), "no NUL or TAB inside the line");
      assert.ok(line.length <= 8192, "line within the limit");
      assert.deepStrictEqual(wire.subarray(lf + 1), input.payload ?? new Uint8Array(0));
      const { name, trid, args } = input;
      const tokens = new TextDecoder().decode(line).split(" ");
      const expected = [name, ...(trid === null ? [] : [String(trid)]), ...args];
      assert.deepStrictEqual(tokens, expected);
      // Known commands with well-formed text come back exactly.
      if (
        hasTrid(name, from, tokens[1]) !== undefined && expected.every((t) => t.isWellFormed())
      ) {
        assert.deepStrictEqual(decodeAll([wire], { from }), [input]);
      }
    }),
    { numRuns: 3000 },
  );
  // Guards the generator: a property that only ever sees refusals proves nothing.
  assert.ok(encoded > 900, `only ${encoded} of 3000 inputs were encodable`);
});
