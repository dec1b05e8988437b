// The fuzz campaign's engine: a seeded random source, mutators for real traffic and random text,
// the checks every target shares (typed errors only, no secret in any rendering of an error, a
// per-input time budget, cost within a factor of a valid input of the same size) and the runner.
// The targets live in tests/_fuzz_targets.ts; tests/fuzz_*_test.ts runs a short campaign and
// tools/fuzz.ts the long one. Works unchanged on Deno, Node and Bun.

import { inspect } from "node:util";
import { concat } from "./_helpers.ts";

/** A deterministic xorshift32 random source: the same seed gives the same campaign. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = (seed >>> 0) || 0x9e3779b9;
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 1 ? 0 : this.next() % n;
  }

  /** `true` with probability `p`. */
  chance(p: number): boolean {
    return this.next() / 4294967296 < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** Mixes a campaign seed, a target and an input index into one input's seed (reproducible). */
export function inputSeed(seed: number, target: number, index: number): number {
  let h = Math.imul(seed ^ 0x85ebca6b, 0xc2b2ae35) ^ Math.imul(target + 1, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15), 0x165667b1) ^ index;
  h = Math.imul(h ^ (h >>> 13), 0x9e3779b1);
  return (h ^ (h >>> 16)) >>> 0;
}

const encoder = new TextEncoder();

/** Text to UTF-8 bytes. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

// Bytes and snippets the campaign found worth trying: controls, invalid and overlong UTF-8, line
// ends of every kind, payload commands with lying lengths, an over-long line.
const SPECIAL_BYTES = [0x00, 0xff, 0x0d, 0x0a, 0x20, 0x80, 0xc0, 0x25, 0x3a, 0x7f, 0xfe];
const INSERTS: Uint8Array[] = [
  utf8("\r"),
  utf8("\0"),
  new Uint8Array([0xff]),
  new Uint8Array([0xc0, 0xaf]),
  new Uint8Array([0xe0, 0x80, 0xaf]),
  new Uint8Array([0xed, 0xa0, 0x80]),
  new Uint8Array([0xf4, 0x90, 0x80, 0x80]),
  new Uint8Array([0xef, 0xbf, 0xbd]),
  utf8("\uFEFF"),
  utf8("\r\n"),
  utf8("\n\n"),
  utf8("  "),
  utf8("%"),
  utf8("%zz%C3"),
  utf8("MSG Hotmail Hotmail 99999999999\r\n"),
  utf8("MSG Hotmail Hotmail 1e3\r\n"),
  utf8("MSG Hotmail Hotmail -5\r\n"),
  utf8("MSG Hotmail Hotmail 70000\r\n"),
  utf8("MSG Hotmail Hotmail 4\r\n"),
  utf8("CHL 0 12345\u0001678\r\n"),
  utf8("QNG\r\n"),
  utf8("qng 5\r\n"),
  utf8("911 3\r\n"),
  utf8("A".repeat(9000)),
];
const NUMBER_SWAPS = ["99999999999", "4294967296", "-1", "1e3", "0x10", "", "\u0664", "007", "0"];

/** Applies 0-4 random mutations to a byte string: the shapes a hostile or broken peer sends. */
export function mutateBytes(
  rng: Rng,
  input: Uint8Array,
  others: readonly Uint8Array[],
): Uint8Array {
  let data = input;
  const count = rng.int(5);
  for (let m = 0; m < count; m++) {
    const at = rng.int(data.length + 1);
    switch (rng.int(10)) {
      case 0: { // bit flip
        if (data.length === 0) break;
        data = data.slice();
        data[rng.int(data.length)] ^= 1 << rng.int(8);
        break;
      }
      case 1: { // special byte
        if (data.length === 0) break;
        data = data.slice();
        data[rng.int(data.length)] = rng.pick(SPECIAL_BYTES);
        break;
      }
      case 2: // truncation
        data = data.subarray(0, at);
        break;
      case 3: // insertion
        data = concat([data.subarray(0, at), rng.pick(INSERTS), data.subarray(at)]);
        break;
      case 4: { // deletion of a range
        const end = Math.min(data.length, at + 1 + rng.int(40));
        data = concat([data.subarray(0, at), data.subarray(end)]);
        break;
      }
      case 5: // duplicated line
      case 6: { // removed line
        const start = data.lastIndexOf(10, at - 1) + 1;
        const lf = data.indexOf(10, at);
        const end = lf === -1 ? data.length : lf + 1;
        const line = data.subarray(start, end);
        data = rng.int(2) === 0
          ? concat([data.subarray(0, end), line, data.subarray(end)])
          : concat([data.subarray(0, start), data.subarray(end)]);
        break;
      }
      case 7: { // a number (a length, a TrID) replaced by a huge or non-numeric one
        let d = at;
        while (d < data.length && (data[d] < 0x30 || data[d] > 0x39)) d++;
        if (d >= data.length) break;
        let e = d;
        while (e < data.length && data[e] >= 0x30 && data[e] <= 0x39) e++;
        data = concat([data.subarray(0, d), utf8(rng.pick(NUMBER_SWAPS)), data.subarray(e)]);
        break;
      }
      case 8: { // splice with another seed
        const other = rng.pick(others);
        const from = rng.int(other.length + 1);
        data = concat([data.subarray(0, at), other.subarray(from, from + rng.int(200))]);
        break;
      }
      default: { // a repeated run
        const piece = data.subarray(at, at + 1 + rng.int(16));
        const parts = [data.subarray(0, at)];
        for (let r = rng.int(64); r >= 0; r--) parts.push(piece);
        parts.push(data.subarray(at));
        data = concat(parts);
      }
    }
  }
  return data;
}

