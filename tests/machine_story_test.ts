// Hand-written transcripts of whole sessions, replayed whole and byte by byte.
import { test } from "node:test";
import assert from "node:assert/strict";
import { replaySession } from "../testing/mod.ts";
import type { ContactListSnapshot, SessionOptions } from "../machine/mod.ts";
import { sessionOptions, transcript } from "./_machine_helpers.ts";

const MY_OBJECT =
  '<msnobj Creator="me@example.com" Size="1024" Type="3" Location="TFR1.tmp" Friendly="AAA=" SHA1D="2jmj7l5rSw0yVb/vlWAYkK/YBwk=" SHA1C="9NhXBtYg7A3VXAdJUjX+Kr6odRA="/>';

const CACHE: ContactListSnapshot = {
  version: 42,
  contacts: [{
    passport: "bob@example.com",
    friendlyName: "Bob",
    lists: ["FL", "AL", "RL"],
    groupIds: [0],
    phones: { MOB: "Y" },
  }],
  groups: [{ id: 0, name: "Other Contacts" }],
  privacy: "AL",
  addPrompt: "A",
  phones: { PHH: "555 1234" },
};

const stories: { file: string; options: SessionOptions; phase: string }[] = [
  {
    file: "msnp9_echo_redirect.jsonl",
    options: sessionOptions({
      protocols: ["MSNP9", "MSNP8"],
      contactListCache: CACHE,
      clientId: 268435492,
      msnObject: MY_OBJECT,
    }),
    phase: "closed",
  },
  { file: "msnp8_direct_full_sync.jsonl", options: sessionOptions(), phase: "closed" },
  {
    file: "msnp9_presence.jsonl",
    options: sessionOptions({ protocols: ["MSNP9", "MSNP8"], clientId: 268435492 }),
    phase: "closed",
  },
];

for (const story of stories) {
  test(`session replays ${story.file}`, () => {
    const { session } = replaySession(transcript(story.file), { session: story.options });
    assert.equal(session.phase, story.phase);
  });

  test(`session replays ${story.file} identically when every server byte arrives alone`, () => {
    const whole = replaySession(transcript(story.file), { session: story.options });
    const bytewise = replaySession(transcript(story.file), {
      session: story.options,
      chunkSize: 1,
    });
    assert.equal(JSON.stringify(bytewise.events), JSON.stringify(whole.events));
  });
}

test("an up-to-date SYN makes the cached list the result, and it is a copy of the cache", () => {
  const { session, events } = replaySession(transcript("msnp9_echo_redirect.jsonl"), {
    session: stories[0].options,
  });
  const synced = events.find((e) => e.type === "contactsSynced");
  assert.ok(synced && synced.type === "contactsSynced");
  assert.deepEqual(synced.contactList, CACHE);
  assert.deepEqual(session.contactList, CACHE);
  assert.notEqual(synced.contactList.contacts[0], CACHE.contacts[0]);
  assert.equal(session.protocol, "MSNP9");
});

test("a full SYN keeps the BPRs that follow the last LST on that contact", () => {
  const { session } = replaySession(transcript("msnp8_direct_full_sync.jsonl"), {
    session: sessionOptions(),
  });
  const list = session.contactList;
  assert.equal(list.contacts.length, 3);
  assert.deepEqual(list.contacts[2].phones, { PHW: "555 9876", MBE: "N" });
  assert.deepEqual(list.contacts[0].phones, { PHH: "1 (222) 333 4444", MOB: "Y" });
  assert.equal(list.version, 7);
});

test("presence is tracked per contact, case-insensitively, and forgotten on FLN", () => {
  const steps = transcript("msnp9_presence.jsonl");
  // Stop before OUT OTH to look at the live session.
  const cut = steps.findIndex((s) => "recv" in s && s.recv === "OUT OTH\r\n");
  const { session } = replaySession(steps.slice(0, cut), { session: stories[2].options });
  assert.deepEqual(session.presenceOf("BOB@example.com"), {
    status: "NLN",
    clientId: 268435492,
  });
  assert.equal(session.presenceOf("dave@example.com"), undefined);
  // Not a contact: reported as an event but not kept, so a server cannot grow the map.
  assert.equal(session.presenceOf("stranger@example.com"), undefined);
  assert.equal(session.contactList.contacts[0].friendlyName, "Bob");
});
