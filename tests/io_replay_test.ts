// ReplayTransport: playing a transcript's server side, and catching every way a client can stray.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PassportError } from "../auth/mod.ts";
import { ReplayMismatchError, TransportError } from "../io_adapters/errors.ts";
import { REPLAY_LOGIN_URL, ReplayTransport } from "../io_adapters/replay_transport.ts";
import { runPassport } from "../io_adapters/run_passport.ts";
import type { Connection } from "../io_adapters/transport.ts";
import { parseTranscript, type TranscriptStep } from "../testing/transcript.ts";

const text = (s: string) => new TextEncoder().encode(s);

async function readText(connection: Connection): Promise<string> {
  let out = "";
  const decoder = new TextDecoder();
  for await (const chunk of connection.readable) out += decoder.decode(chunk, { stream: true });
  return out;
}

const HANDSHAKE: TranscriptStep[] = parseTranscript(
  [
    '{"comment":"a dispatch server handshake"}',
    '{"connect":"messenger.hotmail.com:1863"}',
    '{"time":0}',
    '{"send":"VER 1 MSNP8 CVR0\\r\\n"}',
    '{"recv":"VER 1 MSNP8 CVR0\\r\\n"}',
    '{"send":"CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 6.0.0602 MSMSGS alice@example.com\\r\\n"}',
    '{"send":"USR 3 TWN I alice@example.com\\r\\n"}',
    '{"recv":"CVR 2 6.0.0602 6.0.0602 1.0.0000 http://x/ http://y/\\r\\n"}',
    '{"recv":"XFR 3 NS 207.46.106.118:1863 0 207.46.104.20:1863\\r\\n"}',
    '{"event":{"type":"redirected"}}',
    '{"close":"server"}',
  ].join("\n"),
);

const CVR = "CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 6.0.0602 MSMSGS alice@example.com\r\n";

test("replay plays a transcript: recv as chunks, sends split and merged, server close", async () => {
  const times: [number, number][] = [];
  const events: [Record<string, unknown>, number][] = [];
  const replay = new ReplayTransport(HANDSHAKE, {
    onTime: (ms, step) => times.push([ms, step]),
    onEvent: (event, step) => events.push([event, step]),
  });
  const connection = await replay.connect("messenger.hotmail.com", 1863);
  assert.deepEqual(connection.remote, { host: "messenger.hotmail.com", port: 1863 });
  // One step in two writes, then two steps in one write.
  await connection.write(text("VER 1 MS"));
  await connection.write(text("NP8 CVR0\r\n"));
  await connection.write(text(CVR + "USR 3 TWN I alice@example.com\r\n"));
  assert.equal(
    await readText(connection),
    "VER 1 MSNP8 CVR0\r\nCVR 2 6.0.0602 6.0.0602 1.0.0000 http://x/ http://y/\r\n" +
      "XFR 3 NS 207.46.106.118:1863 0 207.46.104.20:1863\r\n",
  );
  connection.close(); // after close:server: needs no step
  connection.close();
  await replay.done();
  replay.assertComplete();
  assert.equal(replay.position, HANDSHAKE.length);
  assert.deepEqual(times, [[0, 3]]);
  assert.deepEqual(events, [[{ type: "redirected" }, 10]]);
});

test("replay reports a send mismatch with step number, expected and actual", async () => {
  const replay = new ReplayTransport(HANDSHAKE);
  const connection = await replay.connect("messenger.hotmail.com", 1863);
  await connection.write(text("VER 1 MS"));
  const reading = readText(connection);
  const error = await connection.write(text("NP9 CVR0\r\n")).catch((e) => e);
  assert.ok(error instanceof ReplayMismatchError);
  assert.equal(error.code, "send-mismatch");
  assert.equal(error.step, 4);
  assert.equal(error.expected, 'send "VER 1 MSNP8 CVR0\\r\\n"');
  assert.equal(error.actual, '"VER 1 MSNP9 CVR0\\r\\n"');
  assert.equal(
    error.message,
    'Cannot replay step 4: expected send "VER 1 MSNP8 CVR0\\r\\n", got "VER 1 MSNP9 CVR0\\r\\n"',
  );
  // Every later operation fails the same way: the readable, done(), writes, assertComplete.
  await assert.rejects(reading, (e) => e === error);
  await assert.rejects(replay.done(), (e) => e === error);
  await assert.rejects(connection.write(text("x")), (e) => e === error);
  assert.throws(() => replay.assertComplete(), (e) => e === error);
  connection.close();
});

