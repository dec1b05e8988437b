// Login failures, connection loss and timeouts in every phase, and the
// rules for intents before sign-in and after a fatal error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describeErrorCode } from "../codec/mod.ts";
import {
  NotificationSession,
  SessionError,
  type SessionPhase,
  UsageError,
} from "../machine/mod.ts";
import { replaySession, type TranscriptStep } from "../testing/mod.ts";
import {
  ACCOUNT,
  CHALLENGE,
  CVR_LINE,
  CVR_REPLY,
  Driver,
  loginTo,
  type PrefixPhase,
  SERVER,
  sessionOptions,
} from "./_machine_helpers.ts";

const LOGIN_ERRORS: { code: number; phase: PrefixPhase; trid: number }[] = [
  { code: 715, phase: "identifying", trid: 2 },
  { code: 931, phase: "requestingAuth", trid: 3 },
  { code: 500, phase: "requestingAuth", trid: 3 },
  { code: 601, phase: "requestingAuth", trid: 3 },
  { code: 911, phase: "authorizing", trid: 4 },
  { code: 923, phase: "authorizing", trid: 4 },
  { code: 924, phase: "authorizing", trid: 4 },
  { code: 928, phase: "authorizing", trid: 4 },
];

for (const { code, phase, trid } of LOGIN_ERRORS) {
  test(`login error ${code} while ${phase} fails the session with server-error and closes`, () => {
    const { name } = describeErrorCode(code);
    for (const chunkSize of [undefined, 1]) {
      const { session } = replaySession([
        ...loginTo(phase),
        { recv: `${code} ${trid}\r\n` },
        { close: "client" },
        {
          event: {
            type: "signedOut",
            reason: "error",
            error: { code: "server-error", serverCode: code, serverName: name, phase },
          },
        },
      ], { session: sessionOptions(), chunkSize });
      assert.equal(session.phase, "failed");
      assert.ok(session.error instanceof SessionError);
      assert.equal(session.error.serverCode, code);
      assert.equal(session.error.serverName, name);
    }
  });
}

test("VER n 0 fails with version-rejected", () => {
  const { session } = replaySession([
    ...loginTo("negotiating"),
    { recv: "VER 1 0\r\n" },
    { close: "client" },
    {
      event: {
        type: "signedOut",
        reason: "error",
        error: { code: "version-rejected", phase: "negotiating" },
      },
    },
  ], { session: sessionOptions() });
  assert.equal(session.error?.code, "version-rejected");
});

test("a VER answer naming a version not offered is a protocol error", () => {
  replaySession([
    ...loginTo("negotiating"),
    { recv: "VER 1 MSNP12\r\n" },
    { close: "client" },
    { event: { type: "signedOut", reason: "error", error: { code: "protocol" } } },
  ], { session: sessionOptions() });
});

test("redirects beyond maxRedirects fail with too-many-redirects", () => {
  const hop = (n: number): TranscriptStep[] => [
    { connect: `10.0.0.${n}:1863` },
    { send: "VER 1 MSNP8 CVR0\r\n" },
    { recv: "VER 1 MSNP8\r\n" },
    { send: CVR_LINE },
    { recv: CVR_REPLY },
    { send: `USR 3 TWN I ${ACCOUNT}\r\n` },
    { recv: `XFR 3 NS 10.0.0.${n + 1}:1863 0 10.0.0.${n}:1863\r\n` },
    { close: "client" },
  ];
  const { session } = replaySession([
    ...hop(1),
    { event: { type: "redirected", host: "10.0.0.2", port: 1863 } },
    ...hop(2),
    { event: { type: "redirected", host: "10.0.0.3", port: 1863 } },
    ...hop(3),
    {
      event: {
        type: "signedOut",
        reason: "error",
        error: { code: "too-many-redirects", phase: "requestingAuth" },
      },
    },
  ], { session: sessionOptions({ server: { host: "10.0.0.1", port: 1863 }, maxRedirects: 2 }) });
  assert.equal(session.phase, "failed");
});

test("a Passport failure fails with passport-failed and carries the Passport code", () => {
  const { session } = replaySession([
    ...loginTo("requestingAuth"),
    { recv: `USR 3 TWN S ${CHALLENGE}\r\n` },
    { passport: { challenge: CHALLENGE, error: "bad-credentials" } },
    { close: "client" },
    {
      event: {
        type: "signedOut",
        reason: "error",
        error: {
          code: "passport-failed",
          passportCode: "bad-credentials",
          phase: "authenticating",
        },
      },
    },
  ], { session: sessionOptions() });
  assert.equal(session.error?.passportCode, "bad-credentials");
});

