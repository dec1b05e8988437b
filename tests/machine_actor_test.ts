import { test } from "node:test";
import assert from "node:assert/strict";
import { createActor } from "xstate";
import { notificationLifecycle } from "../machine/mod.ts";

test("the lifecycle machine runs under createActor (as with the Stately inspector), doing no I/O", () => {
  const inspected: string[] = [];
  const actor = createActor(notificationLifecycle, {
    input: { server: { host: "127.0.0.1", port: 1863 }, maxRedirects: 1 },
    inspect: (event) => {
      if (event.type === "@xstate.event") inspected.push((event.event as { type: string }).type);
    },
  });
  actor.start();
  const phase = () => (actor.getSnapshot() as { value: unknown }).value;
  assert.equal(phase(), "idle");
  actor.send({ type: "START" });
  actor.send({ type: "CONNECTED" });
  actor.send({ type: "VER_OK", version: "MSNP8" });
  actor.send({ type: "CVR_OK" });
  actor.send({ type: "XFR_NS", host: "127.0.0.2", port: 1863 });
  assert.equal(phase(), "connecting");
  actor.send({ type: "CONNECTED" });
  actor.send({ type: "VER_OK", version: "MSNP8" });
  actor.send({ type: "CVR_OK" });
  actor.send({ type: "CHALLENGE", challenge: "lc=1033" });
  actor.send({ type: "TICKET", ticket: "t=1" });
  actor.send({ type: "USR_OK" });
  actor.send({ type: "SYNC_DONE" });
  // online is a parallel state (its keepalive region), so its value is an object.
  assert.deepEqual(phase(), { online: { keepalive: "waiting" } });
  actor.send({ type: "SIGN_OUT" });
  actor.send({ type: "SERVER_OUT", reason: "client" });
  assert.equal(phase(), "closed");
  assert.equal(actor.getSnapshot().status, "done");
  assert.ok(inspected.includes("TICKET") && inspected.includes("SYNC_DONE"));
  actor.stop();
});
