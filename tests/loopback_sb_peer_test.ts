import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ans,
  buildTextMessage,
  buildTypingMessage,
  cal,
  chg,
  msg,
  out,
  sbUsr,
  xfrSb,
} from "../codec/mod.ts";
import {
  type LoopbackAccount,
  type LoopbackServer,
  LoopbackServerError,
  type LoopbackServerOptions,
  startLoopbackServer,
} from "../testing/loopback_server.ts";
import { signIn, Wire } from "./_loopback_wire.ts";
import { withLoopback } from "./_client_helpers.ts";

const ACCOUNTS: LoopbackAccount[] = [
  {
    passport: "bot@example.com",
    password: "x",
    friendlyName: "Echo Bot",
    contacts: [{ passport: "bob@example.com", friendlyName: "Bob", lists: ["FL", "AL"] }],
  },
  { passport: "bob@example.com", password: "b", friendlyName: "Bob B" },
  { passport: "carol@example.com", password: "c", friendlyName: "Carol" },
  {
    passport: "mallory@example.com",
    password: "m",
    contacts: [{ passport: "bob@example.com", lists: ["BL"] }],
  },
];

function withServer(
  body: (server: LoopbackServer) => Promise<void>,
  options: Partial<LoopbackServerOptions> = {},
): Promise<void> {
  return withLoopback({ accounts: ACCOUNTS, dispatch: false, ...options }, body);
}

/** The bot signs in, CHG NLN; returns its notification connection after the CHG reply. */
async function bot(server: LoopbackServer): Promise<Wire> {
  const ns = await signIn(server, "bot@example.com");
  ns.command(chg(5, "NLN", { clientId: 0 }));
  assert.equal(await ns.line(), "CHG 5 NLN 0");
  return ns;
}

/** Expects `rejects` to fail with a LoopbackServerError of `code` (and `serverCode`). */
async function failsWith(
  promise: Promise<unknown>,
  code: string,
  serverCode?: number,
): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof LoopbackServerError);
    assert.equal(e.code, code);
    assert.equal(e.serverCode, serverCode);
    return true;
  });
}

function isError(code: string): (e: unknown) => boolean {
  return (e) => e instanceof LoopbackServerError && e.code === code;
}

test("a scripted peer is online for presence: NLN, status changes, FLN when hidden or gone", async () => {
  await withServer(async (server) => {
    const ns = await bot(server);
    const bob = await server.peer("bob@example.com");
    assert.equal(await ns.line(), "NLN NLN bob@example.com Bob%20B 0");
    assert.deepEqual(server.onlineAccounts(), ["bot@example.com", "bob@example.com"]);
    bob.setStatus("AWY");
    assert.equal(await ns.line(), "NLN AWY bob@example.com Bob%20B 0");
    bob.setStatus("HDN");
    assert.equal(await ns.line(), "FLN bob@example.com");
    bob.setStatus("NLN");
    assert.equal(await ns.line(), "NLN NLN bob@example.com Bob%20B 0");
    bob.signOut();
    assert.equal(bob.online, false);
    assert.equal(await ns.line(), "FLN bob@example.com");
    assert.throws(() => bob.setStatus("NLN"), isError("not-online"));
    await ns.quiet();
    await failsWith(server.peer("nobody@example.com"), "unknown-account");
    ns.end();
  });
});