test("replay rejects a connect to another host:port at once", async () => {
  const replay = new ReplayTransport(HANDSHAKE);
  await assert.rejects(replay.connect("messenger.hotmail.com", 1864), {
    name: "ReplayMismatchError",
    code: "unexpected-connect",
    step: 2,
    expected: "connect to messenger.hotmail.com:1863",
    actual: "connect to messenger.hotmail.com:1864",
  });
  await assert.rejects(replay.done(), { code: "unexpected-connect" });
});

test("replay rejects a connect while the transcript waits for a send", async () => {
  const replay = new ReplayTransport(HANDSHAKE);
  await replay.connect("messenger.hotmail.com", 1863);
  await assert.rejects(replay.connect("messenger.hotmail.com", 1863), {
    code: "unexpected-connect",
    step: 4,
    expected: 'send "VER 1 MSNP8 CVR0\\r\\n"',
  });
});

test("replay detects a premature client close, even mid-send", async () => {
  const replay = new ReplayTransport(HANDSHAKE);
  const connection = await replay.connect("messenger.hotmail.com", 1863);
  const reading = readText(connection).catch((e) => e);
  await connection.write(text("VER 1"));
  connection.close();
  await assert.rejects(replay.done(), {
    name: "ReplayMismatchError",
    code: "unexpected-close",
    step: 4,
    expected: 'send "VER 1 MSNP8 CVR0\\r\\n" (5 bytes matched)',
    actual: "close by the client",
  });
  // The readable had already ended by the client's own close.
  assert.equal(await reading, "");
  await assert.rejects(connection.write(text("x")), { name: "TransportError", code: "closed" });
});

test("replay expects close:client and a second connection after it", async () => {
  const replay = new ReplayTransport([
    { connect: "127.0.0.1:1863" },
    { send: "OUT\r\n" },
    { close: "client" },
    { connect: "127.0.0.1:1864" },
    { recv: "hi" },
    { close: "server" },
  ]);
  const first = await replay.connect("127.0.0.1", 1863);
  await first.write(text("OUT\r\n"));
  first.close();
  const second = await replay.connect("127.0.0.1", 1864);
  assert.equal(await readText(second), "hi");
  await replay.done();
});

test("replay: closing an earlier connection is ignored, writing to it is a mismatch", async () => {
  const replay = new ReplayTransport([
    { connect: "127.0.0.1:1863" },
    { connect: "127.0.0.1:1864" },
    { send: "A\r\n" },
  ]);
  const first = await replay.connect("127.0.0.1", 1863);
  const second = await replay.connect("127.0.0.1", 1864);
  await assert.rejects(first.write(text("A\r\n")), {
    code: "unexpected-send",
    step: 3,
    actual: 'send on an earlier connection: "A\\r\\n"',
  });
  first.close();
  second.close();

  const lenient = new ReplayTransport([
    { connect: "127.0.0.1:1863" },
    { connect: "127.0.0.1:1864" },
    { send: "A\r\n" },
  ]);
  const old = await lenient.connect("127.0.0.1", 1863);
  const current = await lenient.connect("127.0.0.1", 1864);
  old.close();
  await current.write(text("A\r\n"));
  await lenient.done();
});

