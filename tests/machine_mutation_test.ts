// Property: real server traffic (the transcripts and the msnp8 seed),
// mutated (bit flips, hostile bytes, truncation, duplicated lines) and fed in
// random chunks. Whatever arrives, only SessionError/UsageError ever leave
// the session, the outputs are the same at any chunking, and signing out
// always ends it (no hang, no timer left).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import {
  NotificationSession,
  SessionError,
  type SessionOptions,
  type SessionOutput,
  UsageError,
} from "../machine/mod.ts";
import { parseTranscript } from "../testing/mod.ts";
import { SEED_DISPATCH, SEED_NOTIFICATION } from "./fixtures/seed_msnp8.ts";
import { loginTo, sessionOptions } from "./_machine_helpers.ts";

/** Server bytes of one stretch of a conversation, and what the driver does before it. */
interface Segment {
  before: "connected" | "ticket" | "none";
  bytes: Uint8Array;
}

const enc = new TextEncoder();
const TICKET = "t=ticket&p=profile";

function segmentsOfTranscript(name: string): Segment[] {
  const text = readFileSync(new URL(`./transcripts/${name}`, import.meta.url), "utf8");
  const segments: Segment[] = [];
  let current: { before: Segment["before"]; text: string } = { before: "none", text: "" };
  const cut = (before: Segment["before"]) => {
    segments.push({ before: current.before, bytes: enc.encode(current.text) });
    current = { before, text: "" };
  };
  for (const step of parseTranscript(text)) {
    if ("connect" in step) cut("connected");
    else if ("passport" in step) cut("ticket");
    else if ("recv" in step) current.text += step.recv;
  }
  cut("none");
  return segments.filter((s) => s.bytes.length > 0 || s.before !== "none");
}

function segmentsOfSeed(): Segment[] {
  const server = (lines: { from: string; text: string }[]) =>
    lines.filter((l) => l.from === "server").map((l) => l.text);
  const notification = server(SEED_NOTIFICATION);
  const challenge = notification.findIndex((l) => l.startsWith("USR") && l.includes("TWN S"));
  return [
    { before: "connected", bytes: enc.encode(server(SEED_DISPATCH).join("")) },
    { before: "connected", bytes: enc.encode(notification.slice(0, challenge + 1).join("")) },
    { before: "ticket", bytes: enc.encode(notification.slice(challenge + 1).join("")) },
  ];
}

/** Online traffic of every kind after the standard login, with a contact list. */
function segmentsOfOnline(): Segment[] {
  const steps = loginTo("syncing");
  const login = steps.flatMap((s) => ("recv" in s ? [s.recv] : []));
  const ticketAt = steps.findIndex((s) => "passport" in s);
  const before = steps.slice(0, ticketAt).flatMap((s) => ("recv" in s ? [s.recv] : []));
  const after = login.slice(before.length);
  const mail = "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinitialemailnotification; " +
    "charset=UTF-8\r\n\r\nInbox-Unread: 2\r\nFolders-Unread: 0\r\n\r\n";
  const online = [
    "SYN 5 7 2 1\r\nGTC A\r\nBLP AL\r\nLSG 0 Friends 0\r\n",
    "LST bob@example.com Bob%20B 11 0\r\nBPR PHH 555\r\nLST carol@example.com Carol 3 0\r\n",
    "CHG 6 NLN 0\r\nILN 6 NLN bob@example.com Bob 268435456\r\n",
    "CHL 0 15570131571988941333\r\nQRY 7\r\nQNG 50\r\n",
    "NLN AWY carol@example.com Carol 0\r\nFLN bob@example.com\r\n",
    "ADD 0 RL 8 dave@example.com Dave\r\nREM 0 RL 9 dave@example.com\r\n",
    "BPR 10 bob@example.com PHW 1\r\nREA 0 11 carol@example.com C\r\n",
    "RNG 123 10.0.0.1:1863 CKI 1.2.3 bob@example.com Bob\r\n",
    `MSG Hotmail Hotmail ${enc.encode(mail).length}\r\n${mail}`,
  ];
  return [
    { before: "connected", bytes: enc.encode(before.join("")) },
    { before: "ticket", bytes: enc.encode([...after, ...online].join("")) },
  ];
}

// The msnp-wiki seed keeps counting TrIDs after its redirect and has a cached list.
const SEED_OPTIONS: Partial<SessionOptions> = {
  restartTridsOnRedirect: false,
  contactListCache: { version: 14, contacts: [], groups: [], phones: {} },
};

const SEEDS: { segments: Segment[]; options: Partial<SessionOptions> }[] = [
  { segments: segmentsOfOnline(), options: {} },
  ...readdirSync(new URL("./transcripts/", import.meta.url))
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .map((f) => ({
      segments: segmentsOfTranscript(f),
      options: f === "msnp8_seed.jsonl" ? SEED_OPTIONS : {},
    })),
  { segments: segmentsOfSeed(), options: SEED_OPTIONS },
];

/** A uniform fraction in [0, 1): fast-check's own doubles lean to the edges. */
const fraction = fc.noBias(fc.integer({ min: 0, max: 999_999 })).map((n) => n / 1_000_000);

const HOSTILE = [0, 1, 9, 10, 13, 32, 37, 127, 0xc0, 0xaf, 0xff];

