// Model-based: XState's graph traversal finds the shortest event path to every
// state of the lifecycle chart, including the sync's and the keepalive's
// sub-states and every time limit (`after`); each path, and each event from
// every state it reaches, is replayed against a real NotificationSession
// through its public inputs, which must land in the same state as the chart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type AnyStateMachine, initialTransition, transition } from "xstate";
import { getShortestPaths } from "xstate/graph";
import {
  type LifecycleEvent,
  notificationLifecycle,
  NotificationSession,
  SessionError,
  UsageError,
} from "../machine/mod.ts";
import { ACCOUNT, SERVER, sessionOptions } from "./_machine_helpers.ts";

type AnyEvent = LifecycleEvent | { type: `xstate.after.${string}` };

const EVENTS: LifecycleEvent[] = [
  { type: "START" },
  { type: "CONNECTED" },
  { type: "VER_OK", version: "MSNP8" },
  { type: "CVR_OK" },
  { type: "XFR_NS", host: "10.0.0.2", port: 1863 },
  { type: "CHALLENGE", challenge: "lc=1033" },
  { type: "TICKET", ticket: "t=1&p=2" },
  { type: "USR_OK" },
  { type: "SYN_LIST" },
  { type: "SYNC_DONE" },
  { type: "QNG", seconds: 50 },
  { type: "SIGN_OUT" },
  { type: "SERVER_OUT", reason: "otherLocation" },
  { type: "CONNECTION_CLOSED" },
  { type: "FAIL", error: new SessionError("protocol", "x", { phase: "idle" }) },
];

const machine = notificationLifecycle as unknown as AnyStateMachine;
const INPUT = { server: SERVER, maxRedirects: 1 };

type Snap = { value: unknown; status: string; _nodes: { after?: { eventType: string }[] }[] };

/** The events worth trying in a state: the ones above, plus its time limits. */
function eventsOf(snapshot: Snap): AnyEvent[] {
  if (snapshot.status === "done") return [];
  const delays = snapshot._nodes.flatMap((n) => n.after ?? []).map((t) => ({
    type: t.eventType as `xstate.after.${string}`,
  }));
  // Before the connection opens no bytes arrive, so there is no OUT from the server.
  const base = snapshot.value === "connecting"
    ? EVENTS.filter((e) => e.type !== "SERVER_OUT")
    : EVENTS;
  return [...base, ...delays];
}

/** Carries out a chart event on a session through its public API. */
function apply(session: NotificationSession, event: AnyEvent, now: number): void {
  const recv = (text: string) => session.handleData(new TextEncoder().encode(text), now);
  const value = JSON.stringify(session.machineSnapshot.value);
  try {
    switch (event.type) {
      case "START":
        return session.start(now);
      case "CONNECTED":
        return session.handleConnected(now);
      case "VER_OK":
        return recv("VER 1 MSNP8\r\n");
      case "CVR_OK":
        return recv("CVR 2 6.0 6.0 6.0 http://x http://y\r\n");
      case "XFR_NS":
        return recv(`XFR 3 NS ${event.host}:${event.port} 0 ${SERVER.host}:${SERVER.port}\r\n`);
      case "CHALLENGE":
        return recv(`USR 3 TWN S ${event.challenge}\r\n`);
      case "TICKET":
        return session.handlePassportTicket(event.ticket, now);
      case "USR_OK":
        return recv(`USR 4 OK ${ACCOUNT} Me 1 0\r\n`);
      case "SYN_LIST":
        return recv("SYN 5 1 1 0\r\n");
      case "SYNC_DONE":
        // Announced: the one contact ends it; otherwise a reply with nothing to list.
        return recv(
          value.includes("receiving") ? "LST a@example.com A 1 0\r\n" : "SYN 5 1 0 0\r\n",
        );
      case "QNG":
        return recv(`QNG ${event.seconds}\r\n`);
      case "SIGN_OUT":
        return session.signOut(now);
      case "SERVER_OUT":
        return recv("OUT OTH\r\n");
      case "CONNECTION_CLOSED":
        return session.handleClosed(now);
      case "FAIL":
        // Before the connection opens, failing means it could not be opened.
        if (session.phase === "connecting") return session.handleClosed(now);
        // A payload length that is not a number loses framing in every phase.
        return recv("MSG Hotmail Hotmail x\r\n");
      default: {
        // A time limit: advance to each deadline until the state moves on (a
        // request's deadline may come first and change nothing).
        for (let i = 0; i < 10; i++) {
          const due = session.pollTimeout();
          if (due === undefined) return;
          session.handleTimeout(due);
          if (JSON.stringify(session.machineSnapshot.value) !== value) return;
        }
      }
    }
  } catch (e) {
    // Misuse the chart ignores (CONNECTED with nothing pending, a ticket unasked for).
    if (!(e instanceof UsageError)) throw e;
  } finally {
    while (session.poll() !== undefined);
  }
}

