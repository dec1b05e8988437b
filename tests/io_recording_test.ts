// RecordingTransport: steps recorded per command, secrets redacted even when split across chunks,
// and a recording of a real loopback session replays byte-exactly through ReplayTransport.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { PassportError, type PassportResult } from "../auth/mod.ts";
import { type Command, DecodeError, Decoder } from "../codec/mod.ts";
import { defaultTransport } from "../io_adapters/auto.ts";
import { RecordingTransport, REDACTED } from "../io_adapters/recording_transport.ts";
import { ReplayTransport } from "../io_adapters/replay_transport.ts";
import type { RunPassportFunction } from "../io_adapters/run_passport.ts";
import type { Connection, ConnectOptions, Transport } from "../io_adapters/transport.ts";
import {
  parseTranscript,
  stepBytes,
  stringifyTranscript,
  type TranscriptStep,
} from "../testing/transcript.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

const TICKET = "t=SECRETTICKET*1!$$&p=SECRETPROFILE*2!";
const MSPAUTH = "7SECRETAUTH5wCmmy9eE5A$$";
const MSPPROF = "SECRETMSPPROF";
const COOKIE = "17262740.1050826919.SECRETCOOKIE";
const RNG_COOKIE = "1056411141.26158.SECRETRNG";
const SECRETS = [TICKET, "SECRETTICKET", MSPAUTH, MSPPROF, COOKIE, "SECRETCOOKIE", RNG_COOKIE];

function profile(auth: string, prof: string): string {
  return "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile; charset=UTF-8\r\n" +
    `LoginTime: 1063297781\r\nMSPAuth: ${auth}\r\nmspprof:${prof}\r\nClientIP: 192.0.2.7\r\n` +
    "ClientPort: 1234\r\n\r\n";
}

function msg(payload: string): string {
  return `MSG Hotmail Hotmail ${enc(payload).length}\r\n${payload}`;
}

/** A transport whose one connection yields `chunks` and keeps what the client wrote. */
function memoryTransport(chunks: Uint8Array[]): Transport {
  return {
    connect: (host, port) => {
      let closed = false;
      const connection: Connection = {
        remote: { host, port },
        readable: (async function* () {
          for (const chunk of chunks) {
            await Promise.resolve();
            if (closed) return;
            yield chunk;
          }
        })(),
        write: () => Promise.resolve(),
        close: () => {
          closed = true;
        },
      };
      return Promise.resolve(connection);
    },
  };
}

function bytewise(s: string): Uint8Array[] {
  return [...enc(s)].map((b) => Uint8Array.of(b));
}

function assertNoSecrets(steps: TranscriptStep[]): void {
  const json = stringifyTranscript(steps);
  for (const secret of SECRETS) assert.ok(!json.includes(secret), `${secret} leaked`);
}

test("RecordingTransport redacts ticket, cookies and MSPAuth split at every byte", async () => {
  const server = "USR 3 TWN S lc=1033,id=507,tw=40\r\n" +
    "USR 4 OK alice@example.com Alice 1 0\r\n" +
    msg(profile(MSPAUTH, MSPPROF)) +
    `XFR 5 SB 10.0.0.1:1863 CKI ${COOKIE}\r\n` +
    `RNG 11752013 10.0.0.2:1863 CKI ${RNG_COOKIE} bob@example.com Bob\r\n`;
  const client = `USR 4 TWN S ${TICKET}\r\n` +
    `USR 1 alice@example.com ${COOKIE}\r\n` +
    `ANS 1 alice@example.com ${RNG_COOKIE} 11752013\r\n` +
    "MSG 6 N 5\r\nhello" +
    "OUT\n";
  const recorder = new RecordingTransport(memoryTransport(bytewise(server)));
  const connection = await recorder.connect("ns.example", 1863);
  for (const piece of bytewise(client)) await connection.write(piece);
  for await (const _ of connection.readable) { /* drain */ }
  connection.close();

  const redactedProfile = profile(REDACTED, REDACTED);
  assert.deepEqual(recorder.steps, [
    { connect: "ns.example:1863" },
    { send: "USR 4 TWN S [REDACTED]\r\n" },
    { send: "USR 1 alice@example.com [REDACTED]\r\n" },
    { send: "ANS 1 alice@example.com [REDACTED] 11752013\r\n" },
    { send: "MSG 6 N 5\r\nhello" },
    { send: "OUT\n" },
    { recv: "USR 3 TWN S lc=1033,id=507,tw=40\r\n" },
    { recv: "USR 4 OK alice@example.com Alice 1 0\r\n" },
    { recv: msg(redactedProfile) },
    { recv: "XFR 5 SB 10.0.0.1:1863 CKI [REDACTED]\r\n" },
    { recv: "RNG 11752013 10.0.0.2:1863 CKI [REDACTED] bob@example.com Bob\r\n" },
    { close: "server" },
  ]);
  assertNoSecrets(recorder.steps);

  // The fixed-up MSG length makes the recorded server stream decode cleanly.
  const decoder = new Decoder({ from: "server" });
  for (const step of recorder.steps) if ("recv" in step) decoder.push(stepBytes(step)!);
  decoder.end();
  const commands: Command[] = [];
  for (let c = decoder.next(); c !== undefined; c = decoder.next()) {
    assert.ok(!(c instanceof DecodeError), String(c));
    commands.push(c as Command);
  }
  assert.deepEqual(commands.map((c) => c.name), ["USR", "USR", "MSG", "XFR", "RNG"]);
  assert.equal(dec(commands[2].payload!), redactedProfile);
  assert.equal(commands[2].args[2], String(enc(redactedProfile).length));
});

