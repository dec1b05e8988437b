// The recorder removes every secret the session can read: each shape the codec accepts (bare LF,
// any header case, odd spacing, non-UTF-8 neighbours, cookies on NS and SB connections), at every
// chunking, and its cost stays linear in the bytes however they are chunked.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  COMMANDS,
  Decoder,
  getHeader,
  interpretMessage,
  interpretSwitchboardPayload,
  parseMime,
  parseServerCommand,
} from "../codec/mod.ts";
import { SECRET_PAYLOAD_HEADERS, secretArgIndexes } from "../codec/command.ts";
import { type RedactorLimits, StreamRedactor } from "../io_adapters/_redact.ts";
import { chunkings } from "./_helpers.ts";
import { RecordingTransport } from "../io_adapters/recording_transport.ts";
import type { Connection, Transport } from "../io_adapters/transport.ts";
import { stepBytes, type TranscriptStep } from "../testing/transcript.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const R = "[REDACTED]";

const AUTH = "7SeCrEtAuTh5wCmmy9eE5A$$";
const PROF = "SeCrEtPrOf";
const TICKET = "t=SeCrEtTiCkEt*1!$$&p=SeCrEtP*2!";
const HASH = "0123456789abcdefSeCrEtHaSh";
const COOKIE = "17262740.1050826919.SeCrEtCoOkIe";
const COOKIE2 = "1056411141.26158.SeCrEtRnG";
const SECRETS = [AUTH, PROF, TICKET, HASH, COOKIE, COOKIE2, "SeCrEt"];

function server(payload: string): string {
  return `MSG Hotmail Hotmail ${enc(payload).length}\r\n${payload}`;
}

/** Server traffic in every shape the session reads a secret from, with `s(...)` for each secret. */
function serverStream(s: (secret: string) => string): string {
  return [
    // Profile, CRLF, canonical.
    server(
      `MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile; charset=UTF-8\r\n` +
        `sid: 507\r\nkv: 5\r\nMSPAuth: ${s(AUTH)}\r\nMSPProf: ${s(PROF)}\r\n\r\n`,
    ),
    // Profile with bare-LF line ends: parseMime accepts it, so the session reads MSPAuth.
    server(`MIME-Version: 1.0\nContent-Type: text/x-msmsgsprofile\nMSPAuth: ${s(AUTH)}\n\n`),
    // Any letter case, no space or two spaces after the colon, no empty line at the end.
    server(
      `Content-Type: TEXT/X-MSMSGSPROFILE\r\nmspauth:${s(AUTH)}\r\nMSPPROF:  ${
        s(PROF)
      }\r\nClientPort: 1234`,
    ),
    // Cookies: XFR SB (CKI and any other auth type) and RNG.
    `XFR 5 SB 10.0.0.1:1863 CKI ${s(COOKIE)}\r\n`,
    `XFR 6  SB 10.0.0.1:1863 XYZ ${s(COOKIE)}\n`,
    `RNG 11752013 10.0.0.2:1863 CKI ${s(COOKIE2)} bob@example.com Bob\r\n`,
    "QNG 50\r\n",
  ].join("");
}

/** Client traffic: tickets and hashes on the NS, cookies on a switchboard, odd spacing and LF. */
function clientStream(s: (secret: string) => string): string {
  return [
    `USR 4 TWN S ${s(TICKET)}\r\n`,
    `USR 5 MD5 S ${s(HASH)}\n`,
    `USR 1 alice@example.com ${s(COOKIE)}\r\n`,
    `ANS  1 alice@example.com  ${s(COOKIE2)} 11752013\r\n`,
    "USR 3 TWN I alice@example.com\r\n",
    "MSG 6 N 5\r\nhello",
    "OUT\n",
  ].join("");
}

/** The redacted form: each secret becomes [REDACTED] and each MSG length follows its payload. */
function redactedServer(): string {
  return serverStream(() => R);
}

/** Runs `text` through a redactor in the given pieces; returns the joined output. */
function run(from: "client" | "server", pieces: Uint8Array[], limits?: RedactorLimits): string {
  const redactor = new StreamRedactor(from, limits);
  const out: Uint8Array[] = [];
  for (const piece of pieces) out.push(...redactor.push(piece));
  out.push(...redactor.flush());
  return out.map(dec).join("");
}

