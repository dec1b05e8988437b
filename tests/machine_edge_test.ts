// Edge cases found while writing the session tests; each pins a fix in machine/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PayloadError } from "../codec/mod.ts";
import { replaySession } from "../testing/mod.ts";
import { ACCOUNT, loginTo, sessionOptions } from "./_machine_helpers.ts";

test("a command cut off by the close while online is connection loss, not a protocol error", () => {
  const { session } = replaySession([
    ...loginTo("online"),
    { recv: "NLN NLN bob@example.com Bo" },
    { close: "server" },
    { event: { type: "signedOut", reason: "connectionLost" } },
  ], { session: sessionOptions() });
  assert.equal(session.error, undefined);
});

test("a command cut off by the close while logging in is connection-lost", () => {
  replaySession([
    ...loginTo("requestingAuth"),
    { recv: "USR 3 TWN S lc=10" },
    { close: "server" },
    {
      event: {
        type: "signedOut",
        reason: "error",
        error: { code: "connection-lost", phase: "requestingAuth" },
      },
    },
  ], { session: sessionOptions() });
});

test("complete commands before the close are still handled", () => {
  replaySession([
    ...loginTo("online"),
    { recv: "ADD 0 RL 11 zed@example.com Zed\r\n" },
    { close: "server" },
    { event: { type: "listChanged" } },
    { event: { type: "addedBy", passport: "zed@example.com" } },
    { event: { type: "signedOut", reason: "connectionLost" } },
  ], { session: sessionOptions() });
});

test("a MSG whose payload is not MIME is a warning, and the session goes on", () => {
  const { events, session } = replaySession([
    ...loginTo("online"),
    { recv: "MSG Hotmail Hotmail 9\r\nno colon\n" },
    { event: { type: "warning" } },
    { recv: "QNG\r\n" },
    { call: { method: "addGroup", args: ["G"] } },
    { send: "ADG 7 G 0\r\n" },
  ], { session: sessionOptions() });
  const warning = events.find((e) => e.type === "warning");
  assert.ok(warning?.type === "warning" && warning.error instanceof PayloadError);
  assert.equal(session.phase, "online");
});

test("a profile MSG that arrives before USR OK is still reported", () => {
  const body = "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile; charset=UTF-8\r\n" +
    "Kid: 0\r\nClientIP: 10.1.2.3\r\nClientPort: 18183\r\n\r\n";
  replaySession([
    ...loginTo("authorizing"),
    { recv: `MSG Hotmail Hotmail ${new TextEncoder().encode(body).length}\r\n${body}` },
    { event: { type: "profile", profile: { clientIp: "10.1.2.3", clientPort: 1863 } } },
    { recv: `USR 4 OK ${ACCOUNT} Me 1 0\r\n` },
    { event: { type: "signedIn" } },
    { send: "SYN 5 0\r\n" },
  ], { session: sessionOptions() });
});

test("a malformed line while online is a warning; while logging in it is fatal", () => {
  replaySession([
    ...loginTo("online"),
    { recv: "ILN 9 XXX bob@example.com Bob 0\r\nqng\r\n" },
    { event: { type: "warning", error: { code: "invalid-arguments" } } },
    { event: { type: "warning", error: { code: "invalid-name" } } },
  ], { session: sessionOptions() });
  replaySession([
    ...loginTo("identifying"),
    { recv: "CVR 2\r\n" },
    { close: "client" },
    { event: { type: "signedOut", reason: "error", error: { code: "protocol" } } },
  ], { session: sessionOptions() });
});

test("own REA is recognised whatever the case of the passport", () => {
  const { session } = replaySession([
    ...loginTo("online"),
    { call: { method: "rename", args: ["New"] } },
    { send: `REA 7 ${ACCOUNT} New\r\n` },
    { recv: `REA 7 11 ${ACCOUNT.toUpperCase()} New\r\n` },
    { event: { type: "renamed", friendlyName: "New" } },
    { event: { type: "requestCompleted", requestId: 7 } },
  ], { session: sessionOptions() });
  assert.equal(session.friendlyName, "New");
});
