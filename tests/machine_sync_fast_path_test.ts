// The SYN fast path (machine/_fast_parse.ts, fed through Decoder.peekLine by ConnectionCore.drain)
// must build exactly what the general path builds (Decoder, then
// parseServerCommand, then the session), for any line, and the session must
// come out the same however a SYN is chunked, whichever path each line takes.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DecodeError, Decoder, parseServerCommand } from "../codec/mod.ts";
import { applySynBpr, lstContact } from "../machine/_fast_parse.ts";
import type { DraftContact } from "../machine/contact_list.ts";
import { type Contact, NotificationSession } from "../machine/mod.ts";
import { listsFromBits } from "../machine/contact_list.ts";
import { bytes, concat } from "./_helpers.ts";
import { ACCOUNT, CHALLENGE, sessionOptions, TICKET } from "./_machine_helpers.ts";

// Pieces of a token: text (UTF-8) and raw bytes, including invalid UTF-8 and
// escapes that meet raw bytes (a lone continuation byte after "%C3").
const piece = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      "bob",
      "@example.com",
      "%20",
      "%C3%A9",
      "%E2%98",
      "%C3",
      "%",
      "%2",
      "%zz",
      "%EF%BB%BF",
      "%25",
      "é",
      "☃",
      "😀",
      "\uFEFF",
      "\uFFFD",
      "0",
      "11",
      ",",
      "4294967296",
      "\t",
      "\r",
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom([0xa9], [0xff], [0xc3], [0xed, 0xa0, 0x80], [0xe2, 0x98]).map((b) =>
      new Uint8Array(b)
    ),
  },
);
const token = fc.array(piece, { minLength: 1, maxLength: 4 }).map((parts) =>
  concat(parts.map((p) => (typeof p === "string" ? bytes(p) : p)))
);
// Mostly single spaces (the fast path's form), sometimes two.
const separators = fc.oneof(
  { arbitrary: fc.constant([bytes(" ")]), weight: 4 },
  { arbitrary: fc.array(fc.constantFrom(" ", "  ").map(bytes), { minLength: 1 }), weight: 1 },
);

function line(
  name: string,
  tokens: readonly Uint8Array[],
  seps: readonly Uint8Array[],
  trailing: boolean,
) {
  const parts = [bytes(name)];
  tokens.forEach((t, i) => parts.push(seps[i % seps.length], t));
  if (trailing) parts.push(bytes(" "));
  return concat(parts);
}

/** What the general path makes of one line: a command, or the decoder's error. */
function general(data: Uint8Array) {
  const decoder = new Decoder({ from: "server" });
  decoder.push(concat([data, bytes("\r\n")]));
  return decoder.next();
}

test("the fast LST path builds the contact the general path builds, or declines", () => {
  let taken = 0;
  const canonical = fc.tuple(
    fc.constantFrom("bob@example.com", "Bob@Example.COM", "a", "x%41@y"),
    token,
    fc.constantFrom("0", "1", "3", "11", "12", "4294967295"),
    fc.option(fc.constantFrom("0", "29", "0,5", "31", ",1,,2,", "12345678901"), {
      nil: undefined,
    }),
  ).map(([p, n, b, g]) => [bytes(p), n, bytes(b), ...(g === undefined ? [] : [bytes(g)])]);
  fc.assert(
    fc.property(
      fc.oneof({ weight: 3, arbitrary: canonical }, fc.array(token, { maxLength: 6 })),
      separators,
      fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      (tokens, seps, trailing) => {
        const data = line("LST", tokens, seps, trailing && tokens.length > 0);
        const fast = lstContact(data, 0, data.length);
        if (fast === undefined) return;
        taken++;
        const command = general(data);
        assert.ok(command !== undefined && !(command instanceof DecodeError), "general decodes");
        const m = parseServerCommand(command);
        assert.ok(m.type === "LST");
        assert.deepStrictEqual({ ...fast }, {
          passport: m.passport,
          friendlyName: m.friendlyName,
          lists: listsFromBits(m.lists),
          groupIds: m.lists & 1 ? m.groupIds : [],
          phones: {},
        });
      },
    ),
    { numRuns: 4000, seed: 20261201 },
  );
  // Most canonical lines must take the fast path, or the test shows nothing.
  assert.ok(taken > 1000, `fast path took ${taken} lines`);
});

test("the fast in-SYN BPR path changes the contact as the general path does, or declines", () => {
  let taken = 0;
  fc.assert(
    fc.property(
      fc.array(token, { minLength: 1, maxLength: 3 }),
      separators,
      fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      (tokens, seps, trailing) => {
        const data = line("BPR", tokens, seps, trailing && tokens.length > 0);
        const draft = (): DraftContact => ({
          passport: "bob@example.com",
          friendlyName: "Bob",
          lists: [],
          groupIds: [],
          phones: { PHH: "old", MOB: "Y" },
        });
        const fast = draft();
        if (!applySynBpr(fast, data, 0, data.length)) {
          assert.deepStrictEqual(fast, draft(), "a declined line changes nothing");
          return;
        }
        taken++;
        const command = general(data);
        assert.ok(command !== undefined && !(command instanceof DecodeError), "general decodes");
        const m = parseServerCommand(command);
        assert.ok(m.type === "BPR" && m.version === undefined, "general reads the in-SYN form");
        const expected = draft();
        if (m.value === "") delete expected.phones[m.property];
        else expected.phones[m.property] = m.value;
        assert.deepStrictEqual(fast, expected);
      },
    ),
    { numRuns: 3000, seed: 20261201 },
  );
  assert.ok(taken > 500, `fast path took ${taken} lines`);
});

