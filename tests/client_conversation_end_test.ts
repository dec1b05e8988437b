// How conversations end and fail over real TCP: a switchboard closing mid-send or dying while the
// notification connection stays up, the notification connection ending (sign-out, loss and
// reconnection), and the time limit and AbortSignal of each send.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Client,
  type ClientEvent,
  type ClientOptions,
  ConversationError,
} from "../io_adapters/mod.ts";
import type { LoopbackAccount, LoopbackServer } from "../testing/mod.ts";
import { KillableTransport, ticketsFrom, Watch, within, withLoopback } from "./_client_helpers.ts";

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
  { passport: "bob@example.com", password: "b", friendlyName: "Bob" },
  { passport: "carol@example.com", password: "c", friendlyName: "Carol" },
];

function withServer(body: (server: LoopbackServer) => Promise<void>): Promise<void> {
  return withLoopback({ accounts: ACCOUNTS, dispatch: false }, body);
}

function connect(server: LoopbackServer, extra: Partial<ClientOptions> = {}): Promise<Client> {
  return Client.connect({
    account: "alice@example.com",
    password: "unused",
    server: server.dispatchAddress,
    passport: { run: ticketsFrom(() => server) },
    reconnect: false,
    ...extra,
  });
}

const rejectsWith = (code: string) => (e: unknown) => {
  assert.ok(e instanceof ConversationError, String(e));
  assert.equal(e.code, code);
  return true;
};

test("the switchboard closing mid-send rejects that send as closed; the next send reopens", async () => {
  await withServer(async (server) => {
    const transport = new KillableTransport();
    const alice = await connect(server, { transport });
    const bob = await server.peer("bob@example.com");
    const chat = await alice.openConversation("bob@example.com");
    const c = new Watch(chat);
    await chat.send("first");
    await bob.nextMessage({ kind: "text" });
    // The switchboard goes away while our message is on its way: no ACK will come.
    transport.swallow = /^MSG \d+ A /;
    await within(assert.rejects(chat.send("lost"), rejectsWith("closed")));
    transport.swallow = undefined;
    const left = await c.next("left");
    assert.deepEqual([left.passport, left.reason], ["bob@example.com", "closed"]);
    assert.equal(chat.state, "idle");
    await chat.send("again");
    assert.equal((await bob.nextMessage({ kind: "text" })).text, "again");
    await alice.close();
  });
});

test("a message acknowledged after everyone left is sent again in a new switchboard, not reported delivered", async () => {
  await withServer(async (server) => {
    const transport = new KillableTransport();
    const alice = await connect(server, { transport });
    const bob = await server.peer("bob@example.com");
    const chat = await alice.openConversation("bob@example.com");
    await chat.send("first");
    const first = (await bob.nextMessage({ kind: "text" })).conversation;
    // Bob leaves just before our message reaches the server: it ACKs it with nobody there.
    transport.beforeWrite = (text) => {
      if (text.startsWith("MSG ")) {
        transport.beforeWrite = undefined;
        bob.leave(first);
      }
    };
    await chat.send("second");
    const second = await bob.nextMessage({ kind: "text" });
    assert.equal(second.text, "second");
    assert.notEqual(second.conversation, first);
    const sent = transport.connections.flatMap((c) => c.written).filter((t) =>
      t.startsWith("MSG ")
    );
    assert.equal(sent.length, 3); // first, second (lost), second again
    await alice.close();
  });
});

test("a switchboard dying while a send waits for someone to join opens another one", async () => {
  await withServer(async (server) => {
    const transport = new KillableTransport();
    const alice = await connect(server, { transport });
    const bob = await server.peer("bob@example.com", { autoAnswer: false });
    const chat = await alice.openConversation("bob@example.com");
    const sending = chat.send("are you there?");
    await bob.nextInvitation();
    transport.connections.filter((c) => c.port === server.switchboardAddress.port)[0].kill();
    // A new switchboard rings Bob again; he answers that one.
    const again = await bob.nextInvitation();
    bob.answer(again);
    await within(sending);
    assert.equal((await bob.nextMessage({ kind: "text" })).text, "are you there?");
    await alice.close();
  });
});

