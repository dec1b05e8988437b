import { test } from "node:test";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { type CliIo, runCli } from "../tools/cli.ts";
import { runDecode } from "../tools/cli_decode.ts";
import { SEED_NOTIFICATION, SEED_PROFILE } from "./fixtures/seed_msnp8.ts";
import { bytes, concat } from "./_helpers.ts";

interface Run {
  code: number;
  stdout: string[];
  stderr: string[];
}

/** Runs `decode` in memory with `input` as standard input, delivered `readSize` bytes per read. */
async function decode(args: string[], input: Uint8Array, readSize?: number): Promise<Run> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const reads: Uint8Array[] = [];
  const step = readSize ?? Math.max(input.length, 1);
  for (let i = 0; i < input.length; i += step) reads.push(input.slice(i, i + step));
  const io: CliIo = {
    stdin: new ReadableStream<Uint8Array>({
      start(controller) {
        for (const r of reads) controller.enqueue(r);
        controller.close();
      },
    }),
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    readFile: (path) =>
      path === "capture.bin"
        ? Promise.resolve(input.slice())
        : Promise.reject(new Error("No such file")),
  };
  const code = await runDecode(args, io);
  return { code, stdout, stderr };
}

const CHUNK_SIZES = [undefined, 1, 2, 3, 7];

/**
 * Asserts that `input` decodes to exactly `lines` and `code` for every chunk
 * size, whether read from standard input (in reads of several sizes) or from a
 * file.
 */
async function assertDecodeOutput(
  input: Uint8Array,
  extraArgs: string[],
  lines: string[],
  code: number,
): Promise<void> {
  for (const size of CHUNK_SIZES) {
    const sizeArgs = size === undefined ? [] : ["--chunk-size", String(size)];
    for (const readSize of [undefined, 1, 5]) {
      const label = `chunk size ${size ?? "whole"}, reads of ${readSize ?? "everything"}`;
      const run = await decode([...extraArgs, ...sizeArgs], input, readSize);
      assert.deepStrictEqual(run.stdout, lines, label);
      assert.equal(run.code, code, label);
      assert.deepStrictEqual(run.stderr, [], label);
    }
    const fromFile = await decode([...extraArgs, ...sizeArgs, "capture.bin"], input);
    assert.deepStrictEqual(fromFile.stdout, lines, `file, chunk size ${size ?? "whole"}`);
    assert.equal(fromFile.code, code);
  }
}

const SEED_SERVER = bytes(
  SEED_NOTIFICATION.filter((l) => l.from === "server").map((l) => l.text).join(""),
);

const SEED_SERVER_LINES = [
  '{"name":"VER","trid":4,"args":["MSNP8"]}',
  '{"name":"CVR","trid":5,"args":["5.0.0537","5.0.0537","1.0.0863",' +
  '"http://download.microsoft.com/download/msnmessenger/install/5.0/w98nt42kmexp/en-us/setupdl.exe",' +
  '"http://messenger.microsoft.com"]}',
  '{"name":"USR","trid":6,"args":["TWN","S","passport=parameters,neat=huh,lc=1033,id=507"]}',
  '{"name":"USR","trid":7,"args":["OK","example@hotmail.com","example%20user","1","0"]}',
  `{"name":"MSG","trid":null,"args":["Hotmail","Hotmail","448"],"payload":${
    JSON.stringify(SEED_PROFILE)
  }}`,
  '{"name":"SYN","trid":8,"args":["15","1","1"]}',
  '{"name":"GTC","trid":null,"args":["A"]}',
  '{"name":"BLP","trid":null,"args":["AL"]}',
  '{"name":"PRP","trid":null,"args":["PHH","123%20(4567)"]}',
  '{"name":"LSG","trid":null,"args":["0","Other%20Contacts","0"]}',
  '{"name":"LST","trid":null,"args":["anotheruser@hotmail.com","another%20user","11","0"]}',
  '{"name":"BPR","trid":null,"args":["PHH","1%20(222)%20333%204444"]}',
  '{"name":"CHG","trid":9,"args":["NLN","0"]}',
  '{"name":"ILN","trid":9,"args":["NLN","anotheruser@hotmail.com","another%20user","28"]}',
  '{"name":"NLN","trid":null,"args":["NLN","anotheruser@hotmail.com","another%20user","2"]}',
  '{"name":"NLN","trid":null,"args":["NLN","anotheruser@hotmail.com","another%20user","28"]}',
  '{"name":"OUT","trid":null,"args":[]}',
];

