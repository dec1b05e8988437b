// XState's pure `transition()` builds a new inert actor for every event (an
// actor, an actor system, and the chart's initial state computed from
// scratch; without input that initial state even throws inside XState).
// Online that is a third of the session's time in a flood with keepalives.
// This runs the same `machine.transition` with one inert scope per session:
// actions still come back as data, nothing is executed or scheduled here.

import {
  type AnyActorScope,
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
    const actions: ChartAction[] = [];
    this.#scope.actionExecutor = (action: ChartAction) => {
      actions.push(action);
    };
    const next = this.#machine.transition(snapshot, event, this.#scope) as SnapshotFrom<M>;
    return [next, actions];
  }
}
