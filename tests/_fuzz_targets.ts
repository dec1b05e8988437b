// The fuzz campaign's targets. To fuzz something new, write a `FuzzTarget` and add it to
// FUZZ_TARGETS at the bottom: the short run in tests/fuzz_*_test.ts and `deno task fuzz` pick it
// up. The codec's targets live here; the sessions' in _fuzz_sessions.ts, the recorder's and the
// transcript reader's in _fuzz_recorder.ts, Passport's in _fuzz_passport.ts.

import { readFileSync } from "node:fs";
import { inspect, isDeepStrictEqual } from "node:util";
import * as c from "../codec/mod.ts";
import {
  type Command,
  DecodeError,
  type DecodeErrorCode,
  Decoder,
  EncodeError,
  PayloadError,
} from "../codec/mod.ts";
import { SEED_DISPATCH, SEED_NOTIFICATION, SEED_PROFILE } from "./fixtures/seed_msnp8.ts";
import {
  check,
  type CostCase,
  type FuzzTarget,
  FuzzViolation,
  mutateBytes,
  mutateText,
  randomText,
  type Rng,
  utf8,
} from "./_fuzz.ts";
import { PASSPORT_TARGET } from "./_fuzz_passport.ts";
import { NS_TARGET, SB_TARGET } from "./_fuzz_sessions.ts";
import { RECORDER_TARGET, TRANSCRIPT_TARGET } from "./_fuzz_recorder.ts";

// --- seeds: real traffic ---------------------------------------------------------------------

function transcriptStreams(): { server: Uint8Array[]; client: Uint8Array[] } {
  const server: Uint8Array[] = [];
  const client: Uint8Array[] = [];
  const dir = new URL("./transcripts/", import.meta.url);
  for (
    const name of [
      "msnp8_direct_full_sync.jsonl",
      "msnp8_seed.jsonl",
      "msnp9_echo_redirect.jsonl",
      "msnp9_presence.jsonl",
    ]
  ) {
    let recv = "";
    let send = "";
    const flush = () => {
      if (recv) server.push(utf8(recv));
      if (send) client.push(utf8(send));
      recv = send = "";
    };
    let text = "";
    try {
      text = readFileSync(new URL(name, dir), "utf8");
    } catch {
      continue; // a transcript renamed by another change: the other seeds still run
    }
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      const step = JSON.parse(line) as { recv?: string; send?: string; connect?: string };
      if (step.connect !== undefined) flush();
      if (typeof step.recv === "string") recv += step.recv;
      if (typeof step.send === "string") send += step.send;
    }
    flush();
  }
  return { server, client };
}

const TRANSCRIPTS = transcriptStreams();
const SEED_SERVER = utf8(
  [...SEED_DISPATCH, ...SEED_NOTIFICATION].filter((l) => l.from === "server").map((l) => l.text)
    .join(""),
);
const SEED_CLIENT = utf8(
  [...SEED_DISPATCH, ...SEED_NOTIFICATION].filter((l) => l.from === "client").map((l) => l.text)
    .join(""),
);
const TEXT_143 = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n" +
  "X-MMS-IM-Format: FN=Lucida%20Sans%20Unicode; EF=B; CO=ff0000; CS=0; PF=22\r\n\r\nHello.";
