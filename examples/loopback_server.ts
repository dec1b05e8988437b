/**
 * A local MSN server to try a bot against, with no network: the loopback server with two
 * accounts, `bot@example.com` (password `bot`) and `bob@example.com`. Bob is a scripted peer: each
 * time the bot signs in he opens a conversation, says hello and prints the answer.
 *
 * ```sh
 * deno run -A examples/loopback_server.ts     # prints the MSNP_* settings to export
 * # in another terminal, with those settings:
 * deno run -A examples/echo_bot.ts
 * ```
 *
 * Also `node examples/loopback_server.ts` (Node 24) or `bun examples/loopback_server.ts`.
 * Stop it with Ctrl-C.
 *
 * @module
 */

import process from "node:process";
import { startLoopbackServer } from "../testing/mod.ts";

const BOT = "bot@example.com";
const server = await startLoopbackServer({
  accounts: [
    {
      passport: BOT,
      password: "bot",
      friendlyName: "Echo Bot",
      contacts: [{ passport: "bob@example.com", lists: ["FL", "AL"] }],
    },
    {
      passport: "bob@example.com",
      password: "bob",
      friendlyName: "Bob",
      contacts: [{ passport: BOT, lists: ["FL", "AL"] }],
    },
  ],
});
const { host, port } = server.dispatchAddress;
console.log(`export MSNP_SERVER=${host}:${port} MSNP_NEXUS=${server.nexusUrl}`);
console.log(`export MSNP_ACCOUNT=${BOT} MSNP_PASSWORD=bot`);

const bob = await server.peer("bob@example.com");
let wasOnline = false;
const timer = setInterval(async () => {
  const online = server.onlineAccounts().includes(BOT);
  if (online === wasOnline) return;
  wasOnline = online;
  if (!online) return console.log(`${BOT} signed out`);
  try {
    const chat = await bob.openConversation(BOT);
    bob.say(chat, "Hello bot 👋");
    const reply = await bob.nextMessage({ kind: "text", conversation: chat, timeout: 5000 });
    console.log(`bob said "Hello bot 👋", ${reply.from} answered "${reply.text}"`);
    bob.leave(chat);
  } catch (error) {
    console.log(`bob could not chat: ${(error as Error).message}`);
  }
}, 200);

process.once("SIGINT", async () => {
  clearInterval(timer);
  await server.close();
});