test("a connection that cannot be opened fails with connection-lost while connecting", () => {
  const d = new Driver(sessionOptions());
  d.session.start(0);
  assert.deepEqual(d.pump(), [{ type: "connect", ...SERVER, kind: "ns" }]);
  d.session.handleClosed(10);
  const events = d.events;
  assert.equal(events.length, 1);
  const [e] = events;
  assert.ok(e.type === "signedOut" && e.reason === "error");
  assert.equal(e.error?.code, "connection-lost");
  assert.equal(e.error?.phase, "connecting");
  // No close output: nothing was open.
  assert.deepEqual(d.outputs.filter((o) => o.type === "close"), []);
});

const LOGIN_PHASES: PrefixPhase[] = [
  "negotiating",
  "identifying",
  "requestingAuth",
  "authenticating",
  "authorizing",
  "syncing",
];

for (const phase of LOGIN_PHASES) {
  test(`connection loss while ${phase} fails with connection-lost naming the phase`, () => {
    const { session } = replaySession([
      ...loginTo(phase),
      { close: "server" },
      {
        event: {
          type: "signedOut",
          reason: "error",
          error: { code: "connection-lost", phase },
        },
      },
    ], { session: sessionOptions() });
    assert.equal(session.phase, "failed");
  });
}

test("connection loss while online ends with reason connectionLost", () => {
  const { session } = replaySession([
    ...loginTo("online"),
    { close: "server" },
    { event: { type: "signedOut", reason: "connectionLost" } },
  ], { session: sessionOptions() });
  assert.equal(session.phase, "closed");
  assert.equal(session.error, undefined);
});

test("connection loss while signing out ends with reason client", () => {
  replaySession([
    ...loginTo("online"),
    { call: { method: "signOut" } },
    { send: "OUT\r\n" },
    { close: "server" },
    { event: { type: "signedOut", reason: "client" } },
  ], { session: sessionOptions() });
});

const TIMEOUTS = {
  connect: 1_000,
  handshake: 2_000,
  passport: 3_000,
  authorize: 4_000,
  sync: 5_000,
  signOut: 6_000,
};
const LIMIT: Record<PrefixPhase, number> = {
  negotiating: TIMEOUTS.handshake,
  identifying: TIMEOUTS.handshake,
  requestingAuth: TIMEOUTS.handshake,
  authenticating: TIMEOUTS.passport,
  authorizing: TIMEOUTS.authorize,
  syncing: TIMEOUTS.sync,
  online: 0,
};

test("a connection that never opens times out at exactly the connect limit", () => {
  const d = new Driver(sessionOptions({ timeouts: TIMEOUTS }));
  d.session.start(100);
  d.pump();
  assert.equal(d.session.pollTimeout(), 1_100);
  d.advance(1_099);
  assert.equal(d.events.length, 0);
  d.advance(1_100);
  const [e] = d.events;
  assert.ok(e?.type === "signedOut" && e.reason === "error");
  assert.equal(e.error?.code, "timeout");
  assert.equal(e.error?.phase, "connecting");
  assert.equal(d.session.pollTimeout(), undefined);
});

for (const phase of LOGIN_PHASES) {
  test(`a server that never answers while ${phase} times out at exactly the limit`, () => {
    const limit = LIMIT[phase];
    replaySession([
      ...loginTo(phase),
      { time: limit - 1 },
      { time: limit },
      { close: "client" },
      { event: { type: "signedOut", reason: "error", error: { code: "timeout", phase } } },
    ], { session: sessionOptions({ timeouts: TIMEOUTS }) });
  });
}

test("a server that never answers OUT is closed at the sign-out limit, reason client", () => {
  replaySession([
    ...loginTo("online"),
    { time: 1_000 },
    { call: { method: "signOut" } },
    { send: "OUT\r\n" },
    { time: 1_000 + TIMEOUTS.signOut - 1 },
    { time: 1_000 + TIMEOUTS.signOut },
    { close: "client" },
    { event: { type: "signedOut", reason: "client" } },
  ], { session: sessionOptions({ timeouts: TIMEOUTS }) });
});