test("the recorder redacts every secret shape the session reads, at every split", () => {
  for (
    const [from, text, expected] of [
      ["server", serverStream((x) => x), redactedServer()],
      ["client", clientStream((x) => x), clientStream(() => R)],
    ] as const
  ) {
    const bytes = enc(text);
    assert.equal(run(from, [bytes]), expected);
    for (let i = 0; i <= bytes.length; i++) {
      assert.equal(run(from, [bytes.subarray(0, i), bytes.subarray(i)]), expected, `split ${i}`);
    }
    assert.equal(run(from, [...bytes].map((b) => Uint8Array.of(b))), expected, "byte by byte");
  }
});

test("what the session reads from the redacted stream holds no secret and decodes cleanly", () => {
  const decoder = new Decoder({ from: "server" });
  decoder.push(enc(run("server", [enc(serverStream((x) => x))])));
  decoder.end();
  const cookies: string[] = [];
  const auths: (string | undefined)[] = [];
  for (let c = decoder.next(); c !== undefined; c = decoder.next()) {
    assert.ok(!(c instanceof Error), String(c));
    const m = parseServerCommand(c);
    if (m.type === "XFR_SB" || m.type === "RNG") cookies.push(m.cookie);
    if (c.name === "MSG") {
      const view = interpretMessage(parseMime(c.payload!));
      assert.equal(view.kind, "profile");
      if (view.kind === "profile") auths.push(view.profile.mspAuth);
      assert.ok(!dec(c.payload!).includes("SeCrEt"));
      assert.equal((getHeader(parseMime(c.payload!), "mspprof") ?? R).trim(), R);
    }
  }
  assert.deepEqual(cookies, [R, R, R]);
  assert.deepEqual(auths, [R, R, R]);
});

test("a profile beside bytes that are not UTF-8 still loses its MSPAuth", () => {
  const payload = new Uint8Array([
    ...enc("Content-Type: text/x-msmsgsprofile\r\nNickname: "),
    0xff,
    0xfe,
    ...enc(`\r\nMSPAuth: ${AUTH}\r\n\r\n`),
  ]);
  const bytes = new Uint8Array([...enc(`MSG Hotmail Hotmail ${payload.length}\r\n`), ...payload]);
  const redactor = new StreamRedactor("server");
  const out = [...redactor.push(bytes), ...redactor.flush()];
  assert.equal(out.length, 1);
  const latin = String.fromCharCode(...out[0]);
  assert.ok(!latin.includes(AUTH));
  assert.ok(latin.includes(`MSPAuth: ${R}\r\n`));
  const expectedLength = payload.length - AUTH.length + R.length;
  assert.ok(latin.startsWith(`MSG Hotmail Hotmail ${expectedLength}\r\n`));
});

/** A transport whose connections yield `chunks` (split at `split`) and keep nothing written. */
function memoryTransport(server: Uint8Array, split: number): Transport {
  return {
    connect: (host, port) => {
      const connection: Connection = {
        remote: { host, port },
        readable: (async function* () {
          yield server.subarray(0, split);
          yield server.subarray(split);
        })(),
        write: () => Promise.resolve(),
        close: () => {},
      };
      return Promise.resolve(connection);
    },
  };
}

test("RecordingTransport redacts cookies in RNG, XFR, USR and ANS on NS and SB connections", async () => {
  const serverBytes = enc(serverStream((x) => x));
  const clientBytes = enc(clientStream((x) => x));
  for (const split of [0, 17, 200, serverBytes.length - 3]) {
    const recorder = new RecordingTransport(memoryTransport(serverBytes, split));
    for (const kind of ["ns", "sb"] as const) {
      const c = await recorder.connect("h", 1, { kind });
      await c.write(clientBytes.subarray(0, split));
      await c.write(clientBytes.subarray(split));
      for await (const _ of c.readable) { /* drain */ }
    }
    const json = JSON.stringify(recorder.steps);
    for (const secret of SECRETS) assert.ok(!json.includes(secret), `${secret} leaked`);
    for (const conn of [undefined, "sb1"]) {
      const mine = recorder.steps.filter((s) => (s as { conn?: string }).conn === conn);
      const joined = (key: "send" | "recv") =>
        mine.filter((s: TranscriptStep) => key in s).map((s) => dec(stepBytes(s)!)).join("");
      assert.equal(joined("recv"), redactedServer());
      assert.equal(joined("send"), clientStream(() => R));
    }
  }
});

