// Model-based: XState's graph traversal finds the shortest event path to every
// state of the lifecycle machine; each path is replayed against a real
// NotificationSession through its public inputs, which must land in the same phase.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { AnyStateMachine } from "xstate";
import { getShortestPaths } from "xstate/graph";
import {
  type LifecycleEvent,
  notificationLifecycle,
  NotificationSession,
  SessionError,
} from "../machine/mod.ts";
import { ACCOUNT, SERVER, sessionOptions } from "./_machine_helpers.ts";

const EVENTS: LifecycleEvent[] = [
  { type: "START" },
  { type: "CONNECTED" },
  { type: "VER_OK", version: "MSNP8" },
  { type: "CVR_OK" },
  { type: "XFR_NS", host: "10.0.0.2", port: 1863 },
  { type: "CHALLENGE", challenge: "lc=1033" },
  { type: "TICKET", ticket: "t=1&p=2" },
  { type: "USR_OK" },
  { type: "SYNC_DONE" },
  { type: "SIGN_OUT" },
  { type: "SERVER_OUT", reason: "otherLocation" },
  { type: "CONNECTION_CLOSED" },
  { type: "TIMEOUT" },
  { type: "FAIL", error: new SessionError("protocol", "x", { phase: "idle" }) },
];

/** Carries out a machine event on a session through its public API. */
function apply(session: NotificationSession, event: LifecycleEvent, now: number): void {
  const recv = (text: string) => session.handleData(new TextEncoder().encode(text), now);
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
    case "SYNC_DONE":
      return recv("SYN 5 1 0 0\r\n");
    case "SIGN_OUT":
      return session.signOut();
    case "SERVER_OUT":
      return recv("OUT OTH\r\n");
    case "CONNECTION_CLOSED":
      return session.handleClosed(now);
    case "TIMEOUT":
      return session.handleTimeout(now + 1e7);
    case "FAIL":
      // Before the connection opens, failing means it could not be opened.
      if (session.phase === "connecting") return session.handleClosed(now);
      // A payload length that is not a number loses framing in every phase.
      return recv("MSG Hotmail Hotmail x\r\n");
  }
}

test("every lifecycle state is reachable, and the session follows each shortest path", () => {
  // The public type hides XState's internals; the value is the machine itself.
  const machine = notificationLifecycle as unknown as AnyStateMachine;
  const paths = getShortestPaths(machine, {
    // A finished session takes no more events; before the connection opens
    // no bytes arrive, so there is no OUT from the server.
    events: (snapshot: { value: unknown; status: string }) =>
      snapshot.status === "done"
        ? []
        : snapshot.value === "connecting"
        ? EVENTS.filter((e) => e.type !== "SERVER_OUT")
        : EVENTS,
    input: { server: SERVER, maxRedirects: 1 },
  });
  const reached = new Set<string>();
  for (const path of paths) {
    const target = String(path.state.value);
    reached.add(target);
    const session = new NotificationSession(sessionOptions({ maxRedirects: 1 }));
    let now = 0;
    for (const step of path.steps) {
      if (step.event.type === "xstate.init") continue;
      apply(session, step.event as LifecycleEvent, now++);
      while (session.poll() !== undefined);
    }
    assert.equal(
      session.phase,
      target,
      `path ${path.steps.map((s) => s.event.type).join(" > ")}`,
    );
  }
  assert.deepEqual([...reached].sort(), [
    "authenticating",
    "authorizing",
    "closed",
    "connecting",
    "failed",
    "identifying",
    "idle",
    "negotiating",
    "online",
    "requestingAuth",
    "signingOut",
    "syncing",
  ]);
});