test("a switchboard dying leaves the notification connection and other conversations alone", async () => {
  await withServer(async (server) => {
    const transport = new KillableTransport();
    const alice = await connect(server, { transport });
    const a = new Watch<ClientEvent>(alice);
    const bob = await server.peer("bob@example.com");
    const carol = await server.peer("carol@example.com");
    const withBob = await alice.openConversation("bob@example.com");
    const withCarol = await alice.openConversation("carol@example.com");
    await withBob.send("hi bob");
    await withCarol.send("hi carol");
    const sb = transport.connections.filter((c) => c.port === server.switchboardAddress.port);
    assert.equal(sb.length, 2);
    sb[0].kill();
    const left = await a.next("left");
    assert.deepEqual([left.conversation, left.reason], [withBob, "closed"]);
    // The notification connection and the other conversation go on.
    await alice.setStatus("BSY");
    await withCarol.send("still here");
    assert.equal((await carol.nextMessage({ kind: "text" })).text, "hi carol");
    assert.equal((await carol.nextMessage({ kind: "text" })).text, "still here");
    assert.deepEqual(a.types(["conversationEnded", "signedOut"]), []);
    // The first conversation opens a new switchboard for its next send.
    await withBob.send("back");
    assert.deepEqual(
      (await bob.nextMessage({ kind: "text" })).text,
      "hi bob",
    );
    assert.equal((await bob.nextMessage({ kind: "text" })).text, "back");
    await alice.close();
  });
});

test("an invitation that cannot be joined is reported as a conversation that failed", async () => {
  await withServer(async (server) => {
    const transport = new KillableTransport();
    const alice = await connect(server, { transport });
    const a = new Watch<ClientEvent>(alice);
    transport.swallow = /^ANS /;
    server.ringFrom("bob@example.com", "alice@example.com");
    const ended = await a.next("conversationEnded");
    assert.equal(ended.reason, "failed");
    assert.ok(ended.error instanceof ConversationError && ended.error.code === "closed");
    assert.deepEqual(a.types(["conversationStarted", "joined"]), []);
    assert.deepEqual(alice.conversations, []);
    await alice.setStatus("AWY"); // the notification connection is fine
    await alice.close();
  });
});

test("signing out ends every conversation; a send still waiting rejects as closed", async () => {
  await withServer(async (server) => {
    const alice = await connect(server);
    const a = new Watch<ClientEvent>(alice);
    // Bob is rung but does not answer: the send waits for him.
    await server.peer("bob@example.com", { autoAnswer: false });
    const chat = await alice.openConversation("bob@example.com");
    const waiting = chat.send("anyone?");
    const nextEvent = chat.waitFor("message");
    const looped: string[] = [];
    const loop = (async () => {
      for await (const e of chat.events) looped.push(e.type);
    })();
    await alice.close();
    await within(loop);
    assert.deepEqual(looped, ["ended"]);
    await assert.rejects(waiting, rejectsWith("closed"));
    await assert.rejects(nextEvent, rejectsWith("closed"));
    const ended = await a.next("conversationEnded");
    assert.deepEqual([ended.conversation, ended.reason], [chat, "signedOut"]);
    assert.deepEqual(a.types(["conversationEnded", "signedOut"]), [
      "conversationEnded",
      "signedOut",
    ]);
    assert.equal(chat.state, "ended");
    await assert.rejects(chat.send("late"), rejectsWith("closed"));
    assert.equal(chat.typing(), false);
  });
});