const PAYLOAD_SEEDS: Uint8Array[] = [
  utf8(SEED_PROFILE),
  utf8(TEXT_143),
  c.buildTypingMessage("bob@passport.com"),
  utf8(
    "MIME-Version: 1.0\r\nContent-Type: application/x-msmsgssystemmessage\r\n\r\nType: 1\r\nArg1: 5\r\n",
  ),
  utf8(
    "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinitialemailnotification; charset=UTF-8\r\n\r\n" +
      "Inbox-Unread: 1\r\nFolders-Unread: 0\r\nInbox-URL: /cgi-bin/HoTMaiL\r\n\r\n",
  ),
  utf8(
    "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsemailnotification; charset=UTF-8\r\n\r\n" +
      "From: Bob\r\nFrom-Addr: bob@x.com\r\nSubject: =?utf-8?B?aGk=?=\r\nDest-Folder: ACTIVE\r\nid: 2\r\n",
  ),
  utf8(
    "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsactivemailnotification\r\n\r\n" +
      "Src-Folder: ACTIVE\nDest-Folder: trAsH\nMessage-Delta: 1\n",
  ),
];
const SERVER_SEEDS = [SEED_SERVER, ...TRANSCRIPTS.server];
const CLIENT_SEEDS = [SEED_CLIENT, ...TRANSCRIPTS.client];
const NINA = '<msnobj Creator="buddy1@hotmail.com" Size="24539" Type="3" Location="TFR2C.tmp" ' +
  'Friendly="AAA=" SHA1D="trC8SlFx2sWQxZMIBAWSEnXc8oQ=" SHA1C="U32o6bosZzluJq82eAtMpx5dIEI="/>';
const MSNOBJ_SEEDS = [
  NINA,
  encodeURIComponent(NINA),
  "<msnobj Creator='a&amp;b@x.com' Type = '3' Size='0' Friendly=\"&#x41;&#65;&bogus;\"/>",
  "%3Cmsnobj%2F%3E",
];

// --- decoder -----------------------------------------------------------------------------------

const DECODE_CODES: ReadonlySet<DecodeErrorCode> = new Set<DecodeErrorCode>([
  "line-too-long",
  "payload-too-large",
  "invalid-name",
  "missing-trid",
  "invalid-trid",
  "invalid-payload-length",
  "invalid-utf8",
  "invalid-arguments",
  "truncated",
]);

/** Decodes `data` pushed in chunks of the given sizes (cycled) and renders every output. */
function decodeRendered(
  data: Uint8Array,
  sizes: readonly number[],
  options: c.DecoderOptions,
  bound: number,
): { text: string; errors: number } {
  const decoder = new Decoder(options);
  const out: string[] = [];
  let errors = 0;
  let fatal = false;
  const drain = () => {
    for (let item = decoder.next(); item !== undefined && !fatal; item = decoder.next()) {
      out.push(renderItem(item, data.length));
      if (item instanceof DecodeError) {
        errors++;
        fatal = item.fatal;
      }
    }
  };
  let k = 0;
  for (let at = 0; at < data.length && !fatal; k++) {
    const n = sizes[k % sizes.length];
    // A copy scribbled over after the push: the decoder must not keep the caller's chunk.
    const chunk = data.slice(at, at + n);
    decoder.push(chunk);
    chunk.fill(0x58);
    at += n;
    check(
      decoder.bufferedBytes <= bound,
      () => `decoder buffers ${decoder.bufferedBytes} bytes, bound ${bound}`,
    );
    drain();
  }
  if (!fatal) {
    decoder.end();
    drain();
  }
  return { text: out.join("\n"), errors };
}

function renderItem(item: Command | DecodeError, length: number): string {
  if (item instanceof DecodeError) {
    check(
      DECODE_CODES.has(item.code) && Number.isInteger(item.offset) && item.offset >= 0 &&
        item.offset <= length && typeof item.fatal === "boolean",
      () => `malformed DecodeError ${item.code} at ${item.offset}`,
    );
    return `! ${item.code} ${item.offset} ${item.fatal}`;
  }
  const ok = typeof item.name === "string" && (item.trid === null || Number.isInteger(item.trid)) &&
    Array.isArray(item.args) && item.args.every((a) => typeof a === "string" && a.length > 0) &&
    (item.payload === undefined || item.payload instanceof Uint8Array);
  check(ok, () => `malformed command ${JSON.stringify(item)}`);
  const payload = item.payload === undefined ? "" : ` [${Array.from(item.payload).join(",")}]`;
  return `${item.name} ${item.trid} ${JSON.stringify(item.args)}${payload}`;
}

