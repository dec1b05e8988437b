import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ans,
  buildTextMessage,
  buildTypingMessage,
  cal,
  chg,
  encodeCommand,
  msg,
  out,
  sbUsr,
  xfrSb,
} from "../codec/mod.ts";
import type {
  LoopbackAccount,
  LoopbackServer,
  LoopbackServerOptions,
} from "../testing/loopback_server.ts";
import { signIn, Wire } from "./_loopback_wire.ts";
import { withLoopback } from "./_client_helpers.ts";

// No account has another on FL, so no presence line gets between the lines a test reads.
const ACCOUNTS: LoopbackAccount[] = [
  { passport: "alice@example.com", password: "a", friendlyName: "Alice A" },
  { passport: "bob@example.com", password: "b", friendlyName: "Bob B" },
  { passport: "carol@example.com", password: "c", friendlyName: "Carol" },
  {
    passport: "dave@example.com",
    password: "d",
    contacts: [{ passport: "alice@example.com", lists: ["BL"] }],
  },
  { passport: "eve@example.com", password: "e" },
];

function withServer(
  options: Partial<LoopbackServerOptions>,
  body: (server: LoopbackServer) => Promise<void>,
): Promise<void> {
  return withLoopback({ accounts: ACCOUNTS, dispatch: false, ...options }, body);
}

/** Signs in and sends the first CHG. */
async function online(server: LoopbackServer, passport: string, version = "MSNP9"): Promise<Wire> {
  const ns = await signIn(server, passport, version);
  ns.command(chg(5, "NLN", { clientId: 0 }));
  assert.equal(await ns.line(), "CHG 5 NLN 0");
  return ns;
}

/** `XFR SB` on `ns`, then `USR` on a new switchboard connection. */
async function createSb(server: LoopbackServer, ns: Wire, passport: string): Promise<Wire> {
  ns.command(xfrSb(6));
  const xfr = /^XFR 6 SB 127\.0\.0\.1:(\d+) CKI (\S+)$/.exec(await ns.line());
  assert.ok(xfr);
  assert.equal(Number(xfr[1]), server.switchboardAddress.port);
  const sb = await Wire.open(server.switchboardAddress);
  sb.command(sbUsr(1, passport, xfr[2]));
  assert.match(await sb.line(), new RegExp(`^USR 1 OK ${passport} \\S+$`));
  return sb;
}

/** Reads `RNG` from `inviter` on `ns`, connects and sends `ANS 1`; the caller reads IRO/ANS OK. */
async function answerRing(
  server: LoopbackServer,
  ns: Wire,
  passport: string,
  inviter: string,
): Promise<{ sb: Wire; sessionId: string; cookie: string }> {
  const rng = new RegExp(`^RNG (\\d+) 127\\.0\\.0\\.1:(\\d+) CKI (\\S+) ${inviter} \\S+$`)
    .exec(await ns.line());
  assert.ok(rng);
  assert.equal(Number(rng[2]), server.switchboardAddress.port);
  const sb = await Wire.open(server.switchboardAddress);
  sb.command(ans(1, passport, rng[3], rng[1]));
  return { sb, sessionId: rng[1], cookie: rng[3] };
}

const HELLO = buildTextMessage("Hello, wörld 👋");

for (const version of ["MSNP8", "MSNP9"]) {
  test(`loopback switchboard ${version}: XFR SB, USR, CAL, JOI, then MSG and ACK both ways`, async () => {
    await withServer({}, async (server) => {
      const alice = await online(server, "alice@example.com", version);
      const bob = await online(server, "bob@example.com", version);
      const asb = await createSb(server, alice, "alice@example.com");
      asb.command(cal(2, "bob@example.com"));
      const ringing = /^CAL 2 RINGING (\d+)$/.exec(await asb.line());
      assert.ok(ringing);
      const { sb: bsb, sessionId } = await answerRing(
        server,
        bob,
        "bob@example.com",
        "alice@example.com",
      );
      assert.equal(sessionId, ringing[1]);
      assert.deepEqual(await bsb.lines(2), ["IRO 1 1 1 alice@example.com Alice%20A", "ANS 1 OK"]);
      assert.equal(await asb.line(), "JOI bob@example.com Bob%20B");

      asb.command(msg(3, "A", HELLO));
      assert.equal(await asb.line(), "ACK 3");
      assert.equal(await bsb.line(), `MSG alice@example.com Alice%20A ${HELLO.length}`);
      assert.deepEqual(bsb.payload, HELLO);

      // D with bytes that are not UTF-8 is relayed byte for byte; U gets no reply.
      const binary = new Uint8Array([...buildTypingMessage("bob@example.com"), 0xff, 0x00, 0xc3]);
      bsb.command(msg(2, "D", binary));
      assert.equal(await bsb.line(), "ACK 2");
      assert.equal(await asb.line(), `MSG bob@example.com Bob%20B ${binary.length}`);
      assert.deepEqual(asb.payload, binary);
      bsb.command(msg(3, "U", HELLO));
      bsb.command(msg(4, "N", HELLO));
      assert.equal(await asb.line(), `MSG bob@example.com Bob%20B ${HELLO.length}`);
      assert.equal(await asb.line(), `MSG bob@example.com Bob%20B ${HELLO.length}`);
      await bsb.silent();
      for (const w of [asb, bsb, alice, bob]) w.end();
    });
  });
}