/** One mutation of a segment's bytes, by position relative to its length. */
const mutation = fc.oneof(
  fc.record({
    kind: fc.constant("flip"),
    at: fraction,
    bit: fc.nat(7),
  }),
  fc.record({
    kind: fc.constant("set"),
    at: fraction,
    byte: fc.constantFrom(...HOSTILE),
  }),
  fc.record({
    kind: fc.constant("insert"),
    at: fraction,
    text: fc.constantFrom(
      "\r\n",
      "\n",
      "\r",
      " ",
      "99999999999",
      "-1",
      "%",
      "\x00",
      "LST a b 1\r\n",
    ),
  }),
  fc.record({ kind: fc.constant("truncate"), at: fraction }),
  fc.record({
    kind: fc.constant("repeat"),
    at: fraction,
    len: fc.integer({ min: 1, max: 80 }),
  }),
);

/** Where a mutation lands: a line (by fraction of the line count), then a byte within it. */
function position(data: Uint8Array, line: number, within: number): number {
  const starts = [0];
  for (let i = 0; i < data.length - 1; i++) if (data[i] === 10) starts.push(i + 1);
  const l = Math.min(starts.length - 1, Math.floor(line * starts.length));
  const end = l + 1 < starts.length ? starts[l + 1] : data.length;
  return starts[l] + Math.floor(within * (end - starts[l]));
}

function mutate(
  data: Uint8Array,
  line: number,
  m: { kind: string; at: number; bit?: number; byte?: number; text?: string; len?: number },
): Uint8Array {
  // Line by line, so that short lines (a CHL, a USR) are hit as often as long payloads.
  const at = m.kind === "truncate"
    ? Math.floor((m.at as number) * data.length)
    : position(data, line, m.at as number);
  const out = [...data];
  switch (m.kind) {
    case "flip":
      if (at < out.length) out[at] ^= 1 << (m.bit as number);
      break;
    case "set":
      if (at < out.length) out[at] = m.byte as number;
      break;
    case "insert":
      out.splice(at, 0, ...enc.encode(m.text as string));
      break;
    case "truncate":
      out.length = at;
      break;
    case "repeat":
      out.splice(at, 0, ...out.slice(at, at + (m.len as number)));
      break;
  }
  return Uint8Array.from(out);
}

/** Splits `data` at the given fractions. */
function chunk(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * data.length)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, data.length]) {
    if (p > from) chunks.push(data.subarray(from, p));
    from = Math.max(from, p);
  }
  return chunks;
}

/** A comparable record of an output (errors by name, code and message; bytes as text). */
function record(o: SessionOutput): string {
  return JSON.stringify(o, (_, v) => {
    if (v instanceof Error) {
      return { name: v.name, code: (v as { code?: unknown }).code, message: v.message };
    }
    if (v instanceof Uint8Array) return new TextDecoder("latin1").decode(v);
    return v;
  });
}

function typed(e: unknown): void {
  if (e instanceof SessionError || e instanceof UsageError) return;
  throw new assert.AssertionError({ message: `untyped throw: ${e}`, actual: e });
}

/** Runs the mutated segments through a session chunked by `cuts`; returns its outputs. */
function run(
  options: Partial<SessionOptions>,
  segments: Uint8Array[],
  befores: Segment["before"][],
  cuts: number[],
): string[] {
  const session = new NotificationSession(
    sessionOptions({ protocols: ["MSNP9", "MSNP8"], ...options }),
  );
  const outputs: string[] = [];
  const drain = () => {
    for (let o = session.poll(); o !== undefined; o = session.poll()) outputs.push(record(o));
  };
  let now = 0;
  session.start(now);
  drain();
  segments.forEach((data, i) => {
    try {
      if (befores[i] === "connected") session.handleConnected(++now);
      if (befores[i] === "ticket") session.handlePassportTicket(TICKET, ++now);
    } catch (e) {
      typed(e);
    }
    drain();
    for (const piece of chunk(data, cuts)) {
      try {
        session.handleData(piece, now);
      } catch (e) {
        typed(e);
        throw new assert.AssertionError({ message: `handleData threw ${e}` });
      }
    }
    drain();
  });
  try {
    session.signOut(++now);
  } catch (e) {
    typed(e);
  }
  session.handleClosed(++now);
  drain();
  assert.ok(session.phase === "closed" || session.phase === "failed", session.phase);
  assert.equal(session.pollTimeout(), undefined);
  assert.equal(outputs.filter((o) => o.includes('"type":"signedOut"')).length, 1);
  return outputs;
}

test("every unmutated seed signs in and syncs, so the mutations start from deep states", () => {
  for (const { segments, options } of SEEDS) {
    const outputs = run(options, segments.map((s) => s.bytes), segments.map((s) => s.before), []);
    assert.ok(outputs.some((o) => o.includes('"type":"contactsSynced"')), outputs.join("\n"));
  }
});

test("mutated real traffic in random chunks: only typed errors, the same outputs at any chunking, always ends", () => {
  fc.assert(
    fc.property(
      // Half the runs mutate the online seed: it holds every kind of online line.
      fc.oneof({ arbitrary: fc.constant(0), weight: SEEDS.length - 1 }, fc.nat(SEEDS.length - 1)),
      fc.array(
        fc.tuple(fc.nat(7), fraction, mutation),
        { minLength: 1, maxLength: 6 },
      ),
      fc.array(fraction, { maxLength: 12 }),
      (seedIndex, mutations, cuts) => {
        const { segments: seed, options } = SEEDS[seedIndex];
        const segments = seed.map((s) => s.bytes);
        for (const [which, line, m] of mutations) {
          const i = which % segments.length;
          segments[i] = mutate(segments[i], line, m);
        }
        const befores = seed.map((s) => s.before);
        const whole = run(options, segments, befores, []);
        assert.deepEqual(run(options, segments, befores, cuts), whole);
      },
    ),
    { numRuns: 800, seed: 20261202 },
  );
});