function decoderOne(rng: Rng): number {
  const from = rng.chance(0.8) ? "server" : "client";
  const seeds = from === "server" ? SERVER_SEEDS : CLIENT_SEEDS;
  const data = mutateBytes(rng, rng.pick(seeds), seeds);
  const options: c.DecoderOptions = rng.chance(0.7)
    ? { from }
    : { from, maxLineBytes: 16 + rng.int(300), maxPayloadBytes: rng.int(600) };
  const maxLine = options.maxLineBytes ?? 8192;
  const maxPayload = options.maxPayloadBytes ?? 65536;
  const bound = Math.max(maxLine + 1, maxPayload);
  const whole = decodeRendered(data, [Math.max(1, data.length)], options, bound);
  const sizes = Array.from(
    { length: 1 + rng.int(6) },
    () => 1 + rng.int(rng.chance(0.5) ? 8 : 300),
  );
  const split = decodeRendered(data, sizes, options, bound);
  check(split.text === whole.text, () => `chunking ${sizes} changed the output`);
  if (data.length <= 2048) {
    const ones = decodeRendered(data, [1], options, bound);
    check(ones.text === whole.text, () => "one byte at a time changed the output");
  }
  return whole.errors;
}

const LINE = utf8("LST bob@example.com Bob 11 0\r\n");

function decodeSized(pieces: Uint8Array[], size: number, chunk: number): void {
  const decoder = new Decoder();
  let sent = 0;
  for (let p = 0; sent < size; p++) {
    const piece = pieces[p % pieces.length];
    for (let at = 0; at < piece.length; at += chunk) {
      decoder.push(piece.subarray(at, at + chunk));
      while (decoder.next() !== undefined);
    }
    sent += piece.length;
  }
}

const SHORT_LINES = utf8("QNG 50\r\n".repeat(1024 * 1024 / 8));
const BIG_PAYLOAD = utf8(`MSG Hotmail Hotmail 65536\r\n${"x".repeat(65536)}`);

const DECODER_COSTS: CostCase[] = [
  {
    name: "short lines in 3-byte chunks after a 64 KiB payload",
    run: (hostile, size) => {
      const decoder = new Decoder();
      if (hostile) {
        for (let at = 0; at < BIG_PAYLOAD.length; at += 1000) {
          decoder.push(BIG_PAYLOAD.subarray(at, at + 1000));
          while (decoder.next() !== undefined);
        }
      }
      // Chunks that do not line up with the lines, as a network delivers them.
      const lines = SHORT_LINES.subarray(0, Math.min(size, SHORT_LINES.length));
      for (let at = 0; at < lines.length; at += 3) {
        decoder.push(lines.subarray(at, at + 3));
        while (decoder.next() !== undefined);
      }
    },
  },
  {
    name: "malformed lines (bad UTF-8, bad names, bad TrIDs)",
    run: (hostile, size) =>
      decodeSized(
        hostile
          ? [
            utf8("LST bob@example.com B\xff 11 0\r\n").map((b) => b === 0xc3 ? 0xff : b),
            utf8("lst bob@example.com Bob 11 0\r\n"),
            utf8("VER x MSNP8 CVR0 aaaaaaaaaaaaaa\r\n"),
          ]
          : [LINE],
        size,
        65536,
      ),
  },
  {
    name: "one line without an end, in 64-byte chunks, to the limit and past it",
    run: (hostile, size) =>
      decodeSized(
        hostile ? [utf8("LST " + "a".repeat(20000) + "\r\n")] : [LINE],
        size,
        64,
      ),
  },
  {
    name: "a huge payload length claim",
    run: (hostile, size) =>
      decodeSized(
        hostile ? [utf8("MSG a b 4294967295\r\n"), new Uint8Array(65536)] : [LINE],
        size,
        4096,
      ),
  },
];

// --- encoders and builders ----------------------------------------------------------------------

const NAMES = [
  "VER",
  "CVR",
  "USR",
  "SYN",
  "CHG",
  "ADD",
  "REM",
  "MSG",
  "QRY",
  "PNG",
  "OUT",
  "GTC",
  "BLP",
  "PRP",
  "REA",
  "SDC",
  "URL",
  "911",
];