test("the recorder's work is linear: 1 MiB without a line end in small chunks", () => {
  const size = 1 << 20;
  const chunk = new Uint8Array(16).fill(0x41);
  const redactor = new StreamRedactor("server");
  redactor.push(enc("USR 4 TWN S "));
  for (let i = 0; i < size - 64; i += chunk.length) assert.deepEqual(redactor.push(chunk), []);
  // Each byte is scanned once and copied a bounded number of times (growth, then the unit).
  assert.ok(redactor.work < 5 * size, `work ${redactor.work} for ${size} bytes`);
  const rest = redactor.flush();
  assert.deepEqual(rest.map(dec), ["USR 4 TWN S [REDACTED]"]);
  assert.ok(redactor.work < 7 * size, `work ${redactor.work} for ${size} bytes`);
});

test("the recorder's work is linear: short lines in small chunks after a large payload", () => {
  const payload = "A".repeat(60_000);
  const lines = "QNG 50\r\n".repeat(20_000);
  const text = server(`MIME-Version: 1.0\r\n\r\n${payload}`) + lines;
  const bytes = enc(text);
  const redactor = new StreamRedactor("server");
  let out = "";
  for (let i = 0; i < bytes.length; i += 7) {
    for (const unit of redactor.push(bytes.subarray(i, i + 7))) out += dec(unit);
  }
  assert.equal(out, text);
  assert.ok(redactor.work < 6 * bytes.length, `work ${redactor.work} for ${bytes.length} bytes`);
});

test("a line longer than the recorder keeps only its redacted head; framing resumes after it", () => {
  const long = "ILN 1 " + "x".repeat((1 << 20) + 10) + "\r\n";
  const text = long + `XFR 5 SB 10.0.0.1:1863 CKI ${COOKIE}\r\n`;
  const bytes = enc(text);
  const redactor = new StreamRedactor("server");
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 4096) {
    out.push(...redactor.push(bytes.subarray(i, i + 4096)));
  }
  out.push(...redactor.flush());
  assert.deepEqual(out.map((u) => u.length), [(1 << 20) + R.length + 1, 29 + R.length]);
  assert.ok(dec(out[0]) === long.slice(0, 1 << 20) + R + "\n", "the head, a placeholder, the LF");
  assert.equal(dec(out[1]), `XFR 5 SB 10.0.0.1:1863 CKI ${R}\r\n`);
});

/** Asserts that `text` redacts to `expected` whole, one byte at a time and split at every byte. */
function assertEveryChunking(
  from: "client" | "server",
  text: string,
  expected: string,
  limits?: RedactorLimits,
): void {
  for (const { label, chunks } of chunkings(enc(text))) {
    assert.equal(run(from, chunks, limits), expected, label);
  }
}

// A payload too large to keep (the fuzz campaign's input: a length over the limit, then a
// profile) was redacted chunk by chunk: a header cut by a chunk boundary kept its value.
test("a payload too large to keep is redacted line by line, the same at every split", () => {
  const payload = `MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile\r\nMSPAUTH:${AUTH}\r\n` +
    `mspprof:  ${PROF}\nXFR 5 SB 10.0.0.1:1863 CKI ${COOKIE}\r\nClientPort: 1234\r\n\r\nMSPAuth: ${AUTH}`;
  const redacted = `MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile\r\nMSPAUTH:${R}\r\n` +
    `mspprof:  ${R}\nXFR 5 SB 10.0.0.1:1863 CKI ${R}\r\nClientPort: 1234\r\n\r\nMSPAuth: ${R}`;
  const head = "MSG bob@example.com Bob 4294967296\r\n";
  assertEveryChunking("server", head + payload, head + redacted);
  // Where the payload ends (here, mid-line), framing resumes: the next command is one again.
  const limits = { maxPayloadBytes: 64 };
  const size = enc(payload).length;
  const next = `XFR 6 SB 10.0.0.1:1863 CKI ${COOKIE}\r\nQNG 50\r\n`;
  assertEveryChunking(
    "server",
    `MSG Hotmail Hotmail ${size}\r\n${payload}${next}`,
    `MSG Hotmail Hotmail ${size}\r\n${redacted}XFR 6 SB 10.0.0.1:1863 CKI ${R}\r\nQNG 50\r\n`,
    limits,
  );
});

