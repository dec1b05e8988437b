/**
 * The measuring method of the benchmark, the same on Deno, Node and Bun:
 * every measure once per round, the order reversed every other round, a
 * forced collection before each measure (outside the timing), warm-up rounds
 * that are not kept, and ratios taken within a round so that a noisy
 * neighbour slows both sides of a ratio alike.
 *
 * @module
 */

interface RuntimeGlobals {
  Deno?: {
    version: { deno: string; v8: string };
    args: string[];
    memoryUsage(): { heapUsed: number };
  };
  Bun?: { version: string; gc(force: boolean): void };
  process?: {
    versions: { node?: string; v8?: string };
    argv: string[];
    memoryUsage(): { heapUsed: number };
  };
  gc?: () => void;
}

const g = globalThis as unknown as RuntimeGlobals;

/** `deno`, `node` or `bun`. */
export function runtimeId(): "deno" | "node" | "bun" {
  return g.Deno ? "deno" : g.Bun ? "bun" : "node";
}

/** The runtime with its version and engine, for the report. */
export function runtimeName(): string {
  if (g.Deno) return `Deno ${g.Deno.version.deno} (V8 ${g.Deno.version.v8})`;
  if (g.Bun) return `Bun ${g.Bun.version} (JavaScriptCore)`;
  return `Node ${g.process?.versions.node} (V8 ${g.process?.versions.v8})`;
}

/** The program's own arguments. */
export function programArgs(): string[] {
  if (g.Deno) return g.Deno.args;
  return g.process?.argv.slice(2) ?? [];
}

/**
 * A full, synchronous collection, or `false` when the runtime was started
 * without a way to force one (Node needs `--expose-gc`, Deno
 * `--v8-flags=--expose-gc`; Bun always has `Bun.gc`).
 */
export function forceGc(): boolean {
  if (g.Bun) {
    g.Bun.gc(true);
    return true;
  }
  if (typeof g.gc === "function") {
    g.gc();
    return true;
  }
  return false;
}

/** Bytes of live JavaScript heap (V8's `heapUsed`, JavaScriptCore's heap size). */
export function heapUsed(): number {
  if (g.Deno) return g.Deno.memoryUsage().heapUsed;
  return g.process?.memoryUsage().heapUsed ?? 0;
}

/** One timed measure: `setup` runs untimed before the collection, `run` is timed. */
export interface Measure<S = unknown> {
  /** Short stable id (`decoder@1460`, ...). */
  id: string;
  /** Prepares the state `run` needs (a signed-in session, ...); not timed. */
  setup?: () => S;
  /** The timed work; returns a count that is checked to be the same every round. */
  run: (state: S) => number;
  /**
   * Called after the timing with `run`'s state still alive, after a forced collection:
   * `heapUsed()` minus the heap before `setup` is passed in, for retained-memory figures.
   */
  retained?: (bytes: number) => void;
}

/** Per-measure results: milliseconds per kept round. */
export type Timings = Map<string, number[]>;

/** Options for {@link runRounds}. */
export interface RoundOptions {
  /** Rounds kept. */
  rounds: number;
  /** Rounds run first and thrown away (JIT, caches, heap growth). */
  warmup: number;
  /** Called after each round (for progress output). */
  onRound?: (round: number, total: number) => void;
}

/**
 * Runs every measure once per round, in order on even rounds and in reverse
 * on odd ones, with a forced collection before each; returns the kept
 * rounds' times. Throws when a measure's count changes between rounds.
 */
export function runRounds(measures: readonly Measure<never>[], options: RoundOptions): Timings {
  const timings: Timings = new Map(measures.map((m) => [m.id, []]));
  const counts = new Map<string, number>();
  const total = options.warmup + options.rounds;
  for (let round = 0; round < total; round++) {
    const order = round % 2 === 0 ? measures : [...measures].reverse();
    for (const m of order as unknown as readonly Measure<unknown>[]) {
      forceGc();
      const before = heapUsed();
      const state = m.setup?.();
      forceGc();
      const t0 = performance.now();
      const count = m.run(state);
      const ms = performance.now() - t0;
      if (m.retained) {
        forceGc();
        m.retained(heapUsed() - before);
      }
      keepAlive(state);
      const seen = counts.get(m.id);
      if (seen === undefined) counts.set(m.id, count);
      else if (seen !== count) {
        throw new Error(`Cannot trust ${m.id}: counted ${count}, earlier ${seen}`);
      }
      if (round >= options.warmup) timings.get(m.id)!.push(ms);
    }
    options.onRound?.(round + 1, total);
  }
  return timings;
}

/** Where {@link keepAlive} puts a value, so the engine cannot prove it dead earlier. */
export const sink: { value: unknown } = { value: undefined };

/** Keeps `value` reachable until here, so the retained-heap reading includes it. */
function keepAlive(value: unknown): void {
  sink.value = value;
  sink.value = undefined;
}

/** Min, median and max of some numbers. */
export interface Spread {
  /** Smallest. */
  min: number;
  /** Median (mean of the middle two for an even count). */
  median: number;
  /** Largest. */
  max: number;
}

/** The {@link Spread} of `values` (which must not be empty). */
export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1] };
}

/** Per-round quotients `a[i] / b[i]`. */
export function perRound(a: readonly number[], b: readonly number[]): number[] {
  return a.map((x, i) => x / b[i]);
}

/** Left- or right-aligned text table, first row the header. */
export function table(rows: readonly string[][], rightFrom = 1): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const line = (r: readonly string[]) =>
    r.map((cell, c) => (c < rightFrom ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join("  ").trimEnd();
  return [line(rows[0]), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)]
    .join("\n");
}

/** A Markdown table, first row the header, every column after the first right-aligned. */
export function markdownTable(rows: readonly string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(3, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (r: readonly string[]) =>
    "| " + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join(" | ") +
    " |";
  const rule = "| " + widths.map((w, c) => (c === 0 ? "-".repeat(w) : "-".repeat(w - 1) + ":"))
    .join(" | ") +
    " |";
  return [line(rows[0]), rule, ...rows.slice(1).map(line)].join("\n");
}