function randomCommand(rng: Rng): Command {
  const name = rng.chance(0.85) ? rng.pick(NAMES) : randomText(rng, 3);
  const trid = rng.chance(0.8)
    ? rng.pick<number | null>([null, rng.int(100), rng.int(100)])
    : rng.pick([4294967295, 4294967296, -1, 1.5, NaN]);
  const args = Array.from(
    { length: rng.int(5) },
    () => rng.chance(0.6) ? `a${rng.int(99)}` : randomText(rng, 4),
  );
  const command: Command = { name, trid, args };
  if (rng.chance(0.3)) {
    const payload = utf8(randomText(rng, 20));
    command.payload = payload;
    args.push(rng.chance(0.8) ? String(payload.length) : randomText(rng, 2));
  }
  return command;
}

/** Only EncodeError may come out of `build`; returns 1 when it did. */
function typedEncode(build: () => unknown): number {
  try {
    build();
    return 0;
  } catch (error) {
    if (error instanceof EncodeError) return 1;
    throw error;
  }
}

function encoderOne(rng: Rng): number {
  const command = randomCommand(rng);
  let bytes: Uint8Array;
  try {
    bytes = c.encodeCommand(command);
  } catch (error) {
    if (error instanceof EncodeError) return 1;
    throw error;
  }
  // What was encoded decodes back to the same command, as one command.
  const decoder = new Decoder({ from: "client" });
  decoder.push(bytes);
  decoder.end();
  const back = decoder.next();
  check(
    back !== undefined && !(back instanceof DecodeError) && decoder.next() === undefined &&
      back.name === command.name && back.trid === command.trid &&
      JSON.stringify(back.args) === JSON.stringify(command.args) &&
      String(back.payload) === String(command.payload),
    () => `encoded ${JSON.stringify(command)} decodes as ${JSON.stringify(back)}`,
  );
  return 0;
}

const STATUSES = ["NLN", "BSY", "FLN", "HDN", "nln", ""];

function builderOne(rng: Rng): number {
  const t = () => randomText(rng, 8);
  const trid = rng.pick([1, 7, -1, 2 ** 32]);
  const n = () => rng.pick([0, 1, 7, -1, 1.5, NaN, 2 ** 32, 15, 16]);
  const builders: (() => unknown)[] = [
    () => c.encodeCommand(c.ver(trid, [t(), rng.pick(["CVR0", "MSNP8", t()])])),
    () => c.encodeCommand(c.cvr(trid, t())),
    () => c.encodeCommand(c.usrTwnInitial(trid, t())),
    () => c.encodeCommand(c.usrTwnSubsequent(trid, t())),
    () => c.encodeCommand(c.syn(trid, n())),
    () =>
      c.encodeCommand(
        c.chg(trid, rng.pick(STATUSES) as c.Status, {
          clientId: n(),
          msnObject: rng.chance(0.5) ? t() : undefined,
        }),
      ),
    () => c.encodeCommand(c.add(trid, "FL", t(), { friendlyName: t(), groupId: n() })),
    () => c.encodeCommand(c.rea(trid, t(), t())),
    () => c.encodeCommand(c.adg(trid, t())),
    () => c.encodeCommand(c.reg(trid, n(), t())),
    () => c.encodeCommand(c.prp(trid, "PHH", t())),
    () => c.encodeCommand(c.qry(trid, t(), t())),
    () => c.encodeCommand(c.url(trid, t(), t())),
    () => c.encodeCommand(c.sdc(trid, t(), { friendlyName: t(), body: t() })),
    () => c.encodeCommand(c.sbUsr(trid, t(), t())),
    () => c.encodeCommand(c.ans(trid, t(), t(), t())),
    () => c.encodeCommand(c.msg(trid, rng.pick(["U", "N", "A", "D", "X"]) as c.AckMode, utf8(t()))),
    () => c.encodeMime({ headers: [[t(), t()], ["Content-Type", t()]], body: utf8(t()) }),
    () =>
      c.formatImFormat({
        font: t(),
        effects: [rng.pick(["B", "I", "X"]) as c.ImEffect],
        color: t(),
      }),
    () => c.buildTextMessage(t(), rng.chance(0.5) ? { font: t() } : undefined),
    () => c.buildTypingMessage(t()),
    () => c.buildMsnObject({ creator: t(), size: n(), type: n(), location: t(), sha1d: t() }),
    () => c.makeClientId(n(), [rng.pick(["INK_GIF", "BOT", "toString"]) as c.ClientCapabilityName]),
    () => c.urlEncode(t()),
    () => c.encodeFriendlyName(t()),
  ];
  return typedEncode(rng.pick(builders));
}