test("RecordingTransport keeps every byte of commands without secrets", async () => {
  // Double spaces, bare LF, a non-ASCII nick and a MIME body mentioning MSPAuth stay as they were.
  const server = "ILN 9  NLN bob@example.com B%C3%B6b 268435492\n" +
    msg("MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nMSPAuth: this is body text ü") +
    "QNG 50\r\n";
  const recorder = new RecordingTransport(memoryTransport([enc(server)]));
  const connection = await recorder.connect("sb.example", 1863);
  for await (const _ of connection.readable) { /* drain */ }
  assert.equal(
    recorder.steps.filter((s) => "recv" in s).map((s) => (s as { recv: string }).recv).join(""),
    server,
  );
});

test("RecordingTransport falls back to patterns for a cut-off command or lost framing", async () => {
  const server = "MSG Hotmail Hotmail x\r\nMSPAuth: " + MSPAUTH + "\r\n";
  const recorder = new RecordingTransport(memoryTransport([enc(server)]));
  const connection = await recorder.connect("h", 1);
  for await (const _ of connection.readable) { /* drain */ }
  const other = await recorder.connect("h", 2);
  await other.write(enc(`USR 4 TWN S ${TICKET}`)); // no line end: still pending at close
  other.close();
  assert.deepEqual(recorder.steps, [
    { connect: "h:1" },
    // Framing is lost (the decoder gives up too): the rest is redacted line by line.
    { recv: "MSG Hotmail Hotmail x\r\n" },
    { recv: "MSPAuth: [REDACTED]\r\n" },
    { close: "server" },
    { connect: "h:2" },
    { send: "USR 4 TWN S [REDACTED]" },
    { close: "client" },
  ]);
});

test("RecordingTransport records a passport step with the ticket redacted, or the failure", async () => {
  const recorder = new RecordingTransport(memoryTransport([]));
  const ok: RunPassportFunction = (login) =>
    Promise.resolve({ ticket: TICKET, loginUrl: `https://login.example/${login.account}` });
  const result = await recorder.wrapRunPassport(ok)({
    account: "alice@example.com",
    password: "pw",
    challenge: "lc=1033",
  });
  assert.equal(result.ticket, TICKET);
  const failing: RunPassportFunction = () =>
    Promise.reject(new PassportError("bad-credentials", "Cannot sign in: wrong password"));
  await assert.rejects(
    recorder.wrapRunPassport(failing)({ account: "a@b.c", password: "x", challenge: "lc=2" }),
    { code: "bad-credentials" },
  );
  assert.deepEqual(recorder.steps, [
    { passport: { challenge: "lc=1033", ticket: "[REDACTED]" } },
    { passport: { challenge: "lc=2", error: "bad-credentials" } },
  ]);
});

