// Issue 9's session findings, each a regression test: hostile server input
// ends as a typed outcome (a warning or a SessionError), the sync cannot be
// completed by lines out of place or duplicates, and contacts handed to the
// application are never changed afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PayloadError } from "../codec/mod.ts";
import { SessionError, type SessionEvent, UsageError } from "../machine/mod.ts";
import { bytes, chunkings } from "./_helpers.ts";
import { Driver, loginTo, type PrefixPhase, sessionOptions } from "./_machine_helpers.ts";

/** A session driven by hand to `phase` (MSNP8, no redirect, empty list when online). */
function at(phase: PrefixPhase): Driver {
  const d = new Driver(sessionOptions());
  d.session.start(0);
  d.session.handleConnected(0);
  for (const step of loginTo(phase)) {
    if ("recv" in step) d.recv(step.recv);
    if ("passport" in step && step.passport.ticket) {
      d.session.handlePassportTicket(step.passport.ticket, 0);
    }
  }
  d.pump();
  d.outputs.length = 0;
  return d;
}

const types = (events: SessionEvent[]) => events.map((e) => e.type);

test("a CHL whose challenge holds a control byte is a warning, and the rest of the chunk is still handled", () => {
  const d = at("online");
  d.session.handleData(bytes("CHL 0 1557\x01013157\r\nFLN bob@example.com\r\n"), 1);
  const events = d.events;
  assert.deepEqual(types(events), ["warning", "presence"]);
  const warning = events[0] as Extract<SessionEvent, { type: "warning" }>;
  assert.ok(warning.error instanceof PayloadError);
  assert.equal(warning.error.code, "INVALID_CHALLENGE");
  assert.equal(d.session.phase, "online");
  assert.equal(d.sent, "", "no QRY for a challenge that cannot be answered");
});

test("a USR TWN S challenge with a space or a control byte fails with protocol and never reaches Passport", () => {
  for (const challenge of ["lc=1033 id=507", "lc=1033,\x01id=507", "lc=1033,id=507\x7f"]) {
    const d = at("requestingAuth");
    d.recv(`USR 3 TWN S ${challenge}\r\n`);
    assert.equal(d.session.phase, "failed");
    assert.equal(d.session.error?.code, "protocol");
    assert.equal(d.session.error?.phase, "requestingAuth");
    assert.ok(!d.outputs.some((o) => o.type === "passport"), JSON.stringify(challenge));
  }
});

test("an LST or LSG before the SYN reply does not complete the sync; it is a warning", () => {
  const data = bytes(
    "LST early@example.com Early 1 0\r\nLSG 0 Early 0\r\n" +
      "SYN 5 3 1 0\r\nLST bob@example.com Bob 1 0\r\n",
  );
  for (const { label, chunks } of chunkings(data)) {
    const d = at("syncing");
    for (const chunk of chunks) d.session.handleData(chunk, 1);
    d.recv("CHG 6 NLN 0\r\n");
    const events = d.events;
    assert.deepEqual(
      types(events).slice(0, 4),
      ["warning", "warning", "syncProgress", "contactsSynced"],
      label,
    );
    const synced = events[3] as Extract<SessionEvent, { type: "contactsSynced" }>;
    assert.deepEqual(synced.contactList.contacts.map((c) => c.passport), ["bob@example.com"]);
    assert.deepEqual(synced.contactList.groups, []);
  }
});

test("a contact listed twice (any letter case) does not complete the sync early; it waits for the advertised count", () => {
  const data = bytes(
    "SYN 5 3 3 0\r\nLST bob@example.com Bob 1\r\nLST BOB@Example.com Bob2 1\r\n" +
      "LST carol@example.com Carol 1\r\n",
  );
  for (const { label, chunks } of chunkings(data)) {
    const d = at("syncing");
    for (const chunk of chunks) d.session.handleData(chunk, 1);
    assert.equal(d.session.phase, "syncing", label);
    // Progress counts LST lines: 0, 1, 2 of 3 (the duplicate counted), then the warning.
    assert.deepEqual(
      types(d.events),
      ["syncProgress", "syncProgress", "syncProgress", "warning"],
      label,
    );
    d.recv("LST dave@example.com Dave 1\r\n");
    assert.equal(d.session.phase, "online", label);
    d.recv("CHG 6 NLN 0\r\n");
    const synced = d.events.find((e) => e.type === "contactsSynced");
    assert.ok(synced?.type === "contactsSynced");
    assert.deepEqual(
      synced.contactList.contacts.map((c) => [c.passport, c.friendlyName]),
      [["BOB@Example.com", "Bob2"], ["carol@example.com", "Carol"], ["dave@example.com", "Dave"]],
    );
  }
});

test("a group listed twice does not complete the sync early either", () => {
  const d = at("syncing");
  d.recv("SYN 5 3 0 2\r\nLSG 0 A 0\r\nLSG 0 B 0\r\n");
  assert.equal(d.session.phase, "syncing");
  d.recv("LSG 1 C 0\r\n");
  assert.equal(d.session.phase, "online");
});