// Canonical lines (fast path) mixed with lines only the general path takes:
// double spaces, an escape meeting raw UTF-8, a duplicate passport in other
// case, a BPR that clears a property, and a MSG in the middle.
const MAIL = "MIME-Version: 1.0\r\n" +
  "Content-Type: text/x-msmsgsinitialemailnotification; charset=UTF-8\r\n\r\n" +
  "Inbox-Unread: 1\r\nFolders-Unread: 0\r\n\r\n";
const SYN = "SYN 5 9 5 2\r\n" +
  "GTC A\r\nBLP BL\r\nPRP PHH 555%201234\r\n" +
  "LSG 0 Other%20Contacts 0\r\nLSG 1 Fr%C3%BCnde 0\r\n" +
  "LST alice@example.com Alice%20%E2%98%83 11 0\r\nBPR PHH 1%20(555)%20123\r\n" +
  "BPR MOB Y\r\nBPR MOB\r\n" +
  "LST bob@example.com  Bob 3 0,1\r\nBPR  PHW 2\r\n" +
  "LST carol@example.com Carol%C3é%zz 8\r\n" +
  `MSG Hotmail Hotmail ${bytes(MAIL).length}\r\n${MAIL}` +
  "LST dave@example.com Dave 9 1\r\nBPR PHM 3%C3%A9\r\n" +
  "LST ALICE@example.com Alice%20Again 11 1\r\nBPR MBE N\r\n" +
  // ALICE replaced alice and does not count: the advertised 5th contact is Erin (issue 9).
  "LST erin@example.com Erin 2\r\n" +
  "CHG 6 NLN 0\r\n";

const contact = (c: Partial<Contact> & { passport: string }): Contact => ({
  friendlyName: c.passport,
  lists: [],
  groupIds: [],
  phones: {},
  ...c,
});
const EXPECTED = {
  version: 9,
  contacts: [
    contact({
      passport: "ALICE@example.com",
      friendlyName: "Alice Again",
      lists: ["FL", "AL", "RL"],
      groupIds: [1],
      phones: { MBE: "N" },
    }),
    contact({
      passport: "bob@example.com",
      friendlyName: "Bob",
      lists: ["FL", "AL"],
      groupIds: [0, 1],
      phones: { PHW: "2" },
    }),
    contact({ passport: "carol@example.com", friendlyName: "Carol\uFFFDé%zz", lists: ["RL"] }),
    contact({
      passport: "dave@example.com",
      friendlyName: "Dave",
      lists: ["FL", "RL"],
      groupIds: [1],
      phones: { PHM: "3é" },
    }),
    contact({ passport: "erin@example.com", friendlyName: "Erin", lists: ["AL"] }),
  ],
  groups: [{ id: 0, name: "Other Contacts" }, { id: 1, name: "Fründe" }],
  privacy: "BL",
  addPrompt: "A",
  phones: { PHH: "555 1234" },
};

function syncIn(chunks: Uint8Array[]) {
  const s = new NotificationSession(sessionOptions());
  const outputs = () => {
    const out = [];
    for (let o = s.poll(); o !== undefined; o = s.poll()) out.push(o);
    return out;
  };
  s.start(0);
  s.handleConnected(0);
  s.handleData(bytes("VER 1 MSNP8\r\nCVR 2 1 1 1 x y\r\n"), 0);
  s.handleData(bytes(`USR 3 TWN S ${CHALLENGE}\r\n`), 0);
  s.handlePassportTicket(TICKET, 0);
  s.handleData(bytes(`USR 4 OK ${ACCOUNT} Me 1 0\r\n`), 0);
  outputs();
  for (const chunk of chunks) s.handleData(chunk.slice(), 0);
  const events = outputs().flatMap((o) => (o.type === "event" ? [o.event] : []));
  return { phase: s.phase, events };
}

test("a SYN mixing fast-path and general-path lines syncs the same at every split", () => {
  const data = bytes(SYN);
  const whole = syncIn([data]);
  assert.equal(whole.phase, "online");
  const synced = whole.events.find((e) => e.type === "contactsSynced");
  assert.ok(synced && synced.type === "contactsSynced");
  assert.deepStrictEqual(synced.contactList, EXPECTED);
  // The MSG inside the SYN is still delivered, in its place; the duplicate is a warning.
  assert.deepStrictEqual(
    whole.events.map((e) => e.type),
    [
      "syncProgress",
      "syncProgress",
      "syncProgress",
      "syncProgress",
      "notification",
      "syncProgress",
      "warning",
      "contactsSynced",
      "statusChanged",
      "requestCompleted",
    ],
  );
  const ones: Uint8Array[] = [];
  for (let i = 0; i < data.length; i++) ones.push(data.subarray(i, i + 1));
  assert.deepStrictEqual(syncIn(ones), whole, "one byte at a time");
  for (let k = 1; k < data.length; k++) {
    assert.deepStrictEqual(
      syncIn([data.subarray(0, k), data.subarray(k)]),
      whole,
      `split at ${k}`,
    );
  }
});
