// Model-based: XState's graph traversal finds the shortest event path to every state of the
// switchboard chart, for both ways in; each path, and each event (time limits included) from
// every state it reaches, is replayed on a real SwitchboardSession through its public inputs,
// which must land where the chart goes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type AnyStateMachine, transition } from "xstate";
import { getShortestPaths } from "xstate/graph";
import {
  DEFAULT_SWITCHBOARD_TIMEOUTS,
  SessionError,
  type SwitchboardChartEvent,
  switchboardLifecycle,
  SwitchboardSession,
  UsageError,
} from "../machine/mod.ts";
import { answerOptions, callOptions, ME } from "./switchboard_script.ts";

type AnyEvent = SwitchboardChartEvent | { type: `xstate.after.${string}` };
type Snap = { value: unknown; status: string; _nodes: { after?: { eventType: string }[] }[] };

const EVENTS: SwitchboardChartEvent[] = [
  { type: "START" },
  { type: "CONNECTED" },
  { type: "AUTHENTICATED" },
  { type: "LEAVE" },
  { type: "SERVER_OUT" },
  { type: "CONNECTION_CLOSED" },
  { type: "FAIL", error: new SessionError("protocol", "x", { phase: "idle" }) },
];

const machine = switchboardLifecycle as unknown as AnyStateMachine;

function eventsOf(snapshot: Snap): AnyEvent[] {
  if (snapshot.status === "done") return [];
  const delays = snapshot._nodes.flatMap((n) => n.after ?? []).map((t) => ({
    type: t.eventType as `xstate.after.${string}`,
  }));
  // No bytes arrive before the connection is open.
  const closed = snapshot.value === "idle" || snapshot.value === "connecting";
  const base = closed ? EVENTS.filter((e) => e.type !== "SERVER_OUT") : EVENTS;
  return [...base, ...delays];
}

function apply(
  sb: SwitchboardSession,
  mode: "call" | "answer",
  event: AnyEvent,
  now: number,
): void {
  const recv = (text: string) => sb.handleData(new TextEncoder().encode(text), now);
  const value = sb.phase;
  try {
    switch (event.type) {
      case "START":
        return sb.start(now);
      case "CONNECTED":
        return sb.handleConnected(now);
      case "AUTHENTICATED":
        return recv(mode === "call" ? `USR 1 OK ${ME} Me\r\n` : "ANS 1 OK\r\n");
      case "LEAVE":
        return sb.leave(now);
      case "SERVER_OUT":
        return recv("OUT\r\n");
      case "CONNECTION_CLOSED":
        return sb.handleClosed(now);
      case "FAIL":
        if (sb.phase === "connecting") return sb.handleClosed(now);
        // A payload length that is not a number loses framing in every phase.
        return recv("MSG a@b.c A x\r\n");
      default:
        for (let i = 0; i < 10; i++) {
          const due = sb.pollTimeout();
          if (due === undefined) return;
          sb.handleTimeout(due);
          if (sb.phase !== value) return;
        }
    }
  } catch (e) {
    // Misuse the chart ignores (CONNECTED with nothing pending, leave() before start()).
    if (!(e instanceof UsageError)) throw e;
  } finally {
    while (sb.poll() !== undefined);
  }
}

for (const mode of ["call", "answer"] as const) {
  const input = { mode, timeouts: DEFAULT_SWITCHBOARD_TIMEOUTS };
  const paths = getShortestPaths(machine, {
    events: eventsOf as (s: unknown) => AnyEvent[],
    input,
  });
  const steps = (path: (typeof paths)[number]) =>
    path.steps.filter((s) => s.event.type !== "xstate.init").map((s) => s.event as AnyEvent);
  const replay = (events: AnyEvent[]) => {
    const sb = new SwitchboardSession(mode === "call" ? callOptions() : answerOptions());
    let now = 0;
    for (const event of events) apply(sb, mode, event, now += 1);
    return sb;
  };

  test(`${mode}: every chart state is reachable and the session follows each shortest path`, () => {
    const reached = new Set<string>();
    for (const path of paths) {
      reached.add(String(path.state.value));
      assert.equal(replay(steps(path)).phase, path.state.value);
    }
    const auth = mode === "call" ? "authenticating" : "answering";
    assert.deepEqual(
      [...reached].sort(),
      [auth, "closed", "connecting", "failed", "idle", "leaving", "open"].sort(),
    );
  });

  test(`${mode}: from every state, every event and time limit takes the session where the chart goes`, () => {
    let transitions = 0;
    const limits = new Set<string>();
    for (const path of paths) {
      for (const event of eventsOf(path.state as unknown as Snap)) {
        const [expected] = transition(machine, path.state, event as SwitchboardChartEvent);
        const sb = replay([...steps(path), event]);
        assert.equal(sb.phase, expected.value, `${path.state.value} + ${event.type}`);
        transitions++;
        if (event.type.startsWith("xstate.after.")) limits.add(event.type.split(".")[2]);
      }
    }
    assert.ok(transitions >= 30, `only ${transitions} transitions checked`);
    assert.deepEqual([...limits].sort(), ["authLimit", "connectLimit", "leaveLimit"]);
  });
}