test("a SYN with fewer lines than advertised fails at the sync's time limit; extra lines after it are warnings", () => {
  const short = at("syncing");
  short.recv("SYN 5 3 3 0\r\nLST a@example.com A 1\r\nLST b@example.com B 1\r\n");
  short.advance(200_000);
  assert.equal(short.session.phase, "failed");
  assert.equal(short.session.error?.code, "timeout");
  assert.equal(short.session.error?.phase, "syncing");

  const long = at("syncing");
  long.recv("SYN 5 3 1 0\r\nLST a@example.com A 1\r\nLST b@example.com B 1\r\nCHG 6 NLN 0\r\n");
  assert.equal(long.session.phase, "online");
  const events = long.events;
  assert.deepEqual(types(events).slice(0, 3), ["syncProgress", "contactsSynced", "warning"]);
  const warning = events[2] as Extract<SessionEvent, { type: "warning" }>;
  assert.ok(warning.error instanceof SessionError && warning.error.code === "protocol");
  assert.equal(long.session.contactList.contacts.length, 1);
});

test("a contact read from contactList during the sync is not changed by the BPRs that follow it", () => {
  const d = at("syncing");
  d.recv("SYN 5 3 2 0\r\nLST a@example.com A 1\r\nBPR PHH 1\r\n");
  const early = d.session.contactList.contacts[0];
  const copy = structuredClone(early);
  d.recv("BPR PHW 2\r\nLST b@example.com B 1\r\nCHG 6 NLN 0\r\n");
  assert.deepEqual(early, copy);
  const synced = d.events.find((e) => e.type === "contactsSynced");
  assert.ok(synced?.type === "contactsSynced");
  assert.deepEqual(synced.contactList.contacts[0].phones, { PHH: "1", PHW: "2" });
});

test("contacts handed out in contactsSynced are never changed in place by a later BPR, ADD, REM or NLN", () => {
  const d = at("syncing");
  d.recv(
    "SYN 5 3 2 1\r\nLSG 0 G 0\r\nLST a@example.com A 11 0\r\nBPR PHH 1\r\n" +
      "LST b@example.com B 3 0\r\nBPR MOB Y\r\nCHG 6 NLN 0\r\n",
  );
  const synced = d.events.find((e) => e.type === "contactsSynced");
  assert.ok(synced?.type === "contactsSynced");
  const handed = synced.contactList;
  const copy = structuredClone(handed);
  d.recv(
    "BPR 4 a@example.com PHW 2\r\nBPR MOB N\r\nADD 0 RL 5 b@example.com B\r\n" +
      "REM 0 AL 6 a@example.com\r\nNLN NLN b@example.com New%20B 0\r\nREA 0 7 a@example.com New%20A\r\n",
  );
  assert.equal(d.session.phase, "online");
  assert.deepEqual(handed, copy);
  // The session's own list did change.
  const now = d.session.contactList.contacts;
  assert.deepEqual(now.find((c) => c.passport === "a@example.com")?.friendlyName, "New A");
});

test("an intent's invalid argument is a UsageError invalid-argument with the EncodeError as cause", () => {
  const d = at("online");
  let caught: unknown;
  try {
    d.session.addGroup("x".repeat(200));
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof UsageError, String(caught));
  assert.equal(caught.code, "invalid-argument");
  assert.equal((caught.cause as Error).name, "EncodeError");
  // No TrID was used up.
  assert.equal(d.session.addGroup("G"), 7);
});

test("intent arguments of the wrong type are UsageError invalid-argument and leave the session online", () => {
  const d = at("online");
  const bad: unknown[][] = [[undefined], [123], ["a@example.com", null], ["a@example.com", {
    groupId: "x",
  }]];
  for (const args of bad) {
    assert.throws(
      () => (d.session.addContact as (...a: unknown[]) => number)(...args),
      (e) => e instanceof UsageError && e.code === "invalid-argument",
      JSON.stringify(args),
    );
  }
  assert.throws(
    () => (d.session.removeContact as (...a: unknown[]) => number)("a@example.com", null),
    (e) => e instanceof UsageError && e.code === "invalid-argument",
  );
  assert.equal(d.session.phase, "online");
  assert.equal(d.session.addGroup("G"), 7);
});

test("an intent's now sets the clock its deadline counts from", () => {
  const d = at("online");
  const id = d.session.addGroup("G", 1_000);
  assert.equal(d.session.pollTimeout(), 31_000);
  d.advance(31_000);
  assert.ok(
    d.events.some((e) => e.type === "requestFailed" && e.requestId === id),
  );
});

test("bytes after an XFR NS redirect in the same chunk belong to the old connection and are dropped", () => {
  const d = at("requestingAuth");
  d.recv("XFR 3 NS 10.0.0.2:1863 0 127.0.0.1:1863\r\nJUNK\x01\r\nUSR 3 TWN S lc=1\r\n");
  assert.equal(d.session.phase, "connecting");
  assert.deepEqual(types(d.events), ["redirected"]);
  assert.ok(!d.outputs.some((o) => o.type === "passport"));
});

test("Passport inputs of the wrong type are UsageError invalid-argument and leave the session waiting", () => {
  const d = at("authenticating");
  const isArg = (e: unknown) => e instanceof UsageError && e.code === "invalid-argument";
  assert.throws(() => d.session.handlePassportTicket(123 as unknown as string, 1), isArg);
  assert.throws(() => d.session.handlePassportTicket("a b", 1), isArg);
  assert.throws(
    () => d.session.handlePassportError(null as unknown as { code: string; message: string }, 1),
    isArg,
  );
  assert.equal(d.session.phase, "authenticating");
});
