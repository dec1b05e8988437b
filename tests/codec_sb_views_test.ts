import { test } from "node:test";
import assert from "node:assert/strict";
import {
  commandRule,
  COMMANDS,
  DecodeError,
  describeErrorCode,
  parseServerCommand,
  parseSwitchboardCommand,
  type SwitchboardServerMessage,
} from "../codec/mod.ts";
import { hasPayload, hasTrid, secretArgIndexes } from "../codec/command.ts";
import { bytes, chunkings, decodeChunks } from "./_helpers.ts";

/** Decodes `stream` at every chunking and reads each command as a switchboard view. */
function assertViews(stream: string | Uint8Array, expected: SwitchboardServerMessage[]): void {
  const data = typeof stream === "string" ? bytes(stream) : stream;
  for (const { label, chunks } of chunkings(data)) {
    const views = decodeChunks(chunks).map((c) => {
      assert.ok(!("error" in c), `${label}: ${JSON.stringify(c)}`);
      return parseSwitchboardCommand(c as Parameters<typeof parseSwitchboardCommand>[0]);
    });
    assert.deepStrictEqual(views, expected, label);
  }
}

test("every switchboard server view decodes at every byte split", () => {
  const typing = "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\n" +
    "TypingUser: bob@passport.com\r\n\r\n\r\n";
  assertViews(
    "USR 1 OK alice@passport.com Alice%20A\r\n" +
      "CAL 2 RINGING 17342299\r\n" +
      "JOI bob@passport.com Bob\r\n" +
      "IRO 1 1 2 bob@passport.com Bob\r\n" +
      "IRO 1 2 2 carol@passport.com Carol%20C\r\n" +
      "ANS 1 OK\r\n" +
      "BYE bob@passport.com\r\n" +
      "BYE carol@passport.com 1\r\n" +
      "ACK 3\r\n" +
      "NAK 4\r\n" +
      `MSG bob@passport.com Bob%20%F0%9F%91%8B 89\r\n${typing}` +
      "217 5\r\n" +
      "OUT\r\n" +
      "XYZ 1 2\r\n",
    [
      { type: "USR_OK", trid: 1, passport: "alice@passport.com", friendlyName: "Alice A" },
      { type: "CAL", trid: 2, status: "RINGING", sessionId: "17342299" },
      { type: "JOI", passport: "bob@passport.com", friendlyName: "Bob" },
      {
        type: "IRO",
        trid: 1,
        index: 1,
        total: 2,
        passport: "bob@passport.com",
        friendlyName: "Bob",
      },
      {
        type: "IRO",
        trid: 1,
        index: 2,
        total: 2,
        passport: "carol@passport.com",
        friendlyName: "Carol C",
      },
      { type: "ANS_OK", trid: 1 },
      { type: "BYE", passport: "bob@passport.com", timedOut: false },
      { type: "BYE", passport: "carol@passport.com", timedOut: true },
      { type: "ACK", trid: 3 },
      { type: "NAK", trid: 4 },
      {
        type: "MSG",
        sender: "bob@passport.com",
        senderName: "Bob 👋",
        payload: bytes(typing),
      },
      {
        type: "error",
        trid: 5,
        code: 217,
        name: "USER_OFFLINE",
        meaning: describeErrorCode(217).meaning,
      },
      { type: "OUT" },
      { type: "unknown", command: { name: "XYZ", trid: null, args: ["1", "2"] } },
    ],
  );
});

test("switchboard views refuse known commands with missing arguments, non-fatally", () => {
  for (
    const c of [
      { name: "IRO", trid: 1, args: ["1", "2", "bob@x.com"] },
      { name: "IRO", trid: 1, args: ["x", "2", "bob@x.com", "Bob"] },
      { name: "CAL", trid: 1, args: ["RINGING"] },
      { name: "JOI", trid: null, args: [] },
      { name: "BYE", trid: null, args: [] },
      { name: "MSG", trid: null, args: ["bob@x.com", "2"] },
    ]
  ) {
    assert.throws(
      () => parseSwitchboardCommand(c),
      (e) => e instanceof DecodeError && e.code === "invalid-arguments" && !e.fatal,
      c.name,
    );
  }
});