test("decode prints the seed server stream as one JSON line per command for every chunk size", async () => {
  assert.equal(SEED_PROFILE.length, 448);
  await assertDecodeOutput(SEED_SERVER, [], SEED_SERVER_LINES, 0);
  await assertDecodeOutput(SEED_SERVER, ["--from", "server"], SEED_SERVER_LINES, 0);
  await assertDecodeOutput(SEED_SERVER, ["--from=server"], SEED_SERVER_LINES, 0);
});

test("decode reads client streams with --from client", async () => {
  const input = bytes(
    "VER 1 MSNP8 CVR0\r\nPNG\r\nQRY 10 msmsgs@msnmsgr.com 32\r\n" +
      "8f2f5a91b72102cd28355e9fc9000d6e" +
      "MSG 11 N 21\r\nMIME-Version: 1.0\r\n\r\nOUT\r\n",
  );
  await assertDecodeOutput(input, ["--from", "client"], [
    '{"name":"VER","trid":1,"args":["MSNP8","CVR0"]}',
    '{"name":"PNG","trid":null,"args":[]}',
    '{"name":"QRY","trid":10,"args":["msmsgs@msnmsgr.com","32"],' +
    '"payload":"8f2f5a91b72102cd28355e9fc9000d6e"}',
    '{"name":"MSG","trid":11,"args":["N","21"],"payload":"MIME-Version: 1.0\\r\\n\\r\\n"}',
    '{"name":"OUT","trid":null,"args":[]}',
  ], 0);
});

test("decode prints recoverable errors with their offsets and goes on", async () => {
  const text = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nhéllo 👋 世界";
  const input = concat([
    bytes("CHL 0 15570131571988941333\r\n"), // offset 0, 28 bytes
    bytes("qng 5\r\n"), // offset 28
    bytes(`MSG bob@x.com Bob%20%E2%98%85 ${bytes(text).length}\r\n${text}`), // offset 35
    bytes("CHG x NLN\r\n"), // offset 35 + 34 + 80 = 149
    new Uint8Array([0x4e, 0x4c, 0x4e, 0x20, 0xff, 0x0d, 0x0a]), // "NLN \xff", offset 160
    bytes("MSG Hotmail Hotmail 4\r\n\ufeffA"), // BOM kept
    bytes("MSG Hotmail Hotmail 3\r\n"),
    new Uint8Array([0xff, 0xfe, 0x00]), // not UTF-8
    bytes("\r\nQNG 50\r\n"), // the empty line is skipped silently
  ]);
  await assertDecodeOutput(input, [], [
    '{"name":"CHL","trid":0,"args":["15570131571988941333"]}',
    '{"error":"invalid-name","message":"Cannot decode line: invalid command name \\"qng\\"","offset":28}',
    '{"name":"MSG","trid":null,"args":["bob@x.com","Bob%20%E2%98%85","80"],' +
    '"payload":"MIME-Version: 1.0\\r\\nContent-Type: text/plain; charset=UTF-8\\r\\n\\r\\nhéllo 👋 世界"}',
    '{"error":"invalid-trid","message":"Cannot decode line \\"CHG\\": invalid TrID \\"x\\"","offset":149}',
    '{"error":"invalid-utf8","message":"Cannot decode line \\"NLN\\": not valid UTF-8","offset":160}',
    '{"name":"MSG","trid":null,"args":["Hotmail","Hotmail","4"],"payload":"\ufeffA"}',
    '{"name":"MSG","trid":null,"args":["Hotmail","Hotmail","3"],"payloadBase64":"//4A"}',
    '{"name":"QNG","trid":null,"args":["50"]}',
  ], 0);
});

test("decode stops at a fatal error with exit code 1 and prints nothing after it", async () => {
  const input = bytes("QNG 1\r\nMSG Hotmail Hotmail xyz\r\nQNG 2\r\nQNG 3\r\n");
  await assertDecodeOutput(input, [], [
    '{"name":"QNG","trid":null,"args":["1"]}',
    '{"error":"invalid-payload-length","message":"Cannot decode line \\"MSG\\": ' +
    'invalid payload length \\"xyz\\"; framing lost","offset":7}',
  ], 1);
});