test("RecordingTransport records a payload too large to keep the same whatever the reads", async () => {
  const payload = `MSPAUTH:${AUTH}\r\nMSPProf: ${PROF}\r\n`;
  const text = `MSG bob@example.com Bob 4294967296\r\n${payload}`;
  const expected = `MSG bob@example.com Bob 4294967296\r\nMSPAUTH:${R}\r\nMSPProf: ${R}\r\n`;
  const bytes = enc(text);
  for (let split = 0; split <= bytes.length; split++) {
    const recorder = new RecordingTransport(memoryTransport(bytes, split));
    const c = await recorder.connect("h", 1, { kind: "ns" });
    for await (const _ of c.readable) { /* drain */ }
    const recv = recorder.steps.filter((s) => "recv" in s).map((s) => dec(stepBytes(s)!));
    assert.equal(recv.join(""), expected, `split ${split}`);
  }
});

test("an over-long line keeps its head (secrets in it redacted) and loses the rest, at every split", () => {
  const limits = { maxLineBytes: 48 };
  // The cookie straddles the cut: its start is redacted in the head, its rest is never kept.
  const straddles = `XFR 6 SB 10.0.0.1:1863 CKI SeCrEt${"y".repeat(40)}\r\n`;
  const long = `ILN 1 NLN bob@example.com ${"x".repeat(60)}\r\n`;
  const text = `${long}XFR 5 SB 10.0.0.1:1863 CKI SeCrEt1\r\n${straddles}QNG 50\r\n`;
  const expected = `${long.slice(0, 48)}${R}\n` + `XFR 5 SB 10.0.0.1:1863 CKI ${R}\r\n` +
    `XFR 6 SB 10.0.0.1:1863 CKI ${R}${R}\n` + "QNG 50\r\n";
  assertEveryChunking("server", text, expected, limits);
  // A line just within the limit stays whole; one byte more and it is over-long.
  const within = `QNG ${"5".repeat(44)}\n`;
  assertEveryChunking("server", within, within, limits);
  assertEveryChunking("server", `QNG ${"5".repeat(45)}\n`, `QNG ${"5".repeat(44)}${R}\n`, limits);
  // An over-long line inside a payload too large to keep, cut by the payload's end.
  const payload = `MSPAuth: SeCrEt${"z".repeat(60)}`;
  assertEveryChunking(
    "server",
    `MSG Hotmail Hotmail ${payload.length}\r\n${payload}QNG 1\r\n`,
    `MSG Hotmail Hotmail ${payload.length}\r\nMSPAuth: ${R}${R}QNG 1\r\n`,
    { maxLineBytes: 48, maxPayloadBytes: 16 },
  );
});

test("where framing is lost every later line is redacted by pattern, at every split", () => {
  const limits = { maxLineBytes: 48 };
  const lost = [
    // The decoder cannot frame a payload command with a bad length, nor skip an over-long one.
    ["MSG Hotmail Hotmail 12x\r\n", "MSG Hotmail Hotmail 12x\r\n"],
    [`MSG Hotmail Hotmail 1${"0".repeat(50)}\r\n`, `MSG Hotmail Hotmail 1${"0".repeat(27)}${R}\n`],
  ];
  const rest = `MSPAuth: SeCrEt1\r\nXFR 5 SB 10.0.0.1:1863 CKI SeCrEt2\r\n` +
    `x${"-".repeat(40)} CKI SeCrEt3${"w".repeat(20)}\r\nmspprof:SeCrEt4\nUSR 4 TWN S SeCrEt5`;
  const redacted = `MSPAuth: ${R}\r\nXFR 5 SB 10.0.0.1:1863 CKI ${R}\r\n` +
    `x${"-".repeat(40)} CKI ${R}${R}\nmspprof:${R}\nUSR 4 TWN S ${R}`;
  for (const [line, expected] of lost) {
    assertEveryChunking("server", line + rest, expected + redacted, limits);
  }
});