test("a scripted peer opens a conversation with a bot and chats both ways", async () => {
  await withServer(async (server) => {
    const ns = await bot(server);
    const bob = await server.peer("bob@example.com");
    await ns.line(); // NLN bob
    const opening = bob.openConversation("bot@example.com");
    const rng = /^RNG (\d+) 127\.0\.0\.1:(\d+) CKI (\S+) bob@example\.com Bob%20B$/
      .exec(await ns.line());
    assert.ok(rng);
    const sb = await Wire.open(server.switchboardAddress);
    sb.command(ans(1, "bot@example.com", rng[3], rng[1]));
    assert.deepEqual(await sb.lines(2), ["IRO 1 1 1 bob@example.com Bob%20B", "ANS 1 OK"]);
    const chat = await opening;
    assert.equal(chat.id, rng[1]);
    assert.deepEqual(chat.participants, ["bot@example.com"]);
    assert.deepEqual(bob.conversations, [chat]);

    bob.say(chat, "ping ✓");
    const ping = buildTextMessage("ping ✓");
    assert.equal(await sb.line(), `MSG bob@example.com Bob%20B ${ping.length}`);
    assert.deepEqual(sb.payload, ping);
    bob.typing(chat);
    const typing = buildTypingMessage("bob@example.com");
    assert.equal(await sb.line(), `MSG bob@example.com Bob%20B ${typing.length}`);
    assert.deepEqual(sb.payload, typing);
    bob.nudge(chat);
    assert.equal(await sb.line(), "MSG bob@example.com Bob%20B 69");
    assert.equal(
      new TextDecoder().decode(sb.payload),
      "MIME-Version: 1.0\r\nContent-Type: text/x-msnmsgr-datacast\r\n\r\nID: 1\r\n\r\n",
    );

    // The bot types, then answers with a formatted message: the peer sees both, in order.
    sb.command(msg(2, "U", buildTypingMessage("bot@example.com")));
    const pong = buildTextMessage("pong ✓", { font: "Arial", effects: ["B"], color: "ff" });
    sb.command(msg(3, "A", pong));
    assert.equal(await sb.line(), "ACK 3");
    const text = await bob.nextMessage({ kind: "text" });
    assert.equal(text.from, "bot@example.com");
    assert.equal(text.fromName, "Echo Bot");
    assert.equal(text.contentType, "text/plain");
    assert.equal(text.text, "pong ✓");
    assert.deepEqual(text.format, { font: "Arial", effects: ["B"], color: "ff" });
    assert.deepEqual(text.payload, pong);
    assert.equal(text.conversation, chat);
    const typed = await bob.nextMessage();
    assert.equal(typed.kind, "typing");
    assert.equal(typed.typingUser, "bot@example.com");
    assert.deepEqual(bob.received.map((m) => m.kind), ["typing", "text"]);
    await failsWith(bob.nextMessage({ timeout: 30 }), "timeout");

    // say() keeps to the 1664-byte limit; send() relays any bytes, for testing a client's limits.
    assert.throws(() => bob.say(chat, "x".repeat(1700)), isError("invalid-argument"));
    const big = new Uint8Array(2000).fill(0x41);
    bob.send(chat, big);
    assert.equal(await sb.line(), "MSG bob@example.com Bob%20B 2000");
    assert.deepEqual(sb.payload, big);

    bob.leave(chat);
    assert.equal(await sb.line(), "BYE bob@example.com");
    assert.equal(chat.active, false);
    assert.deepEqual(chat.participants, []);
    assert.throws(() => bob.say(chat, "late"), isError("not-in-conversation"));
    bob.leave(chat);
    sb.command(msg(4, "A", pong));
    assert.equal(await sb.line(), "ACK 4");
    assert.equal(bob.received.length, 2);
    sb.end();
    ns.end();
  });
});

test("a bot's CAL reaches a scripted peer, which answers at once and sees the bot leave", async () => {
  await withServer(async (server) => {
    const ns = await bot(server);
    const bob = await server.peer("bob@example.com");
    await ns.line();
    ns.command(xfrSb(6));
    const cookie = (await ns.line()).split(" ")[5];
    const sb = await Wire.open(server.switchboardAddress);
    sb.command(sbUsr(1, "bot@example.com", cookie));
    assert.equal(await sb.line(), "USR 1 OK bot@example.com Echo%20Bot");
    sb.command(cal(2, "bob@example.com"));
    const ringing = /^CAL 2 RINGING (\d+)$/.exec(await sb.line());
    assert.ok(ringing);
    assert.equal(await sb.line(), "JOI bob@example.com Bob%20B");
    const chat = await bob.nextConversation();
    assert.equal(chat.id, ringing[1]);
    assert.deepEqual(chat.participants, ["bot@example.com"]);
    const invited = await bob.nextEvent({ type: "invited" });
    assert.deepEqual(invited.invitation, {
      sessionId: ringing[1],
      inviter: "bot@example.com",
      inviterName: "Echo Bot",
    });

    const hi = buildTextMessage("hi");
    sb.command(msg(3, "A", hi));
    assert.equal(await sb.line(), "ACK 3");
    assert.equal((await bob.nextMessage({ from: "bot@example.com" })).text, "hi");
    bob.say(chat, "hello");
    assert.match(await sb.line(), /^MSG bob@example\.com Bob%20B \d+$/);

    sb.command(out());
    await sb.closed();
    const left = await bob.nextEvent({ type: "left" });
    assert.deepEqual(
      [left.conversation, left.passport, left.idle],
      [chat, "bot@example.com", false],
    );
    // Alone, the peer stays in (as revival servers keep the switchboard open).
    assert.equal(chat.active, true);
    assert.deepEqual(chat.participants, []);
    bob.say(chat, "anyone?");
    ns.end();
  });
});

test("a peer with autoAnswer false answers an invitation when the test says", async () => {
  await withServer(async (server) => {
    const ns = await bot(server);
    const bob = await server.peer("bob@example.com", { autoAnswer: false });
    await ns.line();
    ns.command(xfrSb(6));
    const cookie = (await ns.line()).split(" ")[5];
    const sb = await Wire.open(server.switchboardAddress);
    sb.command(sbUsr(1, "bot@example.com", cookie));
    await sb.line();
    sb.command(cal(2, "bob@example.com"));
    assert.match(await sb.line(), /^CAL 2 RINGING \d+$/);
    await sb.silent(50);
    const invitation = await bob.nextInvitation();
    assert.equal(invitation.inviter, "bot@example.com");
    const chat = bob.answer(invitation);
    assert.equal(await sb.line(), "JOI bob@example.com Bob%20B");
    assert.equal(await bob.nextConversation(), chat);
    sb.end();
    ns.end();
  });
});

