// Every example exchange in the seeds and PROTOCOL.md decodes to the expected
// commands, at every split, and re-encodes to the same bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Command, type Direction, encodeCommand, parseServerCommand } from "../codec/mod.ts";
import { assertDecodes, bytes, cmd, concat, decodeChunks, pcmd } from "./_helpers.ts";
import {
  SEED_DISPATCH,
  SEED_NOTIFICATION,
  SEED_PROFILE,
  type SeedLine,
} from "./fixtures/seed_msnp8.ts";

function stream(lines: SeedLine[], from: Direction): Uint8Array {
  return concat(lines.filter((l) => l.from === from).map((l) => bytes(l.text)));
}

function assertRoundTrip(data: Uint8Array, from: Direction): Command[] {
  const commands = decodeChunks([data], { from }) as Command[];
  for (const c of commands) assert.ok(!("error" in c), JSON.stringify(c));
  const again = concat(commands.map((c) => encodeCommand(c, { from })));
  assert.deepStrictEqual(again, data);
  return commands;
}

test("seed profile reconstruction is exactly 448 bytes", () => {
  assert.equal(bytes(SEED_PROFILE).length, 448);
});

test("seed MSNP8 example: dispatch connection decodes and re-encodes exactly", () => {
  const server = stream(SEED_DISPATCH, "server");
  const client = stream(SEED_DISPATCH, "client");
  assertDecodes(server, [
    cmd("VER", 1, "MSNP8"),
    cmd(
      "CVR",
      2,
      "5.0.0537",
      "5.0.0537",
      "1.0.0863",
      "http://download.microsoft.com/download/msnmessenger/install/5.0/w98nt42kmexp/en-us/setupdl.exe",
      "http://messenger.microsoft.com",
    ),
    cmd("XFR", 3, "NS", "10.0.0.5:1863", "0", "10.0.0.1:1863"),
  ]);
  assertDecodes(client, [
    cmd("VER", 1, "MSNP8", "CVR0"),
    cmd(
      "CVR",
      2,
      "0x0409",
      "win",
      "4.10",
      "i386",
      "MSNMSGR",
      "5.0.0537",
      "MSMSGS",
      "example@hotmail.com",
    ),
    cmd("USR", 3, "TWN", "I", "example@hotmail.com"),
  ], { from: "client" });
  assertRoundTrip(server, "server");
  assertRoundTrip(client, "client");
});

test("seed MSNP8 example: notification connection decodes at every split and re-encodes exactly", () => {
  const server = stream(SEED_NOTIFICATION, "server");
  const client = stream(SEED_NOTIFICATION, "client");
  const commands = assertRoundTrip(server, "server");
  assertDecodes(server, commands);
  assert.deepStrictEqual(
    commands.map((c) => `${c.name} ${c.trid}`),
    [
      "VER 4",
      "CVR 5",
      "USR 6",
      "USR 7",
      "MSG null",
      "SYN 8",
      "GTC null",
      "BLP null",
      "PRP null",
      "LSG null",
      "LST null",
      "BPR null",
      "CHG 9",
      "ILN 9",
      "NLN null",
      "NLN null",
      "OUT null",
    ],
  );
  assert.deepStrictEqual(commands[4], pcmd("MSG", null, ["Hotmail", "Hotmail"], SEED_PROFILE));
  assertDecodes(client, assertRoundTrip(client, "client"), { from: "client" });
});

test("seed MSNP8 example: typed views read every server command", () => {
  const views = (decodeChunks([stream(SEED_NOTIFICATION, "server")]) as Command[]).map(
    parseServerCommand,
  );
  assert.deepStrictEqual(views[2], {
    type: "USR_TWN_S",
    trid: 6,
    challenge: "passport=parameters,neat=huh,lc=1033,id=507",
  });
  assert.deepStrictEqual(views[3], {
    type: "USR_OK",
    trid: 7,
    passport: "example@hotmail.com",
    friendlyName: "example user",
    verified: true,
    restricted: false,
  });
  assert.deepStrictEqual(views.slice(5, 12), [
    { type: "SYN", trid: 8, version: 15, contactCount: 1, groupCount: 1 },
    { type: "GTC", trid: null, version: undefined, mode: "A" },
    { type: "BLP", trid: null, version: undefined, mode: "AL" },
    { type: "PRP", trid: null, property: "PHH", value: "123 (4567)" },
    { type: "LSG", groupId: 0, name: "Other Contacts" },
    {
      type: "LST",
      passport: "anotheruser@hotmail.com",
      friendlyName: "another user",
      lists: 11,
      groupIds: [0],
    },
    { type: "BPR", property: "PHH", value: "1 (222) 333 4444" },
  ]);
  assert.deepStrictEqual(views[13], {
    type: "ILN",
    trid: 9,
    status: "NLN",
    passport: "anotheruser@hotmail.com",
    friendlyName: "another user",
    clientId: 28,
  });
  assert.deepStrictEqual(views[16], { type: "OUT" });
});

