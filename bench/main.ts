/**
 * The benchmark: one program, unchanged on Deno, Node 24 and Bun.
 *
 * ```sh
 * deno run -A --v8-flags=--expose-gc bench/main.ts [--quick]
 * node --expose-gc bench/main.ts [--quick]
 * bun bench/main.ts [--quick]
 * ```
 *
 * (`deno task bench` runs all three, one process each, and prints one table.)
 *
 * Inputs are generated from fixed seeds (bench/fixtures.ts, bench/hostile.ts)
 * and cut into reads before timing. Every measure runs once per round, the
 * order reversed every other round, with a forced collection before each
 * (bench/harness.ts); ratios are taken within a round and reported as
 * min / median / max over the kept rounds.
 *
 * Options: `--quick` (fewer rounds, smaller inputs), `--rounds N`,
 * `--warmup N`, `--bound X` (the hostile guard's limit, default 5),
 * `--only decode,syn,online,hostile,encode`, `--strict` (exit 1 on a FAIL),
 * `--json` (also print one machine-readable line, for tools/bench.ts).
 *
 * @module
 */

import {
  forceGc,
  programArgs,
  runRounds,
  runtimeId,
  runtimeName,
  spread,
  table,
} from "./harness.ts";
import { type BenchConfig, defaultConfig, fmt, plan, verdict } from "./plan.ts";

function parseArgs(args: string[]): { config: BenchConfig; json: boolean; strict: boolean } {
  const config = defaultConfig(args.includes("--quick"));
  const value = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i === -1 ? undefined : args[i + 1];
  };
  const num = (name: string, fallback: number) => {
    const v = value(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!(n >= 0)) throw new Error(`Cannot parse ${name} ${v}: expected a number`);
    return n;
  };
  config.rounds = Math.max(1, num("--rounds", config.rounds));
  config.warmup = num("--warmup", config.warmup);
  config.bound = num("--bound", config.bound);
  const only = value("--only");
  if (only !== undefined) config.only = new Set(only.split(","));
  return { config, json: args.includes("--json"), strict: args.includes("--strict") };
}

function main(): number {
  const { config, json, strict } = parseArgs(programArgs());
  const gc = forceGc();
  const t0 = performance.now();
  const p = plan(config);
  const buildMs = performance.now() - t0;
  console.log(`runtime: ${runtimeName()}`);
  console.log(
    `method: ${config.rounds} rounds after ${config.warmup} warm-up, each measure once per ` +
      `round, order reversed every other round, forced GC before each: ${gc ? "yes" : "NO"}`,
  );
  if (!gc) {
    console.log(
      "WARNING: no forced GC; run node with --expose-gc, deno with " +
        "--v8-flags=--expose-gc",
    );
  }
  for (const line of p.inputs) console.log(`input: ${line}`);
  console.log(`(inputs built and checked in ${(buildMs / 1000).toFixed(1)} s)`);
  for (const line of p.checks) console.log(`check: ${line}`);

  const timings = runRounds(p.measures, {
    rounds: config.rounds,
    warmup: config.warmup,
    onRound: (r, n) => {
      if (r === n || r % 5 === 0) console.error(`  ${runtimeId()}: round ${r}/${n}`);
    },
  });

  const measureRows = [["measure", "median ms", "min ms", "max ms", "MB/s (median)"]];
  for (const [id, ms] of timings) {
    const s = spread(ms);
    measureRows.push([
      id,
      s.median.toFixed(2),
      s.min.toFixed(2),
      s.max.toFixed(2),
      (p.bytes.get(id)! / 1e3 / s.median).toFixed(1),
    ]);
  }
  console.log("\n" + table(measureRows));

  const ratios = p.ratios(timings);
  const rows = [["ratio (per round)", "min", "median", "max", "target", ""]];
  for (const r of ratios) {
    const s = spread(r.values);
    rows.push([
      r.label,
      fmt(s.min),
      fmt(s.median),
      fmt(s.max),
      r.target ? `${r.target.op} ${r.target.value}` : "",
      verdict(r),
    ]);
  }
  console.log("\n" + table(rows));
  const failed = ratios.filter((r) => verdict(r) === "FAIL");
  if (failed.length > 0) {
    console.log(
      `\nFAIL: ${failed.length} hostile shape(s) over ${config.bound}x: ` +
        failed.map((r) => r.id).join(", "),
    );
  }
  if (json) {
    console.log(
      "@@bench " +
        JSON.stringify({
          runtime: runtimeId(),
          name: runtimeName(),
          gc,
          rounds: config.rounds,
          ratios,
          medians: Object.fromEntries([...timings].map(([id, ms]) => [id, spread(ms).median])),
        }),
    );
  }
  return strict && failed.length > 0 ? 1 : 0;
}

const code = main();
if (code !== 0) {
  const gt = globalThis as { Deno?: { exit(c: number): never }; process?: { exitCode?: number } };
  if (gt.Deno) gt.Deno.exit(code);
  else if (gt.process) gt.process.exitCode = code;
}