test("a peer's invitations fail like CAL: 208, 215, 216, 217, 913, and time out", async () => {
  await withServer(async (server) => {
    const ns = await bot(server);
    const bob = await server.peer("bob@example.com", { timeout: 100 });
    await server.peer("mallory@example.com");
    await ns.line();
    await failsWith(bob.openConversation("not-an-address"), "call-failed", 208);
    await failsWith(bob.openConversation("bob@example.com"), "call-failed", 215);
    await failsWith(bob.openConversation("mallory@example.com"), "call-failed", 216);
    await failsWith(bob.openConversation("nobody@example.com"), "call-failed", 217);
    const carol = await signIn(server, "carol@example.com"); // online, but no CHG: offline
    await failsWith(bob.openConversation("carol@example.com"), "call-failed", 217);
    carol.command(chg(5, "NLN", { clientId: 0 }));
    await carol.line();
    // Carol is rung but never answers.
    await failsWith(bob.openConversation("carol@example.com"), "timeout");
    assert.match(await carol.line(), /^RNG \d+ /);
    await failsWith(bob.openConversation([]), "invalid-argument");
    assert.ok(bob.conversations.every((c) => !c.active));
    bob.setStatus("HDN");
    await failsWith(bob.openConversation("bot@example.com"), "call-failed", 913);
    carol.end();
    ns.end();
  });
});

test("three-way: a peer invites a client and another peer; everyone hears everyone", async () => {
  await withServer(async (server) => {
    const ns = await bot(server);
    const bob = await server.peer("bob@example.com");
    const carol = await server.peer("carol@example.com");
    await ns.line();
    const opening = bob.openConversation("bot@example.com");
    const rng = /^RNG (\d+) \S+ CKI (\S+) /.exec(await ns.line());
    assert.ok(rng);
    const sb = await Wire.open(server.switchboardAddress);
    sb.command(ans(1, "bot@example.com", rng[2], rng[1]));
    await sb.lines(2);
    const chat = await opening;
    await bob.invite(chat, "carol@example.com");
    assert.equal(await sb.line(), "JOI carol@example.com Carol");
    const carolChat = await carol.nextConversation();
    assert.deepEqual(carolChat.participants, ["bob@example.com", "bot@example.com"]);
    carol.say(carolChat, "hi all");
    assert.match(await sb.line(), /^MSG carol@example\.com Carol \d+$/);
    assert.equal((await bob.nextMessage()).text, "hi all");
    sb.command(msg(2, "N", buildTextMessage("hi carol")));
    assert.equal((await bob.nextMessage()).text, "hi carol");
    assert.equal((await carol.nextMessage()).text, "hi carol");
    assert.equal((await bob.nextEvent({ type: "joined" })).passport, "bot@example.com");
    assert.equal((await bob.nextEvent({ type: "joined" })).passport, "carol@example.com");
    assert.deepEqual(
      bob.events.map((e) => e.type),
      ["joined", "joined", "message", "message"],
    );
    sb.end();
    ns.end();
  });
});

test("a peer goes offline on kick, on a client signing in as it, and on close", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS, dispatch: false });
  try {
    const bob = await server.peer("bob@example.com");
    const waiting = bob.nextMessage({ timeout: 5000 });
    server.kick("bob@example.com", "OTH");
    await failsWith(waiting, "not-online");
    assert.equal(bob.online, false);

    const bob2 = await server.peer("bob@example.com");
    const client = await signIn(server, "bob@example.com");
    assert.equal(bob2.online, false);
    // A peer signing in as a client's account signs the client out.
    const bob3 = await server.peer("bob@example.com");
    assert.equal(await client.line(), "OUT OTH");
    await client.closed();
    const pending = failsWith(bob3.nextConversation({ timeout: 5000 }), "closed");
    await server.close();
    await pending;
    assert.equal(bob3.online, false);
    assert.throws(() => bob3.setStatus("NLN"), isError("closed"));
    await failsWith(server.peer("carol@example.com"), "closed");
  } finally {
    await server.close();
  }
});

test("the idle timeout ends a peer's conversation: BYE <passport> 1 both ways", async () => {
  await withServer(async (server) => {
    const ns = await bot(server);
    const bob = await server.peer("bob@example.com");
    await ns.line();
    const opening = bob.openConversation("bot@example.com");
    const rng = /^RNG (\d+) \S+ CKI (\S+) /.exec(await ns.line());
    assert.ok(rng);
    const sb = await Wire.open(server.switchboardAddress);
    sb.command(ans(1, "bot@example.com", rng[2], rng[1]));
    await sb.lines(2);
    const chat = await opening;
    assert.equal(await sb.line(1000), "BYE bob@example.com 1");
    await sb.closed();
    const left = await bob.nextEvent({ type: "left" });
    assert.deepEqual([left.passport, left.idle], ["bot@example.com", true]);
    assert.equal((await bob.nextEvent({ type: "ended" })).conversation, chat);
    assert.equal(chat.active, false);
    ns.end();
  }, { switchboard: { idleTimeoutMs: 120 } });
});