test("losing the notification connection ends conversations before the client reconnects", async () => {
  await withServer(async (server) => {
    const alice = await connect(server, { reconnect: { initialDelayMs: 10, jitter: 0 } });
    const a = new Watch<ClientEvent>(alice);
    const bob = await server.peer("bob@example.com");
    const chat = await alice.openConversation("bob@example.com");
    await chat.send("hi");
    server.dropConnection("alice@example.com");
    const ended = await a.next("conversationEnded");
    assert.deepEqual([ended.conversation, ended.reason], [chat, "connectionLost"]);
    assert.equal(ended.error?.name, "ConnectionError");
    await a.next("reconnected");
    assert.deepEqual(
      a.types(["conversationEnded", "reconnecting", "reconnected"]),
      ["conversationEnded", "reconnecting", "reconnected"],
    );
    assert.deepEqual(alice.conversations, []);
    // Bob saw us go: the switchboard connection closed with the client's.
    assert.equal((await bob.nextEvent({ type: "left" })).passport, "alice@example.com");
    await alice.close();
  });
});

test("a send times out when nobody joins, and an AbortSignal stops it", async () => {
  await withServer(async (server) => {
    const alice = await connect(server, { conversations: { sendTimeoutMs: 100 } });
    const bob = await server.peer("bob@example.com", { autoAnswer: false });
    const chat = await alice.openConversation("bob@example.com");
    const started = Date.now();
    await within(
      assert.rejects(chat.send("hello?"), (e: unknown) => {
        assert.ok(e instanceof ConversationError);
        assert.deepEqual([e.code, e.message], [
          "timeout",
          "Cannot send message: no answer in time",
        ]);
        return true;
      }),
      2000,
    );
    assert.ok(Date.now() - started >= 90);
    // Nobody waits any more: the empty switchboard is left.
    await within(waitUntil(() => chat.state === "idle"));
    const abort = new AbortController();
    const sending = chat.send("stop me", { signal: abort.signal });
    abort.abort(new Error("changed my mind"));
    await assert.rejects(sending, rejectsWith("aborted"));
    await bob.nextInvitation();
    await alice.close();
  });
});

/** Resolves once `condition()` holds (checked every few ms). */
async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

test("no switchboard cookie in any event, error, message or stack the application can see", async () => {
  await withServer(async (server) => {
    const transport = new KillableTransport();
    const alice = await connect(server, {
      transport,
      reconnect: { initialDelayMs: 10, jitter: 0 },
    });
    const seen: unknown[] = [];
    alice.on("*", (e) => seen.push(e));
    const caught = (e: unknown) => void seen.push(e);
    const bob = await server.peer("bob@example.com");
    const outgoing = await alice.openConversation("bob@example.com");
    outgoing.on("*", (e) => seen.push(e));
    await outgoing.send("hi");
    const incoming = await server.peer("carol@example.com");
    const carolChat = await incoming.openConversation("alice@example.com");
    incoming.say(carolChat, "hello");
    await alice.waitFor("message", (e) => e.from === "carol@example.com", { timeout: 3000 });
    await alice.openConversation("nobody@example.com").catch(caught);
    transport.swallow = /^MSG \d+ A /;
    await outgoing.send("lost").catch(caught);
    transport.swallow = undefined;
    await outgoing.invite("nobody@example.com").catch(caught);
    server.dropConnection("alice@example.com");
    await alice.waitFor("reconnected", undefined, { timeout: 3000 });
    await outgoing.send("after").catch(caught);
    await alice.close();
    void bob;

    const wire = transport.connections.flatMap((c) => c.written).join("");
    const cookies = [
      ...wire.matchAll(/^(?:USR 1 alice@example\.com|ANS 1 alice@example\.com) (\S+)/gm),
    ]
      .map((m) => m[1]);
    assert.ok(cookies.length >= 3, `cookies seen on the wire: ${cookies.length}`);
    const text = JSON.stringify(seen, (_key, value) => {
      if (value instanceof Error) {
        return {
          ...value,
          name: value.name,
          message: value.message,
          stack: value.stack,
          cause: value.cause,
        };
      }
      if (value instanceof Uint8Array) return new TextDecoder().decode(value);
      return value;
    });
    assert.ok(seen.some((e) => e instanceof ConversationError));
    for (const cookie of cookies) assert.ok(!text.includes(cookie), "a cookie leaked");
  });
});