test("decode reports a stream that ends inside a payload as fatal", async () => {
  const input = bytes("QNG 1\r\nMSG a b 10\r\nabc");
  await assertDecodeOutput(input, [], [
    '{"name":"QNG","trid":null,"args":["1"]}',
    '{"error":"truncated","message":"Cannot decode stream: it ended inside a command; ' +
    'framing lost","offset":19}',
  ], 1);
});

test("decode prints nothing and exits 0 for empty input", async () => {
  await assertDecodeOutput(new Uint8Array(0), [], [], 0);
});

test("decode rejects bad command lines with exit code 2 and a message on stderr", async () => {
  for (
    const args of [
      ["--from", "peer"],
      ["--from"],
      ["--chunk-size", "0"],
      ["--chunk-size", "-3"],
      ["--chunk-size", "1.5"],
      ["--chunk-size=abc"],
      ["--bogus"],
      ["a.bin", "b.bin"],
    ]
  ) {
    const run = await decode(args, bytes("QNG 1\r\n"));
    assert.equal(run.code, 2, args.join(" "));
    assert.deepStrictEqual(run.stdout, [], args.join(" "));
    assert.match(run.stderr[0], /^msnp decode: /, args.join(" "));
  }
});

test("decode --help prints its usage to stdout and exits 0", async () => {
  const run = await decode(["--help"], new Uint8Array(0));
  assert.equal(run.code, 0);
  assert.match(run.stdout[0], /^Usage: msnp decode \[--from server\|client\] \[--chunk-size N\]/);
  assert.ok(run.stdout.some((l) => l.includes("payloadBase64")));
});

test("decode exits 1 with a message when the file cannot be read", async () => {
  const run = await decode(["missing.bin"], new Uint8Array(0));
  assert.equal(run.code, 1);
  assert.deepStrictEqual(run.stdout, []);
  assert.deepStrictEqual(run.stderr, ['msnp decode: cannot read "missing.bin": No such file']);
});

test("cli dispatches subcommands and rejects unknown or missing ones with exit code 2", async () => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdin: [bytes("QNG 7\r\n")],
    stdout: (l) => out.push(l),
    stderr: (l) => err.push(l),
    readFile: () => Promise.reject(new Error("no files")),
  };
  assert.equal(await runCli(["decode"], io), 0);
  assert.deepStrictEqual(out.splice(0), ['{"name":"QNG","trid":null,"args":["7"]}']);
  assert.equal(await runCli(["frobnicate"], io), 2);
  assert.equal(err[0], 'msnp: unknown subcommand "frobnicate"');
  assert.equal(await runCli([], io), 2);
  assert.equal(await runCli(["toString"], io), 2);
  assert.equal(await runCli(["--help"], io), 0);
  assert.ok(out.some((l) => /^\s+decode\s/.test(l)));
});

/** Runs tools/cli_bin.ts as a child process of the running runtime (Deno, Node 24 or Bun). */
function runBin(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = fileURLToPath(new URL("../", import.meta.url));
  const isDeno = typeof (globalThis as { Deno?: unknown }).Deno === "object";
  const argv = [...(isDeno ? ["run", "-A"] : []), "tools/cli_bin.ts", ...args];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, argv, { cwd: root, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : (error as { code?: unknown }).code;
      if (typeof code !== "number") reject(error);
      else resolve({ code, stdout, stderr });
    });
  });
}

test("the msnp binary run as a process prints the same lines and exit codes on this runtime", async () => {
  const dir = await mkdtemp(join(tmpdir(), "msnp-cli-"));
  try {
    const file = join(dir, "capture.bin");
    await writeFile(file, SEED_SERVER);
    const ok = await runBin(["decode", "--chunk-size=5", file]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, SEED_SERVER_LINES.join("\n") + "\n");

    await writeFile(file, bytes("VER 4 MSNP8\r\nMSG a b x\r\nQNG 1\r\n"));
    const failed = await runBin(["decode", file]);
    assert.equal(failed.code, 1);
    assert.equal(
      failed.stdout,
      '{"name":"VER","trid":4,"args":["MSNP8"]}\n' +
        '{"error":"invalid-payload-length","message":"Cannot decode line \\"MSG\\": ' +
        'invalid payload length \\"x\\"; framing lost","offset":13}\n',
    );

    const bad = await runBin(["decode", "--chunk-size"]);
    assert.deepStrictEqual([bad.code, bad.stdout], [2, ""]);
    assert.equal(bad.stderr.split("\n")[0], "msnp decode: --chunk-size needs a value");
  } finally {
    await rm(dir, { recursive: true });
  }
});
