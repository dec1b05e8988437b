/**
 * The long fuzz campaign: mutated real traffic and random text over every target of
 * `tests/_fuzz_targets.ts` (decoder, encoders and builders, MIME and message views, IM format,
 * MSNObject, challenge and small parsers, Passport, the notification and switchboard sessions
 * driven by mutated recorded scripts, the recorder's redaction, transcript parsing), then the
 * hostile cost shapes. Inputs are spread over the targets by their `weight`: a session input is
 * a whole scripted session run at three chunkings, so those targets get fewer, larger inputs.
 *
 * ```sh
 * npx -y deno task fuzz                       # 10^6 inputs, seed 1
 * npx -y deno run -A tools/fuzz.ts --runs 20000 --seed 7 --target decoder
 * npx -y node@24 tools/fuzz.ts --runs 20000   # or bun: any runtime
 * ```
 *
 * Prints, per target, the inputs run, the typed errors the layer reported, the violations (an
 * untyped exception, a different output under another chunking, a secret in an error, an input
 * over the time budget, a round trip that changed something) and the slowest input; then each
 * cost shape against a valid input of the same size. Exits 1 on any violation. A violation names
 * its input seed; `--target NAME --replay SEED` runs that one input again (its exception, if any,
 * is printed with its stack).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Rng, runCampaign, runCosts, type TargetReport } from "../tests/_fuzz.ts";
import { FUZZ_TARGETS } from "../tests/_fuzz_targets.ts";

interface RuntimeGlobals {
  Deno?: { args: string[]; exit(code: number): never };
  process?: { argv: string[]; exit(code: number): never; stderr: { write(s: string): void } };
}

const g = globalThis as unknown as RuntimeGlobals;
const argv = g.Deno ? g.Deno.args : g.process?.argv.slice(2) ?? [];
const { values } = parseArgs({
  args: argv,
  options: {
    runs: { type: "string", default: "1000000" },
    seed: { type: "string", default: "1" },
    target: { type: "string" },
    budget: { type: "string", default: "1000" },
    replay: { type: "string" },
  },
});

function exit(code: number): never {
  if (g.Deno) return g.Deno.exit(code);
  return g.process!.exit(code);
}

const runs = Number(values.runs);
const seed = Number(values.seed);
const budgetMs = Number(values.budget);
if (!(Number.isInteger(runs) && runs > 0 && Number.isInteger(seed) && budgetMs > 0)) {
  console.error("usage: tools/fuzz.ts [--runs N] [--seed S] [--target NAME] [--budget MS]");
  exit(2);
}
const targets = values.target === undefined
  ? FUZZ_TARGETS
  : FUZZ_TARGETS.filter((t) => t.name === values.target);
if (targets.length === 0) {
  console.error(`unknown target; known: ${FUZZ_TARGETS.map((t) => t.name).join(", ")}`);
  exit(2);
}

if (values.replay !== undefined) {
  // One input again, by the seed a violation printed: `--target NAME --replay SEED`.
  const typed = await targets[0].one(new Rng(Number(values.replay)));
  console.log(`${targets[0].name} input ${values.replay}: ${typed} typed errors, no violation`);
  exit(0);
}

const started = performance.now();
console.log(`fuzz: ${runs} inputs over ${targets.length} targets, seed ${seed}`);
const reports = await runCampaign(targets, {
  runs,
  seed,
  budgetMs,
  progress: (so) => {
    const done = so.reduce((n, r) => n + r.inputs, 0);
    console.error(`  ... ${done} inputs, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  },
});

function row(cells: (string | number)[]): string {
  return cells.map((c, i) => i === 0 ? String(c).padEnd(20) : String(c).padStart(12)).join("");
}
console.log(row(["target", "inputs", "typed errors", "violations", "slowest ms", "its seed"]));
for (const r of reports) {
  console.log(
    row([r.name, r.inputs, r.typedErrors, r.violations, r.slowestMs.toFixed(1), r.slowestSeed]),
  );
}
const total = (key: keyof Pick<TargetReport, "inputs" | "typedErrors" | "violations">) =>
  reports.reduce((n, r) => n + r[key], 0);
console.log(row(["total", total("inputs"), total("typedErrors"), total("violations"), ""]));

console.log("\ncosts (best of 3, 1 MiB inputs; hostile must stay within 10x valid + 20 ms):");
const costs = runCosts(targets, 1024 * 1024, 10, 20);
for (const c of costs) {
  console.log(
    `  ${c.ok ? "ok  " : "SLOW"} ${c.target}: ${c.name}: ` +
      `${c.hostileMs.toFixed(1)} ms hostile, ${c.validMs.toFixed(1)} ms valid`,
  );
}

const failed = reports.filter((r) => r.violations > 0);
for (const r of failed) {
  console.log(`\n${r.name}: ${r.violations} violations; first ones:`);
  for (const e of r.examples) console.log(`  ${e}`);
}
const slow = costs.filter((c) => !c.ok).length;
console.log(
  `\n${total("inputs")} inputs, ${total("typedErrors")} typed errors, ` +
    `${total("violations")} violations, ${slow} slow cost shapes in ` +
    `${((performance.now() - started) / 1000).toFixed(1)} s`,
);
exit(failed.length > 0 || slow > 0 ? 1 : 0);