const INTENTS: [string, (s: NotificationSession) => unknown][] = [
  ["setStatus", (s) => s.setStatus("BSY")],
  ["rename", (s) => s.rename("x")],
  ["renameContact", (s) => s.renameContact("a@b.c", "x")],
  ["addContact", (s) => s.addContact("a@b.c")],
  ["removeContact", (s) => s.removeContact("a@b.c")],
  ["addGroup", (s) => s.addGroup("g")],
  ["removeGroup", (s) => s.removeGroup(1)],
  ["renameGroup", (s) => s.renameGroup(1, "g")],
  ["setPrivacy", (s) => s.setPrivacy("BL")],
  ["setAddPrompt", (s) => s.setAddPrompt("N")],
  ["setPhone", (s) => s.setPhone("PHH", "1")],
  ["requestSwitchboard", (s) => s.requestSwitchboard()],
];

test("intents before online throw UsageError not-online and send nothing", () => {
  const idle = new NotificationSession(sessionOptions());
  const connecting = new NotificationSession(sessionOptions());
  connecting.start(0);
  connecting.poll();
  const sessions = [
    idle,
    connecting,
    ...LOGIN_PHASES.map((phase) =>
      replaySession(loginTo(phase), { session: sessionOptions() }).session
    ),
  ];
  for (const session of sessions) {
    for (const [name, call] of INTENTS) {
      assert.throws(
        () => call(session),
        (e) => e instanceof UsageError && e.code === "not-online",
        `${name} while ${session.phase}`,
      );
    }
    assert.equal(session.poll(), undefined);
  }
});

test("after a fatal error every intent and signOut throw the same SessionError instance", () => {
  const { session } = replaySession([
    ...loginTo("authorizing"),
    { recv: "911 4\r\n" },
    { close: "client" },
    { event: { type: "signedOut", reason: "error" } },
  ], { session: sessionOptions() });
  const error = session.error;
  assert.ok(error instanceof SessionError);
  for (const [name, call] of INTENTS) {
    assert.throws(() => call(session), (e) => e === error, name);
  }
  assert.throws(() => session.signOut(), (e) => e === error);
  assert.throws(() => session.start(0), (e) => e === error);
  // Inputs after the end are ignored, not errors.
  session.handleData(new TextEncoder().encode("QNG 50\r\n"), 1);
  session.handleTimeout(1e9);
  session.handleClosed(2);
  assert.equal(session.poll(), undefined);
  assert.equal(session.pollTimeout(), undefined);
});

test("FLN as the initial status is refused when the session is created", () => {
  assert.throws(
    () => new NotificationSession(sessionOptions({ initialStatus: "FLN" as never })),
    (e) => e instanceof UsageError && e.code === "invalid-argument",
  );
});

test("HDN as the initial status is sent after sync and confirmed", () => {
  const steps = loginTo("syncing");
  const { session } = replaySession([
    ...steps,
    { recv: "SYN 5 1 0 0\r\n" },
    { send: "CHG 6 HDN 0\r\n" },
    { recv: "CHG 6 HDN 0\r\n" },
    { event: { type: "contactsSynced" } },
    { event: { type: "statusChanged", status: "HDN" } },
    { event: { type: "requestCompleted", requestId: 6 } },
  ], { session: sessionOptions({ initialStatus: "HDN" }) });
  assert.equal(session.status, "HDN");
  assert.equal(session.phase, "online" satisfies SessionPhase);
});

test("TrIDs continue across a redirect when restartTridsOnRedirect is false", () => {
  replaySession([
    ...loginTo("requestingAuth"),
    { recv: "XFR 3 NS 10.0.0.9:1863 0 127.0.0.1:1863\r\n" },
    { close: "client" },
    { event: { type: "redirected", host: "10.0.0.9", port: 1863 } },
    { connect: "10.0.0.9:1863" },
    { send: "VER 4 MSNP8 CVR0\r\n" },
    { recv: "VER 4 MSNP8\r\n" },
    { send: CVR_LINE.replace("CVR 2", "CVR 5") },
    { recv: CVR_REPLY.replace("CVR 2", "CVR 5") },
    { send: `USR 6 TWN I ${ACCOUNT}\r\n` },
  ], { session: sessionOptions({ restartTridsOnRedirect: false }) });
});
