/**
 * What the benchmark measures: builds every input from fixed seeds, checks
 * each measure once (untimed), and turns the kept rounds' timings into the
 * reported ratios with their targets. bench/main.ts runs it.
 *
 * @module
 */

import { type Measure, perRound, spread } from "./harness.ts";
import { ByteWriter, generateServerStream, Rng, writeTraffic } from "./fixtures.ts";
import { hostileCases } from "./hostile.ts";
import {
  chunked,
  decodeAll,
  feedSession,
  onlineSession,
  splitLines,
  syncingSession,
  synReply,
} from "./measures.ts";
import { encodeWork } from "./encode.ts";

/** One reported ratio, per kept round. */
export interface Ratio {
  /** Stable id. */
  id: string;
  /** What it compares. */
  label: string;
  /** One value per kept round. */
  values: number[];
  /** The goal, if any: `<=` or `>=` a value. */
  target?: { op: "<=" | ">="; value: number };
  /** A hostile-shape guard: a missed target is a FAIL, not just "missed". */
  guard?: boolean;
}

/** Sizes and round counts of one run. */
export interface BenchConfig {
  /** Kept rounds. */
  rounds: number;
  /** Warm-up rounds. */
  warmup: number;
  /** Bytes of the mixed stream for decoder vs splitter. */
  mixedBytes: number;
  /** Contacts in the mixed stream's SYN. */
  mixedContacts: number;
  /** Contacts in the SYN measured through the session. */
  synContacts: number;
  /** Bytes of the online flood. */
  floodBytes: number;
  /** Contacts of the signed-in session the flood is about. */
  floodContacts: number;
  /** Bytes of each hostile shape. */
  hostileBytes: number;
  /** Client commands built and encoded per pass. */
  encodeCommands: number;
  /** The hostile guard's bound (hostile/valid per byte). */
  bound: number;
  /** Groups to run. */
  only: Set<string>;
}

/** The configuration `--quick` or the full run start from. */
export function defaultConfig(quick: boolean): BenchConfig {
  return quick
    ? {
      rounds: 5,
      warmup: 1,
      mixedBytes: 4e6,
      mixedContacts: 2000,
      synContacts: 20_000,
      floodBytes: 2e6,
      floodContacts: 2000,
      hostileBytes: 256 * 1024,
      encodeCommands: 20_000,
      bound: 5,
      only: new Set(GROUPS),
    }
    : {
      rounds: 12,
      warmup: 3,
      mixedBytes: 24e6,
      mixedContacts: 20_000,
      synContacts: 100_000,
      floodBytes: 16e6,
      floodContacts: 20_000,
      hostileBytes: 1024 * 1024,
      encodeCommands: 100_000,
      bound: 5,
      only: new Set(GROUPS),
    };
}

const GROUPS = ["decode", "syn", "online", "hostile", "encode"];