test("PROTOCOL.md 10.G switchboard example decodes and re-encodes exactly (lengths 89 and 143)", () => {
  const typing =
    "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\nTypingUser: bob@passport.com\r\n\r\n\r\n";
  const hello = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n" +
    "X-MMS-IM-Format: FN=Lucida%20Sans%20Unicode; EF=B; CO=ff0000; CS=0; PF=22\r\n\r\nHello.";
  const server = "RNG 17342299 207.46.108.78:1863 CKI 1056411141.26158 bob@passport.com Bob\r\n" +
    "IRO 1 1 2 bob@passport.com Bob\r\nIRO 1 2 2 carol@passport.com Carol\r\nANS 1 OK\r\n" +
    `MSG bob@passport.com Bob 89\r\n${typing}MSG bob@passport.com Bob 143\r\n${hello}`;
  const expected = [
    cmd(
      "RNG",
      null,
      "17342299",
      "207.46.108.78:1863",
      "CKI",
      "1056411141.26158",
      "bob@passport.com",
      "Bob",
    ),
    cmd("IRO", 1, "1", "2", "bob@passport.com", "Bob"),
    cmd("IRO", 1, "2", "2", "carol@passport.com", "Carol"),
    cmd("ANS", 1, "OK"),
    pcmd("MSG", null, ["bob@passport.com", "Bob"], typing),
    pcmd("MSG", null, ["bob@passport.com", "Bob"], hello),
  ];
  assert.equal(bytes(typing).length, 89);
  assert.equal(bytes(hello).length, 143);
  assertDecodes(server, expected);
  assertRoundTrip(bytes(server), "server");
  assertDecodes("ANS 1 alice@passport.com 1056411141.26158 17342299\r\n", [
    cmd("ANS", 1, "alice@passport.com", "1056411141.26158", "17342299"),
  ], { from: "client" });
  const views = expected.map(parseServerCommand);
  assert.deepStrictEqual(views[0], {
    type: "RNG",
    sessionId: "17342299",
    address: { host: "207.46.108.78", port: 1863 },
    authType: "CKI",
    cookie: "1056411141.26158",
    passport: "bob@passport.com",
    friendlyName: "Bob",
  });
  assert.deepStrictEqual(views[2], {
    type: "IRO",
    trid: 1,
    index: 2,
    total: 2,
    passport: "carol@passport.com",
    friendlyName: "Carol",
  });
  assert.deepStrictEqual(views[3], { type: "ANS_OK", trid: 1 });
});

test("PROTOCOL.md 10.I MSNP9 samples: up-to-date SYN, QNG with seconds, presence with MSNObject", () => {
  const msnobj =
    '<msnobj Creator="a@b.c" Size="1" Type="3" Location="0" Friendly="AAA=" SHA1D="x" SHA1C="y"/>';
  const enc = encodeURIComponent(msnobj);
  const server =
    `SYN 8 15\r\nQNG 60\r\nILN 9 NLN a@b.c A 268435500 ${enc}\r\nNLN AWY a@b.c A 268435500 ${enc}\r\n` +
    "CHG 10 BSY 268435500\r\n";
  const commands = assertRoundTrip(bytes(server), "server");
  assertDecodes(server, commands);
  assert.deepStrictEqual(commands.map(parseServerCommand), [
    { type: "SYN", trid: 8, version: 15 },
    { type: "QNG", seconds: 60 },
    {
      type: "ILN",
      trid: 9,
      status: "NLN",
      passport: "a@b.c",
      friendlyName: "A",
      clientId: 268435500,
      msnObject: msnobj,
    },
    {
      type: "NLN",
      status: "AWY",
      passport: "a@b.c",
      friendlyName: "A",
      clientId: 268435500,
      msnObject: msnobj,
    },
    { type: "CHG", trid: 10, status: "BSY", clientId: 268435500 },
  ]);
  assertRoundTrip(
    bytes(`VER 1 MSNP9 MSNP8 CVR0\r\nSYN 8 15\r\nCHG 9 NLN 268435500 ${enc}\r\nPNG\r\n`),
    "client",
  );
});

