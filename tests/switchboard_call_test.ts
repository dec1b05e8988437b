import { test } from "node:test";
import assert from "node:assert/strict";
import {
  callOpen,
  callOptions,
  COOKIE,
  incoming,
  ME,
  outgoing,
  runScript,
  type Step,
  textPayload,
} from "./switchboard_script.ts";
import { describeErrorCode } from "../codec/mod.ts";
import { inspect } from "node:util";
import { SessionError, SwitchboardSession, UsageError } from "../machine/mod.ts";

test("an outgoing conversation: USR, CAL, RINGING, JOI, MSG with ACK, a reply, leaving", () => {
  const steps: Step[] = [
    { input: "start" },
    { connect: true },
    { input: "connected" },
    { send: `USR 1 ${ME} ${COOKIE}\r\n` },
    { recv: `USR 1 OK ${ME} Me%20Myself\r\n` },
    { event: { type: "ready", participants: [] } },
    { send: "CAL 2 bob@example.com\r\n" },
    { recv: "CAL 2 RINGING 11752013\r\n" },
    {
      event: {
        type: "inviteRinging",
        inviteId: 1,
        passport: "bob@example.com",
        sessionId: "11752013",
      },
    },
    { recv: "JOI bob@example.com Bob%20B\r\n" },
    {
      event: {
        type: "participantJoined",
        passport: "bob@example.com",
        friendlyName: "Bob B",
        initial: false,
      },
    },
    { intent: (sb) => sb.sendText("Hello.\nBye"), returns: 2 },
    { send: outgoing(3, "A", textPayload("Hello.\r\nBye")) },
    { recv: "ACK 3\r\n" },
    {
      event: {
        type: "sendCompleted",
        sendId: 2,
        acknowledged: true,
        recipients: ["bob@example.com"],
      },
    },
    { recv: incoming("bob@example.com", "Bob%20B", textPayload("Hi 👋", "FN=Arial; EF=B; CO=ff")) },
    {
      event: {
        type: "message",
        from: "bob@example.com",
        friendlyName: "Bob B",
        content: {
          kind: "text",
          text: "Hi 👋",
          format: { font: "Arial", effects: ["B"], color: "ff" },
        },
      },
    },
    { intent: (sb) => sb.leave() },
    { send: "OUT\r\n" },
    { input: "closed" },
    { event: { type: "ended", reason: "left" } },
  ];
  const sb = runScript(callOptions({ invitees: ["bob@example.com"] }), steps);
  assert.equal(sb.phase, "closed");
  assert.equal(sb.sessionId, "11752013");
  assert.deepStrictEqual(sb.participants, [{ passport: "bob@example.com", friendlyName: "Bob B" }]);
  assert.equal(sb.pollTimeout(), undefined);
});

for (
  const [code, reason] of [
    [215, "already-present"],
    [216, "blocked"],
    [217, "offline"],
    [208, "invalid-address"],
    [713, "too-fast"],
    [500, "server-error"],
  ] as const
) {
  test(`CAL answered with ${code} fails the invitation as ${reason}`, () => {
    const steps: Step[] = [
      ...callOpen(),
      { intent: (sb) => sb.invite("bob@example.com"), returns: 1 },
      { send: "CAL 2 bob@example.com\r\n" },
      { recv: `${code} 2\r\n` },
      {
        event: {
          type: "inviteFailed",
          inviteId: 1,
          passport: "bob@example.com",
          failure: { reason, serverCode: code, serverName: describeErrorCode(code).name },
        },
      },
    ];
    const sb = runScript(callOptions(), steps);
    assert.equal(sb.phase, "open", "a refused invitation leaves the switchboard open");
  });
}

test("911 on USR fails the session with the server code and closes", () => {
  const error = new SessionError(
    "server-error",
    "Switchboard refused us: 911 AUTHENTICATION_FAILED",
    {
      phase: "authenticating",
      serverCode: 911,
      serverName: "AUTHENTICATION_FAILED",
    },
  );
  const sb = runScript(callOptions(), [
    { input: "start" },
    { connect: true },
    { input: "connected" },
    { send: `USR 1 ${ME} ${COOKIE}\r\n` },
    { recv: "911 1\r\n" },
    { close: true },
    { event: { type: "ended", reason: "error", error } },
  ]);
  assert.equal(sb.phase, "failed");
  assert.equal(sb.error?.serverCode, 911);
  assert.throws(() => sb.sendText("x"), (e) => e === sb.error);
});

test("a multi-party call: a second invitee joins after the first", () => {
  runScript(callOptions({ invitees: ["bob@example.com"] }), [
    { input: "start" },
    { connect: true },
    { input: "connected" },
    { send: `USR 1 ${ME} ${COOKIE}\r\n` },
    { recv: `USR 1 OK ${ME} Me\r\n` },
    { event: { type: "ready", participants: [] } },
    { send: "CAL 2 bob@example.com\r\n" },
    { recv: "CAL 2 RINGING 99\r\nJOI bob@example.com Bob\r\n" },
    { event: { type: "inviteRinging", inviteId: 1, passport: "bob@example.com", sessionId: "99" } },
    {
      event: {
        type: "participantJoined",
        passport: "bob@example.com",
        friendlyName: "Bob",
        initial: false,
      },
    },
    { intent: (sb) => sb.invite("carol@example.com"), returns: 2 },
    { send: "CAL 3 carol@example.com\r\n" },
    { recv: "CAL 3 RINGING 99\r\nJOI carol@example.com Carol\r\n" },
    {
      event: { type: "inviteRinging", inviteId: 2, passport: "carol@example.com", sessionId: "99" },
    },
    {
      event: {
        type: "participantJoined",
        passport: "carol@example.com",
        friendlyName: "Carol",
        initial: false,
      },
    },
    { intent: (sb) => sb.sendText("all"), returns: 3 },
    { send: outgoing(4, "A", textPayload("all")) },
    { recv: "ACK 4\r\n" },
    {
      event: {
        type: "sendCompleted",
        sendId: 3,
        acknowledged: true,
        recipients: ["bob@example.com", "carol@example.com"],
      },
    },
  ]);
});

test("the cookie appears only in the USR line: never in events, errors or their stacks", () => {
  const cookie = "SECRET.cookie.4242";
  const sb = new SwitchboardSession(callOptions({ cookie, invitees: ["bob@example.com"] }));
  const seen: string[] = [];
  const drain = () => {
    for (let o = sb.poll(); o; o = sb.poll()) {
      if (o.type === "transmit") seen.push(new TextDecoder().decode(o.bytes));
      else if (o.type === "event") {
        const error = "error" in o.event ? o.event.error : undefined;
        seen.push(JSON.stringify(o.event), String(error), error?.stack ?? "", inspect(o.event));
      }
    }
  };
  sb.start(0);
  sb.handleConnected(1);
  drain();
  assert.equal(seen.filter((s) => s.includes(cookie)).length, 1);
  assert.ok(seen[0].startsWith("USR 1 "));
  sb.handleData(new TextEncoder().encode("911 1\r\n"), 2);
  drain();
  assert.equal(seen.filter((s) => s.includes(cookie)).length, 1);
  assert.ok(!inspect(sb).includes(cookie));
  // A cookie the session refuses is not quoted back either.
  for (const bad of ["SECRET cookie", "SECRET\r\ncookie", ""]) {
    assert.throws(
      () => new SwitchboardSession(callOptions({ cookie: bad })),
      (e) =>
        e instanceof UsageError && e.code === "invalid-argument" &&
        (bad === "" || !`${e.message}${e.stack}`.includes("SECRET")),
    );
  }
});