test("loopback switchboard: RNG, ANS, IRO for each other participant, ANS OK, three-way MSG", async () => {
  await withServer({}, async (server) => {
    const alice = await online(server, "alice@example.com");
    const bob = await online(server, "bob@example.com");
    const carol = await online(server, "carol@example.com", "MSNP8");
    const asb = await createSb(server, alice, "alice@example.com");
    asb.command(cal(2, "bob@example.com"));
    assert.match(await asb.line(), /^CAL 2 RINGING \d+$/);
    const b = await answerRing(server, bob, "bob@example.com", "alice@example.com");
    assert.deepEqual(await b.sb.lines(2), ["IRO 1 1 1 alice@example.com Alice%20A", "ANS 1 OK"]);
    assert.equal(await asb.line(), "JOI bob@example.com Bob%20B");

    // Bob invites Carol: the RNG names Bob, and Carol is told about both others.
    b.sb.command(cal(2, "carol@example.com"));
    assert.equal(await b.sb.line(), `CAL 2 RINGING ${b.sessionId}`);
    const c = await answerRing(server, carol, "carol@example.com", "bob@example.com");
    assert.equal(c.sessionId, b.sessionId);
    assert.deepEqual(await c.sb.lines(3), [
      "IRO 1 1 2 alice@example.com Alice%20A",
      "IRO 1 2 2 bob@example.com Bob%20B",
      "ANS 1 OK",
    ]);
    assert.equal(await asb.line(), "JOI carol@example.com Carol");
    assert.equal(await b.sb.line(), "JOI carol@example.com Carol");

    c.sb.command(msg(2, "A", HELLO));
    assert.equal(await c.sb.line(), "ACK 2");
    for (const w of [asb, b.sb]) {
      assert.equal(await w.line(), `MSG carol@example.com Carol ${HELLO.length}`);
      assert.deepEqual(w.payload, HELLO);
    }
    // The ring cookie was single-use.
    const again = await Wire.open(server.switchboardAddress);
    again.command(ans(1, "carol@example.com", c.cookie, c.sessionId));
    assert.equal(await again.line(), "911 1");
    await again.closed();
    for (const w of [asb, b.sb, c.sb, alice, bob, carol]) w.end();
  });
});

test("loopback switchboard: CAL errors 208, 215, 216 and 217", async () => {
  await withServer({}, async (server) => {
    const alice = await online(server, "alice@example.com");
    const bob = await online(server, "bob@example.com");
    const dave = await online(server, "dave@example.com");
    const eve = await online(server, "eve@example.com");
    eve.command(chg(6, "HDN", { clientId: 0 }));
    assert.equal(await eve.line(), "CHG 6 HDN 0");
    const carol = await signIn(server, "carol@example.com"); // signed in, no CHG yet
    const asb = await createSb(server, alice, "alice@example.com");
    const calls: [string, string][] = [
      ["not-an-address", "208"],
      ["alice@example.com", "215"],
      ["ALICE@example.com", "215"],
      ["dave@example.com", "216"],
      ["eve@example.com", "217"],
      ["carol@example.com", "217"],
      ["frank@example.com", "217"],
    ];
    let trid = 2;
    for (const [who, code] of calls) {
      asb.send(`CAL ${trid} ${who}`);
      assert.equal(await asb.line(), `${code} ${trid}`, who);
      trid++;
    }
    asb.command(cal(trid, "bob@example.com"));
    assert.match(await asb.line(), new RegExp(`^CAL ${trid} RINGING \\d+$`));
    const b = await answerRing(server, bob, "bob@example.com", "alice@example.com");
    await b.sb.lines(2);
    assert.equal(await asb.line(), "JOI bob@example.com Bob%20B");
    asb.command(cal(trid + 1, "bob@example.com"));
    assert.equal(await asb.line(), `215 ${trid + 1}`);
    await dave.quiet();
    await eve.quiet();
    for (const w of [asb, b.sb, alice, bob, carol, dave, eve]) w.end();
  });
});

