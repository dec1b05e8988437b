import { test } from "node:test";
import assert from "node:assert/strict";
import { replaySession } from "../testing/mod.ts";
import type { ContactListSnapshot } from "../machine/mod.ts";
import { bytes, chunkings } from "./_helpers.ts";
import { Driver, loginTo, sessionOptions } from "./_machine_helpers.ts";

const CACHE: ContactListSnapshot = {
  version: 14,
  contacts: [{
    passport: "bob@example.com",
    friendlyName: "Bob",
    lists: ["FL", "AL"],
    groupIds: [0],
    phones: {},
  }],
  groups: [{ id: 0, name: "Other Contacts" }],
  phones: {},
};

test("an up-to-date SYN naming another version keeps the cache and its version", () => {
  const steps = loginTo("syncing").map((
    s,
  ) => ("send" in s && s.send === "SYN 5 0\r\n" ? { send: "SYN 5 14\r\n" } : s));
  const { session, events } = replaySession([
    ...steps,
    { recv: "SYN 5 15\r\n" },
    { send: "CHG 6 NLN 0\r\n" },
    { recv: "CHG 6 NLN 0\r\n" },
  ], { session: sessionOptions({ contactListCache: CACHE }), strictEvents: false });
  const synced = events.find((e) => e.type === "contactsSynced");
  assert.ok(synced && synced.type === "contactsSynced");
  assert.equal(synced.fromCache, true);
  assert.deepStrictEqual(synced.contactList, CACHE);
  // The next sign-in asks for changes since 14, so nothing is lost.
  assert.equal(session.contactList.version, 14);
});

test("contactsSynced waits for the last contact's BPRs, whatever the chunking", () => {
  const sync =
    "SYN 5 3 1 0\r\nLSG 0 Other%20Contacts 0\r\nLST bob@example.com Bob 11 0\r\nBPR PHH 1\r\n" +
    "BPR MOB Y\r\n";
  for (const chunkSize of [undefined, 1, 7]) {
    const { events } = replaySession([
      ...loginTo("syncing"),
      { recv: sync },
      { send: "CHG 6 NLN 0\r\n" },
      { recv: "CHG 6 NLN 0\r\n" },
      { event: { type: "syncProgress", received: 0, total: 1 } },
      {
        event: {
          type: "contactsSynced",
          contactList: {
            version: 3,
            contacts: [{
              passport: "bob@example.com",
              friendlyName: "Bob",
              lists: ["FL", "AL", "RL"],
              groupIds: [0],
              phones: { PHH: "1", MOB: "Y" },
            }],
          },
        },
      },
      { event: { type: "statusChanged" } },
      { event: { type: "requestCompleted", requestId: 6 } },
      // A later BPR for that contact is a change, and the published snapshot is not touched.
      { recv: "BPR 4 bob@example.com PHH 2\r\n" },
      { event: { type: "listChanged", version: 4, change: { kind: "phoneChanged", value: "2" } } },
    ], { session: sessionOptions(), chunkSize });
    const synced = events.find((e) => e.type === "contactsSynced");
    assert.ok(synced && synced.type === "contactsSynced");
    assert.equal(synced.contactList.contacts[0].phones.PHH, "1");
  }
});

/** A session driven by hand to `syncing` (`SYN 5 0` sent), outputs cleared. */
function syncing(): Driver {
  const d = new Driver(sessionOptions());
  d.session.start(0);
  d.session.handleConnected(0);
  for (const step of loginTo("syncing")) {
    if ("recv" in step) d.recv(step.recv);
    if ("passport" in step && step.passport.ticket) {
      d.session.handlePassportTicket(step.passport.ticket, 0);
    }
  }
  d.pump();
  d.outputs.length = 0;
  return d;
}

test("syncProgress: 0 on the SYN reply, then on each tenth of the total, in place, at every split", () => {
  // Twelve contacts on both paths (canonical lines and, with a double space or no list
  // number, general ones), with a group and BPRs in between.
  const lines = ["SYN 5 7 12 1\r\n", "GTC A\r\n", "BLP AL\r\n", "LSG 0 Friends 0\r\n"];
  for (let i = 1; i <= 12; i++) {
    lines.push(
      i % 4 === 0 ? `LST c${i}@example.com  C${i} 3 0\r\n` : `LST c${i}@example.com C${i} 11 0\r\n`,
    );
    if (i % 3 === 0) lines.push("BPR PHH 1\r\n");
  }
  const data = bytes(lines.join(""));
  // The byte offset at which the n-th LST line is complete.
  const lstEnds: number[] = [];
  let offset = 0;
  for (const line of lines) {
    offset += bytes(line).length;
    if (line.startsWith("LST ")) lstEnds.push(offset);
  }
  const synEnd = bytes(lines[0]).length;
  // Each tenth of 12 is first reached at these counts (never at the last contact).
  const received = [0, 2, 3, 4, 5, 6, 8, 9, 10, 11];
  const expected = received.map((n) => ({ type: "syncProgress", received: n, total: 12 }));
  for (const { label, chunks } of chunkings(data)) {
    const d = syncing();
    const at: number[] = []; // bytes fed when each event appeared
    let fed = 0;
    for (const chunk of chunks) {
      d.session.handleData(chunk, 1);
      fed += chunk.length;
      for (let n = d.events.length - at.length; n > 0; n--) at.push(fed);
    }
    const events = d.events;
    assert.deepStrictEqual(events.slice(0, expected.length), expected, label);
    assert.equal(events.length, expected.length, label); // contactsSynced waits for the CHG
    if (label === "one byte at a time") {
      assert.deepStrictEqual(at, received.map((n) => (n === 0 ? synEnd : lstEnds[n - 1])));
    }
    d.recv("CHG 6 NLN 0\r\n");
    assert.deepStrictEqual(
      d.events.slice(expected.length).map((e) => e.type),
      ["contactsSynced", "statusChanged", "requestCompleted"],
      label,
    );
  }
});

test("syncProgress is not emitted for a current cache or an empty list", () => {
  for (
    const reply of ["SYN 5 0\r\n", "SYN 5 3 0 0\r\n", "SYN 5 3 0 2\r\nLSG 0 A 0\r\nLSG 1 B 0\r\n"]
  ) {
    const d = syncing();
    d.recv(reply);
    d.recv("CHG 6 NLN 0\r\n");
    assert.deepStrictEqual(
      d.events.map((e) => e.type),
      ["contactsSynced", "statusChanged", "requestCompleted"],
      reply,
    );
  }
});
