/**
 * `deno task bench`: runs bench/main.ts once on Deno, Node 24 and Bun, one
 * process per runtime, one after the other (never in parallel: they would
 * measure each other), then prints one table of the per-round ratios.
 *
 * ```sh
 * deno task bench              # full run, all three runtimes
 * deno task bench --quick      # fewer rounds, smaller inputs (well under a minute each)
 * deno task bench --runtimes deno,bun --only decode,online
 * ```
 *
 * Every other argument (`--rounds N`, `--warmup N`, `--bound X`, `--only ...`,
 * `--strict`) is passed to bench/main.ts. Each runtime's own report is
 * printed as it finishes. Exits 1 if a runtime failed to run, or with
 * `--strict` if a hostile-shape guard failed.
 *
 * @module
 */

import { fmt, type Ratio, verdict } from "../bench/plan.ts";
import { markdownTable, spread } from "../bench/harness.ts";

const MAIN = new URL("../bench/main.ts", import.meta.url).pathname;

const COMMANDS: Record<string, string[]> = {
  deno: [Deno.execPath(), "run", "-A", "--v8-flags=--expose-gc", MAIN],
  node: ["npx", "-y", "node@24", "--expose-gc", MAIN],
  bun: ["npx", "-y", "bun@1", MAIN],
};

interface RuntimeReport {
  runtime: string;
  name: string;
  gc: boolean;
  rounds: number;
  ratios: Ratio[];
}

const args = [...Deno.args];
let runtimes = Object.keys(COMMANDS);
const at = args.indexOf("--runtimes");
if (at !== -1) {
  runtimes = args[at + 1]?.split(",") ?? [];
  args.splice(at, 2);
  const unknown = runtimes.filter((r) => !(r in COMMANDS));
  if (unknown.length > 0) throw new Error(`Cannot run on ${unknown.join(", ")}`);
}

const reports: RuntimeReport[] = [];
let failed = false;
for (const runtime of runtimes) {
  const [cmd, ...rest] = COMMANDS[runtime];
  console.log(`\n=== ${runtime} ===`);
  const child = new Deno.Command(cmd, {
    args: [...rest, ...args, "--json"],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const out = new TextDecoder().decode((await child.output()).stdout);
  const lines = out.split("\n");
  console.log(lines.filter((l) => !l.startsWith("@@bench ")).join("\n").trimEnd());
  const json = lines.find((l) => l.startsWith("@@bench "));
  if (json === undefined) {
    console.log(`(${runtime}: no result)`);
    failed = true;
    continue;
  }
  reports.push(JSON.parse(json.slice("@@bench ".length)));
  if ((await child.status).code !== 0) failed = true;
}

if (reports.length > 0) {
  const ids = reports[0].ratios.map((r) => r.id);
  const rows = [[
    "per-round ratio: median (min–max)",
    ...reports.map((r) => r.runtime),
    "target",
  ]];
  for (const id of ids) {
    const first = reports[0].ratios.find((r) => r.id === id)!;
    const cells = reports.map((rep) => {
      const r = rep.ratios.find((x) => x.id === id);
      if (r === undefined) return "";
      const s = spread(r.values);
      const mark = verdict(r);
      return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})${mark ? ` ${mark}` : ""}`;
    });
    const target = first.target ? `${first.target.op} ${first.target.value}` : "";
    rows.push([first.label, ...cells, target]);
  }
  console.log(`\n=== all runtimes (${reports.map((r) => r.name).join("; ")}) ===`);
  console.log(markdownTable(rows));
  if (reports.some((r) => !r.gc)) console.log("WARNING: some runtime ran without forced GC");
}
Deno.exit(failed ? 1 : 0);
