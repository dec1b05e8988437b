// Conversations over real TCP against the loopback server: two clients chatting, typing,
// three-way, reopening after everyone left, typed refusals, and a bot against a scripted peer.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Client,
  type ClientEvent,
  type ClientOptions,
  type Connection,
  type ConnectOptions,
  ConversationError,
  defaultTransport,
  type Transport,
} from "../io_adapters/mod.ts";
import type { LoopbackAccount, LoopbackServer, LoopbackServerOptions } from "../testing/mod.ts";
import { ticketsFrom, Watch, within, withLoopback } from "./_client_helpers.ts";

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

function withServer(
  body: (server: LoopbackServer) => Promise<void>,
  options: Partial<LoopbackServerOptions> = {},
): Promise<void> {
  return withLoopback({ accounts: ACCOUNTS, dispatch: false, ...options }, body);
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

test("the client tells the transport which kind of server each connection is for", async () => {
  await withServer(async (server) => {
    const seen: { port: number; kind: string | undefined }[] = [];
    const inner = defaultTransport();
    const transport: Transport = {
      connect(host: string, port: number, options?: ConnectOptions): Promise<Connection> {
        seen.push({ port, kind: options?.kind });
        return inner.connect(host, port, options);
      },
    };
    const alice = await connect(server, "alice@example.com", { transport });
    const bob = await connect(server, "bob@example.com");
    assert.deepEqual(seen, [{ port: server.dispatchAddress.port, kind: "ns" }]);
    await alice.openConversation("bob@example.com");
    assert.equal(seen.length, 2);
    assert.equal(seen[1].kind, "sb");
    assert.notEqual(seen[1].port, server.dispatchAddress.port);
    await alice.close();
    await bob.close();
  });
});

test("a three-way conversation: a third person invited hears everyone and is heard", async () => {
  await withServer(async (server) => {
    const alice = await connect(server, "alice@example.com");
    const bob = await connect(server, "bob@example.com");
    const carol = await server.peer("carol@example.com");
    const b = new Watch<ClientEvent>(bob);
    const chat = await alice.openConversation("bob@example.com");
    const c = new Watch(chat);
    await c.next("joined");
    await chat.invite("carol@example.com");
    const carolChat = await carol.nextConversation();
    assert.deepEqual(carolChat.participants, ["alice@example.com", "bob@example.com"]);
    assert.deepEqual(chat.participants.map((p) => p.passport), [
      "bob@example.com",
      "carol@example.com",
    ]);
    assert.deepEqual(chat.people, ["bob@example.com", "carol@example.com"]);
    await chat.send("hello both");
    assert.equal((await carol.nextMessage({ kind: "text" })).text, "hello both");
    assert.equal((await b.next("message")).text, "hello both");
    carol.say(carolChat, "hi from carol");
    const fromCarol = await c.next("message");
    assert.deepEqual([fromCarol.from, fromCarol.text], ["carol@example.com", "hi from carol"]);
    const atBob = await b.next("message");
    assert.deepEqual([atBob.from, atBob.text], ["carol@example.com", "hi from carol"]);
    assert.deepEqual(c.types(), ["joined", "joined", "message"]);
    // A three-way conversation is not the one-to-one one with Bob.
    await assert.rejects(alice.openConversation([]), rejectsWith("invalid-argument"));
    await assert.rejects(
      alice.openConversation("alice@example.com"),
      rejectsWith("invalid-argument"),
    );
    await alice.close();
    await bob.close();
  });
});

test("a conversation opened with two people invites both; each hears the other", async () => {
  await withServer(async (server) => {
    const alice = await connect(server, "alice@example.com");
    const bob = await server.peer("bob@example.com");
    const carol = await server.peer("carol@example.com");
    const chat = await alice.openConversation(["bob@example.com", "carol@example.com"]);
    await chat.send("hi both");
    assert.equal((await bob.nextMessage({ kind: "text" })).text, "hi both");
    const atCarol = await carol.nextMessage({ kind: "text" });
    assert.equal(atCarol.text, "hi both");
    assert.deepEqual(chat.participants.map((p) => p.passport).sort(), [
      "bob@example.com",
      "carol@example.com",
    ]);
    // Not a one-to-one conversation: Bob alone gets a new one.
    const justBob = await alice.openConversation("bob@example.com");
    assert.notEqual(justBob, chat);
    assert.deepEqual(alice.conversations, [chat, justBob]);
    await alice.close();
  });
});

test("when the last other participant leaves, the next send opens a new switchboard and invites them again", async () => {
  await withServer(async (server) => {
    const lines: string[] = [];
    const alice = await connect(server, "alice@example.com", {
      trace: (e) => {
        if (e.direction === "send") lines.push(`${e.kind} ${e.line}`);
      },
    });
    const bob = await server.peer("bob@example.com");
    const chat = await alice.openConversation("bob@example.com");
    const c = new Watch(chat);
    await chat.send("one");
    const first = (await bob.nextMessage({ kind: "text" })).conversation;
    const firstSession = chat.sessionId;
    bob.leave(first);
    const left = await c.next("left");
    assert.deepEqual([left.passport, left.reason], ["bob@example.com", "left"]);
    await within(waitUntil(() => chat.state === "idle"));
    assert.deepEqual(chat.participants, []);
    // An idle conversation is let go from the client's list when another is made...
    await assert.rejects(alice.openConversation("carol@example.com"), rejectsWith("offline", 217));
    assert.deepEqual(alice.conversations, []);

    await chat.send("two");
    // ... and comes back when it opens a switchboard again.
    assert.deepEqual(alice.conversations, [chat]);
    const second = await bob.nextMessage({ kind: "text" });
    assert.equal(second.text, "two");
    assert.notEqual(second.conversation, first);
    assert.notEqual(chat.sessionId, firstSession);
    assert.equal(chat.state, "open");
    assert.deepEqual(
      lines.filter((l) => /^(ns XFR|sb (USR|CAL|OUT|MSG))/.test(l)).map((l) =>
        l.replace(/ \[REDACTED\]$/, "").replace(/^(ns XFR|sb USR|sb CAL|sb MSG) \d+/, "$1 t")
      ),
      [
        "ns XFR t SB",
        "sb USR t alice@example.com",
        "sb CAL t bob@example.com",
        "sb MSG t A 65",
        "sb OUT",
        "ns XFR t SB", // the refused conversation with Carol
        "sb USR t alice@example.com",
        "sb CAL t carol@example.com",
        "sb OUT",
        "ns XFR t SB",
        "sb USR t alice@example.com",
        "sb CAL t bob@example.com",
        "sb MSG t A 65",
      ],
    );
    // Bob goes away: the next send fails, typed, and the conversation stays usable.
    bob.leave(second.conversation);
    await c.next("left");
    bob.signOut();
    await assert.rejects(chat.send("three"), (e: unknown) => {
      assert.ok(e instanceof ConversationError);
      assert.deepEqual([e.code, e.serverCode, e.passport], ["offline", 217, "bob@example.com"]);
      assert.equal(
        e.message,
        "Cannot invite: the contact is offline 217 USER_OFFLINE (bob@example.com)",
      );
      return true;
    });
    assert.notEqual(chat.state, "ended");
    await alice.close();
  });
});

test("opening a conversation is refused, typed: offline (217), blocked (216), hidden (913)", async () => {
  await withServer(async (server) => {
    const alice = await connect(server, "alice@example.com");
    await server.peer("mallory@example.com");
    await assert.rejects(alice.openConversation("carol@example.com"), (e: unknown) => {
      assert.ok(e instanceof ConversationError);
      assert.deepEqual([e.code, e.serverCode, e.passport], ["offline", 217, "carol@example.com"]);
      return true;
    });
    await assert.rejects(
      alice.openConversation("mallory@example.com"),
      rejectsWith("blocked", 216),
    );
    await assert.rejects(
      alice.openConversation("not-an-address"),
      rejectsWith("invalid-address", 208),
    );
    // A failed opening leaves nothing behind.
    assert.deepEqual(alice.conversations, []);
    await alice.setStatus("HDN");
    await assert.rejects(alice.openConversation("bob@example.com"), rejectsWith("hidden", 913));
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(
      alice.openConversation("bob@example.com", { signal: aborted.signal }),
      rejectsWith("aborted"),
    );
    await alice.close();
  });
});

for (const protocol of ["MSNP8", "MSNP9"] as const) {
  test(`a bot answers a scripted peer over ${protocol}: the peer opens the conversation, says something, sees the reply`, async () => {
    await withServer(async (server) => {
      const bot = await connect(server, "alice@example.com", { protocols: [protocol] });
      // The bot: echo every text message, in upper case.
      bot.on("message", (e) => void e.conversation.send(e.text.toUpperCase()));
      const bob = await server.peer("bob@example.com");
      const chat = await bob.openConversation("alice@example.com");
      bob.typing(chat);
      bob.say(chat, "ping ✓");
      const reply = await bob.nextMessage({ kind: "text" });
      assert.deepEqual([reply.from, reply.text, reply.conversation], [
        "alice@example.com",
        "PING ✓",
        chat,
      ]);
      const started = bot.conversations[0];
      assert.deepEqual(started.people, ["bob@example.com"]);
      bob.leave(chat);
      await bot.close();
    });
  });
}

test("incoming nudges, emoticons, P2P and unknown content arrive typed with their bytes intact", async () => {
  await withServer(async (server) => {
    const alice = await connect(server, "alice@example.com");
    const a = new Watch<ClientEvent>(alice);
    const bob = await server.peer("bob@example.com");
    const chat = await bob.openConversation("alice@example.com");
    bob.nudge(chat);
    const enc = new TextEncoder();
    const emoticon = enc.encode(
      "MIME-Version: 1.0\r\nContent-Type: text/x-mms-emoticon\r\n\r\n(cat)\t<msnobj/>\t",
    );
    const p2p = new Uint8Array([
      ...enc.encode(
        "MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\nP2P-Dest: alice@example.com\r\n\r\n",
      ),
      0,
      1,
      2,
      255,
    ]);
    const unknown = enc.encode("MIME-Version: 1.0\r\nContent-Type: x/weird\r\n\r\n\u00e9");
    bob.send(chat, emoticon);
    bob.send(chat, p2p);
    bob.send(chat, unknown);
    const nudge = await a.next("nudge");
    assert.equal(nudge.from, "bob@example.com");
    const e1 = await a.next("content");
    assert.deepEqual(e1.content, {
      kind: "emoticons",
      emoticons: [{ shortcut: "(cat)", msnObject: "<msnobj/>" }],
    });
    const e2 = await a.next("content");
    assert.deepEqual(e2.content, {
      kind: "p2p",
      destination: "alice@example.com",
      body: new Uint8Array([0, 1, 2, 255]),
    });
    const e3 = await a.next("content");
    assert.deepEqual(e3.content, { kind: "unknown", mediaType: "x/weird", payload: unknown });
    await alice.close();
  });
});

test("with acceptInvitations false an invitation is offered: accept joins, decline lets it go", async () => {
  await withServer(async (server) => {
    const alice = await connect(server, "alice@example.com", {
      conversations: { acceptInvitations: false },
    });
    const a = new Watch<ClientEvent>(alice);
    const bob = await server.peer("bob@example.com");
    const opening = bob.openConversation("alice@example.com");
    const invitation = await a.next("invitation");
    assert.deepEqual(JSON.parse(JSON.stringify(invitation)), {
      type: "invitation",
      passport: "bob@example.com",
      friendlyName: "Bob",
      sessionId: invitation.sessionId,
    });
    const chat = await invitation.accept();
    assert.equal(await invitation.accept(), chat);
    assert.equal((await opening).id, invitation.sessionId);
    assert.equal((await a.next("conversationStarted")).conversation, chat);

    const second = bob.openConversation("alice@example.com", { timeout: 200 });
    const declined = await a.next("invitation");
    declined.decline();
    await assert.rejects(declined.accept(), rejectsWith("invalid-argument"));
    await assert.rejects(second);
    assert.deepEqual(alice.conversations, [chat]);
    await alice.close();
  });
});

test("a long text goes out split, in order, with one outcome; a nudge; bad text is refused before sending", async () => {
  await withServer(async (server) => {
    const alice = await connect(server, "alice@example.com", {
      conversations: { switchboard: { timeouts: { nak: 20 } } },
    });
    const bob = await server.peer("bob@example.com");
    const chat = await alice.openConversation("bob@example.com");
    const text = "😀".repeat(1250) + "\nend";
    await chat.send(text);
    let got = "";
    for (let i = 0; i < 4; i++) got += (await bob.nextMessage({ kind: "text" })).text;
    assert.equal(got, text.replace("\n", "\r\n"));
    await assert.rejects(bob.nextMessage({ timeout: 50 }));
    await chat.nudge(); // settles once no NAK came within the NAK window
    assert.equal((await bob.nextMessage()).kind, "nudge");
    await assert.rejects(chat.send("nul\0"), rejectsWith("invalid-argument"));
    await alice.close();
  });
});

/** Resolves once `condition()` holds (checked every few ms). */
async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}
