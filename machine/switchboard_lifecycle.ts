import { switchboardChart, type SwitchboardChartContext } from "./_switchboard_chart.ts";
import type { LifecycleLogic } from "./lifecycle.ts";

/** A switchboard chart snapshot as plain data: the phase and the chart's context. */
export interface SwitchboardSnapshot {
  /** The phase (state value), e.g. `"open"`. */
  readonly value: unknown;
  /** `"active"` while running, `"done"` once closed or failed. */
  readonly status: string;
  /** The chart's context. */
  readonly context: SwitchboardChartContext;
}

/**
 * The switchboard lifecycle as an XState v5 machine, for `createActor` and
 * the Stately inspector. {@link SwitchboardSession} runs this same machine
 * through XState's pure `transition()`; its custom actions are no-ops here.
 *
 * Input: `{ mode: "call" | "answer", timeouts }`.
 *
 * @example Watch the phases with an actor
 * ```ts
 * import { createActor } from "xstate";
 * import { DEFAULT_SWITCHBOARD_TIMEOUTS, switchboardLifecycle } from "@msnp/client/machine";
 * const actor = createActor(switchboardLifecycle, {
 *   input: { mode: "call", timeouts: DEFAULT_SWITCHBOARD_TIMEOUTS },
 * });
 * actor.start();
 * actor.send({ type: "START" });
 * console.log((actor.getSnapshot() as { value: unknown }).value); // "connecting"
 * actor.stop();
 * ```
 */
export const switchboardLifecycle: LifecycleLogic = switchboardChart;

export type {
  SwitchboardChartContext,
  SwitchboardChartEvent,
  SwitchboardChartInput,
} from "./_switchboard_chart.ts";
