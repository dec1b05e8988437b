/**
 * Runs the one test suite under Deno, Node 24 and Bun, then prints a line per
 * runtime (with the names of the tests it skipped, and why where the runner
 * says) and, last, a single `N passed, N failed` line summed over the three
 * runtimes, followed by `, N skipped` when some were skipped. Skips are
 * runtime-specific tests (`test(name, { skip: reason }, fn)`).
 *
 * Every test file is written against `node:test` and `node:assert/strict` with
 * flat `test()` calls (no `describe`), so all three runners count the same
 * units. The runners get `NO_COLOR=1` and no `FORCE_COLOR` (Deno reads any
 * `FORCE_COLOR`, even `0`, as "force colour"), so the log has no colour codes.
 *
 * @module
 */

interface Tally {
  runtime: string;
  passed: number;
  failed: number;
  /** How many tests the runner skipped, by its own summary. */
  skipped: number;
  /** Their names (each once: bun lists skips twice), with the reason where known. */
  skippedNames: string[];
  exitCode: number;
}

const TEST_GLOB = "tests/**/*_test.ts";

interface Runner {
  runtime: string;
  cmd: string[];
  parse(out: string): { passed: number; failed: number; skipped: number } | undefined;
  /** Names of the skipped tests, each with the reason when the runner prints one. */
  skipped(out: string): string[];
}

/** Every match of `pattern`'s first group in `text`. */
function all(pattern: RegExp, text: string): string[] {
  return [...text.matchAll(pattern)].map((m) => m[1]);
}

const runners: Runner[] = [
  {
    runtime: "deno",
    cmd: [Deno.execPath(), "test", "-A", "--no-check", "tests/"],
    parse(out) {
      const m = /(\d+) passed[^|]*\|\s*(\d+) failed(?:[^|\n]*\|\s*(\d+) ignored)?/.exec(out);
      return m
        ? { passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3] ?? 0) }
        : undefined;
    },
    skipped: (out) => all(/^(.*) \.\.\. ignored/gm, out),
  },
  {
    runtime: "node",
    cmd: ["npx", "-y", "node@24", "--test", "--test-timeout=60000", TEST_GLOB],
    parse(out) {
      const p = /^ℹ pass (\d+)$/m.exec(out);
      const f = /^ℹ fail (\d+)$/m.exec(out);
      const k = /^ℹ skipped (\d+)$/m.exec(out);
      return p && f
        ? { passed: Number(p[1]), failed: Number(f[1]), skipped: Number(k?.[1] ?? 0) }
        : undefined;
    },
    skipped: (out) =>
      all(/^﹣ (.*)$/gm, out).map((line) => line.replace(/ \([\d.]+m?s\) # (SKIP)?/, ": ")),
  },
  {
    runtime: "bun",
    cmd: ["npx", "-y", "bun@1", "test", "--timeout", "60000", "tests/"],
    parse(out) {
      const p = /^\s*(\d+) pass$/m.exec(out);
      const f = /^\s*(\d+) fail$/m.exec(out);
      const k = /^\s*(\d+) skip$/m.exec(out);
      return p && f
        ? { passed: Number(p[1]), failed: Number(f[1]), skipped: Number(k?.[1] ?? 0) }
        : undefined;
    },
    skipped: (out) => all(/^\(skip\) (.*)$/gm, out),
  },
];

const only = Deno.args.length > 0 ? new Set(Deno.args) : undefined;
const tallies: Tally[] = [];
const encoder = new TextEncoder();
const childEnv = Deno.env.toObject();
delete childEnv.FORCE_COLOR;
childEnv.NO_COLOR = "1";

for (const runner of runners) {
  if (only && !only.has(runner.runtime)) continue;
  console.log(`\n=== ${runner.runtime}: ${runner.cmd.slice(0, 4).join(" ")} ...`);
  const child = new Deno.Command(runner.cmd[0], {
    args: runner.cmd.slice(1),
    stdout: "piped",
    stderr: "piped",
    env: childEnv,
    clearEnv: true,
  }).spawn();
  // Echo output while keeping a copy to parse; bun writes its summary to stderr.
  const chunks: string[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>, sink: typeof Deno.stdout) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      chunks.push(decoder.decode(chunk, { stream: true }));
      await sink.write(chunk);
    }
  };
  const [status] = await Promise.all([
    child.status,
    pump(child.stdout, Deno.stdout),
    pump(child.stderr, Deno.stderr),
  ]);
  // deno-lint-ignore no-control-regex
  const text = chunks.join("").replace(/\x1b\[[0-9;]*m/g, "");
  const counts = runner.parse(text);
  const tally: Tally = {
    runtime: runner.runtime,
    passed: counts?.passed ?? 0,
    failed: counts?.failed ?? 0,
    skipped: counts?.skipped ?? 0,
    skippedNames: [...new Set(runner.skipped(text).map((name) => name.replace(/:\s*$/, "")))],
    exitCode: status.code,
  };
  // A runner that crashed or printed no summary must not look green.
  if (!counts || (status.code !== 0 && tally.failed === 0)) tally.failed += 1;
  tallies.push(tally);
}

// Node prints a skip's reason; the other runners only its name.
const reasons = new Map<string, string>();
for (const t of tallies) {
  for (const entry of t.skippedNames) {
    for (const other of tallies) {
      for (const name of other.skippedNames) {
        if (entry.startsWith(`${name}: `)) reasons.set(name, entry);
      }
    }
  }
}
for (const t of tallies) t.skippedNames = t.skippedNames.map((name) => reasons.get(name) ?? name);

console.log("");
for (const t of tallies) {
  const skipped = t.skipped > 0 ? `, ${t.skipped} skipped` : "";
  console.log(
    `${t.runtime}: ${t.passed} passed, ${t.failed} failed${skipped} (exit ${t.exitCode})`,
  );
  for (const name of t.skippedNames) console.log(`  skipped on ${t.runtime}: ${name}`);
}
const passed = tallies.reduce((n, t) => n + t.passed, 0);
const failed = tallies.reduce((n, t) => n + t.failed, 0);
const skipped = tallies.reduce((n, t) => n + t.skipped, 0);
// The last line: exactly "N passed, N failed", then ", N skipped" when some were.
await Deno.stdout.write(
  encoder.encode(
    `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}\n`,
  ),
);
Deno.exit(failed === 0 && passed > 0 ? 0 : 1);
