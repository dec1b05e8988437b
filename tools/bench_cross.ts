/**
 * Decoder throughput and the session's sync cost on Deno, Node and Bun, in
 * one script:
 *
 * ```sh
 * npx -y deno run -A tools/bench_cross.ts
 * npx -y node@24 tools/bench_cross.ts
 * npx -y bun@1 tools/bench_cross.ts
 * ```
 *
 * Generates the ~50 MB server stream of `bench/fixtures.ts` (fixed seed),
 * then, in the same process, alternates two measurements over those bytes:
 *
 * - baseline: {@link splitLinesBaseline}, a bare line splitter (`indexOf` for
 *   each LF, one `TextDecoder.decode` per line, whole buffer at once, no
 *   tokenising and no payload framing);
 * - decoder: {@link decodeInChunks}, our `Decoder` fed 64 KiB subarrays and
 *   drained with `next()` after each push.
 *
 * Two warm-up rounds, then the median of `RUNS` rounds. Prints MB/s (10^6
 * bytes) and items/s (lines for the baseline, commands for the decoder) and
 * the ratio decoder/baseline in MB/s; the target is >= 0.33.
 *
 * Then issue 4's budget: `decodeOnly`, then `throughSession`, of
 * `bench/session_bench.ts` (a 100 000-contact SYN, fixed seed), each warmed
 * up and run `RUNS` times: the session's median over the decoder's, target
 * about 2.
 *
 * Optional arguments: `--runs N`, `--mb N` (stream size).
 *
 * @module
 */

import { decodeInChunks, generateServerStream, splitLinesBaseline } from "../bench/fixtures.ts";
import { decodeOnly, throughSession } from "../bench/session_bench.ts";

interface RuntimeGlobals {
  Deno?: { version: { deno: string; v8: string }; args: string[] };
  Bun?: { version: string };
  process?: { versions: { node?: string; v8?: string }; argv: string[] };
}

const g = globalThis as unknown as RuntimeGlobals;

function runtimeName(): string {
  if (g.Deno) return `deno ${g.Deno.version.deno} (V8 ${g.Deno.version.v8})`;
  if (g.Bun) return `bun ${g.Bun.version} (JavaScriptCore)`;
  return `node ${g.process?.versions.node} (V8 ${g.process?.versions.v8})`;
}

function cliArgs(): string[] {
  if (g.Deno) return g.Deno.args;
  return g.process?.argv.slice(2) ?? [];
}

function option(name: string, fallback: number): number {
  const args = cliArgs();
  const i = args.indexOf(name);
  if (i === -1) return fallback;
  const value = Number(args[i + 1]);
  if (!(value > 0)) throw new Error(`Cannot parse ${name}: expected a positive number`);
  return value;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const RUNS = option("--runs", 7);
const WARMUP = 2;
const targetBytes = Math.round(option("--mb", 50) * 1e6);

let t0 = performance.now();
const { bytes, commands } = generateServerStream({ targetBytes });
const generateMs = performance.now() - t0;

// Correctness first: the decoder must see exactly the generated commands.
const check = decodeInChunks(bytes);
if (check.commands !== commands || check.errors !== 0) {
  throw new Error(
    `Cannot benchmark: decoded ${check.commands} commands and ${check.errors} errors, ` +
      `generated ${commands}`,
  );
}
const lines = splitLinesBaseline(bytes).lines;

const baselineMs: number[] = [];
const decoderMs: number[] = [];
let sink = 0;
for (let round = 0; round < WARMUP + RUNS; round++) {
  t0 = performance.now();
  sink += splitLinesBaseline(bytes).chars;
  const base = performance.now() - t0;
  t0 = performance.now();
  sink += decodeInChunks(bytes).args;
  const dec = performance.now() - t0;
  if (round >= WARMUP) {
    baselineMs.push(base);
    decoderMs.push(dec);
  }
}

const mb = bytes.length / 1e6;
const base = median(baselineMs);
const dec = median(decoderMs);
const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const rows = [
  ["measure", "median ms", "min ms", "MB/s", "items/s"],
  [
    "baseline line splitter",
    fmt(base, 1),
    fmt(Math.min(...baselineMs), 1),
    fmt(mb / (base / 1000), 1),
    `${fmt(lines / (base / 1000))} lines`,
  ],
  [
    "Decoder, 64 KiB pushes",
    fmt(dec, 1),
    fmt(Math.min(...decoderMs), 1),
    fmt(mb / (dec / 1000), 1),
    `${fmt(commands / (dec / 1000))} cmds`,
  ],
];
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
console.log(`runtime: ${runtimeName()}`);
console.log(
  `input:   ${fmt(mb, 1)} MB, ${fmt(commands)} commands, ${fmt(lines)} lines ` +
    `(generated in ${fmt(generateMs)} ms); median of ${RUNS} runs after ${WARMUP} warm-up`,
);
for (const [i, row] of rows.entries()) {
  console.log(
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join("  "),
  );
  if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
}
const ratio = base / dec;
console.log(
  `decoder/baseline: ${ratio.toFixed(2)} (target >= 0.33: ${ratio >= 1 / 3 ? "met" : "MISSED"})`,
);

// The sync budget. Not interleaved: each session leaves 100 000 contacts of
// garbage, and a decode round run after one would pay for collecting them.
const rounds = (fn: () => number): number[] => {
  const ms: number[] = [];
  for (let round = 0; round < WARMUP + RUNS; round++) {
    t0 = performance.now();
    sink += fn();
    if (round >= WARMUP) ms.push(performance.now() - t0);
  }
  return ms;
};
const syncDecodeMs = rounds(decodeOnly);
const syncSessionMs = rounds(throughSession);
const syncRatio = median(syncSessionMs) / median(syncDecodeMs);
console.log(
  `100k-contact SYN: decode ${fmt(median(syncDecodeMs), 1)} ms, session ` +
    `${fmt(median(syncSessionMs), 1)} ms (min ${fmt(Math.min(...syncDecodeMs), 1)} / ` +
    `${fmt(Math.min(...syncSessionMs), 1)})`,
);
console.log(
  `session/decode: ${syncRatio.toFixed(2)} (target about 2: ${
    syncRatio <= 2.2 ? "met" : "MISSED"
  })`,
);
if (sink === 0) console.log("(nothing decoded)");
