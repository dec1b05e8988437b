// Online traffic: challenges, keepalive timing, every list-management intent
// with its reply and its error reply, and server-initiated list changes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describeErrorCode } from "../codec/mod.ts";
import { replaySession, type TranscriptStep } from "../testing/mod.ts";
import { ACCOUNT, loginTo, sessionOptions } from "./_machine_helpers.ts";

/** Online with two groups and two contacts; the next TrID is 7. */
function onlineWithList(version: "MSNP8" | "MSNP9" = "MSNP8"): TranscriptStep[] {
  const offerClientId = "0";
  return [
    ...loginTo("syncing", version),
    {
      recv: "SYN 5 10 2 2\r\nGTC A\r\nBLP AL\r\nLSG 0 Other%20Contacts 0\r\nLSG 1 Friends 0\r\n" +
        "LST bob@example.com Bob 11 0,1\r\nLST carol@example.com Carol 3 1\r\n",
    },
    { send: `CHG 6 NLN ${offerClientId}\r\n` },
    { recv: `CHG 6 NLN ${offerClientId}\r\n` },
    { event: { type: "syncProgress", received: 0, total: 2 } },
    { event: { type: "syncProgress", received: 1, total: 2 } },
    { event: { type: "contactsSynced" } },
    { event: { type: "statusChanged" } },
    { event: { type: "requestCompleted", requestId: 6 } },
  ];
}

test("CHL is answered with the exact QRY bytes, and the QRY reply is silent", () => {
  replaySession([
    ...loginTo("online"),
    { recv: "CHL 0 15570131571988941333\r\n" },
    { send: "QRY 7 msmsgs@msnmsgr.com 32\r\n8f2f5a91b72102cd28355e9fc9000d6e" },
    { recv: "QRY 7\r\n" },
    { call: { method: "addGroup", args: ["G"] } },
    { send: "ADG 8 G 0\r\n" },
  ], { session: sessionOptions() });
});

test("a 540 for the QRY answer is a fatal server-error", () => {
  const { session } = replaySession([
    ...loginTo("online"),
    { recv: "CHL 0 15570131571988941333\r\n" },
    { send: "QRY 7 msmsgs@msnmsgr.com 32\r\n8f2f5a91b72102cd28355e9fc9000d6e" },
    { recv: "540 7\r\n" },
    { close: "client" },
    {
      event: {
        type: "signedOut",
        reason: "error",
        error: {
          code: "server-error",
          serverCode: 540,
          serverName: "CHALLENGE_FAILED",
          phase: "online",
        },
      },
    },
  ], { session: sessionOptions() });
  assert.equal(session.phase, "failed");
});

test("a QRY the server never answers does not surface as a failed request", () => {
  // The application never asked for the QRY, so its timeout is not its business.
  replaySession([
    ...loginTo("online"),
    { recv: "CHL 0 15570131571988941333\r\n" },
    { send: "QRY 7 msmsgs@msnmsgr.com 32\r\n8f2f5a91b72102cd28355e9fc9000d6e" },
    { time: 30_000 },
    { time: 40_000 },
  ], { session: sessionOptions() });
});

test("PNG is sent at the ping interval, MSNP9 QNG 50 schedules the next 50 s later, no QNG is a timeout", () => {
  for (const chunkSize of [undefined, 1]) {
    const { session } = replaySession([
      ...loginTo("online", "MSNP9"),
      { time: 44_999 },
      { time: 45_000 },
      { send: "PNG\r\n" },
      { time: 46_000 },
      { recv: "QNG 50\r\n" },
      { time: 95_999 },
      { time: 96_000 },
      { send: "PNG\r\n" },
      { time: 96_000 + 29_999 },
      { time: 96_000 + 30_000 },
      { close: "client" },
      {
        event: {
          type: "signedOut",
          reason: "error",
          error: { code: "timeout", phase: "online" },
        },
      },
    ], { session: sessionOptions({ protocols: ["MSNP9", "MSNP8"] }), chunkSize });
    assert.equal(session.error?.code, "timeout");
  }
});

test("MSNP8 QNG without seconds schedules the next PNG one ping interval later", () => {
  replaySession([
    ...loginTo("online"),
    { time: 10_000 },
    { send: "PNG\r\n" },
    { time: 12_000 },
    { recv: "QNG\r\n" },
    { time: 21_999 },
    { time: 22_000 },
    { send: "PNG\r\n" },
  ], { session: sessionOptions({ timeouts: { pingInterval: 10_000 } }) });
});