function replay(events: AnyEvent[]): NotificationSession {
  const session = new NotificationSession(sessionOptions({ maxRedirects: 1 }));
  let now = 0;
  for (const event of events) apply(session, event, now++);
  return session;
}

const paths = getShortestPaths(machine, {
  events: eventsOf as (s: unknown) => AnyEvent[],
  input: INPUT,
});
const steps = (path: (typeof paths)[number]) =>
  path.steps.filter((s) => s.event.type !== "xstate.init").map((s) => s.event as AnyEvent);

test("every lifecycle state, sub-states included, is reachable, and the session follows each shortest path", () => {
  const reached = new Set<string>();
  for (const path of paths) {
    const target = JSON.stringify(path.state.value);
    reached.add(target);
    const session = replay(steps(path));
    assert.deepEqual(
      session.machineSnapshot.value,
      path.state.value,
      `path ${steps(path).map((e) => e.type).join(" > ")}`,
    );
  }
  assert.deepEqual([...reached].sort(), [
    '"authenticating"',
    '"authorizing"',
    '"closed"',
    '"connecting"',
    '"failed"',
    '"identifying"',
    '"idle"',
    '"negotiating"',
    '"requestingAuth"',
    '"signingOut"',
    '{"online":{"keepalive":"awaitingPong"}}',
    '{"online":{"keepalive":"waiting"}}',
    '{"syncing":"receiving"}',
    '{"syncing":"requested"}',
  ]);
});

test("from every reachable state, every event (time limits included) takes the session where the chart goes", () => {
  let transitions = 0;
  const taken = new Set<string>();
  for (const path of paths) {
    if (path.state.status === "done") continue;
    for (const event of eventsOf(path.state as unknown as Snap)) {
      const expected: { value: unknown } =
        transition(machine, path.state, event as LifecycleEvent)[0];
      const session = replay([...steps(path), event]);
      assert.deepEqual(
        session.machineSnapshot.value,
        expected.value,
        `${JSON.stringify(path.state.value)} + ${event.type}`,
      );
      transitions++;
      if (event.type.startsWith("xstate.after.")) taken.add(event.type.split(".")[2]);
    }
  }
  assert.ok(transitions > 150, `only ${transitions} transitions checked`);
  // Every time limit of the chart was exercised through the session's clock.
  assert.deepEqual([...taken].sort(), [
    "authorize",
    "connect",
    "handshake",
    "passport",
    "pingInterval",
    "pong",
    "signOut",
    "sync",
  ]);
});

test("the redirect limit is a guarded transition: within it a redirect, beyond it a failure", () => {
  let [s] = initialTransition(machine, INPUT);
  for (const e of ["START", "CONNECTED", "VER_OK", "CVR_OK"]) {
    [s] = transition(machine, s, { type: e, version: "MSNP8" });
  }
  const xfr = { type: "XFR_NS", host: "10.0.0.2", port: 1863 };
  [s] = transition(machine, s, xfr);
  assert.equal(s.value, "connecting");
  for (const e of ["CONNECTED", "VER_OK", "CVR_OK"]) {
    [s] = transition(machine, s, { type: e, version: "MSNP8" });
  }
  [s] = transition(machine, s, xfr);
  assert.equal(s.value, "failed");
  assert.equal(s.context.error.code, "too-many-redirects");
});