test("loopback switchboard: XFR SB gets 913 before the first CHG and while HDN", async () => {
  await withServer({}, async (server) => {
    const alice = await signIn(server, "alice@example.com", "MSNP8");
    alice.command(xfrSb(5));
    assert.equal(await alice.line(), "913 5");
    alice.command(chg(6, "HDN", { clientId: 0 }));
    assert.equal(await alice.line(), "CHG 6 HDN 0");
    alice.command(xfrSb(7));
    assert.equal(await alice.line(), "913 7");
    alice.command(chg(8, "BSY", { clientId: 0 }));
    assert.equal(await alice.line(), "CHG 8 BSY 0");
    alice.command(xfrSb(9));
    assert.match(await alice.line(), /^XFR 9 SB 127\.0\.0\.1:\d+ CKI \S+$/);
    alice.end();
  });
});

test("loopback switchboard: 911 and a close for a used, foreign or expired cookie", async () => {
  await withServer({ switchboard: { cookieLifetimeMs: 150 } }, async (server) => {
    const alice = await online(server, "alice@example.com");
    alice.command(xfrSb(6));
    const cookie = (await alice.line()).split(" ")[5];
    const first = await Wire.open(server.switchboardAddress);
    first.command(sbUsr(1, "alice@example.com", cookie));
    assert.equal(await first.line(), "USR 1 OK alice@example.com Alice%20A");
    const used = await Wire.open(server.switchboardAddress);
    used.command(sbUsr(1, "alice@example.com", cookie));
    assert.equal(await used.line(), "911 1");
    await used.closed();

    alice.command(xfrSb(7));
    const cookie2 = (await alice.line()).split(" ")[5];
    const foreign = await Wire.open(server.switchboardAddress);
    foreign.command(sbUsr(1, "bob@example.com", cookie2));
    assert.equal(await foreign.line(), "911 1");
    await foreign.closed();
    // The foreign attempt spent the cookie.
    const late = await Wire.open(server.switchboardAddress);
    late.command(sbUsr(2, "alice@example.com", cookie2));
    assert.equal(await late.line(), "911 2");
    await late.closed();

    alice.command(xfrSb(8));
    const cookie3 = (await alice.line()).split(" ")[5];
    await new Promise((resolve) => setTimeout(resolve, 200));
    const expired = await Wire.open(server.switchboardAddress);
    expired.command(sbUsr(1, "alice@example.com", cookie3));
    assert.equal(await expired.line(), "911 1");
    await expired.closed();
    first.end();
    alice.end();
  });
});

test("loopback switchboard closes a connection that does not authenticate in time", async () => {
  await withServer({ switchboard: { authTimeoutMs: 80 } }, async (server) => {
    const idle = await Wire.open(server.switchboardAddress);
    const started = Date.now();
    await idle.closed(2000);
    assert.ok(Date.now() - started >= 60);
    // Authenticated connections are not affected.
    const alice = await online(server, "alice@example.com");
    const asb = await createSb(server, alice, "alice@example.com");
    await asb.silent(150);
    asb.end();
    alice.end();
  });
});

