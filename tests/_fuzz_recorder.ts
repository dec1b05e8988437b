// The recorder's fuzz targets. StreamRedactor (and RecordingTransport over a fake transport) gets
// random mixes of real commands with a fresh secret in every secret position of the codec's
// command table and MSG profiles with MSPAuth/MSPProf in any header case and line end, mutated.
// The oracle is the session's own reading: whatever the codec's Decoder (with the session's
// limits) decodes from the stream, secretArgIndexes and parseMime's secret headers name the
// secrets; each one that occurs once in the input (so only where the session reads it) must be
// gone from the output, at any chunking. The output must not depend on the chunking, the work
// counter must stay linear in the input, and nothing may throw. The transcript target feeds
// mutated JSON lines to parseTranscript and stepBytes: only TranscriptError may come out.

import { DecodeError, Decoder, type Direction, parseMime, PayloadError } from "../codec/mod.ts";
import { SECRET_PAYLOAD_HEADERS, secretArgIndexes } from "../codec/command.ts";
import { redactBytes, REDACTED, StreamRedactor } from "../io_adapters/_redact.ts";
import { RecordingTransport } from "../io_adapters/recording_transport.ts";
import type { Connection, Transport } from "../io_adapters/transport.ts";
import {
  parseTranscript,
  stepBytes,
  stringifyTranscript,
  TranscriptError,
  type TranscriptStep,
} from "../io_adapters/_transcript.ts";
import { SEED_PROFILE } from "./fixtures/seed_msnp8.ts";
import {
  check,
  type CostCase,
  type FuzzTarget,
  mutateBytes,
  mutateText,
  randomText,
  Rng,
  utf8,
} from "./_fuzz.ts";
import { canon, secretToken } from "./_fuzz_script.ts";
import { readFileSync } from "node:fs";
import { concat } from "./_helpers.ts";

const SPACES = () => " ";

/** A command line or MSG with a fresh secret where the codec's table puts one. */
function secretUnit(rng: Rng, from: Direction, secret: string): string {
  const t = 1 + rng.int(30);
  const sp = rng.chance(0.1) ? () => "  " : SPACES;
  const end = rng.pick(["\r\n", "\r\n", "\n"]);
  if (from === "client") {
    return rng.pick([
      () => `USR${sp()}${t}${sp()}TWN${sp()}S${sp()}${secret}${end}`,
      () => `USR ${t} MD5 S ${secret}${end}`,
      () => `USR ${t} me@example.com ${secret}${end}`,
      () => `ANS ${t} me@example.com ${secret} 17342299${end}`,
      () => `XFR ${t} SB 10.0.0.9:1864 CKI ${secret}${end}`,
      () => profileMsg(rng, `MSG ${t} N`, secret),
    ])();
  }
  return rng.pick([
    () => `XFR${sp()}${t}${sp()}SB 10.0.0.9:1864${sp()}CKI${sp()}${secret}${end}`,
    () => `RNG 11752013 10.0.0.9:1864 CKI ${secret} bob@example.com Bob${end}`,
    () => `USR ${t} TWN S ${secret}${end}`,
    () => profileMsg(rng, "MSG Hotmail Hotmail", secret),
    () => profileMsg(rng, "MSG bob@example.com Bob", secret),
  ])();
}

function profileMsg(rng: Rng, head: string, secret: string): string {
  const name = rng.pick(["MSPAuth", "mspauth", "MSPAUTH", "MSPProf", "mspPROF"]);
  let body = SEED_PROFILE.replace(
    /MSPAuth: [^\r]*/,
    `${name}:${rng.pick([" ", "", "  "])}${secret}`,
  );
  if (rng.chance(0.4)) body = body.replaceAll("\r\n", "\n");
  return `${head} ${utf8(body).length}\r\n${body}`;
}

const TRANSCRIPT_NAMES = [
  "msnp8_seed.jsonl",
  "msnp8_direct_full_sync.jsonl",
  "msnp9_echo_redirect.jsonl",
  "msnp9_presence.jsonl",
  "msnp9_sb_incoming.jsonl",
  "msnp9_sb_outgoing.jsonl",
];

/** Real lines of each direction from the transcripts (their secrets are already redacted). */
function realUnits(): Record<Direction, Uint8Array[]> {
  const out: Record<Direction, Uint8Array[]> = { client: [], server: [] };
  for (const name of TRANSCRIPT_NAMES) {
    let text = "";
    try {
      text = readFileSync(new URL(`./transcripts/${name}`, import.meta.url), "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      const step = JSON.parse(line) as { send?: string; recv?: string };
      if (typeof step.send === "string") out.client.push(utf8(step.send));
      if (typeof step.recv === "string") out.server.push(utf8(step.recv));
    }
  }
  return out;
}

const REAL = realUnits();

function latin1(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    out += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return out;
}

/** The secrets the session would read from `data` (sent by `from`), as the codec decodes it. */
function secretsTheSessionReads(data: Uint8Array, from: Direction): string[] {
  const decoder = new Decoder({ from });
  decoder.push(data);
  decoder.end();
  const out: string[] = [];
  for (let item = decoder.next(); item !== undefined; item = decoder.next()) {
    if (item instanceof DecodeError) {
      if (item.fatal) break;
      continue;
    }
    for (const i of secretArgIndexes(item.name, from, item.args)) out.push(item.args[i]);
    if (item.name === "MSG" && item.payload !== undefined) {
      try {
        for (const [name, value] of parseMime(item.payload).headers) {
          if (SECRET_PAYLOAD_HEADERS.includes(name.trim().toLowerCase())) out.push(value.trim());
        }
      } catch (error) {
        if (!(error instanceof PayloadError)) throw error;
      }
    }
  }
  return out;
}

function occurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) n++;
  return n;
}

