// Conversations over real TCP against the loopback server: two clients chatting, typing,
// three-way, reopening after everyone left, typed refusals, and a bot against a scripted peer.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Client,
  type ClientEvent,
  type ClientOptions,
  ConversationError,
} from "../io_adapters/mod.ts";
import {
  type LoopbackAccount,
  type LoopbackServer,
  type LoopbackServerOptions,
  startLoopbackServer,
} from "../testing/mod.ts";
import { ticketsFrom, Watch, within } from "./_client_helpers.ts";

const ACCOUNTS: LoopbackAccount[] = [
  {
    passport: "alice@example.com",
    password: "a",
    friendlyName: "Alice",
    contacts: [
      { passport: "bob@example.com", lists: ["FL", "AL"] },
      { passport: "carol@example.com", lists: ["FL", "AL"] },
    ],
  },
  {
    passport: "bob@example.com",
    password: "b",
    friendlyName: "Bob",
    contacts: [{ passport: "alice@example.com", lists: ["FL", "AL"] }],
  },
  { passport: "carol@example.com", password: "c", friendlyName: "Carol" },
  {
    passport: "mallory@example.com",
    password: "m",
    contacts: [{ passport: "alice@example.com", lists: ["BL"] }],
  },
];

async function withServer(
  body: (server: LoopbackServer) => Promise<void>,
  options: Partial<LoopbackServerOptions> = {},
): Promise<void> {
  const server = await startLoopbackServer({ accounts: ACCOUNTS, dispatch: false, ...options });
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

function connect(
  server: LoopbackServer,
  account: string,
  extra: Partial<ClientOptions> = {},
): Promise<Client> {
  return Client.connect({
    account,
    password: "unused",
    server: server.dispatchAddress,
    passport: { run: ticketsFrom(() => server) },
    reconnect: false,
    ...extra,
  });
}

const rejectsWith = (code: string, serverCode?: number) => (e: unknown) => {
  assert.ok(e instanceof ConversationError, String(e));
  assert.equal(e.code, code);
  assert.equal(e.serverCode, serverCode);
  return true;
};

test("two clients chat both ways, and each sees the other typing", async () => {
  await withServer(async (server) => {
    const alice = await connect(server, "alice@example.com");
    const bob = await connect(server, "bob@example.com");
    const a = new Watch<ClientEvent>(alice);
    const b = new Watch<ClientEvent>(bob);
    const chat = await alice.openConversation("bob@example.com");
    assert.equal(chat.state, "open");
    // Queued until Bob joins, then acknowledged while he is there.
    await within(chat.send("Hello Bob 👋"));
    const started = await b.next("conversationStarted");
    assert.equal(started.inviter, "alice@example.com");
    assert.equal(started.inviterName, "Alice");
    const bobChat = started.conversation;
    assert.deepEqual(bobChat.participants, [{
      passport: "alice@example.com",
      friendlyName: "Alice",
    }]);
    const hello = await b.next("message");
    assert.deepEqual(
      [hello.conversation, hello.from, hello.friendlyName, hello.text],
      [bobChat, "alice@example.com", "Alice", "Hello Bob 👋"],
    );
    assert.equal(hello.format, undefined);

    assert.equal(bobChat.typing(), true);
    assert.equal(bobChat.typing(), false); // throttled
    await bobChat.send("Hi Alice", { format: { font: "Arial", effects: ["B"], color: "ff" } });
    const typing = await a.next("typing");
    assert.deepEqual([typing.conversation, typing.from], [chat, "bob@example.com"]);
    const hi = await a.next("message");
    assert.deepEqual(
      [hi.conversation, hi.from, hi.text, hi.format],
      [chat, "bob@example.com", "Hi Alice", { font: "Arial", effects: ["B"], color: "ff" }],
    );
    // Reuse: the same contact gives back the live conversation.
    assert.equal(await alice.openConversation("BOB@example.com"), chat);
    assert.deepEqual(alice.conversations, [chat]);
    assert.deepEqual(JSON.parse(JSON.stringify(chat)), {
      id: 1,
      participants: ["bob@example.com"],
    });

    const conversationTypes = [
      "conversationStarted",
      "joined",
      "message",
      "typing",
      "left",
      "conversationEnded",
    ];
    assert.deepEqual(a.types(conversationTypes), ["joined", "typing", "message"]);
    assert.deepEqual(b.types(conversationTypes), ["conversationStarted", "joined", "message"]);

    await chat.leave();
    assert.equal(chat.state, "ended");
    const left = await b.next("left");
    assert.deepEqual([left.passport, left.reason], ["alice@example.com", "left"]);
    const ended = await a.next("conversationEnded");
    assert.deepEqual([ended.conversation, ended.reason], [chat, "left"]);
    await assert.rejects(chat.send("late"), rejectsWith("closed"));
    assert.deepEqual(alice.conversations, []);
    await alice.close();
    await bob.close();
  });
});
