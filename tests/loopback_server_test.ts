import { test } from "node:test";
import assert from "node:assert/strict";
import { challengeAnswer, getHeader, MSMSGS_PRODUCT, parseMime } from "../codec/mod.ts";
import { decodeUtf8 } from "../codec/mime.ts";
import { PassportError } from "../auth/mod.ts";
import { runPassport } from "../io_adapters/mod.ts";
import { signIn, Wire } from "./_loopback_wire.ts";
import {
  type LoopbackAccount,
  type LoopbackServer,
  LoopbackServerError,
  type LoopbackServerOptions,
  startLoopbackServer,
} from "../testing/loopback_server.ts";
import { withLoopback } from "./_client_helpers.ts";

const ALICE: LoopbackAccount = {
  passport: "alice@example.com",
  password: "p,w%d ü",
  friendlyName: "Alice A",
  groups: [{ id: 0, name: "Other Contacts" }, { id: 1, name: "Friends & Co" }],
  phones: { PHH: "123 (4567)", MOB: "Y" },
  listVersion: 14,
  contacts: [
    {
      passport: "bob@example.com",
      friendlyName: "Bob B",
      lists: ["FL", "AL"],
      groupIds: [1],
      phones: { PHH: "1 (222) 333 4444" },
    },
    { passport: "eve@example.com", lists: ["BL"] },
  ],
};

const BOB: LoopbackAccount = {
  passport: "bob@example.com",
  password: "b",
  friendlyName: "Bob B",
  contacts: [{ passport: "alice@example.com", friendlyName: "Alice A", lists: ["FL", "AL"] }],
};

const CAROL: LoopbackAccount = { passport: "carol@example.com", password: "c" };

function withServer(
  options: Partial<LoopbackServerOptions>,
  body: (server: LoopbackServer) => Promise<void>,
): Promise<void> {
  return withLoopback({ accounts: [ALICE, BOB, CAROL], ...options }, body);
}

test("loopback server signs in through dispatch XFR and Passport over HTTP", async () => {
  await withServer({}, async (server) => {
    const ns = server.notificationAddress;
    const ds = server.dispatchAddress;
    assert.notEqual(ds.port, ns.port);
    const dispatch = await Wire.open(ds);
    dispatch.send("VER 1 MSNP9 MSNP8 CVR0");
    assert.equal(await dispatch.line(), "VER 1 MSNP9");
    dispatch.send("CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 6.0.0602 MSMSGS alice@example.com");
    assert.equal(
      await dispatch.line(),
      "CVR 2 6.0.0602 6.0.0602 1.0.0000 http://127.0.0.1/download http://127.0.0.1/info",
    );
    dispatch.send("USR 3 TWN I alice@example.com");
    assert.equal(await dispatch.line(), `XFR 3 NS 127.0.0.1:${ns.port} 0 127.0.0.1:${ds.port}`);
    await dispatch.closed();

    const wire = await Wire.open(ns);
    wire.send("VER 1 MSNP9 MSNP8 CVR0");
    assert.equal(await wire.line(), "VER 1 MSNP9");
    wire.send("CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 6.0.0602 MSMSGS alice@example.com");
    await wire.line();
    wire.send("USR 3 TWN I alice@example.com");
    const usr = await wire.line();
    const m =
      /^USR 3 TWN S (lc=1033,id=507,tw=40,fs=1,ru=http%3A%2F%2Fmessenger%2Emsn%2Ecom,ct=\d+,kpp=1,kv=5,ver=2\.1\.0173\.1,tpf=[0-9a-f]{32})$/
        .exec(usr);
    assert.ok(m, usr);
    const { ticket, loginUrl } = await runPassport({
      account: "alice@example.com",
      password: "p,w%d ü",
      challenge: m[1],
      nexusUrl: server.nexusUrl,
      allowInsecureLoopback: true,
    });
    assert.equal(loginUrl, server.loginUrl);
    assert.match(ticket, /^t=[\x21-\x7e]+&p=[\x21-\x7e]+$/);
    wire.send(`USR 4 TWN S ${ticket}`);
    assert.equal(await wire.line(), "USR 4 OK alice@example.com Alice%20A 1 0");
    const msg = await wire.line();
    const payload = wire.payload as Uint8Array;
    assert.equal(msg, `MSG Hotmail Hotmail ${payload.length}`);
    const profile = parseMime(payload);
    assert.equal(getHeader(profile, "Content-Type"), "text/x-msmsgsprofile; charset=UTF-8");
    assert.equal(getHeader(profile, "ClientIP"), "127.0.0.1");
    const port = wire.socket.localPort as number;
    assert.equal(getHeader(profile, "ClientPort"), String(((port & 0xff) << 8) | (port >> 8)));
    assert.equal(getHeader(profile, "MSPAuth"), `${/^t=([^&]*)/.exec(ticket)?.[1]}$`);
    assert.ok(
      decodeUtf8(payload).endsWith("ClientPort: " + getHeader(profile, "ClientPort") + "\r\n\r\n"),
    );
    assert.deepEqual(server.onlineAccounts(), ["alice@example.com"]);
    wire.send("OUT");
    assert.equal(await wire.line(), "OUT");
    await wire.closed();
    assert.deepEqual(server.onlineAccounts(), []);
  });
});

