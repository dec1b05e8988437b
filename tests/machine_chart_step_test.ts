// ChartStepper remembers a self-loop (a step that leaves the snapshot as it
// was, like a QNG re-entering `keepalive.waiting`) and answers the same event
// again without running the chart. It must give exactly what running the
// chart gives, for any sequence of events.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { initialTransition } from "xstate";
import { type ChartAction, ChartStepper } from "../machine/_chart_step.ts";
import { type LifecycleEvent, lifecycleMachine } from "../machine/_lifecycle.ts";
import { SessionError } from "../machine/errors.ts";

const input = { server: { host: "ns.example.com", port: 1863 }, maxRedirects: 2 };

const event: fc.Arbitrary<LifecycleEvent | "delayed"> = fc.oneof(
  fc.constantFrom<LifecycleEvent>(
    { type: "START" },
    { type: "CONNECTED" },
    { type: "VER_OK", version: "MSNP8" },
    { type: "CVR_OK" },
    { type: "XFR_NS", host: "other.example.com", port: 1863 },
    { type: "CHALLENGE", challenge: "c" },
    { type: "TICKET", ticket: "t" },
    { type: "USR_OK" },
    { type: "SYN_LIST" },
    { type: "SYNC_DONE" },
    { type: "SIGN_OUT" },
    { type: "CONNECTION_CLOSED" },
    { type: "FAIL", error: new SessionError("protocol", "x", { phase: "online" }) },
  ),
  {
    weight: 6,
    arbitrary: fc.oneof(
      fc.constant<LifecycleEvent>({ type: "QNG" }),
      fc.constantFrom(1, 5, 40, 60).map((seconds): LifecycleEvent => ({ type: "QNG", seconds })),
    ),
  },
  { weight: 2, arbitrary: fc.constant("delayed" as const) },
);

/** The chart brought online by the usual events, as the session drives it. */
const LOGIN: LifecycleEvent[] = [
  { type: "START" },
  { type: "CONNECTED" },
  { type: "VER_OK", version: "MSNP8" },
  { type: "CVR_OK" },
  { type: "CHALLENGE", challenge: "c" },
  { type: "TICKET", ticket: "t" },
  { type: "USR_OK" },
  { type: "SYN_LIST" },
  { type: "SYNC_DONE" },
];

/** What the session reads of an action. */
function data(a: ChartAction): ChartAction {
  return { type: a.type, params: a.params };
}

test("a remembered self-loop gives what running the chart gives", () => {
  let remembered = 0;
  fc.assert(
    fc.property(fc.boolean(), fc.array(event, { maxLength: 40 }), (login, events) => {
      const stepper = new ChartStepper(lifecycleMachine, input);
      // The reference: it is only ever shown snapshots `stepper` made, so it never remembers.
      const reference = new ChartStepper(lifecycleMachine, input);
      let [snapshot] = initialTransition(lifecycleMachine, input);
      // Delayed events the chart raised (its `after` delays), as the session fires them later.
      const delayed: LifecycleEvent[] = [];
      for (const e of [...(login ? LOGIN : []), ...events]) {
        const ev = e === "delayed" ? delayed.shift() : e;
        if (ev === undefined) continue;
        const [want, wantActions] = reference.transition(snapshot, ev);
        const [next, actions] = stepper.transition(snapshot, { ...ev });
        if (next === snapshot) remembered++;
        assert.deepStrictEqual(next.value, want.value);
        assert.deepStrictEqual(next.context, want.context);
        assert.equal(next.status, want.status);
        assert.deepStrictEqual(actions.map(data), wantActions.map(data));
        for (const a of actions) {
          const params = a.params as { delay?: number; event?: LifecycleEvent } | undefined;
          if (a.type === "xstate.raise" && params?.delay !== undefined && params.event) {
            delayed.push(params.event);
          }
        }
        snapshot = next;
      }
    }),
    { numRuns: 2000, seed: 20261202 },
  );
  // Online QNGs must be answered from memory, or this shows nothing.
  assert.ok(remembered > 1000, `remembered ${remembered} steps`);
});

test("a QNG online is answered from memory and still moves the keepalive", () => {
  const stepper = new ChartStepper(lifecycleMachine, input);
  let [snapshot] = initialTransition(lifecycleMachine, input);
  for (const e of LOGIN) [snapshot] = stepper.transition(snapshot, e);
  // The first QNG changes the interval; the second leaves everything as it was (remembered).
  const [first] = stepper.transition(snapshot, { type: "QNG", seconds: 50 });
  const [second, secondActions] = stepper.transition(first, { type: "QNG", seconds: 50 });
  assert.notEqual(second, first);
  const [again, againActions] = stepper.transition(second, { type: "QNG", seconds: 50 });
  assert.equal(again, second);
  assert.deepStrictEqual(againActions.map(data), secondActions.map(data));
  // Re-entering `waiting` moves the next PNG: the old delay is cancelled, a new one raised.
  assert.deepStrictEqual(againActions.map((a) => a.type), [
    "xstate.cancel",
    "xstate.raise",
  ]);
  assert.equal((againActions[1].params as { delay: number }).delay, 50_000);
  // Another interval is a real change: the chart runs again.
  const [third] = stepper.transition(second, { type: "QNG", seconds: 60 });
  assert.notEqual(third, second);
  assert.equal(third.context.pingDelay, 60_000);
});