test("the recorder's work is linear inside a payload too large to keep", () => {
  const size = 3 << 20;
  for (
    const [line, chunk] of [["MSPAuth: SeCrEt\r\n", 7], ["x", 16]] as const
  ) {
    const piece = enc(line.repeat(256));
    const redactor = new StreamRedactor("server");
    const out: Uint8Array[] = [...redactor.push(enc("MSG Hotmail Hotmail 4294967296\r\n"))];
    for (let sent = 0; sent < size; sent += piece.length) {
      for (let at = 0; at < piece.length; at += chunk) {
        out.push(...redactor.push(piece.subarray(at, at + chunk)));
      }
    }
    out.push(...redactor.flush());
    assert.ok(redactor.work < 6 * size, `${line.trim()}: work ${redactor.work} for ${size} bytes`);
    assert.ok(!out.some((u) => dec(u).includes("SeCrEt")));
    let length = 0;
    for (const u of out) length += u.length;
    assert.ok(length < 2 * size, `${length} bytes out for ${size} in`);
  }
});

// Any mix of commands (secret or not, payloads with CRLF or LF, malformed lines), in any chunking:
// the recording decodes to the same commands as the original, minus the secrets.
const PIECES = [
  `XFR 6 SB 10.0.0.1:1863 XYZ ${COOKIE}\n`,
  `XFR 5 SB 10.0.0.1:1863 CKI ${COOKIE}\r\n`,
  `RNG 1 10.0.0.2:1863 CKI ${COOKIE2} bob@example.com Bob\n`,
  server(`MIME-Version: 1.0\nContent-Type: text/x-msmsgsprofile\nMSPAuth: ${AUTH}\n\n`),
  server(`mspauth:${AUTH}\r\nmspprof: ${PROF}\r\n\r\nbody`),
  server("MIME-Version: 1.0\r\n\r\nUSR 4 TWN S not-a-secret-inside-a-payload"),
  "QNG 50\r\n",
  "\r\n",
  "lower case junk\r\n",
  "ILN 9  NLN bob@example.com B%C3%B6b 0\n",
];

function decodeAll(text: Uint8Array): string[] {
  const decoder = new Decoder({ from: "server" });
  decoder.push(text);
  decoder.end();
  const out: string[] = [];
  for (let c = decoder.next(); c !== undefined; c = decoder.next()) {
    out.push(
      c instanceof Error
        ? `error ${c.code}`
        : `${c.name} ${c.args.length} ${c.payload?.length ?? "-"}`,
    );
  }
  return out;
}

test("property: any mix and chunking keeps the decoder's framing and drops every secret", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: PIECES.length - 1 }), { maxLength: 12 }),
      fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
      (picks, sizes) => {
        const original = enc(picks.map((i) => PIECES[i]).join(""));
        const pieces: Uint8Array[] = [];
        for (let at = 0, k = 0; at < original.length; k++) {
          const size = sizes[k % sizes.length];
          pieces.push(original.subarray(at, at + size));
          at += size;
        }
        const whole = run("server", [original]);
        assert.equal(run("server", pieces), whole);
        for (const secret of SECRETS) assert.ok(!whole.includes(secret), secret);
        // Same commands, same argument counts; payload lengths change only where a secret went.
        const before = decodeAll(original).map((d) => d.replace(/ \d+$/, ""));
        const after = decodeAll(enc(whole)).map((d) => d.replace(/ \d+$/, ""));
        assert.deepEqual(after, before);
      },
    ),
    { numRuns: 300 },
  );
});

// The recorder's redaction is the codec's command table: for every row with a secrets rule, on
// each connection kind and direction, a line built from the row's syntax with a marker in every
// position the table marks loses exactly those markers and keeps every other byte. A change to
// the table's secrets column changes what the recorder removes (or this test fails).

/** The argument lists a row's syntax describes (`a | b` forms, `[optional]` dropped, `x|y` → x). */
function syntaxForms(name: string, syntax: string): string[][] {
  return syntax.split(" | ").map((form) => {
    const words = form.replace(/\([^)]*\)/g, "").trim().split(/\s+/);
    assert.equal(words[0], name, syntax);
    return words.slice(1)
      .filter((w) => w !== "t" && w !== "..." && w !== "+" && w !== "payload" && !w.startsWith("["))
      .map((w) => w.split("|")[0]);
  });
}