function redactAt(data: Uint8Array, from: Direction, sizes: readonly number[]) {
  const redactor = new StreamRedactor(from);
  const out: Uint8Array[] = [];
  let k = 0;
  for (let at = 0; at < data.length; k++) {
    const n = sizes[k % sizes.length];
    const chunk = data.slice(at, at + n);
    out.push(...redactor.push(chunk));
    chunk.fill(0x58); // the redactor must not keep the caller's chunk
    at += n;
  }
  out.push(...redactor.flush());
  return { bytes: concat(out), work: redactor.work };
}

function recorderInput(rng: Rng): { data: Uint8Array; from: Direction } {
  const from: Direction = rng.chance(0.5) ? "server" : "client";
  const parts: Uint8Array[] = [];
  for (let n = 1 + rng.int(8); n > 0; n--) {
    parts.push(
      rng.chance(0.5)
        ? utf8(secretUnit(rng, from, secretToken(rng, rng.pick(["Sk", "S3c", "x"]))))
        : rng.pick(REAL[from]),
    );
  }
  let data = concat(parts);
  if (rng.chance(0.6)) data = mutateBytes(rng, data, REAL[from]);
  return { data, from };
}

function recorderOne(rng: Rng): number | Promise<number> {
  const { data, from } = recorderInput(rng);
  const whole = redactAt(data, from, [Math.max(1, data.length)]);
  const sizes = Array.from(
    { length: 1 + rng.int(5) },
    () => 1 + rng.int(rng.chance(0.5) ? 7 : 400),
  );
  const runs = [{ name: `chunks ${sizes}`, ...redactAt(data, from, sizes) }];
  if (data.length <= 4096) runs.push({ name: "one byte at a time", ...redactAt(data, from, [1]) });
  const wholeText = latin1(whole.bytes);
  for (const run of [{ name: "whole", ...whole }, ...runs]) {
    check(
      latin1(run.bytes) === wholeText,
      () => `${run.name}: output differs from the whole push`,
    );
    check(
      run.work <= 8 * data.length + 4096,
      () => `${run.name}: work ${run.work} for ${data.length} bytes`,
    );
  }
  check(latin1(redactBytes(data, from)) === wholeText, () => "redactBytes differs from push");
  const input = latin1(data);
  for (const secret of secretsTheSessionReads(data, from)) {
    const s = latin1(utf8(secret));
    // A value already holding the placeholder (a recorded line, mutated) is no secret.
    if (s.length < 4 || s.includes(REDACTED) || REDACTED.includes(s)) continue;
    if (occurrences(input, s) !== 1) continue;
    check(
      !wholeText.includes(s),
      () => `the session reads secret ${JSON.stringify(secret)}, the recording keeps it`,
    );
  }
  if (rng.chance(0.2)) return recordThroughTransport(rng, data, from, wholeText);
  return 0;
}

/** A transport whose one connection delivers `chunks` and records nothing itself. */
function fakeTransport(chunks: Uint8Array[]): Transport {
  return {
    connect: (host, port) => {
      const connection: Connection = {
        remote: { host, port },
        readable: {
          async *[Symbol.asyncIterator]() {
            for (const c of chunks) yield c;
          },
        },
        write: () => Promise.resolve(),
        close: () => {},
      };
      return Promise.resolve(connection);
    },
  };
}

/**
 * The same bytes through RecordingTransport, read (server) or written (client) in random pieces:
 * what it records must be what StreamRedactor made of them (`expected`).
 */
async function recordThroughTransport(
  rng: Rng,
  data: Uint8Array,
  from: Direction,
  expected: string,
): Promise<number> {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < data.length;) {
    const n = 1 + rng.int(rng.chance(0.5) ? 5 : 300);
    chunks.push(data.slice(at, at + n));
    at += n;
  }
  const recorder = new RecordingTransport(fakeTransport(from === "server" ? chunks : []));
  const connection = await recorder.connect("127.0.0.1", 1863, { kind: "ns" });
  if (from === "server") {
    for await (const _ of connection.readable) { /* read to the end */ }
  } else {
    for (const c of chunks) await connection.write(c);
    connection.close();
  }
  const key = from === "server" ? "recv" : "send";
  const recorded = recorder.steps.flatMap((s) => {
    if (!(key in s || `${key}Base64` in s)) return [];
    return [stepBytes(s)!];
  });
  check(
    latin1(concat(recorded)) === expected,
    () => "RecordingTransport recorded other bytes than StreamRedactor produced",
  );
  // Whatever it recorded parses back as a transcript.
  parseTranscript(stringifyTranscript(recorder.steps));
  return 0;
}

