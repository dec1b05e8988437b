/**
 * The demo: starts the loopback MSNP server on 127.0.0.1, signs two accounts
 * in over real TCP with this runtime's adapter, and narrates what happens:
 * the redirect, Passport, the contact list, presence, a rename, a contact
 * added, a conversation (typing, a message with emoji, a long message split
 * in parts, a reply, leaving) and sign-out.
 *
 * Run with `deno task demo` (also `node tools/demo.ts` on Node 24 or
 * `bun tools/demo.ts`).
 *
 * @module
 */

import {
  Client,
  type ClientEvent,
  type ClientOptions,
  defaultTransport,
  detectRuntime,
} from "../io_adapters/mod.ts";
import { startLoopbackServer } from "../testing/mod.ts";

const server = await startLoopbackServer({
  accounts: [
    {
      passport: "alice@example.com",
      password: "correct horse, battery%staple",
      friendlyName: "Alice Liddell",
      groups: [{ id: 0, name: "Other Contacts" }, { id: 1, name: "Wonderland" }],
      contacts: [
        { passport: "bob@example.com", friendlyName: "Bob", lists: ["FL", "AL"], groupIds: [1] },
        {
          passport: "hatter@example.com",
          friendlyName: "The Hatter",
          lists: ["FL", "AL"],
          groupIds: [1],
        },
      ],
      phones: { PHH: "555 0100" },
    },
    {
      passport: "bob@example.com",
      password: "hunter2",
      friendlyName: "Bob Builder",
      contacts: [{ passport: "alice@example.com", friendlyName: "Alice", lists: ["FL", "AL"] }],
    },
    { passport: "carol@example.com", password: "pw", friendlyName: "Carol" },
  ],
  passportRedirectOnce: true,
});

const start = performance.now();
const say = (who: string, text: string) =>
  console.log(
    `${((performance.now() - start) / 1000).toFixed(2).padStart(5)}s  ${who.padEnd(6)} ${text}`,
  );

function narrate(who: string, event: ClientEvent): void {
  switch (event.type) {
    case "redirected":
      return say(who, `dispatch server redirected us to ${event.host}:${event.port} (XFR NS)`);
    case "signedIn":
      return say(
        who,
        `Passport 1.4 ticket accepted: signed in as "${event.friendlyName}" over ${event.protocol}`,
      );
    case "profile":
      return say(
        who,
        `profile says our address is ${event.profile.clientIp}:${event.profile.clientPort}`,
      );
    case "contactsSynced": {
      const list = event.contactList;
      say(
        who,
        `contact list v${list.version}: ${list.contacts.length} contacts in ${list.groups.length} groups`,
      );
      for (const group of list.groups) {
        const members = list.contacts.filter((c) => c.groupIds.includes(group.id));
        say(
          who,
          `  [${group.name}] ${
            members.map((c) => `${c.friendlyName} <${c.passport}>`).join(", ") || "-"
          }`,
        );
      }
      return;
    }
    case "statusChanged":
      return say(who, `our status is now ${event.status}`);
    case "presence":
      return say(
        who,
        `${event.passport} is ${event.status}${
          event.friendlyName ? ` as "${event.friendlyName}"` : ""
        }`,
      );
    case "renamed":
      return say(who, `we are now called "${event.friendlyName}"`);
    case "listChanged":
      return say(who, `list v${event.version}: ${JSON.stringify(event.change)}`);
    case "addedBy":
      return say(who, `${event.friendlyName} <${event.passport}> added us to their list`);
    case "conversationStarted":
      return say(who, `${event.inviter} invited us to a conversation: joined (RNG, ANS)`);
    case "joined":
      return say(who, `${event.passport} is in the conversation (JOI)`);
    case "typing":
      return say(who, `${event.from} is typing…`);
    case "message": {
      const text = event.text.length > 48
        ? `"${[...event.text].slice(0, 40).join("")}…" (${event.text.length} characters)`
        : `"${event.text}"`;
      return say(who, `${event.from} says ${text}`);
    }
    case "left":
      return say(who, `${event.passport} left the conversation (BYE)`);
    case "conversationEnded":
      return say(who, `conversation ${event.conversation.id} ended (${event.reason})`);
    case "signedOut":
      return say(who, `signed out (${event.reason})`);
  }
}

const options = (account: string, password: string): ClientOptions => ({
  account,
  password,
  server: server.dispatchAddress,
  transport: defaultTransport(),
  passport: { nexusUrl: server.nexusUrl, allowInsecureLoopback: true },
  clientId: 0x10000020,
});

async function follow(who: string, client: Client): Promise<void> {
  for await (const event of client.events) narrate(who, event);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let exitCode = 0;
try {
  say(
    "demo",
    `loopback server on ${server.dispatchAddress.host}:${server.dispatchAddress.port}; runtime ${detectRuntime()}`,
  );
  const alice = await Client.connect(options("alice@example.com", "correct horse, battery%staple"));
  const aliceDone = follow("alice", alice);
  await pause(50);
  const bob = await Client.connect(options("bob@example.com", "hunter2"));
  const bobDone = follow("bob", bob);
  await pause(50);

  say("bob", "-> setStatus(AWY)");
  await bob.setStatus("AWY");
  await pause(50);
  say("alice", "-> setStatus(BSY)");
  await alice.setStatus("BSY");
  await pause(50);
  say("bob", '-> rename("Bob the Builder")');
  await bob.rename("Bob the Builder");
  await pause(50);
  say("alice", "-> addContact(carol@example.com) to group Wonderland");
  await alice.addContact("carol@example.com", { friendlyName: "Carol", groupId: 1 });
  await pause(50);

  // A conversation: Bob answers the first thing Alice says.
  bob.once("message", (e) => void e.conversation.send("Four it is 🎩"));
  say("alice", "-> openConversation(bob@example.com) (XFR SB, USR, CAL)");
  const chat = await alice.openConversation("bob@example.com");
  if (chat.participants.length === 0) await chat.waitFor("joined", undefined, { timeout: 5000 });
  await pause(50);
  say("alice", "-> typing()");
  chat.typing();
  await pause(50);
  say("alice", '-> send("Tea at four? 🫖🐇")');
  await chat.send("Tea at four? 🫖🐇");
  await alice.waitFor("message", undefined, { timeout: 5000 });
  await pause(50);
  const story = "Alice was beginning to get very tired of sitting by her sister on the bank. 📖 "
    .repeat(30);
  const bytes = new TextEncoder().encode(story).length;
  say("alice", `-> send(a story of ${bytes} bytes: too long for one MSG, so sent in parts)`);
  await chat.send(story);
  await pause(50);
  say("alice", "-> leave() (OUT)");
  await chat.leave();
  await pause(50);

  say("bob", "-> close()");
  await bob.close();
  await pause(50);
  say("alice", "-> close()");
  await alice.close();
  await Promise.all([aliceDone, bobDone]);
  say("demo", "done");
} catch (error) {
  console.error("demo failed:", error);
  exitCode = 1;
} finally {
  await server.close();
}
if (exitCode !== 0) throw new Error("demo failed");