test("the command table's secrets column drives the recorder, per kind and direction", () => {
  let rows = 0;
  for (const kind of ["ns", "sb"] as const) {
    for (const from of ["server", "client"] as const) {
      for (const [name, rule] of Object.entries(COMMANDS[kind][from])) {
        if (rule.secrets === undefined) continue;
        rows++;
        let marked = 0;
        for (const form of syntaxForms(name, rule.syntax)) {
          const args = rule.payload ? [...form.slice(0, -1), "0"] : form;
          const secret = secretArgIndexes(name, from, args, kind);
          if (secret.length === 0) continue;
          marked++;
          const line = (value: (i: number) => string) =>
            [name, ...(rule.trid === "no" ? [] : ["7"]), ...args.map((a, i) => value(i) ?? a)]
              .join(" ") + "\r\n";
          const withMarkers = line((i) => secret.includes(i) ? `SeCrEt${i}` : args[i]);
          const expected = line((i) => secret.includes(i) ? R : args[i]);
          const bytes = enc(withMarkers);
          for (let i = 0; i <= bytes.length; i++) {
            const got = run(from, [bytes.subarray(0, i), bytes.subarray(i)]);
            assert.equal(got, expected, `${kind} ${from} ${withMarkers.trim()} split ${i}`);
          }
        }
        assert.ok(marked > 0, `${kind} ${from} ${name}: no form of its syntax has a secret`);
      }
    }
  }
  // USR and ANS from the client, XFR and RNG from the server, on the NS and the switchboard.
  assert.equal(rows, 5);
});

test("the codec's secret payload headers are the ones the recorder removes, in any case", () => {
  for (const header of SECRET_PAYLOAD_HEADERS) {
    for (
      const spelling of [header, header.toUpperCase(), header[0].toUpperCase() + header.slice(1)]
    ) {
      const payload = `MIME-Version: 1.0\r\n${spelling}: SeCrEt\r\nClientIP: 192.0.2.7\r\n\r\n`;
      const redacted = `MIME-Version: 1.0\r\n${spelling}: ${R}\r\nClientIP: 192.0.2.7\r\n\r\n`;
      assert.equal(run("server", [enc(server(payload))]), server(redacted), spelling);
    }
  }
});

// The application sees the views, not the bytes: a credential header that a server (or a peer)
// puts where it does not belong must not reach it through a view's fields either.
test("no message view hands a credential header to the application in its fields", () => {
  const notices = [
    "application/x-msmsgssystemmessage",
    "text/x-msmsgsinitialemailnotification",
    "application/x-msmsgsemailnotification",
    "text/x-msmsgsactivemailnotification",
  ];
  for (const type of notices) {
    const message = `MIME-Version: 1.0\r\nContent-Type: ${type}\r\nMSPAuth: ${AUTH}\r\n\r\n` +
      `Type: 1\r\n mspprof :${PROF}\r\nmspauth: ${AUTH}\r\nFrom-Addr: bob@example.com\r\n`;
    const view = interpretMessage(parseMime(enc(message)));
    assert.ok(view.kind !== "unknown" && view.kind !== "profile" && "fields" in view, type);
    assert.deepEqual(view.fields.entries(), [
      ["Type", "1"],
      ["From-Addr", "bob@example.com"],
      ["MIME-Version", "1.0"],
      ["Content-Type", type],
    ]);
    assert.equal(view.fields.get("MSPAuth"), undefined);
  }
  for (const type of ["text/x-msmsgsinvite; charset=UTF-8", "text/x-msnmsgr-datacast"]) {
    const payload = `MIME-Version: 1.0\r\nContent-Type: ${type}\r\n\r\n` +
      `ID: 3\r\nMSPAuth: ${AUTH}\r\nMSPPROF:${PROF}\r\n\r\n`;
    const view = interpretSwitchboardPayload(enc(payload));
    assert.ok(view.kind === "invitation" || view.kind === "datacast", type);
    if (view.kind === "invitation" || view.kind === "datacast") {
      assert.deepEqual(view.fields.entries(), [["ID", "3"]]);
    }
  }
  // The view of an unknown type keeps its message, less the same headers.
  const unknown = interpretMessage(parseMime(enc(`Content-Type: x/y\r\nMspAuth: ${AUTH}\r\n\r\n`)));
  assert.ok(unknown.kind === "unknown");
  if (unknown.kind === "unknown") {
    assert.deepEqual(unknown.message.headers, [["Content-Type", "x/y"]]);
  }
});