test("loopback Passport answers a wrong password with 401 and da-status=failed", async () => {
  await withServer({}, async (server) => {
    const response = await fetch(server.loginUrl, {
      headers: {
        Authorization:
          "Passport1.4 OrgVerb=GET,OrgURL=http%3A%2F%2Fmessenger%2Emsn%2Ecom,sign-in=bob%40example.com,pwd=nope,lc=1033",
      },
    });
    await response.body?.cancel();
    assert.equal(response.status, 401);
    assert.equal(
      response.headers.get("www-authenticate"),
      "Passport1.4 da-status=failed,srealm=Passport.NET,ts=-1,prompt,cburl=http://www.passportimages.com/XPPassportLogo.gif,cbtxt=The%20e-mail%20address%20or%20password%20is%20incorrect",
    );
    await assert.rejects(
      runPassport({
        account: "bob@example.com",
        password: "wrong",
        challenge: "lc=1033,id=507",
        nexusUrl: server.nexusUrl,
        allowInsecureLoopback: true,
      }),
      (error) =>
        error instanceof PassportError && error.code === "bad-credentials" &&
        error.cbtxt === "The e-mail address or password is incorrect",
    );
  });
});

test("loopback Passport redirects the first login once with da-status=redir", async () => {
  await withServer({ passportRedirectOnce: true }, async (server) => {
    const first = await fetch(server.loginUrl, { redirect: "manual" });
    await first.body?.cancel();
    assert.equal(first.status, 302);
    assert.equal(first.headers.get("authentication-info"), "Passport1.4 da-status=redir");
    assert.equal(first.headers.get("location"), `${server.loginUrl}?lc=1033`);
    const { ticket } = await runPassport({
      account: "bob@example.com",
      password: "b",
      challenge: "lc=1033,id=507",
      nexusUrl: server.nexusUrl,
      allowInsecureLoopback: true,
    });
    assert.match(ticket, /^t=/);
  });
});

test("loopback Nexus names the login server with an http scheme", async () => {
  await withServer({}, async (server) => {
    const response = await fetch(server.nexusUrl);
    await response.body?.cancel();
    assert.equal(response.status, 200);
    assert.match(
      response.headers.get("passporturls") ?? "",
      new RegExp(`^DARealm=Passport\\.Net,DALogin=${server.loginUrl.replace(/\./g, "\\.")},`),
    );
  });
});

test("loopback server refuses a ticket it did not issue with 911 and closes", async () => {
  await withServer({ dispatch: false }, async (server) => {
    assert.deepEqual(server.dispatchAddress, server.notificationAddress);
    const wire = await Wire.open(server.notificationAddress);
    wire.send("VER 1 MSNP8 CVR0");
    assert.equal(await wire.line(), "VER 1 MSNP8");
    wire.send("USR 2 TWN I bob@example.com");
    await wire.line();
    // A ticket for another account is not good for bob.
    wire.send(`USR 3 TWN S ${server.issueTicket("alice@example.com")}`);
    assert.equal(await wire.line(), "911 3");
    await wire.closed();
  });
});