// --- payloads: MIME, message views, IM format, MSNObject, challenge, small parsers --------------

function mimeOne(rng: Rng): number {
  const payload = mutateBytes(rng, rng.pick(PAYLOAD_SEEDS), PAYLOAD_SEEDS);
  let msg: c.MimeMessage;
  try {
    msg = c.parseMime(payload);
  } catch (error) {
    if (error instanceof PayloadError) return 1;
    throw error;
  }
  const view = c.interpretMessage(msg);
  if (view.kind === "profile" && view.profile.mspAuth !== undefined) {
    const secret = view.profile.mspAuth;
    // A mutation may have glued the MSPAuth line into another field (a lost line end): then the
    // text is that field's value as sent, not a leak.
    const elsewhere = msg.headers.some(([n, v]) =>
      n.toLowerCase() !== "mspauth" && v.includes(secret)
    );
    if (secret.length >= 24 && !elsewhere) {
      for (const text of [JSON.stringify(view), String(view), inspect(view, { depth: 6 })]) {
        check(
          !text.includes(secret),
          () => `MSPAuth ${JSON.stringify(secret)} shows in a printed profile view: ${text}`,
        );
      }
    }
  }
  let encoded: Uint8Array;
  try {
    encoded = c.encodeMime(msg);
  } catch (error) {
    if (error instanceof EncodeError) return 1;
    throw error;
  }
  const again = c.parseMime(encoded);
  check(
    JSON.stringify(again.headers) === JSON.stringify(msg.headers) &&
      String(again.body) === String(msg.body),
    () => "parseMime(encodeMime(m)) differs from m",
  );
  return 0;
}

function imFormatOne(rng: Rng): number {
  const value = mutateText(
    rng,
    rng.pick([
      "FN=Lucida%20Sans%20Unicode; EF=B; CO=ff0000; CS=0; PF=22",
      "fn=%E6%97%A5; ef=bis",
      "",
    ]),
  );
  const format = c.parseImFormat(value);
  let text: string;
  try {
    text = c.formatImFormat(format);
  } catch (error) {
    if (error instanceof EncodeError) return 1;
    throw error;
  }
  check(
    // Fields come back in wire order (FN EF CO CS PF, then unknown keys): compare them, not order.
    isDeepStrictEqual(c.parseImFormat(text), format),
    () => `format ${JSON.stringify(format)} does not survive ${JSON.stringify(text)}`,
  );
  return 0;
}