test("RecordingTransport names connections by kind, notes stale traffic and writes the header", async () => {
  const failing: Transport = {
    connect: () => Promise.reject(Object.assign(new Error("refused"), { code: "connect-failed" })),
  };
  const a = new RecordingTransport(failing);
  await assert.rejects(a.connect("127.0.0.1", 1));
  assert.deepEqual(a.steps, [{ comment: "connect to 127.0.0.1:1 failed: connect-failed" }]);

  const b = new RecordingTransport(memoryTransport([]));
  const first = await b.connect("h", 1, { kind: "ns" } as ConnectOptions);
  const sb = await b.connect("h", 2, { kind: "sb" } as ConnectOptions);
  const second = await b.connect("h", 3, { kind: "ns" } as ConnectOptions); // a redirect
  await first.write(enc("PNG\r\n"));
  await first.write(enc("PNG\r\n"));
  await sb.write(enc("CAL 2 bob@example.com\r\n"));
  await second.write(enc("OUT\r\n"));
  first.close();
  sb.close();
  second.close();
  assert.deepEqual(b.steps, [
    { connect: "h:1", kind: "ns" },
    { conn: "sb1", connect: "h:2", kind: "sb" },
    { connect: "h:3", kind: "ns" },
    { comment: "not recorded: later traffic on an earlier connection to h:1" },
    { conn: "sb1", send: "CAL 2 bob@example.com\r\n" },
    { send: "OUT\r\n" },
    { conn: "sb1", close: "client" },
    { close: "client" },
  ]);

  // Without a kind, a connection opened while the notification connection is open is its own.
  const c = new RecordingTransport(memoryTransport([]), { session: { account: "me@example.com" } });
  const one = await c.connect("h", 1);
  const two = await c.connect("h", 2);
  two.close();
  one.close();
  const three = await c.connect("h", 3);
  three.close();
  assert.deepEqual(c.steps, [
    { header: { version: 2, session: { account: "me@example.com" } } },
    { connect: "h:1" },
    { conn: "sb1", connect: "h:2" },
    { conn: "sb1", close: "client" },
    { close: "client" },
    { connect: "h:3" },
    { close: "client" },
  ]);
});

// A loopback NS + SB pair and a client script, for record-then-replay.

interface Servers {
  nsPort: number;
  close(): Promise<void>;
}

