// XState's pure `transition()` builds a new inert actor for every event (an
// actor, an actor system, and the chart's initial state computed from
// scratch; without input that initial state even throws inside XState).
// Online that is a third of the session's time in a flood with keepalives.
// This runs the same `machine.transition` with one inert scope per session:
// actions still come back as data, nothing is executed or scheduled here.
//
// A transition that leaves the snapshot as it was (same states, same context
// values: a QNG re-entering `keepalive.waiting`) is remembered: the same event
// on the snapshot it produced gives the same snapshot and the same actions
// again (the chart is a pure function of both), so it is not recomputed.
// Every other step runs the chart.

import {
  type AnyActorScope,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  createActor,
  type EventFrom,
  type InputFrom,
  type SnapshotFrom,
} from "xstate";

/** An action the chart asked for, as `transition()` returns it. */
export interface ChartAction {
  /** The action's type (`xstate.raise`, `xstate.cancel`, or the chart's own). */
  type: string;
  /** Its parameters. */
  params?: unknown;
}

/** Steps one chart through events as XState's pure `transition()` does, with one reused scope. */
export class ChartStepper<M extends AnyStateMachine> {
  readonly #machine: M;
  readonly #scope: AnyActorScope;
  // The last self-loop: the event, and the snapshot and actions it gave.
  #loopEvent: EventFrom<M> | undefined;
  #loop: [SnapshotFrom<M>, ChartAction[]] | undefined;

  /** `input`: the chart's input, so the inert actor's initial state is valid. */
  constructor(machine: M, input: InputFrom<M>) {
    this.#machine = machine;
    const self = createActor(machine, { input });
    this.#scope = {
      self,
      defer: () => {},
      id: "",
      logger: () => {},
      sessionId: "",
      stopChild: () => {},
      system: self.system,
      emit: () => {},
      actionExecutor: () => {},
    } as unknown as AnyActorScope;
  }

  /** The next snapshot and the actions to carry out, as `transition(machine, snapshot, event)`. */
  transition(snapshot: SnapshotFrom<M>, event: EventFrom<M>): [SnapshotFrom<M>, ChartAction[]] {
    const loop = this.#loop;
    if (loop !== undefined && loop[0] === snapshot && sameEvent(this.#loopEvent, event)) {
      return [snapshot, loop[1].slice()];
    }
    const actions: ChartAction[] = [];
    this.#scope.actionExecutor = (action: ChartAction) => {
      actions.push(action);
    };
    const next = this.#machine.transition(snapshot, event, this.#scope) as SnapshotFrom<M>;
    if (sameSnapshot(snapshot, next)) {
      this.#loopEvent = event;
      this.#loop = [next, actions.slice()];
    } else {
      this.#loop = this.#loopEvent = undefined;
    }
    return [next, actions];
  }
}

/** Whether two events have the same own properties with the same (primitive) values. */
function sameEvent(a: object | undefined, b: object): boolean {
  if (a === undefined) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    const v = (a as Record<string, unknown>)[k];
    if (typeof v === "object" && v !== null) return false;
    if (!Object.is(v, (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * Whether `next` is `prev` again for everything a transition reads: status,
 * active state nodes, context values (by identity), no children, no history,
 * no output or error.
 */
function sameSnapshot(prev: AnyMachineSnapshot, next: AnyMachineSnapshot): boolean {
  if (prev.status !== next.status || prev.status !== "active") return false;
  if (prev.output !== undefined || next.output !== undefined) return false;
  if (prev.error !== undefined || next.error !== undefined) return false;
  if (!sameKeys(prev.children, next.children) || Object.keys(next.children).length !== 0) {
    return false;
  }
  if (Object.keys(prev.historyValue).length + Object.keys(next.historyValue).length !== 0) {
    return false;
  }
  const pn = prev._nodes;
  const nn = next._nodes;
  if (pn.length !== nn.length) return false;
  for (let i = 0; i < pn.length; i++) if (pn[i] !== nn[i]) return false;
  return sameKeys(prev.context, next.context);
}

function sameKeys(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.hasOwn(b, k) || !Object.is(a[k], b[k])) return false;
  return true;
}