test("loopback server answers USR I for an unknown account with 911", async () => {
  await withServer({}, async (server) => {
    const wire = await Wire.open(server.notificationAddress);
    wire.send("VER 1 MSNP9 CVR0");
    await wire.line();
    wire.send("USR 2 TWN I nobody@example.com");
    assert.equal(await wire.line(), "911 2");
    await wire.closed();
  });
});

test("loopback server negotiates VER: echo, none in common, wrong stage", async () => {
  await withServer({ protocols: ["MSNP8"], echoVersions: true }, async (server) => {
    const a = await Wire.open(server.notificationAddress);
    a.send("VER 1 MSNP9 MSNP8 CVR0");
    assert.equal(await a.line(), "VER 1 MSNP8 CVR0");
    a.send("VER 2 MSNP8 CVR0");
    assert.equal(await a.line(), "715 2");
    await a.closed();

    const b = await Wire.open(server.notificationAddress);
    b.send("VER 1 MSNP10 CVR0");
    assert.equal(await b.line(), "VER 1 0");
    await b.closed();

    const c = await Wire.open(server.notificationAddress);
    c.send("USR 1 TWN S t=x&p=y");
    assert.equal(await c.line(), "715 1");
    await c.closed();

    const d = await Wire.open(server.notificationAddress);
    d.send("SYN 1 0");
    await d.closed();
  });
});

test("loopback server sends the full list on SYN and only the version when up to date", async () => {
  await withServer({ dispatch: false }, async (server) => {
    const wire = await signIn(server, "alice@example.com");
    wire.send("SYN 5 0");
    assert.deepEqual(await wire.lines(9), [
      "SYN 5 14 2 2",
      "GTC A",
      "BLP AL",
      "PRP PHH 123%20(4567)",
      "PRP MOB Y",
      "LSG 0 Other%20Contacts 0",
      "LSG 1 Friends%20%26%20Co 0",
      "LST bob@example.com Bob%20B 11 1",
      "BPR PHH 1%20(222)%20333%204444",
    ]);
    assert.equal(await wire.line(), "LST eve@example.com eve%40example.com 4");
    wire.send("SYN 6 14");
    assert.equal(await wire.line(), "SYN 6 14");
    wire.send("SYN 7 13");
    assert.equal(await wire.line(), "SYN 7 14 2 2");
    assert.equal((await wire.lines(9)).pop(), "LST eve@example.com eve%40example.com 4");
    await wire.quiet();
    wire.end();
  });
});

test("loopback server fans out presence: ILN on first CHG, NLN, REA, FLN", async () => {
  await withServer({ dispatch: false }, async (server) => {
    const bob = await signIn(server, "bob@example.com", "MSNP8");
    bob.send("CHG 5 NLN 0");
    assert.equal(await bob.line(), "CHG 5 NLN 0");

    const alice = await signIn(server, "alice@example.com");
    // Before her first CHG, Alice is offline to Bob and sees nobody.
    await bob.quiet();
    alice.send("CHG 5 AWY 268435492 %3Cmsnobj%2F%3E");
    assert.equal(await alice.line(), "CHG 5 AWY 268435492 %3Cmsnobj%2F%3E");
    assert.equal(await alice.line(), "ILN 5 NLN bob@example.com Bob%20B 0");
    // Bob speaks MSNP8: no MSNObject.
    assert.equal(await bob.line(), "NLN AWY alice@example.com Alice%20A 268435492");

    bob.send("CHG 6 BSY 0");
    assert.equal(await bob.line(), "CHG 6 BSY 0");
    assert.equal(await alice.line(), "NLN BSY bob@example.com Bob%20B 0");

    alice.send("REA 6 alice@example.com Queen%20Alice");
    assert.equal(await alice.line(), "REA 6 15 alice@example.com Queen%20Alice");
    assert.equal(await bob.line(), "NLN AWY alice@example.com Queen%20Alice 268435492");

    alice.send("CHG 7 HDN 268435492");
    assert.equal(await alice.line(), "CHG 7 HDN 268435492");
    assert.equal(await bob.line(), "FLN alice@example.com");
    alice.send("XFR 8 SB");
    assert.equal(await alice.line(), "913 8");
    alice.send("CHG 9 FLN");
    assert.equal(await alice.line(), "201 9");
    alice.send("CHG 10 NLN 0");
    assert.equal(await alice.line(), "CHG 10 NLN 0");
    assert.equal(await bob.line(), "NLN NLN alice@example.com Queen%20Alice 0");

    bob.send("OUT");
    assert.equal(await bob.line(), "OUT");
    await bob.closed();
    assert.equal(await alice.line(), "FLN bob@example.com");
    await alice.quiet();
    alice.end();
  });
});

