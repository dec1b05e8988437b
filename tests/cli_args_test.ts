import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { type CliIo, runCli, SUBCOMMANDS, VERSION } from "../tools/cli.ts";
import { parseCommandLine } from "../tools/cli_args.ts";

const SPEC = {
  from: { type: "string" },
  "chunk-size": { type: "string" },
  json: { type: "boolean" },
} as const;

/** Runs the tool in memory; resolves to the exit code and the lines printed. */
async function cli(args: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIo = {
    stdin: [],
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    readFile: () => Promise.reject(new Error("No such file")),
    env: () => "pw",
  };
  return { code: await runCli(args, io), stdout, stderr };
}

test("parseCommandLine reads --flag=value and --flag value alike, booleans, positionals and -h", () => {
  const spaced = parseCommandLine(["--from", "client", "--json", "x.bin"], SPEC, 1);
  const joined = parseCommandLine(["--from=client", "x.bin", "--json"], SPEC, 1);
  const expected = { values: { from: "client", json: true }, positionals: ["x.bin"], help: false };
  assert.deepStrictEqual(spaced, expected);
  assert.deepStrictEqual(joined, expected);
  assert.deepStrictEqual(parseCommandLine(["-h"], SPEC, 0), {
    values: {},
    positionals: [],
    help: true,
  });
  assert.deepStrictEqual(parseCommandLine(["--", "--json", "-"], SPEC, 2), {
    values: {},
    positionals: ["--json", "-"],
    help: false,
  });
  assert.deepStrictEqual(parseCommandLine(["--chunk-size=", "--chunk-size=-3"], SPEC, 0), {
    values: { "chunk-size": "-3" },
    positionals: [],
    help: false,
  });
});

test("parseCommandLine names the argument as typed in every error", () => {
  const cases: [string[], string][] = [
    [["--form", "client"], 'unknown option "--form"'],
    [["--form=client"], 'unknown option "--form"'],
    [["-x"], 'unknown option "-x"'],
    [["--from"], "--from needs a value"],
    [["--json=yes"], "--json takes no value"],
    [["a.bin", "b.bin"], 'unexpected argument "b.bin"'],
  ];
  for (const [args, message] of cases) {
    assert.equal(parseCommandLine(args, SPEC, 1), message, args.join(" "));
  }
});

test("msnp --version prints the version deno.json publishes", async () => {
  const config = JSON.parse(
    await readFile(new URL("../deno.json", import.meta.url), "utf8"),
  ) as { version: string };
  assert.equal(VERSION, config.version);
  assert.deepStrictEqual(await cli(["--version"]), {
    code: 0,
    stdout: [`msnp ${config.version}`],
    stderr: [],
  });
});

test("every subcommand prints its own usage for --help, -h and help NAME", async () => {
  for (const [name, sub] of Object.entries(SUBCOMMANDS)) {
    const usage = sub.usage.split("\n");
    assert.match(usage[0], new RegExp(`^Usage: msnp ${name} `));
    for (const args of [[name, "--help"], [name, "-h"], ["help", name]]) {
      assert.deepStrictEqual(
        await cli(args),
        { code: 0, stdout: usage, stderr: [] },
        args.join(" "),
      );
    }
  }
  const unknown = await cli(["help", "frobnicate"]);
  assert.deepStrictEqual(unknown, {
    code: 2,
    stdout: [],
    stderr: ['msnp help: unknown subcommand "frobnicate"'],
  });
  const option = await cli(["--verbose"]);
  assert.equal(option.code, 2);
  assert.equal(option.stderr[0], 'msnp: unknown option "--verbose"');
});

test("login and replay errors name the flag the user typed, in either form", async () => {
  const login = ["login", "--account=a@b.c"];
  const cases: [string[], string][] = [
    [[...login, "--server=nocolon"], 'msnp login: --server must be HOST:PORT, not "nocolon"'],
    [
      [...login, "--server", "h:1", "--wait=-1"],
      'msnp login: --wait must be a number of seconds, not "-1"',
    ],
    [
      [...login, "--server=h:1", "--protocol", "MSNP7"],
      'msnp login: --protocol must be MSNP9 or MSNP8, not "MSNP7"',
    ],
    [[...login, "--server=h:1", "--jsn"], 'msnp login: unknown option "--jsn"'],
    [[...login, "--server=h:1", "--json=1"], "msnp login: --json takes no value"],
    [[...login, "--server=h:1", "--record"], "msnp login: --record needs a value"],
    [["login", "--server=h:1"], "msnp login: --account is required"],
    [
      [...login, "--server=h:1", "--password=x"],
      "msnp login: --password is not accepted: set MSNP_PASSWORD or answer the prompt",
    ],
    [["replay", "--jsn", "a.jsonl"], 'msnp replay: unknown option "--jsn"'],
    [["replay", "a.jsonl", "b.jsonl"], 'msnp replay: unexpected argument "b.jsonl"'],
    [["replay", "--json"], "msnp replay: expected one FILE"],
  ];
  for (const [args, message] of cases) {
    const run = await cli(args);
    assert.equal(run.code, 2, args.join(" "));
    assert.deepStrictEqual(run.stdout, [], args.join(" "));
    assert.equal(run.stderr[0], message, args.join(" "));
    assert.match(run.stderr[1], new RegExp(`^Run "msnp ${args[0]} --help" for usage\\.$`));
  }
});

test("login accepts --flag=value for every valued option", async () => {
  const { parseLoginArgs } = await import("../tools/cli_login.ts");
  const spaced = parseLoginArgs([
    "--server",
    "h:1",
    "--account",
    "a@b.c",
    "--nexus",
    "http://127.0.0.1:1/rdr",
    "--protocol",
    "MSNP8",
    "--status",
    "BSY",
    "--ca",
    "ca.pem",
    "--wait",
    "1.5",
    "--record",
    "s.jsonl",
    "--json",
    "--allow-insecure-loopback",
  ]);
  const joined = parseLoginArgs([
    "--server=h:1",
    "--account=a@b.c",
    "--nexus=http://127.0.0.1:1/rdr",
    "--protocol=MSNP8",
    "--status=BSY",
    "--ca=ca.pem",
    "--wait=1.5",
    "--record=s.jsonl",
    "--json",
    "--allow-insecure-loopback",
  ]);
  assert.ok(spaced instanceof Map);
  assert.deepStrictEqual(joined, spaced);
  assert.equal(spaced.get("--wait"), "1.5");
  assert.equal(spaced.get("--json"), "");
});
