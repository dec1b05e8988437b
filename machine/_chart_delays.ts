// Carries a chart's `after` delays out on the connection core's timers, for both session kinds.
// XState's pure `transition()` returns a delayed event as an `xstate.raise` action with `delay`
// and `id`, and its cancellation as `xstate.cancel`; the chart stays the one place that says how
// long each phase may last, and the core the one place that keeps deadlines.
import type { ConnectionCore } from "./_connection.ts";

/** Delayed chart events waiting on core timers (named `chart:<id>`). */
export class ChartDelays<Event> {
  readonly #pending = new Map<string, Event>();
  // deno-lint-ignore no-explicit-any
  readonly #core: ConnectionCore<any, any>;

  /** Uses `core`'s named timers. */
  // deno-lint-ignore no-explicit-any
  constructor(core: ConnectionCore<any, any>) {
    this.#core = core;
  }

  /**
   * Handles an action if it is XState's raise (delayed, or not: then
   * `dispatch` gets the event at once) or a cancellation; returns whether it
   * was one.
   */
  handle(type: string, params: unknown, dispatch: (event: Event) => void): boolean {
    if (type === "xstate.raise") {
      const { id, delay, event } = params as { id?: string; delay?: number; event: Event };
      if (id === undefined || delay === undefined) {
        dispatch(event);
        return true;
      }
      this.#pending.set(id, event);
      this.#core.setTimer(`chart:${id}`, this.#core.now + delay);
      return true;
    }
    if (type === "xstate.cancel") {
      const id = (params as { sendId: string }).sendId;
      this.#pending.delete(id);
      this.#core.clearTimer(`chart:${id}`);
      return true;
    }
    return false;
  }

  /**
   * Takes the earliest delayed event due at `now` (its timer cleared), or `undefined`. Callers
   * take one, dispatch it, then ask again: the dispatch may cancel or schedule others.
   */
  next(now: number): Event | undefined {
    let due: string | undefined;
    let at = Infinity;
    for (const id of this.#pending.keys()) {
      const t = this.#core.timer(`chart:${id}`);
      if (t !== undefined && t <= now && t < at) {
        due = id;
        at = t;
      }
    }
    if (due === undefined) return undefined;
    const event = this.#pending.get(due) as Event;
    this.#pending.delete(due);
    this.#core.clearTimer(`chart:${due}`);
    return event;
  }

  /** Forgets every delayed event (the chart reached a final state). */
  clear(): void {
    for (const id of this.#pending.keys()) this.#core.clearTimer(`chart:${id}`);
    this.#pending.clear();
  }
}