/** The measures and how to turn their timings into ratios. */
export interface Plan {
  /** Timed measures. */
  measures: Measure<never>[];
  /** Bytes each measure handles (for MB/s). */
  bytes: Map<string, number>;
  /** Builds the ratios from the kept rounds' timings. */
  ratios(t: Map<string, number[]>): Ratio[];
  /** What the inputs are, for the report. */
  inputs: string[];
  /** What the untimed check pass saw. */
  checks: string[];
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** Builds the inputs, checks every measure once, and returns the plan. */
export function plan(config: BenchConfig): Plan {
  const measures: Measure<never>[] = [];
  const bytes = new Map<string, number>();
  const builders: ((t: Map<string, number[]>) => Ratio[])[] = [];
  const inputs: string[] = [];
  const checks: string[] = [];
  const add = <S>(m: Measure<S>, size: number) => {
    measures.push(m as unknown as Measure<never>);
    bytes.set(m.id, size);
  };
  const quotient = (t: Map<string, number[]>, a: string, b: string) =>
    perRound(t.get(a)!, t.get(b)!);

  if (config.only.has("decode")) {
    const stream = generateServerStream({
      targetBytes: config.mixedBytes,
      contacts: config.mixedContacts,
    });
    inputs.push(
      `mixed stream: ${mb(stream.bytes.length)}, ${stream.commands} commands ` +
        `(login, ${config.mixedContacts}-contact SYN, presence, MSG, CHL/QNG)`,
    );
    for (const size of [1460, 65536]) {
      const chunks = chunked(stream.bytes, size);
      const d = decodeAll(chunks);
      if (d.commands !== stream.commands || d.errors !== 0) {
        throw new Error(`Cannot decode the mixed stream at ${size}: ${JSON.stringify(d)}`);
      }
      add({ id: `split@${size}`, run: () => splitLines(chunks).lines }, stream.bytes.length);
      add({ id: `decoder@${size}`, run: () => decodeAll(chunks).commands }, stream.bytes.length);
    }
    builders.push((t) => [
      {
        id: "decoder-vs-splitter@1460",
        label: "decoder speed / bare splitter, 1460 B reads",
        values: quotient(t, "split@1460", "decoder@1460"),
        target: { op: ">=", value: 0.8 },
      },
      {
        id: "decoder-vs-splitter@65536",
        label: "decoder speed / bare splitter, 64 KiB reads",
        values: quotient(t, "split@65536", "decoder@65536"),
      },
    ]);
  }

  if (config.only.has("syn")) {
    const { synTrid } = syncingSession();
    const syn = synReply(config.synContacts, synTrid);
    const chunks = chunked(syn, 65536);
    inputs.push(`SYN: ${config.synContacts} contacts, ${mb(syn.length)}, 64 KiB reads`);
    const check = syncingSession().session;
    const tally = feedSession(check, chunks);
    if (tally.synced !== config.synContacts || check.phase !== "online") {
      throw new Error(`Cannot sync the benchmark session: ${JSON.stringify(tally)}`);
    }
    const heap: number[] = [];
    let round = 0;
    const keep = config.warmup;
    add({ id: "syn:decode", run: () => decodeAll(chunks).commands }, syn.length);
    add({
      id: "syn:session",
      setup: () => syncingSession().session,
      run: (s) => feedSession(s, chunks).synced,
      retained: (b) => {
        if (round++ >= keep) heap.push(b / config.synContacts);
      },
    }, syn.length);
    builders.push((t) => [
      {
        id: "syn-session-vs-decode",
        label: `${config.synContacts}-contact SYN: session / decode-only`,
        values: quotient(t, "syn:session", "syn:decode"),
        target: { op: "<=", value: 1.3 },
      },
      {
        id: "heap-per-contact",
        label: "heap per retained contact, bytes",
        values: heap,
        target: { op: "<=", value: 200 },
      },
    ]);
  }

  if (config.only.has("online")) {
    const probe = onlineSession(config.floodContacts);
    const out = new ByteWriter(config.floodBytes + 70_000);
    writeTraffic(out, new Rng(0x4f4e4c4e), {
      contacts: config.floodContacts,
      targetBytes: config.floodBytes,
      firstQryTrid: probe.nextTrid,
    });
    const flood = out.finish();
    const chunks = chunked(flood, 1460);
    const d = decodeAll(chunks);
    const tally = feedSession(probe.session, chunks);
    if (d.errors !== 0 || tally.warnings !== 0 || probe.session.phase !== "online") {
      throw new Error(`Cannot run the flood: ${JSON.stringify({ d, tally })}`);
    }
    inputs.push(
      `online flood: ${mb(flood.length)}, ${out.commands} commands about ` +
        `${config.floodContacts} contacts of a signed-in session, 1460 B reads`,
    );
    checks.push(
      `flood through the session: ${tally.outputs} outputs, ${tally.transmits} QRY answers`,
    );
    add({ id: "online:decode", run: () => decodeAll(chunks).commands }, flood.length);
    add({
      id: "online:session",
      setup: () => onlineSession(config.floodContacts).session,
      run: (s) => feedSession(s, chunks).outputs,
    }, flood.length);
    builders.push((t) => [{
      id: "online-session-vs-decode",
      label: "online flood: session / decode-only",
      values: quotient(t, "online:session", "online:decode"),
      target: { op: "<=", value: 2 },
    }]);
  }

  if (config.only.has("hostile")) {
    const contacts = 1000;
    const cases = hostileCases(config.hostileBytes, contacts);
    inputs.push(
      `hostile shapes: ~${mb(config.hostileBytes)} each, against valid traffic of the same ` +
        `size in the same reads, per byte; sessions signed in with ${contacts} contacts`,
    );
    for (const c of cases) {
      const hostile = chunked(c.hostile, c.readSize);
      const valid = chunked(c.valid, c.readSize);
      const dh = decodeAll(hostile);
      const dv = decodeAll(valid);
      const sh = onlineSession(contacts).session;
      const th = feedSession(sh, hostile);
      checks.push(
        `${c.id}: decoder ${dh.commands} commands + ${dh.errors} errors ` +
          `(valid: ${dv.commands} + ${dv.errors}); session ${th.warnings} warnings, ` +
          `then ${sh.phase}`,
      );
      const ids = ["decoder:hostile", "decoder:valid", "session:hostile", "session:valid"]
        .map((s) => `${c.id}:${s}`);
      add({ id: ids[0], run: () => decodeAll(hostile).commands }, c.hostile.length);
      add({ id: ids[1], run: () => decodeAll(valid).commands }, c.valid.length);
      add({
        id: ids[2],
        setup: () => onlineSession(contacts).session,
        run: (s) => feedSession(s, hostile).outputs,
      }, c.hostile.length);
      add({
        id: ids[3],
        setup: () => onlineSession(contacts).session,
        run: (s) => feedSession(s, valid).outputs,
      }, c.valid.length);
      // Per byte: the two streams are only about the same size.
      const scale = c.valid.length / c.hostile.length;
      builders.push((t) =>
        (["decoder", "session"] as const).map((layer, i) => ({
          id: `${c.id}:${layer}`,
          label: `${c.label}: ${layer}, hostile / valid per byte`,
          values: quotient(t, ids[2 * i], ids[2 * i + 1]).map((r) => r * scale),
          target: { op: "<=", value: config.bound },
          guard: true,
        }))
      );
    }
  }

  if (config.only.has("encode")) {
    const work = encodeWork(config.encodeCommands);
    if (work.build() !== work.bytes || work.baseline() !== work.bytes) {
      throw new Error("Cannot benchmark encoding: the two sides differ");
    }
    inputs.push(
      `encode: ${work.commands} client commands (MSG, CHG with MSNObject, QRY, CAL, PNG, ` +
        `USR), ${mb(work.bytes)}`,
    );
    add({ id: "encode:TextEncoder", run: () => work.baseline() }, work.bytes);
    add({ id: "encode:codec", run: () => work.build() }, work.bytes);
    builders.push((t) => [{
      id: "encode-vs-textencoder",
      label: "builders + encodeCommand / TextEncoder.encode of the same text",
      values: quotient(t, "encode:codec", "encode:TextEncoder"),
    }]);
  }

  return {
    measures,
    bytes,
    inputs,
    checks,
    ratios: (t) => builders.flatMap((b) => b(t)),
  };
}

/** `met`, `missed` or (for a guard) `FAIL`, from the median. */
export function verdict(r: Ratio): string {
  if (r.target === undefined) return "";
  const m = spread(r.values).median;
  const ok = r.target.op === "<=" ? m <= r.target.value : m >= r.target.value;
  return ok ? "ok" : r.guard ? "FAIL" : "missed";
}

/** Formats a ratio or byte figure for the table. */
export function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(2);
}
