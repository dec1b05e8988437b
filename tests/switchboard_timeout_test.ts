import { test } from "node:test";
import assert from "node:assert/strict";
import { SessionError } from "../machine/mod.ts";
import {
  answerOptions,
  callOpen,
  callOptions,
  COOKIE,
  ME,
  outgoing,
  runScript,
  type Step,
  textPayload,
} from "./switchboard_script.ts";

const timeouts = { connect: 100, auth: 200, call: 300, ack: 400, nak: 50, leave: 500 };

function timedOut(
  phase: "connecting" | "authenticating" | "answering",
  what: string,
): SessionError {
  return new SessionError("timeout", `No answer from the switchboard to ${what}`, { phase });
}

test("the connection not opening in time fails the session", () => {
  runScript(callOptions({ timeouts }), [
    { input: "start" },
    { connect: true },
    { intent: (sb) => sb.pollTimeout(), returns: 100 },
    { tick: 99 },
    { tick: 100 },
    { close: true },
    { event: { type: "ended", reason: "error", error: timedOut("connecting", "the connection") } },
    { intent: (sb) => sb.pollTimeout(), returns: undefined },
  ]);
});

test("a connection that fails to open fails the session as connection-lost", () => {
  runScript(callOptions({ timeouts }), [
    { input: "start" },
    { connect: true },
    { input: "closed" },
    {
      event: {
        type: "ended",
        reason: "error",
        error: new SessionError(
          "connection-lost",
          "Switchboard connection closed while connecting",
          {
            phase: "connecting",
          },
        ),
      },
    },
  ]);
});

test("no USR OK in time fails the session; the connect limit no longer counts", () => {
  runScript(callOptions({ timeouts }), [
    { input: "start" },
    { connect: true },
    { tick: 50 },
    { input: "connected" },
    { send: `USR 1 ${ME} ${COOKIE}\r\n` },
    { intent: (sb) => sb.pollTimeout(), returns: 250 },
    { tick: 249 },
    { tick: 250 },
    { close: true },
    { event: { type: "ended", reason: "error", error: timedOut("authenticating", "USR") } },
  ]);
});

test("no ANS OK in time fails the session", () => {
  runScript(answerOptions({ timeouts }), [
    { input: "start" },
    { connect: true },
    { input: "connected" },
    { send: `ANS 1 ${ME} ${COOKIE} 17342299\r\n` },
    { recv: "IRO 1 1 1 bob@x.com Bob\r\n" },
    {
      event: {
        type: "participantJoined",
        passport: "bob@x.com",
        friendlyName: "Bob",
        initial: true,
      },
    },
    { tick: 200 },
    { close: true },
    { event: { type: "ended", reason: "error", error: timedOut("answering", "ANS") } },
  ]);
});

test("no CAL answer in time fails that invitation only", () => {
  const sb = runScript(callOptions({ timeouts }), [
    ...callOpen(),
    { intent: (sb) => sb.invite("bob@x.com"), returns: 1 },
    { send: "CAL 2 bob@x.com\r\n" },
    { intent: (sb) => sb.pollTimeout(), returns: 300 },
    { tick: 300 },
    {
      event: {
        type: "inviteFailed",
        inviteId: 1,
        passport: "bob@x.com",
        failure: { reason: "timeout" },
      },
    },
    { recv: "CAL 2 RINGING 5\r\n" }, // too late: nobody waits for it any more
  ]);
  assert.equal(sb.phase, "open");
  assert.equal(sb.pollTimeout(), undefined);
});

test("no ACK in time fails that send only", () => {
  runScript(callOptions({ timeouts }), [
    ...callOpen(),
    { tick: 10 },
    { intent: (sb) => sb.sendText("a"), returns: 1 },
    { send: outgoing(2, "A", textPayload("a")) },
    { tick: 200 },
    { intent: (sb) => sb.sendText("b"), returns: 2 },
    { send: outgoing(3, "A", textPayload("b")) },
    { intent: (sb) => sb.pollTimeout(), returns: 410 },
    { tick: 410 },
    { event: { type: "sendFailed", sendId: 1, failure: { reason: "timeout" } } },
    { recv: "ACK 2\r\nACK 3\r\n" },
    { event: { type: "sendCompleted", sendId: 2, acknowledged: true, recipients: [] } },
  ]);
});

test("an intent's deadline counts from the now it is given", () => {
  runScript(callOptions({ timeouts }), [
    ...callOpen(),
    { intent: (sb) => sb.sendText("a", {}, 1000), returns: 1 },
    { send: outgoing(2, "A", textPayload("a")) },
    { intent: (sb) => sb.pollTimeout(), returns: 1400 },
  ]);
});

test("leaving: OUT, then the leave limit closes the connection itself", () => {
  const steps: Step[] = [
    ...callOpen(),
    { intent: (sb) => sb.leave() },
    { send: "OUT\r\n" },
    { intent: (sb) => sb.leave() }, // again: nothing more
    { recv: "BYE nobody@x.com\r\n" }, // still reading while leaving
    { tick: 499 },
    { tick: 500 },
    { close: true },
    { event: { type: "ended", reason: "left" } },
  ];
  const sb = runScript(callOptions({ timeouts }), steps);
  assert.equal(sb.phase, "closed");
});

test("leaving before the switchboard accepted us just closes", () => {
  runScript(callOptions({ timeouts }), [
    { input: "start" },
    { connect: true },
    { input: "connected" },
    { send: `USR 1 ${ME} ${COOKIE}\r\n` },
    { intent: (sb) => sb.leave() },
    { close: true },
    { event: { type: "ended", reason: "left" } },
  ]);
});
