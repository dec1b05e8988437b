// `msnp send`, `msnp chat` and the conversation and reconnection events of `msnp login`, run as
// the tool runs them, against the loopback server and its scripted peers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../tools/cli.ts";
import type { CliIo } from "../tools/cli_decode.ts";
import { type LoopbackServer, startLoopbackServer } from "../testing/mod.ts";

const PASSWORD = "s3cret, %pass&";

async function withServer(run: (server: LoopbackServer) => Promise<void>): Promise<void> {
  const server = await startLoopbackServer({
    accounts: [
      {
        passport: "alice@example.com",
        password: PASSWORD,
        friendlyName: "Alice",
        contacts: [
          { passport: "bob@example.com", lists: ["FL", "AL"] },
          { passport: "carol@example.com", lists: ["FL", "AL"] },
        ],
      },
      {
        passport: "bob@example.com",
        password: "b",
        contacts: [{ passport: "alice@example.com", lists: ["FL", "AL"] }],
      },
      { passport: "carol@example.com", password: "c" },
    ],
  });
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

function io(options: { stdin?: CliIo["stdin"]; interrupt?: AbortSignal } = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const cli: CliIo = {
    stdin: options.stdin ?? [],
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    readFile: () => Promise.reject(new Error("no file")),
    env: (name) => (name === "MSNP_PASSWORD" ? PASSWORD : undefined),
    promptSecret: () => Promise.resolve(undefined),
    interrupt: options.interrupt,
  };
  return { cli, stdout, stderr };
}

function flags(server: LoopbackServer, protocol: "MSNP8" | "MSNP9" = "MSNP9"): string[] {
  const { host, port } = server.dispatchAddress;
  return [
    "--server",
    `${host}:${port}`,
    "--account",
    "alice@example.com",
    "--nexus",
    server.nexusUrl,
    "--allow-insecure-loopback",
    "--protocol",
    protocol,
  ];
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; !condition(); i++) {
    if (i > 200) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** `promise`, or a rejection after `ms`: no test waits forever for a subcommand to end. */
function within<T>(promise: Promise<T>, ms = 5000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const SECRETS = [PASSWORD, "&p=", "MSPAuth"];
const TICKET = /\bt=/; // the ticket is `t=…&p=…` (the challenge's `tw=`, `ct=` are not secret)
const COOKIE = /\d{10}\.\d{5}/; // the loopback server's switchboard cookies

for (const protocol of ["MSNP8", "MSNP9"] as const) {
  test(`cli send --json over ${protocol}: the peer gets the text, its reply is printed, --trace holds every line and no secret`, async () => {
    await withServer(async (server) => {
      const bob = await server.peer("bob@example.com");
      const peer = (async () => {
        const got = await bob.nextMessage({ kind: "text", timeout: 5000 });
        bob.say(got.conversation, "pong ✓");
        // One reply as soon as it arrived, one after the sender learnt it was delivered.
        await new Promise((resolve) => setTimeout(resolve, 100));
        bob.say(got.conversation, "later");
        return got;
      })();
      const run = io();
      const code = await within(runCli([
        "send",
        ...flags(server, protocol),
        "--to",
        "bob@example.com",
        "--text",
        "hello 👋",
        "--wait",
        "0.3",
        "--json",
        "--trace",
      ], run.cli));
      assert.equal(code, 0, run.stderr.join("\n"));
      const got = await peer;
      assert.deepEqual([got.from, got.text], ["alice@example.com", "hello 👋"]);
      assert.deepEqual(run.stdout, [
        '{"event":"sent","conversation":1,"to":"bob@example.com"}',
        '{"event":"message","conversation":1,"from":"bob@example.com","text":"pong ✓"}',
        '{"event":"message","conversation":1,"from":"bob@example.com","text":"later"}',
      ]);
      // Progress, then one line per command, in order, on every connection.
      const progress = run.stderr.filter((l) => !/^(>>|<<) \[(ns|sb)#\d+\] /.test(l));
      const { host, port } = server.dispatchAddress;
      assert.deepEqual(progress, [
        `connecting to ${host}:${port}`,
        `connecting to ${server.notificationAddress.host}:${server.notificationAddress.port}`,
        "Passport…",
        "syncing 0 of 2 contacts",
        "syncing 1 of 2 contacts",
        "synced 2 contacts",
        `connecting to ${server.switchboardAddress.host}:${server.switchboardAddress.port}`,
      ]);
      const trace = run.stderr.filter((l) => !progress.includes(l));
      const commands = trace.map((l) =>
        l.replace(/^(>>|<<) \[(ns|sb)#(\d+)\] (\S+).*$/, "$1$2$3 $4")
      );
      for (
        const expected of [
          ">>ns1 VER",
          "<<ns1 XFR",
          ">>ns2 USR",
          "<<ns2 SYN",
          "<<ns2 LST",
          ">>ns2 CHG",
          ">>ns2 XFR",
          ">>sb3 USR",
          ">>sb3 CAL",
          "<<sb3 JOI",
          ">>sb3 MSG",
          "<<sb3 ACK",
          "<<sb3 MSG",
          ">>sb3 OUT",
          ">>ns2 OUT",
        ]
      ) assert.ok(commands.includes(expected), `${expected} not traced:\n${commands.join("\n")}`);
      assert.ok(trace.some((l) => /^>> \[ns#2\] USR \d+ TWN S \[REDACTED\]$/.test(l)), "ticket");
      assert.ok(trace.some((l) => /^<< \[ns#2\] XFR \d+ SB \S+ CKI \[REDACTED\]/.test(l)), "XFR");
      assert.ok(trace.some((l) => /^>> \[sb#3\] USR 1 alice@example.com \[REDACTED\]$/.test(l)));
      assert.ok(trace.some((l) => /^>> \[sb#3\] MSG \d+ A (\d+) \(\+\1 bytes\)$/.test(l)), "MSG");
      const all = run.stderr.join("\n");
      for (const secret of SECRETS) assert.ok(!all.includes(secret), `${secret} in the trace`);
      assert.doesNotMatch(all, COOKIE);
      assert.doesNotMatch(all, TICKET);
    });
  });
}

test("cli send to an offline contact exits 1 with the typed error", async () => {
  await withServer(async (server) => {
    const json = io();
    const code = await runCli(
      ["send", ...flags(server), "--to", "carol@example.com", "--text", "hi", "--json"],
      json.cli,
    );
    assert.equal(code, 1);
    assert.equal(json.stdout.length, 1);
    const error = JSON.parse(json.stdout[0]);
    assert.equal(error.event, "error");
    assert.equal(error.code, "offline");
    assert.match(error.message, /offline 217/);
    const text = io();
    assert.equal(
      await runCli(
        ["send", ...flags(server), "--to", "carol@example.com", "--text", "hi"],
        text.cli,
      ),
      1,
    );
    assert.deepEqual(text.stdout, []);
    assert.match(text.stderr.at(-1)!, /^msnp send: offline: Cannot .*offline 217/);
  });
});

test("cli progress without --trace: syncing lines every tenth of a 25-contact list, no trace", async () => {
  const contacts = Array.from({ length: 25 }, (_, i) => ({
    passport: `c${i}@example.com`,
    lists: ["FL", "AL"] as ("FL" | "AL")[],
  }));
  const server = await startLoopbackServer({
    accounts: [{ passport: "alice@example.com", password: PASSWORD, contacts }],
  });
  try {
    const run = io();
    const code = await runCli(
      ["send", ...flags(server), "--to", "c0@example.com", "--text", "hi"],
      run.cli,
    );
    assert.equal(code, 1); // c0 is offline: the sign-in is what this test is about
    const { host, port } = server.dispatchAddress;
    const ns = server.notificationAddress;
    assert.deepEqual(run.stderr.slice(0, -1), [
      `connecting to ${host}:${port}`,
      `connecting to ${ns.host}:${ns.port}`,
      "Passport…",
      "syncing 0 of 25 contacts",
      "syncing 3 of 25 contacts",
      "syncing 5 of 25 contacts",
      "syncing 8 of 25 contacts",
      "syncing 10 of 25 contacts",
      "syncing 13 of 25 contacts",
      "syncing 15 of 25 contacts",
      "syncing 18 of 25 contacts",
      "syncing 20 of 25 contacts",
      "syncing 23 of 25 contacts",
      "synced 25 contacts",
      `connecting to ${server.switchboardAddress.host}:${server.switchboardAddress.port}`,
    ]);
    assert.match(run.stderr.at(-1)!, /^msnp send: offline: /);
  } finally {
    await server.close();
  }
});

test("cli send and chat name a missing --to, --text or --with", async () => {
  const run = io();
  assert.equal(
    await runCli(["send", "--server", "h:1", "--account", "a", "--to", "b"], run.cli),
    2,
  );
  assert.equal(await runCli(["chat", "--server", "h:1", "--account", "a"], run.cli), 2);
  assert.deepEqual(run.stderr, [
    "msnp send: --text is required",
    'Run "msnp send --help" for usage.',
    "msnp chat: --with is required",
    'Run "msnp chat --help" for usage.',
  ]);
});

test("cli login --json prints an incoming conversation, then reconnects after a drop and keeps printing presence", async () => {
  await withServer(async (server) => {
    const stop = new AbortController();
    const run = io({ interrupt: stop.signal });
    const done = runCli(["login", ...flags(server), "--json"], run.cli);
    await until(() => server.onlineAccounts().includes("alice@example.com"), "alice online");
    await until(() => run.stdout.some((l) => l.includes('"contacts"')), "the contact list");
    const bob = await server.peer("bob@example.com");
    const chat = await bob.openConversation("alice@example.com");
    bob.typing(chat);
    bob.say(chat, "are you there?");
    await until(() => run.stdout.some((l) => l.includes('"message"')), "the message");
    server.dropConnection("alice@example.com");
    await until(() => run.stdout.some((l) => l.includes('"reconnected"')), "the reconnection");
    bob.setStatus("AWY");
    await until(() => run.stdout.some((l) => l.includes('"AWY"')), "presence after reconnecting");
    stop.abort();
    assert.equal(await within(done), 0);
    const events = run.stdout.map((l) => JSON.parse(l));
    const shown = events.filter((e) => e.event !== "presence" && e.event !== "contacts")
      .map((e) => e.event === "reconnecting" ? { ...e, delayMs: typeof e.delayMs } : e);
    assert.deepEqual(shown, [
      {
        event: "signedIn",
        passport: "alice@example.com",
        friendlyName: "Alice",
        protocol: "MSNP9",
      },
      { event: "conversationStarted", conversation: 1, inviter: "bob@example.com" },
      { event: "joined", conversation: 1, passport: "bob@example.com" },
      { event: "typing", conversation: 1, from: "bob@example.com" },
      { event: "message", conversation: 1, from: "bob@example.com", text: "are you there?" },
      { event: "conversationEnded", conversation: 1, reason: "connectionLost" },
      {
        event: "reconnecting",
        attempt: 1,
        delayMs: "number",
        cause: shown[6]?.cause,
      },
      {
        event: "signedIn",
        passport: "alice@example.com",
        friendlyName: "Alice",
        protocol: "MSNP9",
      },
      { event: "reconnected" },
      { event: "signedOut", reason: "client" },
    ]);
    assert.match(shown[6].cause, /127\.0\.0\.1:\d+/);
    assert.deepEqual(events.at(-2), {
      event: "presence",
      passport: "bob@example.com",
      status: "AWY",
      friendlyName: "bob@example.com",
    });
  });
});

test("cli login --no-reconnect exits 1 when the server drops the connection", async () => {
  await withServer(async (server) => {
    const run = io();
    const done = runCli(["login", ...flags(server), "--json", "--no-reconnect"], run.cli);
    await until(() => run.stdout.some((l) => l.includes('"contacts"')), "the contact list");
    server.dropConnection("alice@example.com");
    assert.equal(await within(done), 1);
    const events = run.stdout.map((l) => JSON.parse(l).event);
    assert.deepEqual(events, ["signedIn", "contacts", "signedOut"]);
    assert.equal(run.stdout.at(-1), '{"event":"signedOut","reason":"connectionLost"}');
  });
});

test("cli chat: each piped line is a message, what the peer says is printed, end of input leaves", async () => {
  await withServer(async (server) => {
    const bob = await server.peer("bob@example.com");
    const run = io({
      stdin: (async function* () {
        const encode = (text: string) => new TextEncoder().encode(text);
        yield encode("first line\nsecond ");
        yield encode("line ✓\r\n\n");
        // Input stays open until the peer's answer was printed.
        const got = [
          await bob.nextMessage({ kind: "text", timeout: 5000 }),
          await bob.nextMessage({ kind: "text", timeout: 5000 }),
        ];
        bob.typing(got[1].conversation);
        bob.say(got[1].conversation, "got both");
        await until(() => run.stdout.some((l) => l.includes("got both")), "the answer");
      })(),
    });
    const code = await within(
      runCli(["chat", ...flags(server, "MSNP8"), "--with", "bob@example.com"], run.cli),
    );
    assert.equal(code, 0, run.stderr.join("\n"));
    assert.deepEqual(bob.received.map((m) => m.text), ["first line", "second line ✓"]);
    assert.deepEqual(run.stdout, [
      "[1] bob@example.com joined",
      "[1] bob@example.com is typing",
      "[1] bob@example.com: got both",
    ]);
    const left = await bob.nextEvent({ type: "left", timeout: 5000 });
    assert.equal(left.passport, "alice@example.com");
  });
});