test("loopback server blocks presence by BL and BLP", async () => {
  await withServer({ dispatch: false }, async (server) => {
    const alice = await signIn(server, "alice@example.com");
    const bob = await signIn(server, "bob@example.com");
    alice.send("CHG 5 NLN 0");
    await alice.line();
    bob.send("CHG 5 NLN 0");
    assert.equal(await bob.line(), "CHG 5 NLN 0");
    assert.equal(await bob.line(), "ILN 5 NLN alice@example.com Alice%20A 0");
    assert.equal(await alice.line(), "NLN NLN bob@example.com Bob%20B 0");
    alice.send("REM 6 AL bob@example.com");
    assert.equal(await alice.line(), "REM 6 AL 15 bob@example.com");
    await bob.quiet(); // BLP AL still lets Bob see Alice
    alice.send("BLP 7 BL");
    assert.equal(await alice.line(), "BLP 7 16 BL");
    assert.equal(await bob.line(), "FLN alice@example.com");
    alice.send("BLP 8 BL");
    assert.equal(await alice.line(), "218 8");
    alice.send("ADD 9 AL bob@example.com Bob");
    assert.equal(await alice.line(), "ADD 9 AL 17 bob@example.com Bob");
    assert.equal(await bob.line(), "NLN NLN alice@example.com Alice%20A 0");
    alice.send("ADD 10 BL bob@example.com Bob");
    assert.equal(await alice.line(), "219 10");
    alice.end();
    bob.end();
  });
});

test("loopback server manages lists: ADD FL tells the other side, errors by code", async () => {
  await withServer({ dispatch: false }, async (server) => {
    const alice = await signIn(server, "alice@example.com");
    const carol = await signIn(server, "carol@example.com");
    carol.send("CHG 4 NLN 0");
    assert.equal(await carol.line(), "CHG 4 NLN 0");
    alice.send("CHG 4 NLN 0");
    assert.equal(await alice.line(), "CHG 4 NLN 0");

    alice.send("ADD 5 FL carol@example.com Carol 1");
    assert.equal(await alice.line(), "ADD 5 FL 15 carol@example.com Carol 1");
    assert.equal(await alice.line(), "ILN 5 NLN carol@example.com carol%40example.com 0");
    assert.equal(await carol.line(), "ADD 0 RL 2 alice@example.com Alice%20A");
    const steps: [string, string][] = [
      ["ADD 6 FL carol@example.com Carol 1", "215 6"],
      ["ADD 7 FL carol@example.com Carol 0", "ADD 7 FL 16 carol@example.com Carol 0"],
      ["ADD 8 FL nobody@example.com X", "205 8"],
      ["ADD 9 FL bob@example.com Bob 5", "224 9"],
      ["ADD 10 XL bob@example.com Bob", "201 10"],
      ["REM 11 FL carol@example.com 1", "REM 11 FL 17 carol@example.com 1"],
      ["REM 12 FL carol@example.com 1", "225 12"],
      ["REM 13 FL carol@example.com", "REM 13 FL 18 carol@example.com"],
      ["REM 14 AL carol@example.com", "216 14"],
      ["ADG 15 New%20Group 0", "ADG 15 19 New%20Group 2 0"],
      ["REG 16 2 Renamed 0", "REG 16 20 2 Renamed 0"],
      [`ADG 17 ${"x".repeat(62)} 0`, "229 17"],
      ["RMG 18 0", "230 18"],
      ["RMG 19 9", "224 19"],
      ["RMG 20 2", "RMG 20 21 2"],
      ["GTC 21 N", "GTC 21 22 N"],
      ["GTC 22 N", "218 22"],
      ["PRP 23 PHW 555%201234", "PRP 23 23 PHW 555%201234"],
      ["PRP 24 PHH", "PRP 24 24 PHH"],
      ["PRP 25 XYZ 1", "715 25"],
      ["REA 26 bob@example.com Bobby", "REA 26 25 bob@example.com Bobby"],
      ["REA 27 nobody@example.com X", "216 27"],
      ["SYN 28 25", "SYN 28 25"],
      ["FOO 29", "200 29"],
    ];
    for (const [send, expect] of steps) {
      alice.send(send);
      assert.equal(await alice.line(), expect, send);
    }
    assert.equal(await carol.line(), "REM 0 RL 3 alice@example.com");
    alice.send("SYN 30 0");
    assert.deepEqual(await alice.lines(6), [
      "SYN 30 25 2 2",
      "GTC N",
      "BLP AL",
      "PRP PHW 555%201234",
      "PRP MOB Y",
      "LSG 0 Other%20Contacts 0",
    ]);
    assert.deepEqual(await alice.lines(4), [
      "LSG 1 Friends%20%26%20Co 0",
      "LST bob@example.com Bobby 11 1",
      "BPR PHH 1%20(222)%20333%204444",
      "LST eve@example.com eve%40example.com 4",
    ]);
    // Adding to RL is not the client's business: the server hangs up.
    alice.send("ADD 31 RL carol@example.com Carol");
    await alice.closed();
    carol.end();
  });
});