test("USR OK reads as the switchboard form on a switchboard and the NS form on the NS", () => {
  const usr = { name: "USR", trid: 1, args: ["OK", "a@b.c", "A", "1", "0"] };
  assert.deepStrictEqual(parseSwitchboardCommand(usr), {
    type: "USR_OK",
    trid: 1,
    passport: "a@b.c",
    friendlyName: "A",
  });
  assert.deepStrictEqual(parseServerCommand(usr), {
    type: "USR_OK",
    trid: 1,
    passport: "a@b.c",
    friendlyName: "A",
    verified: true,
    restricted: false,
  });
  // The switchboard-only names read the same through either entry.
  const joi = { name: "JOI", trid: null, args: ["b@c.d", "B"] };
  assert.deepStrictEqual(parseServerCommand(joi), parseSwitchboardCommand(joi));
});

test("the command table answers TrID and payload rules per connection kind", () => {
  assert.equal(COMMANDS.sb.server.CAL.syntax, "CAL t RINGING session-id");
  assert.equal(commandRule("JOI", "server", "sb")?.trid, "no");
  assert.equal(commandRule("JOI", "server", "ns"), undefined);
  assert.equal(commandRule("JOI", "server")?.trid, "no");
  assert.equal(hasTrid("IRO", "server"), true);
  assert.equal(hasTrid("BYE", "server"), false);
  assert.equal(hasTrid("ACK", "server", undefined, "sb"), true);
  assert.equal(hasTrid("ACK", "server", undefined, "ns"), undefined);
  assert.equal(hasTrid("OUT", "client"), false);
  assert.equal(hasTrid("CAL", "client"), true);
  assert.equal(hasTrid("911", "server"), true);
  assert.equal(hasTrid("BLP", "server", "AL"), false);
  assert.equal(hasTrid("BLP", "server", "12"), true);
  assert.equal(hasPayload("MSG", "server", "sb"), true);
  assert.equal(hasPayload("MSG", "client", "sb"), true);
  assert.equal(hasPayload("NOT", "server", "sb"), false);
  assert.equal(hasPayload("NOT", "server"), true);
  assert.equal(COMMANDS.sb.client.MSG.maxPayloadBytes, 1664);
  // Every row's syntax names its command, so the table reads as documentation.
  for (const kind of ["ns", "sb"] as const) {
    for (const from of ["server", "client"] as const) {
      for (const [name, rule] of Object.entries(COMMANDS[kind][from])) {
        assert.ok(rule.syntax.startsWith(name), `${kind} ${from} ${name}`);
      }
    }
  }
});

test("secretArgIndexes marks tickets and cookies, and nothing else", () => {
  const cases: [string, "server" | "client", string[], number[], ("ns" | "sb")?][] = [
    ["USR", "client", ["TWN", "S", "t=ticket&p=x"], [2]],
    ["USR", "client", ["MD5", "S", "0123abcd"], [2]],
    ["USR", "client", ["TWN", "I", "me@x.com"], []],
    ["USR", "client", ["me@x.com", "17262740.1050826919.32308"], [1]],
    ["USR", "client", ["me@x.com", "cookie"], [1], "sb"],
    ["USR", "client", ["me@x.com", "cookie"], [], "ns"],
    ["ANS", "client", ["me@x.com", "cookie", "17342299"], [1]],
    ["CAL", "client", ["bob@x.com"], []],
    ["XFR", "server", ["SB", "1.2.3.4:1864", "CKI", "cookie"], [3]],
    ["XFR", "server", ["NS", "1.2.3.4:1863", "0", "5.6.7.8:1863"], []],
    ["RNG", "server", ["17342299", "1.2.3.4:1864", "CKI", "cookie", "bob@x.com", "Bob"], [3]],
    ["RNG", "server", ["17342299", "1.2.3.4:1864", "CKI"], []],
    ["USR", "server", ["OK", "me@x.com", "Me"], []],
    ["MSG", "client", ["A", "12"], []],
  ];
  for (const [name, from, args, want, kind] of cases) {
    assert.deepStrictEqual(secretArgIndexes(name, from, args, kind), want, `${name} ${args}`);
  }
});
