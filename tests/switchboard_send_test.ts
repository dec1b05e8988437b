import { test } from "node:test";
import assert from "node:assert/strict";
import {
  buildNudgeMessage,
  buildTypingMessage,
  DecodeError,
  EncodeError,
  splitTextMessage,
} from "../codec/mod.ts";
import { SessionError, UsageError } from "../machine/mod.ts";
import {
  callOpen,
  callOptions,
  ME,
  outgoing,
  runScript,
  type Step,
  textPayload,
} from "./switchboard_script.ts";

/** An open call with bob in it; the next TrID is 2. */
function withBob(): Step[] {
  return [
    ...callOpen(),
    { recv: "JOI bob@x.com Bob\r\n" },
    {
      event: {
        type: "participantJoined",
        passport: "bob@x.com",
        friendlyName: "Bob",
        initial: false,
      },
    },
  ];
}

test("a NAK fails the send with reason nak", () => {
  runScript(callOptions(), [
    ...withBob(),
    { intent: (sb) => sb.sendText("hi"), returns: 1 },
    { send: outgoing(2, "A", textPayload("hi")) },
    { recv: "NAK 2\r\n" },
    { event: { type: "sendFailed", sendId: 1, failure: { reason: "nak" } } },
  ]);
});

test("282 on a D message fails the send with the server code", () => {
  const payload = new TextEncoder().encode(
    "MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\nP2P-Dest: bob@x.com\r\n\r\nxx",
  );
  runScript(callOptions(), [
    ...withBob(),
    { intent: (sb) => sb.sendRaw(payload, "D"), returns: 1 },
    { send: outgoing(2, "D", payload) },
    { recv: "282 2\r\n" },
    {
      event: {
        type: "sendFailed",
        sendId: 1,
        failure: { reason: "server-error", serverCode: 282, serverName: "BAD_P2P_MESSAGE" },
      },
    },
  ]);
});

test("typing (U) completes at once, unacknowledged; a nudge (N) completes when no NAK came in time", () => {
  runScript(callOptions({ timeouts: { nak: 2000 } }), [
    ...withBob(),
    { intent: (sb) => sb.sendTyping(), returns: 1 },
    { send: outgoing(2, "U", buildTypingMessage(ME)) },
    { event: { type: "sendCompleted", sendId: 1, acknowledged: false, recipients: ["bob@x.com"] } },
    { intent: (sb) => sb.sendNudge(), returns: 2 },
    { send: outgoing(3, "N", buildNudgeMessage()) },
    { intent: (sb) => sb.pollTimeout(), returns: 2000 },
    { tick: 1999 },
    { tick: 2000 },
    { event: { type: "sendCompleted", sendId: 2, acknowledged: false, recipients: ["bob@x.com"] } },
    { intent: (sb) => sb.sendNudge(), returns: 3 },
    { send: outgoing(4, "N", buildNudgeMessage()) },
    { recv: "NAK 4\r\n" },
    { event: { type: "sendFailed", sendId: 3, failure: { reason: "nak" } } },
  ]);
});

test("a 5,000-byte emoji text goes out as several messages, in order, completed once", () => {
  const text = "👍🏽".repeat(625); // 8 bytes per cluster: 5,000 bytes
  const parts = splitTextMessage(text);
  assert.equal(parts.length, 4);
  const steps: Step[] = [...withBob(), { intent: (sb) => sb.sendText(text), returns: 1 }];
  parts.forEach((p, i) => steps.push({ send: outgoing(2 + i, "A", p) }));
  steps.push({ recv: "ACK 2\r\nACK 3\r\nACK 5\r\n" });
  steps.push({ recv: "ACK 4\r\n" });
  steps.push({
    event: { type: "sendCompleted", sendId: 1, acknowledged: true, recipients: ["bob@x.com"] },
  });
  runScript(callOptions(), steps);
});

test("one failing part fails the whole split send once", () => {
  const text = "x".repeat(4000);
  const parts = splitTextMessage(text);
  assert.equal(parts.length, 3);
  const steps: Step[] = [...withBob(), { intent: (sb) => sb.sendText(text), returns: 1 }];
  parts.forEach((p, i) => steps.push({ send: outgoing(2 + i, "A", p) }));
  steps.push({ recv: "ACK 2\r\nNAK 3\r\nACK 4\r\n" });
  steps.push({ event: { type: "sendFailed", sendId: 1, failure: { reason: "nak" } } });
  runScript(callOptions(), steps);
});