test("loopback server checks CHL answers: QRY on the right one, 540 and close on a wrong one", async () => {
  await withServer({ dispatch: false }, async (server) => {
    const alice = await signIn(server, "alice@example.com");
    assert.equal(
      server.challenge("alice@example.com", "15570131571988941333"),
      "15570131571988941333",
    );
    assert.equal(await alice.line(), "CHL 0 15570131571988941333");
    const answer = challengeAnswer("15570131571988941333", MSMSGS_PRODUCT.key);
    assert.equal(answer, "8f2f5a91b72102cd28355e9fc9000d6e");
    alice.socket.write(`QRY 5 ${MSMSGS_PRODUCT.id} 32\r\n${answer}`);
    assert.equal(await alice.line(), "QRY 5");
    const challenge = server.challenge("alice@example.com");
    assert.match(challenge, /^\d{20}$/);
    assert.equal(await alice.line(), `CHL 0 ${challenge}`);
    alice.socket.write(`QRY 6 ${MSMSGS_PRODUCT.id} 32\r\n${answer}`);
    assert.equal(await alice.line(), "540 6");
    await alice.closed();
  });
});

test("loopback server sends CHL challengeIntervalMs after the first CHG, then repeatedly", async () => {
  await withServer({ dispatch: false, challengeIntervalMs: 25 }, async (server) => {
    const bob = await signIn(server, "bob@example.com");
    bob.send("PNG");
    assert.equal(await bob.line(), "QNG 50"); // no CHL before the first CHG
    bob.send("CHG 5 NLN 0");
    assert.equal(await bob.line(), "CHG 5 NLN 0");
    const chl = /^CHL 0 (\d{20})$/.exec(await bob.line());
    assert.ok(chl);
    const answer = challengeAnswer(chl[1], MSMSGS_PRODUCT.key);
    bob.socket.write(`QRY 6 ${MSMSGS_PRODUCT.id} 32\r\n${answer}`);
    // Later challenges may arrive before the reply on a slow machine.
    let reply = await bob.line();
    let later = 0;
    while (reply !== "QRY 6") {
      assert.match(reply, /^CHL 0 \d{20}$/);
      later++;
      reply = await bob.line();
    }
    if (later === 0) assert.match(await bob.line(), /^CHL 0 \d{20}$/);
    bob.end();
  });
});

test("loopback server survives garbage on every listener", async () => {
  await withServer({}, async (server) => {
    const garbage = [
      "\x00\xff\xfe garbage\r\n",
      "MSG 1 A 99999999\r\n",
      "QRY 1 x notanumber\r\n",
      "VER 1 " + "A".repeat(20000) + "\r\n",
    ];
    for (
      const address of [
        server.dispatchAddress,
        server.notificationAddress,
        server.switchboardAddress,
      ]
    ) {
      for (const text of garbage) {
        const wire = await Wire.open(address);
        wire.socket.write(text);
        await wire.closed();
      }
    }
    const response = await fetch(`${server.nexusUrl.replace("/rdr/pprdr.asp", "")}/nope`);
    await response.body?.cancel();
    assert.equal(response.status, 404);
    const bob = await signIn(server, "bob@example.com");
    await bob.quiet();
    bob.end();
  });
});

