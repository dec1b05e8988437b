import { test } from "node:test";
import assert from "node:assert/strict";
import { replaySession } from "../testing/mod.ts";
import type { ContactListSnapshot } from "../machine/mod.ts";
import { loginTo, sessionOptions } from "./_machine_helpers.ts";

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