const TEXT_UNITS = [
  "a",
  "Z",
  "0",
  "9",
  " ",
  "%",
  "%2",
  "%20",
  "+",
  "=",
  ",",
  "'",
  '"',
  ":",
  ";",
  "<",
  ">",
  "&",
  "é",
  "日",
  "🎉",
  "\uD83D",
  "\uDE00",
  "\uDBFF\uDBFF",
  "\r",
  "\n",
  "\0",
  "\t",
  "\u0001",
  "\u007f",
  "\u00a0",
  "\uFEFF",
  "\uFFFD",
  "CVR0",
  "MSNP8",
  "@",
  ".",
  "/",
  "\\",
  "&amp;",
  "&#x41;",
];

/** A random string with controls, lone surrogates, pairs, escapes and protocol words. */
export function randomText(rng: Rng, maxUnits = 12): string {
  let out = "";
  for (let n = rng.int(maxUnits + 1); n > 0; n--) out += rng.pick(TEXT_UNITS);
  return out;
}

/** Mutates a string: random units inserted, replaced or removed (a few at a time). */
export function mutateText(rng: Rng, text: string): string {
  let out = text;
  for (let m = rng.int(4); m > 0; m--) {
    const at = rng.int(out.length + 1);
    const op = rng.int(3);
    if (op === 0) out = out.slice(0, at) + randomText(rng, 3) + out.slice(at);
    else if (op === 1) out = out.slice(0, at) + out.slice(at + 1 + rng.int(8));
    else out = out.slice(0, at) + rng.pick(TEXT_UNITS) + out.slice(at + 1);
  }
  return out;
}

/** An invariant broke: the runner counts it and keeps the first few examples. */
export class FuzzViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FuzzViolation";
  }
}

/** Throws a violation unless `ok`. */
export function check(ok: boolean, message: () => string): void {
  if (!ok) throw new FuzzViolation(message());
}

/** Every way an error is turned into text: message, `String()`, stack, JSON and the inspectors. */
export function renderings(value: unknown): string[] {
  const out = [String(value), JSON.stringify(value) ?? "", inspect(value, { depth: 6 })];
  if (value instanceof Error) out.push(value.message, value.stack ?? "");
  const runtime = globalThis as {
    Deno?: { inspect(v: unknown): string };
    Bun?: { inspect(v: unknown): string };
  };
  if (runtime.Deno) out.push(runtime.Deno.inspect(value));
  if (runtime.Bun) out.push(runtime.Bun.inspect(value));
  return out;
}

/** Throws a violation if any secret appears in any rendering of `value`. */
export function checkNoSecret(value: unknown, secrets: readonly string[], what: string): void {
  const texts = renderings(value);
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    for (const text of texts) {
      check(!text.includes(secret), () => `${what}: secret ${JSON.stringify(secret)} in ${text}`);
    }
  }
}

/** A cost case: a hostile input and a valid one of the same size, each run by `run`. */
export interface CostCase {
  /** What the hostile shape is. */
  name: string;
  /** Runs the valid (`false`) or the hostile (`true`) input of about `size` bytes. */
  run(hostile: boolean, size: number): void;
}