test("replay rejects a write past the end of the transcript", async () => {
  const replay = new ReplayTransport([{ connect: "h:1" }, { send: "A" }]);
  const connection = await replay.connect("h", 1);
  await assert.rejects(connection.write(text("AB")), {
    code: "unexpected-send",
    step: 3,
    expected: "the end of the transcript",
    actual: '"B"',
  });
});

test("replay assertComplete names the first unplayed step", async () => {
  const replay = new ReplayTransport(HANDSHAKE);
  await replay.connect("messenger.hotmail.com", 1863);
  assert.throws(() => replay.assertComplete(), {
    name: "ReplayMismatchError",
    code: "incomplete",
    step: 4,
    expected: 'send "VER 1 MSNP8 CVR0\\r\\n"',
  });
});

test("replay refuses transcripts it cannot play", () => {
  assert.throws(() => new ReplayTransport([{ recv: "x" }]), {
    name: "TypeError",
    message: 'Cannot replay step 1: recv "x" before any connect',
  });
  assert.throws(() => new ReplayTransport([{ passport: { challenge: "c" } }]), TypeError);
});

test("replay connect honours an aborted signal without consuming the step", async () => {
  const replay = new ReplayTransport([{ connect: "h:1" }]);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(replay.connect("h", 1, { signal: controller.signal }), (e) => {
    return e instanceof TransportError && e.code === "aborted";
  });
  await replay.connect("h", 1);
  await replay.done();
});

const PASSPORT: TranscriptStep[] = [
  { connect: "ns:1863" },
  { recv: "USR 3 TWN S lc=1033,id=507\r\n" },
  { passport: { challenge: "lc=1033,id=507", ticket: "[REDACTED]" } },
  { send: "USR 4 TWN S [REDACTED]\r\n" },
];

test("replay.runPassport answers with the recorded ticket", async () => {
  const replay = new ReplayTransport(PASSPORT);
  const connection = await replay.connect("ns", 1863);
  const result = await replay.runPassport({
    account: "alice@example.com",
    password: "unused",
    challenge: "lc=1033,id=507",
  });
  assert.deepEqual(result, { ticket: "[REDACTED]", loginUrl: REPLAY_LOGIN_URL });
  await connection.write(text(`USR 4 TWN S ${result.ticket}\r\n`));
  await replay.done();
  connection.close();
});

test("replay.passportFetch drives the real runPassport to the recorded ticket", async () => {
  const replay = new ReplayTransport(PASSPORT);
  await replay.connect("ns", 1863);
  const result = await runPassport(
    { account: "alice@example.com", password: "pw,1", challenge: "lc=1033,id=507" },
    { fetch: replay.passportFetch },
  );
  assert.deepEqual(result, { ticket: "[REDACTED]", loginUrl: REPLAY_LOGIN_URL });
  assert.equal(replay.position, 3);
});

test("replay passport: wrong challenge is a mismatch, a recorded failure a PassportError", async () => {
  const replay = new ReplayTransport(PASSPORT);
  await replay.connect("ns", 1863);
  await assert.rejects(
    replay.runPassport({ account: "a@b.c", password: "p", challenge: "lc=1033,id=508" }),
    {
      name: "ReplayMismatchError",
      code: "unexpected-passport",
      step: 3,
      expected: 'passport for "lc=1033,id=507"',
      actual: 'passport for "lc=1033,id=508"',
    },
  );

  const failing = new ReplayTransport([
    { passport: { challenge: "c", error: "bad-credentials" } },
    { passport: { challenge: "c", error: "bad-credentials" } },
  ]);
  await assert.rejects(
    failing.runPassport({ account: "a@b.c", password: "p", challenge: "c" }),
    (e) => e instanceof PassportError && e.code === "bad-credentials",
  );
  await assert.rejects(
    runPassport({ account: "a@b.c", password: "p", challenge: "c" }, {
      fetch: failing.passportFetch,
    }),
    (e) => e instanceof PassportError && e.code === "bad-credentials" && e.status === 401,
  );
  await failing.done();
});
