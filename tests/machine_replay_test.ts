import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseTranscript, ReplayMismatchError, replaySession } from "../testing/mod.ts";
import type { SessionOptions } from "../machine/mod.ts";

const transcript = (name: string) =>
  parseTranscript(readFileSync(new URL(`./transcripts/${name}`, import.meta.url), "utf8"));

const SEED_OPTIONS: SessionOptions = {
  account: "example@hotmail.com",
  server: { host: "10.0.0.1", port: 1863 },
  protocols: ["MSNP8"],
  clientInfo: {
    localeId: "0x0409",
    osType: "win",
    osVersion: "4.10",
    architecture: "i386",
    clientName: "MSNMSGR",
    clientVersion: "5.0.0537",
    clientId: "MSMSGS",
  },
  restartTridsOnRedirect: false,
  contactListCache: { version: 14, contacts: [], groups: [], phones: {} },
  clientId: 0,
};

test("session replays the seed MSNP8 example end to end: redirect, Passport, sync, presence, sign-out", () => {
  const { session } = replaySession(transcript("msnp8_seed.jsonl"), { session: SEED_OPTIONS });
  assert.equal(session.phase, "closed");
  assert.equal(session.contactList.contacts[0].phones.PHH, "1 (222) 333 4444");
});

test("session replays the seed example identically when every server byte arrives alone", () => {
  const whole = replaySession(transcript("msnp8_seed.jsonl"), { session: SEED_OPTIONS });
  const bytewise = replaySession(transcript("msnp8_seed.jsonl"), {
    session: SEED_OPTIONS,
    chunkSize: 1,
  });
  assert.deepStrictEqual(JSON.stringify(bytewise.events), JSON.stringify(whole.events));
});

test("replay notices a byte the session sends differently", () => {
  const steps = transcript("msnp8_seed.jsonl");
  const changed = steps.map((
    s,
  ) => ("send" in s && s.send === "SYN 8 14\r\n" ? { send: "SYN 8 0\r\n" } : s));
  assert.throws(() => replaySession(changed, { session: SEED_OPTIONS }), ReplayMismatchError);
});
