import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../tools/cli.ts";
import type { CliIo } from "../tools/cli_decode.ts";
import { startLoopbackServer } from "../testing/mod.ts";
import { Client } from "../io_adapters/mod.ts";

const PASSWORD = "s3cret, %pass&";

function io(files: Map<string, string>, password?: string) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const cli: CliIo = {
    stdin: [],
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    readFile: (path) =>
      files.has(path)
        ? Promise.resolve(new TextEncoder().encode(files.get(path)))
        : Promise.reject(new Error("no file")),
    writeFile: (path, text) => {
      files.set(path, text);
      return Promise.resolve();
    },
    env: (name) => (name === "MSNP_PASSWORD" ? password : undefined),
    promptSecret: () => Promise.resolve(undefined),
  };
  return { cli, stdout, stderr };
}

test("cli login --json prints signedIn, contacts, presence and signedOut, records without secrets, and replays", async () => {
  const server = await startLoopbackServer({
    accounts: [
      {
        passport: "alice@example.com",
        password: PASSWORD,
        friendlyName: "Alice",
        groups: [{ id: 0, name: "Other Contacts" }, { id: 1, name: "Friends" }],
        contacts: [{
          passport: "bob@example.com",
          friendlyName: "Bob",
          lists: ["FL", "AL"],
          groupIds: [1],
        }],
      },
      {
        passport: "bob@example.com",
        password: "pw",
        friendlyName: "Bobby",
        contacts: [{ passport: "alice@example.com", lists: ["FL", "AL"] }],
      },
    ],
  });
  // Bob is online first, so Alice's login sees his presence.
  const bob = await Client.connect({
    account: "bob@example.com",
    password: "pw",
    server: server.dispatchAddress,
    passport: { nexusUrl: server.nexusUrl, allowInsecureLoopback: true },
  });
  try {
    const files = new Map<string, string>();
    const run = io(files, PASSWORD);
    const args = [
      "login",
      "--server",
      `${server.dispatchAddress.host}:${server.dispatchAddress.port}`,
      "--account",
      "alice@example.com",
      "--nexus",
      server.nexusUrl,
      "--allow-insecure-loopback",
      "--protocol",
      "MSNP8",
      "--wait",
      "0.3",
      "--json",
      "--record",
      "session.jsonl",
    ];
    assert.equal(await runCli(args, run.cli), 0, run.stderr.join("\n"));
    assert.deepStrictEqual(run.stdout.map((l) => JSON.parse(l)), [
      {
        event: "signedIn",
        passport: "alice@example.com",
        friendlyName: "Alice",
        protocol: "MSNP8",
      },
      {
        event: "contacts",
        contacts: [{
          passport: "bob@example.com",
          friendlyName: "Bob",
          lists: ["FL", "AL", "RL"],
          groups: [1],
        }],
        groups: [{ id: 0, name: "Other Contacts" }, { id: 1, name: "Friends" }],
      },
      { event: "presence", passport: "bob@example.com", status: "NLN", friendlyName: "Bobby" },
      { event: "signedOut", reason: "client" },
    ]);
    const recording = files.get("session.jsonl")!;
    assert.match(recording, /\[REDACTED\]/);
    assert.ok(!recording.includes(PASSWORD) && !recording.includes(encodeURIComponent(PASSWORD)));
    assert.doesNotMatch(recording, /MSPAuth: (?!\[REDACTED\])/);
    assert.doesNotMatch(recording, /TWN S t=/);

    const replay = io(files);
    assert.equal(
      await runCli(["replay", "--json", "session.jsonl"], replay.cli),
      0,
      replay.stderr.join("\n"),
    );
    assert.deepStrictEqual(replay.stdout, run.stdout);

    // A recording the session does not reproduce is reported, not accepted.
    // Without the LST line the sync never completes, so the recorded CHG is never sent.
    const withoutLst = recording.split("\n").filter((line) => !line.startsWith('{"recv":"LST '))
      .join("\n");
    assert.notEqual(withoutLst, recording);
    files.set("bad.jsonl", withoutLst);
    const bad = io(files);
    assert.equal(await runCli(["replay", "bad.jsonl"], bad.cli), 1);
    assert.match(bad.stderr.join("\n"), /diverged/);
  } finally {
    await bob.close();
    await server.close();
  }
});

test("cli login reports a wrong password as a JSON error and exits 1", async () => {
  const server = await startLoopbackServer({
    accounts: [{ passport: "bob@example.com", password: "right" }],
  });
  try {
    const run = io(new Map(), "wrong");
    const args = [
      "login",
      "--server",
      `127.0.0.1:${server.dispatchAddress.port}`,
      "--account",
      "bob@example.com",
      "--nexus",
      server.nexusUrl,
      "--allow-insecure-loopback",
      "--json",
    ];
    assert.equal(await runCli(args, run.cli), 1);
    const [error] = run.stdout.map((l) => JSON.parse(l));
    assert.equal(error.event, "error");
    assert.equal(error.code, "passport-failed");
  } finally {
    await server.close();
  }
});

test("cli login refuses a password on the command line and missing options", async () => {
  for (
    const args of [
      ["login", "--server", "h:1", "--account", "a@b.c", "--password", "x"],
      ["login", "--account", "a@b.c"],
      ["login", "--server", "nocolon", "--account", "a@b.c"],
      ["login", "--server", "h:1", "--account", "a@b.c", "--status", "FLN"],
    ]
  ) {
    const run = io(new Map(), "pw");
    assert.equal(await runCli(args, run.cli), 2, args.join(" "));
    assert.equal(run.stdout.length, 0);
  }
  const none = io(new Map());
  assert.equal(
    await runCli(["login", "--server", "127.0.0.1:1", "--account", "a@b.c"], none.cli),
    1,
  );
  assert.match(none.stderr.join("\n"), /no password/);
});
