// ReplayTransport: playing a transcript's server side, and catching every way a client can stray.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { PassportError } from "../auth/mod.ts";
import { ReplayMismatchError, TransportError } from "../io_adapters/errors.ts";
import { ReplayTransport } from "../io_adapters/replay_transport.ts";
import { REPLAY_LOGIN_URL } from "../io_adapters/_replay_passport.ts";
import { runPassport } from "../io_adapters/run_passport.ts";
import type { Connection, ConnectOptions, Transport } from "../io_adapters/transport.ts";
import { ans, cal, type Command, encodeCommand, msg, sbUsr, xfrSb } from "../codec/mod.ts";
import {
  parseTranscript,
  stringifyTranscript,
  TranscriptError,
  type TranscriptStep,
} from "../testing/transcript.ts";
import { bytesStep, stepConnection, transcriptHeader } from "../io_adapters/_transcript.ts";

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
  assert.equal(error.connection, "ns");
  assert.equal(error.expected, 'send "VER 1 MSNP8 CVR0\\r\\n"');
  assert.equal(error.actual, '"VER 1 MSNP9 CVR0\\r\\n"');
  assert.equal(
    error.message,
    'Replay diverged at step 4 on connection ns: expected send "VER 1 MSNP8 CVR0\\r\\n", got "VER 1 MSNP9 CVR0\\r\\n"',
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

// Two switchboards interleaved with the notification connection: an outgoing chat (XFR, USR,
// CAL, JOI) and an invitation answered (RNG, ANS), written with the codec's builders.
const wire = (c: Command) => new TextDecoder().decode(encodeCommand(c));
const ME = "me@example.com";
const INTERLEAVED: TranscriptStep[] = [
  { header: { version: 2, session: { account: ME } } },
  { connect: "ns.example:1863", kind: "ns" },
  { send: wire(xfrSb(7)) },
  { recv: "XFR 7 SB 10.0.0.9:1864 CKI [REDACTED]\r\n" },
  { conn: "sb1", connect: "10.0.0.9:1864", kind: "sb" },
  { conn: "sb1", send: wire(sbUsr(1, ME, "[REDACTED]")) },
  { recv: "RNG 11752013 10.0.0.8:1865 CKI [REDACTED] bob@example.com Bob\r\n" },
  { conn: "sb1", recv: `USR 1 OK ${ME} Me\r\n` },
  { conn: "sb2", connect: "10.0.0.8:1865", kind: "sb" },
  { conn: "sb1", send: wire(cal(2, "carol@example.com")) },
  { conn: "sb2", send: wire(ans(1, ME, "[REDACTED]", "11752013")) },
  { conn: "sb2", recv: "IRO 1 1 1 bob@example.com Bob\r\nANS 1 OK\r\n" },
  { conn: "sb1", recv: "CAL 2 RINGING 11752013\r\nJOI carol@example.com Carol\r\n" },
  { conn: "sb1", send: wire(msg(3, "A", text("MIME-Version: 1.0\r\n\r\nhi"))) },
  { send: "PNG\r\n" },
  { conn: "sb1", recv: "ACK 3\r\n" },
  { recv: "QNG 50\r\n" },
  { conn: "sb1", send: "OUT\r\n" },
  { conn: "sb1", close: "server" },
  { conn: "sb2", close: "client" },
  { send: "OUT\r\n" },
  { close: "server" },
];

/** Reads one line (or `n` lines) at a time from a connection. */
function lines(connection: Connection): (n?: number) => Promise<string> {
  const chunks = connection.readable[Symbol.asyncIterator]();
  let buffer = "";
  const decoder = new TextDecoder();
  return async (n = 1) => {
    let out = "";
    for (let i = 0; i < n; i++) {
      while (!buffer.includes("\n")) {
        const r = await chunks.next();
        if (r.done) return out + buffer;
        buffer += decoder.decode(r.value, { stream: true });
      }
      const lf = buffer.indexOf("\n") + 1;
      out += buffer.slice(0, lf);
      buffer = buffer.slice(lf);
    }
    return out;
  };
}

/** A client for INTERLEAVED: it learns cookies and addresses from what the replay sends. */
async function interleavedClient(transport: Transport, options: { late?: boolean } = {}) {
  const write = (c: Connection, s: string) => c.write(text(s));
  const ns = await transport.connect("ns.example", 1863, { kind: "ns" } as ConnectOptions);
  const nsLine = lines(ns);
  await write(ns, wire(xfrSb(7)));
  const xfr = (await nsLine()).trim().split(" ");
  const [sbHost, sbPort] = xfr[3].split(":");
  const sb1 = await transport.connect(sbHost, Number(sbPort), { kind: "sb" } as ConnectOptions);
  const sb1Line = lines(sb1);
  await write(sb1, wire(sbUsr(1, ME, xfr[5])));
  const rng = (await nsLine()).trim().split(" ");
  assert.equal((await sb1Line()).split(" ")[2], "OK");
  const [host2, port2] = rng[2].split(":");
  const sb2 = await transport.connect(host2, Number(port2), { kind: "sb" } as ConnectOptions);
  const sb2Line = lines(sb2);
  const answer = () => write(sb2, wire(ans(1, ME, rng[4], rng[1])));
  const invite = () => write(sb1, wire(cal(2, "carol@example.com")));
  // The transcript has CAL before ANS; each connection keeps its own order, so either is fine.
  if (options.late) {
    await answer();
    await invite();
  } else {
    await invite();
    await answer();
  }
  assert.equal(await sb2Line(2), "IRO 1 1 1 bob@example.com Bob\r\nANS 1 OK\r\n");
  assert.equal(await sb1Line(2), "CAL 2 RINGING 11752013\r\nJOI carol@example.com Carol\r\n");
  await write(sb1, wire(msg(3, "A", text("MIME-Version: 1.0\r\n\r\nhi"))));
  await write(ns, "PNG\r\n");
  assert.equal(await sb1Line(), "ACK 3\r\n");
  assert.equal(await nsLine(), "QNG 50\r\n");
  await write(sb1, "OUT\r\n");
  assert.equal(await sb1Line(), "");
  sb1.close();
  sb2.close();
  await write(ns, "OUT\r\n");
  assert.equal(await nsLine(), "");
  ns.close();
}

test("replay plays two switchboards interleaved with the notification connection", async () => {
  for (const late of [false, true]) {
    const replay = new ReplayTransport(INTERLEAVED);
    await interleavedClient(replay, { late });
    await replay.done();
    replay.assertComplete();
    assert.equal(replay.position, INTERLEAVED.length);
  }
});

test("replay: a mismatch on a switchboard names the step and the connection", async () => {
  const replay = new ReplayTransport(INTERLEAVED);
  const ns = await replay.connect("ns.example", 1863, { kind: "ns" } as ConnectOptions);
  await ns.write(text(wire(xfrSb(7))));
  await assert.rejects(replay.connect("10.0.0.9", 1864, { kind: "ns" } as ConnectOptions), {
    name: "ReplayMismatchError",
    code: "unexpected-connect",
    step: 5,
    connection: "sb1",
    expected: "connect to 10.0.0.9:1864 (sb)",
    actual: "connect to 10.0.0.9:1864 (ns)",
  });

  const other = new ReplayTransport(INTERLEAVED);
  const ns2 = await other.connect("ns.example", 1863);
  await ns2.write(text(wire(xfrSb(7))));
  const sb = await other.connect("10.0.0.9", 1864);
  // A real cookie written where the transcript has [REDACTED] is not shown in the error.
  const error = await sb.write(text(wire(sbUsr(1, ME, "1234.5678.SECRET")))).catch((e) => e);
  assert.ok(error instanceof ReplayMismatchError);
  assert.equal(error.code, "send-mismatch");
  assert.equal(error.step, 6);
  assert.equal(error.connection, "sb1");
  assert.equal(error.actual, JSON.stringify(`USR 1 ${ME} [REDACTED]\r\n`));
  assert.ok(!error.message.includes("SECRET"));
  await assert.rejects(ns2.write(text("PNG\r\n")), (e) => e === error);
});

test("replay: a switchboard cannot act ahead of a recv it has not been given", async () => {
  const replay = new ReplayTransport(INTERLEAVED);
  const ns = await replay.connect("ns.example", 1863);
  await ns.write(text(wire(xfrSb(7))));
  const sb = await replay.connect("10.0.0.9", 1864);
  await sb.write(text(wire(sbUsr(1, ME, "[REDACTED]"))));
  await sb.write(text(wire(cal(2, "carol@example.com"))));
  // sb1's next step is CAL RINGING/JOI, which the replay sends only after sb2 connects (step 9):
  // a message before it is out of order.
  await assert.rejects(sb.write(text(wire(msg(3, "A", text("MIME-Version: 1.0\r\n\r\nhi"))))), {
    code: "unexpected-send",
    step: 13,
    connection: "sb1",
    expected: `recv ${JSON.stringify("CAL 2 RINGING 11752013\r\nJOI carol@example.com Carol\r\n")}`,
  });
});

test("replay plays the recordings in the old format (one connection at a time) unchanged", async () => {
  for (
    const name of ["msnp8_seed", "msnp9_echo_redirect", "msnp9_presence", "msnp8_direct_full_sync"]
  ) {
    const steps = parseTranscript(
      readFileSync(new URL(`./transcripts/${name}.jsonl`, import.meta.url), "utf8"),
    );
    assert.ok(steps.every((s) => !("conn" in s) && !("header" in s)), name);
    const replay = new ReplayTransport(steps);
    // A client that does what each step says, in order, on its latest connection.
    let connection: Connection | undefined;
    let reader: AsyncIterator<Uint8Array> | undefined;
    let pending = 0;
    for (const step of steps) {
      if ("connect" in step) {
        const colon = step.connect.lastIndexOf(":");
        connection = await replay.connect(
          step.connect.slice(0, colon),
          Number(step.connect.slice(colon + 1)),
        );
        reader = connection.readable[Symbol.asyncIterator]();
        pending = 0;
      } else if ("send" in step) {
        await connection!.write(text(step.send));
      } else if ("recv" in step) {
        pending += text(step.recv).length;
        while (pending > 0) pending -= (await reader!.next()).value!.length;
      } else if ("close" in step && step.close === "client") {
        connection!.close();
      } else if ("passport" in step && (step.passport.ticket ?? step.passport.error)) {
        await replay.runPassport({
          account: "a@b.c",
          password: "p",
          challenge: step.passport.challenge,
        })
          .catch(() => {});
      }
    }
    await replay.done();
    replay.assertComplete();
  }
});

test("transcripts: conn, kind and header are read where allowed and refused elsewhere", () => {
  const steps = parseTranscript([
    '{"comment":"recorded by a test"}',
    '{"header":{"version":2,"session":{"account":"me@example.com"}}}',
    '{"connect":"h:1","kind":"ns"}',
    '{"conn":"sb1","connect":"h:2"}',
    '{"conn":"sb1","recvBase64":"/w=="}',
    '{"conn":"sb1","event":{"type":"x"}}',
  ].join("\n"));
  assert.deepEqual(transcriptHeader(steps), { version: 2, session: { account: "me@example.com" } });
  assert.deepEqual(steps.map(stepConnection), [undefined, undefined, "ns", "sb1", "sb1", "sb1"]);
  for (
    const [line, why] of [
      ['{"time":1,"conn":"sb1"}', 'unexpected key "conn" in a "time" step'],
      ['{"send":"x","conn":"a b"}', 'invalid connection id "a b"'],
      ['{"send":"x","kind":"sb"}', 'unexpected key "kind" in a "send" step'],
      ['{"connect":"h:1","kind":"xx"}', 'invalid kind "xx"'],
      ['{"send":"x","recv":"y"}', "expected exactly one of"],
      ['{"header":{"session":{}}}', 'invalid value for "header"'],
      ['{"send":"x"}\n{"header":{"version":2}}', "the header must come before every other step"],
    ]
  ) {
    assert.throws(() => parseTranscript(line), (e: Error) => {
      assert.ok(e instanceof TranscriptError);
      assert.ok(e.message.includes(why), e.message);
      return true;
    });
  }
  // Written back, an ns step names no connection, so old readers see the old format.
  assert.equal(
    stringifyTranscript([bytesStep("send", text("OUT\r\n")), bytesStep("recv", text("x"), "sb1")]),
    '{"send":"OUT\\r\\n"}\n{"conn":"sb1","recv":"x"}\n',
  );
});