/** Runs `handle` for each command a client sends; `send` writes in 7-byte pieces with pauses. */
async function scripted(
  handle: (command: Command, send: (text: string) => Promise<void>, socket: Socket) => void,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    const decoder = new Decoder({ from: "client" });
    let queue = Promise.resolve();
    const send = (text: string) => {
      queue = queue.then(async () => {
        const bytes = enc(text);
        for (let i = 0; i < bytes.length; i += 7) {
          if (socket.destroyed) return;
          socket.write(bytes.subarray(i, i + 7));
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      });
      return queue;
    };
    socket.on("data", (data: Uint8Array) => {
      decoder.push(data);
      for (let c = decoder.next(); c !== undefined; c = decoder.next()) {
        if (!(c instanceof DecodeError)) handle(c, send, socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const CHALLENGE = "lc=1033,id=507,tw=40,fs=1,ct=1062764229,kpp=1,kv=5";

async function startServers(): Promise<Servers> {
  const sb = await scripted((c, send, socket) => {
    if (c.name === "USR" && c.args[1] === COOKIE) {
      send(`USR ${c.trid} OK alice@example.com Alice\r\n`);
    }
    if (c.name === "OUT") send("").then(() => socket.end());
  });
  const ns = await scripted((c, send) => {
    if (c.name === "VER") send(`VER ${c.trid} MSNP8 CVR0\r\n`);
    if (c.name === "CVR") send(`CVR ${c.trid} 6.0.0602 6.0.0602 1.0.0000 http://x/ http://y/\r\n`);
    if (c.name === "USR" && c.args[1] === "I") send(`USR ${c.trid} TWN S ${CHALLENGE}\r\n`);
    if (c.name === "USR" && c.args[1] === "S" && c.args[2] === TICKET) {
      send(`USR ${c.trid} OK alice@example.com Alice 1 0\r\n` + msg(profile(MSPAUTH, MSPPROF)));
    }
    if (c.name === "XFR") send(`XFR ${c.trid} SB 127.0.0.1:${sb.port} CKI ${COOKIE}\r\n`);
  });
  return {
    nsPort: ns.port,
    close: async () => {
      await ns.close();
      await sb.close();
    },
  };
}

/** Pulls decoded server commands from a connection. */
function commands(connection: Connection): () => Promise<Command | undefined> {
  const decoder = new Decoder({ from: "server" });
  const chunks = connection.readable[Symbol.asyncIterator]();
  return async () => {
    for (;;) {
      const c = decoder.next();
      if (c instanceof DecodeError) throw c;
      if (c) return c;
      const r = await chunks.next();
      if (r.done) return undefined;
      decoder.push(r.value);
    }
  };
}

/** A tiny client: sign in on the NS, get a switchboard, say hello and leave. */
async function client(
  transport: Transport,
  runPassport: RunPassportFunction,
  nsPort: number,
): Promise<{ ticket: string; cookie: string; mspauth: string }> {
  const ns = await transport.connect("127.0.0.1", nsPort, { kind: "ns" } as ConnectOptions);
  const next = commands(ns);
  await ns.write(enc("VER 1 MSNP8 CVR0\r\n"));
  assert.equal((await next())?.name, "VER");
  await ns.write(enc("CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 6.0.0602 MSMSGS alice@example.com\r\n"));
  assert.equal((await next())?.name, "CVR");
  await ns.write(enc("USR 3 TWN I alice@example.com\r\n"));
  const challenge = (await next())!.args[2];
  const { ticket }: PassportResult = await runPassport({
    account: "alice@example.com",
    password: "pw",
    challenge,
  });
  // The ticket is split across writes.
  const usr = enc(`USR 4 TWN S ${ticket}\r\n`);
  await ns.write(usr.subarray(0, 16));
  await ns.write(usr.subarray(16));
  assert.equal((await next())?.args[0], "OK");
  const profileMsg = (await next())!;
  const mspauth = /MSPAuth: (\S+)/.exec(dec(profileMsg.payload!))![1];
  await ns.write(enc("XFR 5 SB\r\n"));
  const xfr = (await next())!;
  const [host, port] = xfr.args[1].split(":");
  const cookie = xfr.args[3];
  // The notification connection stays open beside the switchboard.
  const sb = await transport.connect(host, Number(port), { kind: "sb" } as ConnectOptions);
  const nextSb = commands(sb);
  await sb.write(enc(`USR 1 alice@example.com ${cookie}\r\n`));
  assert.equal((await nextSb())?.args[0], "OK");
  await sb.write(enc("OUT\r\n"));
  assert.equal(await nextSb(), undefined);
  sb.close();
  await ns.write(enc("OUT\r\n"));
  ns.close();
  return { ticket, cookie, mspauth };
}

test("a recorded loopback session, NS and SB interleaved, has no secrets and replays byte-exactly", async () => {
  const servers = await startServers();
  let steps: TranscriptStep[];
  let sbPort = 0;
  try {
    // The runtime's own transport: DenoTransport, NodeTransport or BunTransport.
    const recorder = new RecordingTransport(defaultTransport());
    const realPassport: RunPassportFunction = () =>
      Promise.resolve({ ticket: TICKET, loginUrl: "https://login.example/login2.srf" });
    const seen = await client(recorder, recorder.wrapRunPassport(realPassport), servers.nsPort);
    assert.deepEqual(seen, { ticket: TICKET, cookie: COOKIE, mspauth: MSPAUTH });
    steps = recorder.steps;
    sbPort = Number(
      (steps.filter((s) => "connect" in s)[1] as { connect: string }).connect.split(":")[1],
    );
  } finally {
    await servers.close();
  }

  const ns = `127.0.0.1:${servers.nsPort}`;
  assert.deepEqual(steps, [
    { connect: ns, kind: "ns" },
    { send: "VER 1 MSNP8 CVR0\r\n" },
    { recv: "VER 1 MSNP8 CVR0\r\n" },
    { send: "CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 6.0.0602 MSMSGS alice@example.com\r\n" },
    { recv: "CVR 2 6.0.0602 6.0.0602 1.0.0000 http://x/ http://y/\r\n" },
    { send: "USR 3 TWN I alice@example.com\r\n" },
    { recv: `USR 3 TWN S ${CHALLENGE}\r\n` },
    { passport: { challenge: CHALLENGE, ticket: "[REDACTED]" } },
    { send: "USR 4 TWN S [REDACTED]\r\n" },
    { recv: "USR 4 OK alice@example.com Alice 1 0\r\n" },
    { recv: msg(profile(REDACTED, REDACTED)) },
    { send: "XFR 5 SB\r\n" },
    { recv: `XFR 5 SB 127.0.0.1:${sbPort} CKI [REDACTED]\r\n` },
    { conn: "sb1", connect: `127.0.0.1:${sbPort}`, kind: "sb" },
    { conn: "sb1", send: "USR 1 alice@example.com [REDACTED]\r\n" },
    { conn: "sb1", recv: "USR 1 OK alice@example.com Alice\r\n" },
    { conn: "sb1", send: "OUT\r\n" },
    { conn: "sb1", close: "server" },
    { send: "OUT\r\n" },
    { close: "client" },
  ]);
  assertNoSecrets(steps);

  // Through the JSON-lines text and back, then played against the same client: no network.
  const replay = new ReplayTransport(parseTranscript(stringifyTranscript(steps)));
  const replayed = await client(replay, replay.runPassport, servers.nsPort);
  assert.deepEqual(replayed, { ticket: REDACTED, cookie: REDACTED, mspauth: REDACTED });
  await replay.done();
  replay.assertComplete();
});
