// The echo bot example as its users run it: a child process of this runtime, configured by the
// environment, against the loopback server (switchboards like today's revival servers: their own
// port, no NAK, open while alone), talking to a scripted peer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { detectRuntime } from "../io_adapters/mod.ts";
import { startLoopbackServer } from "../testing/mod.ts";

const BOT = new URL("../examples/echo_bot.ts", import.meta.url).pathname;

/** The command line that runs a TypeScript file with the runtime running this test. */
function runtimeArgs(file: string): string[] {
  return detectRuntime() === "deno" ? ["run", "-A", "--no-check", file] : [file];
}

for (const protocol of ["MSNP8", "MSNP9"] as const) {
  test(`the echo bot answers a scripted peer over ${protocol} and signs out on SIGTERM`, async () => {
    const server = await startLoopbackServer({
      accounts: [
        {
          passport: "bot@example.com",
          password: "bot pass%",
          friendlyName: "Echo Bot",
          contacts: [{ passport: "bob@example.com", lists: ["FL", "AL"] }],
        },
        {
          passport: "bob@example.com",
          password: "b",
          contacts: [{ passport: "bot@example.com", lists: ["FL", "AL"] }],
        },
      ],
    });
    const child = spawn(process.execPath, runtimeArgs(BOT), {
      env: {
        ...process.env,
        MSNP_SERVER: `${server.dispatchAddress.host}:${server.dispatchAddress.port}`,
        MSNP_NEXUS: server.nexusUrl,
        MSNP_ACCOUNT: "bot@example.com",
        MSNP_PASSWORD: "bot pass%",
        MSNP_PROTOCOL: protocol,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const until = async (condition: () => boolean, what: string) => {
      for (let i = 0; !condition(); i++) {
        if (i > 300) throw new Error(`timed out waiting for ${what}; stdout ${stdout} ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      await until(() => stdout.includes("echo bot online"), "the bot to sign in");
      assert.equal(stdout, `echo bot online as Echo Bot over ${protocol}\n`);
      const bob = await server.peer("bob@example.com");
      const chat = await bob.openConversation("bot@example.com", { timeout: 10_000 });
      bob.say(chat, "ping ✓ 👋");
      const reply = await bob.nextMessage({ kind: "text", timeout: 10_000 });
      assert.deepEqual([reply.from, reply.text], ["bot@example.com", "ping ✓ 👋"]);
      await until(() => stdout.includes("echoed"), "the bot's log line");
      child.kill("SIGTERM");
      const code = await exited;
      // Deno's node:child_process reports the signal kill() sent as the way a child ended, even
      // one that handled it and exited 0; the output below shows the clean sign-out there.
      if (detectRuntime() !== "deno") assert.equal(code, 0, stderr);
      assert.equal(
        stdout,
        `echo bot online as Echo Bot over ${protocol}\n` +
          "echoed bob@example.com: ping ✓ 👋\nsigned out (client)\n",
      );
      assert.equal(stderr, "");
      assert.deepEqual(server.onlineAccounts(), ["bob@example.com"]);
    } finally {
      child.kill("SIGKILL");
      await server.close();
    }
  });
}

test("the README recipe: the echo bot against examples/loopback_server.ts, each a process", async () => {
  const started: ReturnType<typeof spawn>[] = [];
  const run = (file: string, env: Record<string, string> = {}) => {
    const child = spawn(process.execPath, runtimeArgs(file), {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    started.push(child);
    const out = { text: "", exited: new Promise((resolve) => child.on("exit", resolve)) };
    child.stdout!.on("data", (chunk) => (out.text += chunk));
    child.stderr!.on("data", (chunk) => (out.text += chunk));
    return { child, out };
  };
  const until = async (condition: () => boolean, what: string) => {
    for (let i = 0; !condition(); i++) {
      if (i > 300) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  try {
    const server = run(new URL("../examples/loopback_server.ts", import.meta.url).pathname);
    await until(() => server.out.text.split("\n").length > 2, "the settings");
    const env = Object.fromEntries(
      [...server.out.text.matchAll(/(MSNP_\w+)=(\S+)/g)].map((m) => [m[1], m[2]]),
    );
    assert.deepEqual(Object.keys(env), [
      "MSNP_SERVER",
      "MSNP_NEXUS",
      "MSNP_ACCOUNT",
      "MSNP_PASSWORD",
    ]);
    const bot = run(BOT, env);
    await until(() => server.out.text.includes("answered"), "bob's conversation");
    bot.child.kill("SIGTERM");
    await bot.out.exited;
    await until(() => server.out.text.includes("signed out"), "the bot to sign out");
    server.child.kill("SIGINT");
    await server.out.exited;
    assert.equal(
      server.out.text.split("\n").slice(2).join("\n"),
      'bob said "Hello bot 👋", bot@example.com answered "Hello bot 👋"\n' +
        "bot@example.com signed out\n",
    );
    assert.match(bot.out.text, /^echo bot online as Echo Bot over MSNP9\n/);
  } finally {
    for (const child of started) child.kill("SIGKILL");
  }
});