/** One thing to fuzz. Add a target by adding one entry to `FUZZ_TARGETS`. */
export interface FuzzTarget {
  /** Short name, printed in reports and accepted by `--target`. */
  name: string;
  /**
   * Builds one input from `rng` (usually by mutating real traffic) and runs it. Returns the number
   * of typed errors the layer reported; throws {@linkcode FuzzViolation} when an invariant breaks.
   * Any other exception is an untyped escape, counted as a violation.
   */
  one(rng: Rng): number | Promise<number>;
  /** Hostile shapes whose cost must stay within a factor of a valid input of the same size. */
  costs?: readonly CostCase[];
  /**
   * Share of the inputs relative to a plain target (default 1): a target whose inputs are whole
   * scripted sessions runs fewer, larger inputs.
   */
  weight?: number;
}

/** Counts for one target. */
export interface TargetReport {
  name: string;
  inputs: number;
  typedErrors: number;
  violations: number;
  /** The first few violations, each with the seed that reproduces it. */
  examples: string[];
  /** Slowest single input, ms. */
  slowestMs: number;
  /** Its seed, for `--replay`. */
  slowestSeed: number;
}

/** How {@linkcode runCampaign} runs. */
export interface CampaignOptions {
  /** Inputs in total, spread evenly over the targets. */
  runs: number;
  /** Campaign seed. */
  seed: number;
  /** A single input slower than this is a violation (a hang). */
  budgetMs: number;
  /** Called now and then with the reports so far. */
  progress?: (reports: readonly TargetReport[]) => void;
}

/** Runs `options.runs` inputs over `targets` and returns the counts per target. */
export async function runCampaign(
  targets: readonly FuzzTarget[],
  options: CampaignOptions,
): Promise<TargetReport[]> {
  const reports = targets.map((t): TargetReport => ({
    name: t.name,
    inputs: 0,
    typedErrors: 0,
    violations: 0,
    examples: [],
    slowestMs: 0,
    slowestSeed: 0,
  }));
  const weights = targets.map((t) => t.weight ?? 1);
  const sum = weights.reduce((a, b) => a + b, 0);
  for (let t = 0; t < targets.length; t++) {
    const report = reports[t];
    const perTarget = Math.max(1, Math.round(options.runs * weights[t] / sum));
    for (let i = 0; i < perTarget; i++) {
      const seed = inputSeed(options.seed, t, i);
      const started = performance.now();
      try {
        report.typedErrors += await targets[t].one(new Rng(seed));
      } catch (error) {
        violation(report, seed, error instanceof FuzzViolation ? error.message : untyped(error));
      }
      const ms = performance.now() - started;
      if (ms > report.slowestMs) {
        report.slowestMs = ms;
        report.slowestSeed = seed;
      }
      if (ms > options.budgetMs) {
        violation(report, seed, `took ${ms.toFixed(0)} ms (budget ${options.budgetMs} ms)`);
      }
      report.inputs++;
      if (options.progress && (i & 0x3fff) === 0x3fff) options.progress(reports);
    }
  }
  return reports;
}

function untyped(error: unknown): string {
  const name = error instanceof Error ? error.constructor.name : typeof error;
  return `untyped ${name} escaped: ${error instanceof Error ? error.stack : String(error)}`;
}

function violation(report: TargetReport, seed: number, message: string): void {
  report.violations++;
  if (report.examples.length < 5) report.examples.push(`input seed ${seed}: ${message}`);
}

/** The result of one cost case. */
export interface CostReport {
  target: string;
  name: string;
  validMs: number;
  hostileMs: number;
  ok: boolean;
}

function time(run: () => void): number {
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const started = performance.now();
    run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/**
 * Times each cost case (best of three) and compares: the hostile input may cost at most `factor`
 * times the valid one plus `slackMs`. Coarse on purpose: the defects it catches (quadratic scans,
 * a capacity-sized search per push) cost orders of magnitude, not percent.
 */
export function runCosts(
  targets: readonly FuzzTarget[],
  size: number,
  factor: number,
  slackMs: number,
): CostReport[] {
  const out: CostReport[] = [];
  for (const target of targets) {
    for (const c of target.costs ?? []) {
      const validMs = time(() => c.run(false, size));
      const hostileMs = time(() => c.run(true, size));
      out.push({
        target: target.name,
        name: c.name,
        validMs,
        hostileMs,
        ok: hostileMs <= validMs * factor + slackMs,
      });
    }
  }
  return out;
}
