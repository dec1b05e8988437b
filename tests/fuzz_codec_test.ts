// A short fuzz campaign in the normal suite: every target of tests/_fuzz_targets.ts with a few
// hundred mutated inputs (fewer for the targets whose input is a whole scripted session: their
// `weight`), with a fixed seed so a failure reproduces, and the hostile cost shapes against valid
// inputs of the same size. `deno task fuzz` runs the long campaign.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCampaign, runCosts } from "./_fuzz.ts";
import { FUZZ_TARGETS } from "./_fuzz_targets.ts";

const RUNS_PER_TARGET = 400;

for (const target of FUZZ_TARGETS) {
  const runs = Math.max(1, Math.round(RUNS_PER_TARGET * (target.weight ?? 1)));
  test(`fuzz ${target.name}: only typed errors, same output at any chunking, no secret`, async () => {
    const [report] = await runCampaign([target], {
      runs,
      seed: 20261202,
      budgetMs: 5000,
    });
    assert.equal(report.inputs, runs);
    assert.deepEqual(report.examples, []);
    assert.equal(report.violations, 0);
  });
}

test("fuzz costs: hostile shapes cost within a generous factor of a valid input of the same size", () => {
  // Generous on purpose (a shared CPU is noisy): the defects this guards against cost 25x to
  // 1000x at this size, a linear implementation about 1x-3x.
  const reports = runCosts(FUZZ_TARGETS, 256 * 1024, 25, 50);
  for (const r of reports) {
    assert.ok(
      r.ok,
      `${r.target}: ${r.name}: ${r.hostileMs.toFixed(1)} ms vs ${r.validMs.toFixed(1)} ms valid`,
    );
  }
  assert.ok(reports.length >= 6);
});
