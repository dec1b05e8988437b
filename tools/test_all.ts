/**
 * Runs the one test suite under Deno, Node 24 and Bun, then prints a single
 * `N passed, N failed` line summed over the three runtimes.
 *
 * Every test file is written against `node:test` and `node:assert/strict` with
 * flat `test()` calls (no `describe`), so all three runners count the same
 * units.
 *
 * @module
 */

interface Tally {
  runtime: string;
  passed: number;
  failed: number;
  exitCode: number;
}

const TEST_GLOB = "tests/**/*_test.ts";

interface Runner {
  runtime: string;
  cmd: string[];
  parse(out: string): { passed: number; failed: number } | undefined;
}

const runners: Runner[] = [
  {
    runtime: "deno",
    cmd: [Deno.execPath(), "test", "-A", "--no-check", "tests/"],
    parse(out) {
      const m = /(\d+) passed[^|]*\|\s*(\d+) failed/.exec(out);
      return m ? { passed: Number(m[1]), failed: Number(m[2]) } : undefined;
    },
  },
  {
    runtime: "node",
    cmd: ["npx", "-y", "node@24", "--test", "--test-timeout=60000", TEST_GLOB],
    parse(out) {
      const p = /^ℹ pass (\d+)$/m.exec(out);
      const f = /^ℹ fail (\d+)$/m.exec(out);
      return p && f ? { passed: Number(p[1]), failed: Number(f[1]) } : undefined;
    },
  },
  {
    runtime: "bun",
    cmd: ["npx", "-y", "bun@1", "test", "--timeout", "60000", "tests/"],
    parse(out) {
      const p = /^\s*(\d+) pass$/m.exec(out);
      const f = /^\s*(\d+) fail$/m.exec(out);
      return p && f ? { passed: Number(p[1]), failed: Number(f[1]) } : undefined;
    },
  },
];

const only = Deno.args.length > 0 ? new Set(Deno.args) : undefined;
const tallies: Tally[] = [];
const encoder = new TextEncoder();

for (const runner of runners) {
  if (only && !only.has(runner.runtime)) continue;
  console.log(`\n=== ${runner.runtime}: ${runner.cmd.slice(0, 4).join(" ")} ...`);
  const child = new Deno.Command(runner.cmd[0], {
    args: runner.cmd.slice(1),
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", FORCE_COLOR: "0" },
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
    exitCode: status.code,
  };
  // A runner that crashed or printed no summary must not look green.
  if (!counts || (status.code !== 0 && tally.failed === 0)) tally.failed += 1;
  tallies.push(tally);
}

console.log("");
for (const t of tallies) {
  console.log(`${t.runtime}: ${t.passed} passed, ${t.failed} failed (exit ${t.exitCode})`);
}
const passed = tallies.reduce((n, t) => n + t.passed, 0);
const failed = tallies.reduce((n, t) => n + t.failed, 0);
await Deno.stdout.write(encoder.encode(`${passed} passed, ${failed} failed\n`));
Deno.exit(failed === 0 && passed > 0 ? 0 : 1);