test("QNG 0 is clamped so the session pings at most every 5 s", () => {
  replaySession([
    ...loginTo("online", "MSNP9"),
    { time: 45_000 },
    { send: "PNG\r\n" },
    { recv: "QNG 0\r\n" },
    { time: 49_999 },
    { time: 50_000 },
    { send: "PNG\r\n" },
  ], { session: sessionOptions({ protocols: ["MSNP9", "MSNP8"] }) });
});

test("no PNG is sent after OUT, even when a ping falls due while signing out", () => {
  replaySession([
    ...loginTo("online"),
    { time: 44_000 },
    { call: { method: "signOut" } },
    { send: "OUT\r\n" },
    { time: 45_000 },
    { time: 48_999 },
    { time: 49_000 },
    { close: "client" },
    { event: { type: "signedOut", reason: "client" } },
  ], { session: sessionOptions() });
});

interface IntentCase {
  name: string;
  call: { method: string; args?: unknown[] };
  send: string;
  reply: string;
  events: Record<string, unknown>[];
  errorCode: number;
}

const INTENTS: IntentCase[] = [
  {
    name: "addContact FL with group",
    call: {
      method: "addContact",
      args: ["New@Example.com", { friendlyName: "New One", groupId: 1 }],
    },
    send: "ADD 7 FL New@Example.com New%20One 1\r\n",
    reply: "ADD 7 FL 11 New@Example.com New%20One 1\r\n",
    events: [{
      type: "listChanged",
      version: 11,
      change: { kind: "contactAdded", passport: "New@Example.com", list: "FL", groupId: 1 },
    }],
    errorCode: 215,
  },
  {
    name: "addContact AL",
    call: { method: "addContact", args: ["carol@example.com", { list: "AL" }] },
    send: "ADD 7 AL carol@example.com carol%40example.com\r\n",
    reply: "ADD 7 AL 11 carol@example.com carol@example.com\r\n",
    events: [{ type: "listChanged", change: { kind: "contactAdded", list: "AL" } }],
    errorCode: 219,
  },
  {
    name: "addContact BL",
    call: { method: "addContact", args: ["bob@example.com", { list: "BL" }] },
    send: "ADD 7 BL bob@example.com bob%40example.com\r\n",
    reply: "ADD 7 BL 11 bob@example.com bob@example.com\r\n",
    events: [{ type: "listChanged", change: { kind: "contactAdded", list: "BL" } }],
    errorCode: 219,
  },
  {
    name: "removeContact FL",
    call: { method: "removeContact", args: ["BOB@example.com"] },
    send: "REM 7 FL BOB@example.com\r\n",
    reply: "REM 7 FL 11 BOB@example.com\r\n",
    events: [{ type: "listChanged", change: { kind: "contactRemoved", list: "FL" } }],
    errorCode: 216,
  },
  {
    name: "removeContact from one group",
    call: { method: "removeContact", args: ["bob@example.com", { groupId: 1 }] },
    send: "REM 7 FL bob@example.com 1\r\n",
    reply: "REM 7 FL 11 bob@example.com 1\r\n",
    events: [{ type: "listChanged", change: { kind: "contactRemoved", list: "FL", groupId: 1 } }],
    errorCode: 225,
  },
  {
    name: "removeContact AL",
    call: { method: "removeContact", args: ["bob@example.com", { list: "AL" }] },
    send: "REM 7 AL bob@example.com\r\n",
    reply: "REM 7 AL 11 bob@example.com\r\n",
    events: [{ type: "listChanged", change: { kind: "contactRemoved", list: "AL" } }],
    errorCode: 216,
  },
  {
    name: "addGroup",
    call: { method: "addGroup", args: ["Work mates"] },
    send: "ADG 7 Work%20mates 0\r\n",
    reply: "ADG 7 11 Work%20mates 2 0\r\n",
    events: [{
      type: "listChanged",
      version: 11,
      change: { kind: "groupAdded", groupId: 2, name: "Work mates" },
    }],
    errorCode: 223,
  },
  {
    name: "removeGroup",
    call: { method: "removeGroup", args: [0] },
    send: "RMG 7 0\r\n",
    reply: "RMG 7 11 0\r\n",
    events: [{ type: "listChanged", change: { kind: "groupRemoved", groupId: 0 } }],
    errorCode: 230,
  },
  {
    name: "renameGroup",
    call: { method: "renameGroup", args: [1, "Pals"] },
    send: "REG 7 1 Pals 0\r\n",
    reply: "REG 7 11 1 Pals 0\r\n",
    events: [{ type: "listChanged", change: { kind: "groupRenamed", groupId: 1, name: "Pals" } }],
    errorCode: 224,
  },
  {
    name: "rename",
    call: { method: "rename", args: ["Me Again"] },
    send: `REA 7 ${ACCOUNT} Me%20Again\r\n`,
    reply: `REA 7 11 ${ACCOUNT} Me%20Again\r\n`,
    events: [{ type: "renamed", friendlyName: "Me Again" }],
    errorCode: 209,
  },
  {
    name: "renameContact",
    call: { method: "renameContact", args: ["bob@example.com", "Robert"] },
    send: "REA 7 bob@example.com Robert\r\n",
    reply: "REA 7 11 bob@example.com Robert\r\n",
    events: [{
      type: "listChanged",
      change: { kind: "contactRenamed", passport: "bob@example.com", friendlyName: "Robert" },
    }],
    errorCode: 216,
  },
  {
    name: "setPrivacy",
    call: { method: "setPrivacy", args: ["BL"] },
    send: "BLP 7 BL\r\n",
    reply: "BLP 7 11 BL\r\n",
    events: [{ type: "listChanged", change: { kind: "privacyChanged", privacy: "BL" } }],
    errorCode: 218,
  },
  {
    name: "setAddPrompt",
    call: { method: "setAddPrompt", args: ["N"] },
    send: "GTC 7 N\r\n",
    reply: "GTC 7 11 N\r\n",
    events: [{ type: "listChanged", change: { kind: "addPromptChanged", addPrompt: "N" } }],
    errorCode: 218,
  },
  {
    name: "setPhone",
    call: { method: "setPhone", args: ["PHM", "555 0100"] },
    send: "PRP 7 PHM 555%200100\r\n",
    reply: "PRP 7 11 PHM 555%200100\r\n",
    events: [{
      type: "listChanged",
      change: { kind: "phoneChanged", property: "PHM", value: "555 0100" },
    }],
    errorCode: 715,
  },
  {
    name: "setStatus",
    call: { method: "setStatus", args: ["AWY"] },
    send: "CHG 7 AWY 0\r\n",
    reply: "CHG 7 AWY 0\r\n",
    events: [{ type: "statusChanged", status: "AWY" }],
    errorCode: 201,
  },
  {
    name: "requestSwitchboard",
    call: { method: "requestSwitchboard" },
    send: "XFR 7 SB\r\n",
    reply: "XFR 7 SB 10.0.0.9:1863 CKI 17262740.1050826919.32308\r\n",
    events: [{
      type: "switchboard",
      requestId: 7,
      address: { host: "10.0.0.9", port: 1863 },
      cookie: "17262740.1050826919.32308",
    }],
    errorCode: 913,
  },
];