test("the peer closing mid-send fails the send as closed, then the session ends", () => {
  runScript(callOptions(), [
    ...withBob(),
    { intent: (sb) => sb.sendText("one"), returns: 1 },
    { send: outgoing(2, "A", textPayload("one")) },
    { intent: (sb) => sb.invite("carol@x.com"), returns: 2 },
    { send: "CAL 3 carol@x.com\r\n" },
    { recv: "ACK 2" }, // cut off by the close
    { input: "closed" },
    {
      event: {
        type: "inviteFailed",
        inviteId: 2,
        passport: "carol@x.com",
        failure: { reason: "closed" },
      },
    },
    { event: { type: "sendFailed", sendId: 1, failure: { reason: "closed" } } },
    { event: { type: "ended", reason: "connectionLost" } },
  ]);
});

test("a message sent while alone is ACKed with no recipients", () => {
  runScript(callOptions(), [
    ...withBob(),
    { recv: "BYE bob@x.com\r\n" },
    { event: { type: "participantLeft", passport: "bob@x.com", timedOut: false } },
    { intent: (sb) => sb.sendText("anyone?"), returns: 1 },
    { send: outgoing(2, "A", textPayload("anyone?")) },
    { recv: "ACK 2\r\n" },
    { event: { type: "sendCompleted", sendId: 1, acknowledged: true, recipients: [] } },
  ]);
});

test("intents are refused with UsageError before the switchboard is open and for bad arguments", () => {
  const steps: Step[] = [
    { input: "start" },
    { connect: true },
    {
      intent: (sb) =>
        assert.throws(
          () => sb.sendText("early"),
          (e) => e instanceof UsageError && e.code === "not-online",
        ),
    },
    { input: "connected" },
    { send: `USR 1 ${ME} 17262740.1050826919.32308\r\n` },
    { recv: `USR 1 OK ${ME} Me\r\n` },
    { event: { type: "ready", participants: [] } },
    {
      intent: (sb) => {
        assert.throws(
          () => sb.sendRaw(new Uint8Array(1665), "A"),
          (e) =>
            e instanceof UsageError && e.code === "invalid-argument" &&
            e.cause instanceof EncodeError,
        );
        assert.throws(
          () => sb.sendText("bad \ud800"),
          (e) =>
            e instanceof UsageError && e.code === "invalid-argument" &&
            e.cause instanceof EncodeError,
        );
        assert.throws(
          () => sb.sendText("x", { format: { font: "\udc00" } }),
          (e) =>
            e instanceof UsageError && e.code === "invalid-argument" &&
            e.cause instanceof EncodeError,
        );
        assert.throws(
          () => sb.invite("bad passport"),
          (e) => e instanceof UsageError && e.code === "invalid-argument",
        );
        assert.throws(() => sb.sendRaw(new Uint8Array(1), "X" as "A"), UsageError);
      },
    },
    // Nothing was sent, no id or TrID was used: the next send is id 1, TrID 2.
    { intent: (sb) => sb.sendText("ok"), returns: 1 },
    { send: outgoing(2, "A", textPayload("ok")) },
  ];
  runScript(callOptions(), steps);
});

test("a malformed command while open is a warning and the session goes on", () => {
  const warning = new DecodeError(
    "invalid-arguments",
    'Cannot read "JOI": expected at least 1 arguments, got 0',
    -1,
    false,
  );
  const sb = runScript(callOptions(), [
    ...callOpen(),
    { recv: "JOI\r\nJOI bob@x.com Bob\r\n" },
    { event: { type: "warning", error: warning } },
    {
      event: {
        type: "participantJoined",
        passport: "bob@x.com",
        friendlyName: "Bob",
        initial: false,
      },
    },
  ]);
  assert.equal(sb.phase, "open");
});

const IRO_ERROR = 'Cannot read "IRO": expected at least 4 arguments, got 1';

test("a malformed command during the handshake fails the session as a protocol error", () => {
  const sb = runScript(callOptions(), [
    { input: "start" },
    { connect: true },
    { input: "connected" },
    { send: `USR 1 ${ME} 17262740.1050826919.32308\r\n` },
    { recv: "IRO 1 x\r\n" },
    { close: true },
    {
      event: {
        type: "ended",
        reason: "error",
        error: new SessionError("protocol", IRO_ERROR, {
          phase: "authenticating",
          cause: new DecodeError("invalid-arguments", IRO_ERROR, -1, false),
        }),
      },
    },
  ]);
  assert.equal(sb.error?.code, "protocol");
  assert.ok(sb.error?.cause instanceof DecodeError);
});