test("loopback server answers PNG with QNG seconds in MSNP9 and bare QNG in MSNP8", async () => {
  await withServer({ dispatch: false, qngSeconds: 42 }, async (server) => {
    const alice = await signIn(server, "alice@example.com", "MSNP9");
    const bob = await signIn(server, "bob@example.com", "MSNP8");
    alice.send("PNG");
    bob.send("PNG");
    assert.equal(await alice.line(), "QNG 42");
    assert.equal(await bob.line(), "QNG");
    alice.end();
    bob.end();
  });
});

test("loopback server signs out the older session of a duplicate login with OUT OTH", async () => {
  await withServer({ dispatch: false }, async (server) => {
    const bob = await signIn(server, "bob@example.com");
    bob.send("CHG 5 NLN 0");
    await bob.line();
    const first = await signIn(server, "alice@example.com");
    first.send("CHG 5 NLN 0");
    assert.equal(await first.line(), "CHG 5 NLN 0");
    assert.equal(await first.line(), "ILN 5 NLN bob@example.com Bob%20B 0");
    assert.equal(await bob.line(), "NLN NLN alice@example.com Alice%20A 0");
    const second = await signIn(server, "alice@example.com");
    assert.equal(await first.line(), "OUT OTH");
    await first.closed();
    assert.equal(await bob.line(), "FLN alice@example.com");
    assert.deepEqual(server.onlineAccounts(), ["bob@example.com", "alice@example.com"]);
    second.end();
    bob.end();
  });
});

test("loopback server hooks: kick, dropConnection, pause and sendRaw", async () => {
  await withServer({ dispatch: false }, async (server) => {
    const alice = await signIn(server, "alice@example.com");
    alice.send("CHG 5 NLN 0");
    await alice.line();
    const bob = await signIn(server, "bob@example.com");
    bob.send("CHG 5 NLN 0");
    await bob.lines(2);
    assert.equal(await alice.line(), "NLN NLN bob@example.com Bob%20B 0");

    server.sendRaw("alice@example.com", "NOT 0\r\n");
    assert.equal(await alice.line(), "NOT 0");
    server.kick("bob@example.com", "SSD");
    assert.equal(await bob.line(), "OUT SSD");
    await bob.closed();
    assert.equal(await alice.line(), "FLN bob@example.com");

    const bob2 = await signIn(server, "bob@example.com");
    bob2.send("CHG 5 NLN 0");
    await bob2.lines(2);
    assert.equal(await alice.line(), "NLN NLN bob@example.com Bob%20B 0");
    server.dropConnection("bob@example.com");
    await bob2.closed();
    assert.equal(await alice.line(), "FLN bob@example.com");

    server.pause("alice@example.com");
    alice.send("PNG");
    await assert.rejects(alice.line(300), /timed out/);
    assert.throws(
      () => server.kick("bob@example.com", "OTH"),
      (e) => e instanceof LoopbackServerError && e.code === "not-online",
    );
    alice.end();
  });
});