for (const c of INTENTS) {
  test(`${c.name} sends its command and reports the reply`, () => {
    const { session } = replaySession([
      ...onlineWithList(),
      { call: c.call },
      { send: c.send },
      { recv: c.reply },
      ...c.events.map((event) => ({ event })),
      { event: { type: "requestCompleted", requestId: 7 } },
    ], { session: sessionOptions() });
    assert.equal(session.phase, "online");
  });

  test(`${c.name} reports an error reply as requestFailed and stays online`, () => {
    const { name, meaning } = describeErrorCode(c.errorCode);
    const { session } = replaySession([
      ...onlineWithList(),
      { call: c.call },
      { send: c.send },
      { recv: `${c.errorCode} 7\r\n` },
      {
        event: {
          type: "requestFailed",
          requestId: 7,
          failure: { reason: "server-error", serverCode: c.errorCode, serverName: name, meaning },
        },
      },
    ], { session: sessionOptions() });
    assert.equal(session.phase, "online");
  });
}

test("a request with no reply fails with reason timeout at the request limit", () => {
  replaySession([
    ...loginTo("online"),
    { time: 1_000 },
    { call: { method: "addGroup", args: ["G"] } },
    { send: "ADG 7 G 0\r\n" },
    { time: 1_000 + 29_999 },
    { time: 1_000 + 30_000 },
    { event: { type: "requestFailed", requestId: 7, failure: { reason: "timeout" } } },
  ], { session: sessionOptions({ timeouts: { pingInterval: 1e9 } }) });
});