test("PROTOCOL.md login examples: CHL/QRY, errors, USR OK, OUT OTH", () => {
  const server =
    "CHL 0 15570131571988941333\r\nQRY 10\r\n911 3\r\nOUT OTH\r\nOUT SSD\r\nXFR 0 NS 0\r\n" +
    "USR 4 OK me@x.com Me 1 0\r\nVER 1 0\r\n";
  const commands = assertRoundTrip(bytes(server), "server");
  assert.deepStrictEqual(commands.map(parseServerCommand), [
    { type: "CHL", trid: 0, challenge: "15570131571988941333" },
    { type: "QRY", trid: 10 },
    {
      type: "error",
      trid: 3,
      code: 911,
      name: "AUTHENTICATION_FAILED",
      meaning: "Authentication failed",
    },
    { type: "OUT", reason: "OTH" },
    { type: "OUT", reason: "SSD" },
    { type: "XFR_NS", trid: 0 },
    {
      type: "USR_OK",
      trid: 4,
      passport: "me@x.com",
      friendlyName: "Me",
      verified: true,
      restricted: false,
    },
    { type: "VER", trid: 1, versions: ["0"] },
  ]);
  assertDecodes(server, commands);
});

test("list management replies decode into typed views", () => {
  const server =
    "ADD 11 FL 16 bob@x.com Bob%20B 2\r\nADD 0 RL 17 eve@x.com Eve\r\nREM 12 AL 18 bob@x.com\r\n" +
    "ADG 13 19 Work%20Mates 3 0\r\nRMG 14 20 3\r\nREG 15 21 3 Frère 0\r\nREA 16 22 me@x.com New%20Me\r\n" +
    "BLP 17 23 BL\r\nGTC 18 24 N\r\nPRP 19 25 PHH 555\r\nBPR 26 bob@x.com PHH 1%202\r\nXFR 20 SB 10.0.0.9:1863 CKI 17.42\r\n";
  const commands = assertRoundTrip(bytes(server), "server");
  assertDecodes(server, commands);
  assert.deepStrictEqual(commands.map(parseServerCommand), [
    {
      type: "ADD",
      trid: 11,
      list: "FL",
      version: 16,
      passport: "bob@x.com",
      friendlyName: "Bob B",
      groupId: 2,
    },
    { type: "ADD", trid: 0, list: "RL", version: 17, passport: "eve@x.com", friendlyName: "Eve" },
    { type: "REM", trid: 12, list: "AL", version: 18, passport: "bob@x.com" },
    { type: "ADG", trid: 13, version: 19, name: "Work Mates", groupId: 3 },
    { type: "RMG", trid: 14, version: 20, groupId: 3 },
    { type: "REG", trid: 15, version: 21, groupId: 3, name: "Frère" },
    { type: "REA", trid: 16, version: 22, passport: "me@x.com", friendlyName: "New Me" },
    { type: "BLP", trid: 17, version: 23, mode: "BL" },
    { type: "GTC", trid: 18, version: 24, mode: "N" },
    { type: "PRP", trid: 19, version: 25, property: "PHH", value: "555" },
    { type: "BPR", version: 26, passport: "bob@x.com", property: "PHH", value: "1 2" },
    {
      type: "XFR_SB",
      trid: 20,
      address: { host: "10.0.0.9", port: 1863 },
      authType: "CKI",
      cookie: "17.42",
    },
  ]);
});

test("typed views reject known commands with malformed arguments", () => {
  for (
    const c of [
      cmd("LST", null, "a@b.c"),
      cmd("ILN", 1, "XYZ", "a@b.c", "A", "0"),
      cmd("XFR", 1, "NS", "host"),
    ]
  ) {
    assert.throws(
      () => parseServerCommand(c),
      (e: unknown) => e instanceof Error && (e as { code?: string }).code === "invalid-arguments",
    );
  }
  assert.deepStrictEqual(parseServerCommand(cmd("ZZZ", null, "1")), {
    type: "unknown",
    command: cmd("ZZZ", null, "1"),
  });
});