const ATTRIBUTE_REGEX = /([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function msnObjectOne(rng: Rng): number {
  if (rng.chance(0.3)) {
    const fields = {
      creator: randomText(rng, 6),
      size: rng.int(100000),
      type: rng.int(10),
      location: randomText(rng, 6),
      sha1d: randomText(rng, 6),
    };
    let xml: string;
    try {
      xml = c.buildMsnObject(fields);
    } catch (error) {
      if (error instanceof EncodeError) return 1;
      throw error;
    }
    const back = c.parseMsnObject(xml);
    check(
      back.creator === fields.creator && back.location === fields.location &&
        back.sha1d === fields.sha1d && c.isMsnObjectSha1cValid(back),
      () => `built MSNObject ${JSON.stringify(xml)} does not read back`,
    );
    return 0;
  }
  const text = mutateText(rng, rng.pick(MSNOBJ_SEEDS));
  let obj: c.MsnObject;
  try {
    obj = c.parseMsnObject(text);
  } catch (error) {
    if (error instanceof PayloadError) return 1;
    throw error;
  }
  c.isMsnObjectSha1cValid(obj);
  // The one-pass scanner finds what the old regex grammar found.
  const start = obj.xml.search(/<msnobj\b/i);
  const end = obj.xml.indexOf(">", start);
  const inner = obj.xml.slice(start + 7, end === -1 ? obj.xml.length : end);
  const expected = [...inner.matchAll(ATTRIBUTE_REGEX)].map((m) => m[1]);
  check(
    JSON.stringify(obj.attributes.map(([n]) => n)) === JSON.stringify(expected),
    () => `attributes of ${JSON.stringify(text)} differ from the reference grammar`,
  );
  return 0;
}

function smallParsersOne(rng: Rng): number {
  const text = mutateText(
    rng,
    rng.pick([
      "15570131571988941333",
      "268435492",
      "4294967295",
      "a%20b%ZZ%e6%97",
      "PROD0038W!61ZTF9",
    ]),
  );
  let typed = 0;
  try {
    const answer = c.challengeAnswer(text, rng.pick([c.MSMSGS_PRODUCT.key, randomText(rng, 4)]));
    check(/^[0-9a-f]{32}$/.test(answer), () => `challenge answer ${answer}`);
  } catch (error) {
    if (!(error instanceof PayloadError)) throw error;
    typed++;
  }
  try {
    const id = c.parseClientId(text);
    const d = c.describeClientId(id);
    check(c.msncVersion(id) === d.msnc, () => `client id ${id}`);
  } catch (error) {
    if (!(error instanceof PayloadError)) throw error;
    typed++;
  }
  check(
    c.urlDecode(text) === referenceUrlDecode(text),
    () => `urlDecode(${JSON.stringify(text)}) differs from the reference`,
  );
  try {
    check(
      c.urlDecode(c.urlEncode(text)) === text,
      () => `url round trip of ${JSON.stringify(text)}`,
    );
  } catch (error) {
    if (!(error instanceof EncodeError)) throw error;
    typed++;
  }
  return typed;
}

const MSNOBJ_COSTS: CostCase[] = [
  {
    name: "MSNObject with an unterminated attribute value",
    run: (hostile, size) => {
      c.parseMsnObject(
        hostile ? `<msnobj A="${"a".repeat(size)}` : `<msnobj A="${"a".repeat(size)}"/>`,
      );
    },
  },
  {
    name: "MSNObject with one long name and no value",
    run: (hostile, size) => {
      c.parseMsnObject(
        hostile ? `<msnobj ${"a".repeat(size)}` : `<msnobj A="${"a".repeat(size)}"/>`,
      );
    },
  },
];

const URL_COSTS: CostCase[] = [
  {
    name: "urlDecode of broken escapes",
    run: (hostile, size) => {
      c.urlDecode(hostile ? "%".repeat(size) : "%41".repeat(size / 3));
    },
  },
];

const lenientUtf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** urlDecode's contract, written the slow obvious way: each `%XX` run decoded, the rest kept. */
function referenceUrlDecode(text: string): string {
  let out = "";
  const bytes: number[] = [];
  const flush = () => {
    out += lenientUtf8.decode(new Uint8Array(bytes));
    bytes.length = 0;
  };
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "%" && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      flush();
      out += text[i];
    }
  }
  flush();
  return out;
}

function target(name: string, one: (rng: Rng) => number, costs?: CostCase[]): FuzzTarget {
  return { name, one, costs };
}

/** Every target of the campaign. Add yours here. */
export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  target("decoder", decoderOne, DECODER_COSTS),
  target("encodeCommand", encoderOne),
  target("builders", builderOne),
  target("mime+views", mimeOne),
  target("im-format", imFormatOne),
  target("msn-object", msnObjectOne, MSNOBJ_COSTS),
  target("challenge+ids+url", smallParsersOne, URL_COSTS),
  PASSPORT_TARGET,
  NS_TARGET,
  SB_TARGET,
  RECORDER_TARGET,
  TRANSCRIPT_TARGET,
];

export { FuzzViolation };