test("list-management replies update the session's contact list", () => {
  const run = (extra: TranscriptStep[]) =>
    replaySession([...onlineWithList(), ...extra], {
      session: sessionOptions(),
      strictEvents: false,
    }).session.contactList;
  const byName = (list: ReturnType<typeof run>, p: string) =>
    list.contacts.find((c) => c.passport.toLowerCase() === p);

  let list = run([{ recv: "REM 7 FL 11 BOB@example.com 1\r\n" }]);
  assert.deepEqual(byName(list, "bob@example.com")?.groupIds, [0]);
  assert.deepEqual(byName(list, "bob@example.com")?.lists, ["FL", "AL", "RL"]);

  list = run([{ recv: "REM 7 FL 11 bob@example.com\r\n" }]);
  assert.deepEqual(byName(list, "bob@example.com")?.lists, ["AL", "RL"]);
  assert.deepEqual(byName(list, "bob@example.com")?.groupIds, []);

  list = run([{ recv: "REM 7 FL 11 carol@example.com\r\nREM 8 AL 12 carol@example.com\r\n" }]);
  assert.equal(byName(list, "carol@example.com"), undefined);
  assert.equal(list.version, 12);

  list = run([{ recv: "ADD 7 FL 11 dan@example.com Dan 1\r\n" }]);
  assert.deepEqual(byName(list, "dan@example.com"), {
    passport: "dan@example.com",
    friendlyName: "Dan",
    lists: ["FL"],
    groupIds: [1],
    phones: {},
  });

  list = run([{ recv: "REG 7 11 1 Pals 0\r\nADG 8 12 Work 2 0\r\n" }]);
  assert.deepEqual(list.groups, [{ id: 0, name: "Other Contacts" }, { id: 1, name: "Pals" }, {
    id: 2,
    name: "Work",
  }]);
});

test("removing a group takes its members off it, and those only in it off FL", () => {
  const { session, events } = replaySession([
    ...onlineWithList(),
    { call: { method: "removeGroup", args: [1] } },
    { send: "RMG 7 1\r\n" },
    { recv: "RMG 7 11 1\r\n" },
    { event: { type: "listChanged", version: 11, change: { kind: "groupRemoved", groupId: 1 } } },
    {
      event: {
        type: "listChanged",
        version: 11,
        change: { kind: "contactRemoved", passport: "carol@example.com", list: "FL" },
      },
    },
    { event: { type: "requestCompleted", requestId: 7 } },
  ], { session: sessionOptions() });
  const list = session.contactList;
  assert.deepEqual(list.contacts.map((c) => [c.passport, c.lists, c.groupIds]), [
    ["bob@example.com", ["FL", "AL", "RL"], [0]],
    ["carol@example.com", ["AL"], []],
  ]);
  assert.equal(events.length > 0, true);
});

test("ADD 0 RL and REM 0 RL from the server are addedBy and removedBy", () => {
  const { session } = replaySession([
    ...onlineWithList(),
    { recv: "ADD 0 RL 11 zed@example.com Zed%20Z\r\n" },
    {
      event: {
        type: "listChanged",
        version: 11,
        change: { kind: "contactAdded", passport: "zed@example.com", list: "RL" },
      },
    },
    { event: { type: "addedBy", passport: "zed@example.com", friendlyName: "Zed Z" } },
    { recv: "REM 0 RL 12 carol@example.com\r\n" },
    {
      event: {
        type: "listChanged",
        version: 12,
        change: { kind: "contactRemoved", passport: "carol@example.com", list: "RL" },
      },
    },
    { event: { type: "removedBy", passport: "carol@example.com" } },
  ], { session: sessionOptions() });
  assert.deepEqual(
    session.contactList.contacts.find((c) => c.passport === "zed@example.com")?.lists,
    ["RL"],
  );
});

test("RNG is an invitation to a switchboard", () => {
  replaySession([
    ...loginTo("online"),
    { recv: "RNG 17342299 207.46.108.78:1863 CKI 1056411141.26158 bob@passport.com Bob%20B\r\n" },
    {
      event: {
        type: "invitation",
        sessionId: "17342299",
        address: { host: "207.46.108.78", port: 1863 },
        cookie: "1056411141.26158",
        passport: "bob@passport.com",
        friendlyName: "Bob B",
      },
    },
  ], { session: sessionOptions() });
});

for (
  const [reason, expected] of [["OTH", "otherLocation"], ["SSD", "serverShutdown"], [
    "XYZ",
    "serverClosed",
  ]]
) {
  test(`OUT ${reason} from the server ends the session with reason ${expected}`, () => {
    const { session } = replaySession([
      ...loginTo("online"),
      { recv: `OUT ${reason}\r\n` },
      { close: "client" },
      { event: { type: "signedOut", reason: expected } },
    ], { session: sessionOptions() });
    assert.equal(session.phase, "closed");
  });
}

test("an error reply with an unknown TrID while online is ignored", () => {
  replaySession([
    ...loginTo("online"),
    { recv: "201 99\r\n" },
    { call: { method: "addGroup", args: ["G"] } },
    { send: "ADG 7 G 0\r\n" },
  ], { session: sessionOptions() });
});