test("loopback switchboard: XFR SB, USR, CAL rings, ANS joins, MSG relays, OUT says BYE", async () => {
  await withServer({ dispatch: false }, async (server) => {
    const alice = await signIn(server, "alice@example.com");
    alice.send("CHG 5 NLN 0");
    await alice.line();
    const bob = await signIn(server, "bob@example.com");
    bob.send("CHG 5 NLN 0");
    await bob.lines(2);
    await alice.line();

    alice.send("XFR 6 SB");
    const xfr = /^XFR 6 SB 127\.0\.0\.1:(\d+) CKI (\S+)$/.exec(await alice.line());
    assert.ok(xfr);
    assert.equal(Number(xfr[1]), server.switchboardAddress.port);
    const asb = await Wire.open(server.switchboardAddress);
    asb.send(`USR 1 alice@example.com ${xfr[2]}`);
    assert.equal(await asb.line(), "USR 1 OK alice@example.com Alice%20A");
    asb.send("CAL 2 carol@example.com");
    assert.equal(await asb.line(), "217 2");
    asb.send("CAL 3 bob@example.com");
    const ringing = /^CAL 3 RINGING (\d+)$/.exec(await asb.line());
    assert.ok(ringing);
    const rng = /^RNG (\d+) 127\.0\.0\.1:(\d+) CKI (\S+) alice@example\.com Alice%20A$/.exec(
      await bob.line(),
    );
    assert.ok(rng);
    assert.equal(rng[1], ringing[1]);

    const bsb = await Wire.open(server.switchboardAddress);
    bsb.send(`ANS 1 bob@example.com ${rng[3]} ${rng[1]}`);
    assert.deepEqual(await bsb.lines(2), [
      "IRO 1 1 1 alice@example.com Alice%20A",
      "ANS 1 OK",
    ]);
    assert.equal(await asb.line(), "JOI bob@example.com Bob%20B");

    const text = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nHi é";
    const bytes = new TextEncoder().encode(text);
    asb.socket.write(`MSG 4 A ${bytes.length}\r\n${text}`);
    assert.equal(await asb.line(), "ACK 4");
    assert.equal(await bsb.line(), `MSG alice@example.com Alice%20A ${bytes.length}`);
    assert.equal(decodeUtf8(bsb.payload as Uint8Array), text);

    bsb.send("OUT");
    await bsb.closed();
    assert.equal(await asb.line(), "BYE bob@example.com");
    // Alone: like revival servers, the message is ACKed and lost.
    asb.socket.write(`MSG 5 A ${bytes.length}\r\n${text}`);
    assert.equal(await asb.line(), "ACK 5");
    asb.send(`USR 6 alice@example.com ${xfr[2]}`);
    assert.equal(await asb.line(), "200 6");
    asb.end();
    alice.end();
    bob.end();
  });
});

test("loopback server rings from a virtual inviter with ringFrom", async () => {
  await withServer({ dispatch: false }, async (server) => {
    const bob = await signIn(server, "bob@example.com");
    const id = server.ringFrom("carol@example.com", "bob@example.com");
    const rng = /^RNG (\d+) 127\.0\.0\.1:\d+ CKI (\S+) carol@example\.com carol%40example\.com$/
      .exec(await bob.line());
    assert.ok(rng);
    assert.equal(rng[1], id);
    const sb = await Wire.open(server.switchboardAddress);
    sb.send(`ANS 7 bob@example.com ${rng[2]} ${id}`);
    assert.deepEqual(await sb.lines(2), [
      "IRO 7 1 1 carol@example.com carol%40example.com",
      "ANS 7 OK",
    ]);
    sb.send(`ANS 8 bob@example.com ${rng[2]} ${id}`);
    assert.equal(await sb.line(), "200 8");
    sb.end();
    bob.end();
  });
});

test("loopback server closes a connection on a malformed line and keeps serving", async () => {
  await withServer({ dispatch: false }, async (server) => {
    const bad = await Wire.open(server.notificationAddress);
    bad.send("VER x MSNP9");
    await bad.closed();
    const bad2 = await signIn(server, "bob@example.com");
    bad2.send("lowercase 1");
    await bad2.closed();
    assert.deepEqual(server.onlineAccounts(), []);
    const good = await signIn(server, "bob@example.com");
    await good.quiet();
    good.end();
  });
});

test("loopback server close() ends open connections and refuses hooks afterwards", async () => {
  const server = await startLoopbackServer({ accounts: [ALICE, BOB] });
  const alice = await signIn(server, "alice@example.com");
  const idle = await Wire.open(server.dispatchAddress);
  await server.close();
  await alice.closed();
  await idle.closed();
  await server.close();
  assert.throws(
    () => server.issueTicket("alice@example.com"),
    (e) => e instanceof LoopbackServerError && e.code === "closed",
  );
  await assert.rejects(
    startLoopbackServer({ accounts: [ALICE, { ...ALICE }] }),
    (e) => e instanceof LoopbackServerError && e.code === "invalid-options",
  );
});