test("loopback switchboard closes for a payload over 1664 bytes or P2P without ack D", async () => {
  await withServer({}, async (server) => {
    const alice = await online(server, "alice@example.com");
    const bob = await online(server, "bob@example.com");
    const asb = await createSb(server, alice, "alice@example.com");
    asb.command(cal(2, "bob@example.com"));
    await asb.line();
    const b = await answerRing(server, bob, "bob@example.com", "alice@example.com");
    await b.sb.lines(2);
    await asb.line();

    // Exactly 1664 bytes is fine.
    const head = buildTextMessage("").length;
    const full = buildTextMessage("x".repeat(1664 - head));
    assert.equal(full.length, 1664);
    asb.command(msg(3, "A", full));
    assert.equal(await asb.line(), "ACK 3");
    assert.equal(await b.sb.line(), "MSG alice@example.com Alice%20A 1664");

    // One byte more: no ACK, the connection closes, Bob gets BYE.
    const over = buildTextMessage("x".repeat(1665 - head));
    asb.socket.write(encodeCommand({ name: "MSG", trid: 4, args: ["A", "1665"], payload: over }));
    await asb.closed();
    assert.equal(await b.sb.line(), "BYE alice@example.com");

    // P2P with ack D is relayed; with A it closes.
    const p2p = new Uint8Array([
      ...new TextEncoder().encode(
        "MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\nP2P-Dest: bob@example.com\r\n\r\n",
      ),
      ...new Uint8Array(52),
    ]);
    const asb2 = await createSb(server, alice, "alice@example.com");
    asb2.command(cal(2, "bob@example.com"));
    await asb2.line();
    const b2 = await answerRing(server, bob, "bob@example.com", "alice@example.com");
    await b2.sb.lines(2);
    await asb2.line();
    asb2.command(msg(3, "D", p2p));
    assert.equal(await asb2.line(), "ACK 3");
    assert.equal(await b2.sb.line(), `MSG alice@example.com Alice%20A ${p2p.length}`);
    assert.deepEqual(b2.sb.payload, p2p);
    asb2.command(msg(4, "A", p2p));
    await asb2.closed();
    assert.equal(await b2.sb.line(), "BYE alice@example.com");
    for (const w of [b.sb, b2.sb, alice, bob]) w.end();
  });
});

test("loopback switchboard: OUT closes and says BYE; alone it stays open, ACKs and loses", async () => {
  await withServer({}, async (server) => {
    const alice = await online(server, "alice@example.com");
    const bob = await online(server, "bob@example.com");
    const asb = await createSb(server, alice, "alice@example.com");
    // Alone from the start: ACKed and lost.
    asb.command(msg(2, "A", HELLO));
    assert.equal(await asb.line(), "ACK 2");
    asb.command(cal(3, "bob@example.com"));
    assert.match(await asb.line(), /^CAL 3 RINGING \d+$/);
    const b = await answerRing(server, bob, "bob@example.com", "alice@example.com");
    await b.sb.lines(2);
    await asb.line();
    b.sb.command(out());
    await b.sb.closed();
    assert.equal(await asb.line(), "BYE bob@example.com");
    asb.command(msg(4, "A", HELLO));
    assert.equal(await asb.line(), "ACK 4");
    asb.command(msg(5, "N", HELLO));
    await asb.silent();
    // Still open: Bob can be called back in.
    asb.command(cal(6, "bob@example.com"));
    assert.match(await asb.line(), /^CAL 6 RINGING \d+$/);
    const b2 = await answerRing(server, bob, "bob@example.com", "alice@example.com");
    assert.deepEqual(await b2.sb.lines(2), ["IRO 1 1 1 alice@example.com Alice%20A", "ANS 1 OK"]);
    assert.equal(await asb.line(), "JOI bob@example.com Bob%20B");
    for (const w of [asb, b2.sb, alice, bob]) w.end();
  });
});

test("loopback switchboard with nak: true NAKs what nobody received", async () => {
  await withServer({ switchboard: { nak: true } }, async (server) => {
    const alice = await online(server, "alice@example.com");
    const asb = await createSb(server, alice, "alice@example.com");
    asb.command(msg(2, "A", HELLO));
    assert.equal(await asb.line(), "NAK 2");
    asb.command(msg(3, "N", HELLO));
    assert.equal(await asb.line(), "NAK 3");
    asb.command(msg(4, "U", HELLO));
    await asb.silent();
    asb.end();
    alice.end();
  });
});

test("loopback switchboard idle timeout says BYE <passport> 1 and disconnects", async () => {
  await withServer({ switchboard: { idleTimeoutMs: 150 } }, async (server) => {
    const alice = await online(server, "alice@example.com");
    const bob = await online(server, "bob@example.com");
    const asb = await createSb(server, alice, "alice@example.com");
    asb.command(cal(2, "bob@example.com"));
    await asb.line();
    const b = await answerRing(server, bob, "bob@example.com", "alice@example.com");
    await b.sb.lines(2);
    await asb.line();
    asb.command(msg(3, "A", HELLO));
    assert.equal(await asb.line(), "ACK 3");
    await b.sb.line();
    assert.equal(await asb.line(1000), "BYE bob@example.com 1");
    await asb.closed();
    assert.equal(await b.sb.line(1000), "BYE alice@example.com 1");
    await b.sb.closed();
    alice.end();
    bob.end();
  });
});