// --- transcript parsing ------------------------------------------------------------------------

const TRANSCRIPT_TEXTS = TRANSCRIPT_NAMES.flatMap((name) => {
  try {
    return [readFileSync(new URL(`./transcripts/${name}`, import.meta.url), "utf8")];
  } catch {
    return [];
  }
});

const HOSTILE_LINES = [
  '{"__proto__":{"send":"x"}}',
  '{"constructor":{"prototype":1}}',
  '{"send":"x","conn":"toString"}',
  '{"send":"x","conn":"__proto__"}',
  '{"recvBase64":"!!!not base64"}',
  '{"sendBase64":"QUJD="}',
  '{"recvBase64":"QQ"}',
  '{"time":1e400}',
  '{"time":-0}',
  '{"close":"server","conn":""}',
  '{"connect":"h:1","kind":"xx"}',
  '{"header":{"version":2,"session":[]}}',
  '{"header":{"version":"2"}}',
  '{"event":[]}',
  '{"call":{"method":5}}',
  '{"passport":null}',
  "[".repeat(5000),
  '"just a string"',
  "null",
  "{}",
  '{"send":"\\ud800"}',
  '{"comment":"a","send":"b"}',
];

function transcriptOne(rng: Rng): number {
  let text: string;
  if (rng.chance(0.7)) {
    const lines = rng.pick(TRANSCRIPT_TEXTS).split("\n");
    for (let m = 1 + rng.int(4); m > 0; m--) {
      const at = rng.int(lines.length);
      switch (rng.int(5)) {
        case 0:
          lines[at] = mutateText(rng, lines[at]);
          break;
        case 1:
          lines.splice(at, 0, rng.pick(HOSTILE_LINES));
          break;
        case 2:
          lines.splice(at, 1);
          break;
        case 3:
          lines[at] = lines[at].slice(0, rng.int(lines[at].length + 1)) + randomText(rng, 4);
          break;
        default:
          lines.splice(at, 0, lines[rng.int(lines.length)]);
      }
    }
    text = lines.join(rng.pick(["\n", "\n", "\r\n"]));
  } else {
    const bytes = mutateBytes(rng, utf8(rng.pick(TRANSCRIPT_TEXTS)), TRANSCRIPT_TEXTS.map(utf8));
    text = new TextDecoder().decode(bytes);
  }
  let steps: TranscriptStep[];
  try {
    steps = parseTranscript(text);
    for (const step of steps) stepBytes(step);
  } catch (error) {
    if (error instanceof TranscriptError) {
      check(
        Number.isInteger(error.line) && error.line >= 1,
        () => `TranscriptError line ${error.line}`,
      );
      return 1;
    }
    throw error;
  }
  // What parsed writes back and parses again to the same steps.
  const again = parseTranscript(stringifyTranscript(steps));
  check(canon(again) === canon(steps), () => "parse(stringify(steps)) differs from steps");
  return 0;
}

function redactSized(piece: Uint8Array, size: number, chunk: number, from: Direction): void {
  const redactor = new StreamRedactor(from);
  for (let sent = 0; sent < size; sent += piece.length) {
    for (let at = 0; at < piece.length; at += chunk) redactor.push(piece.subarray(at, at + chunk));
  }
  redactor.flush();
}

const RECORDER_LINE = utf8("LST bob@example.com Bob 11 0\r\n");

const RECORDER_COSTS: CostCase[] = [
  {
    name: "1 MiB without a line end in 16-byte chunks",
    run: (hostile, size) =>
      redactSized(hostile ? utf8("LST " + "a".repeat(size)) : RECORDER_LINE, size, 16, "server"),
  },
  {
    name: "secret commands and profiles in 7-byte chunks",
    run: (hostile, size) =>
      redactSized(
        hostile
          ? utf8(
            "XFR 9 SB 10.0.0.9:1864 CKI 17262740.1050826919.32308\r\n" +
              profileMsg(new Rng(1), "MSG Hotmail Hotmail", "t=secretticket"),
          )
          : RECORDER_LINE,
        size,
        7,
        "server",
      ),
  },
];

/** The recorder target: StreamRedactor and RecordingTransport. */
export const RECORDER_TARGET: FuzzTarget = {
  name: "recorder",
  one: recorderOne,
  weight: 0.3,
  costs: RECORDER_COSTS,
};
/** The transcript-reading target. */
export const TRANSCRIPT_TARGET: FuzzTarget = {
  name: "transcript",
  one: transcriptOne,
  weight: 0.3,
};
