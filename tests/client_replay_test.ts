// A bot's session recorded over real TCP replays byte-exactly through ReplayTransport, with the same
// Client code and no network; the recording holds no secret.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Client,
  type ClientOptions,
  defaultTransport,
  RecordingTransport,
  ReplayMismatchError,
  ReplayTransport,
  runPassport,
  type Transport,
} from "../io_adapters/mod.ts";
import type { SessionEvent } from "../machine/mod.ts";
import { parseTranscript, startLoopbackServer, stringifyTranscript } from "../testing/mod.ts";

const PASSWORD = "bot, %pass";

/** The "bot" under test: signs in, goes busy, adds a contact, makes a group, signs out. */
async function bot(options: ClientOptions): Promise<SessionEvent[]> {
  const client = await Client.connect(options);
  const events: SessionEvent[] = [];
  const collected = (async () => {
    for await (const event of client.events) events.push(event as SessionEvent);
  })();
  await client.setStatus("BSY");
  await client.addContact("carol@example.com", { friendlyName: "Carol" });
  await client.addGroup("Bots");
  await client.close();
  await collected;
  return events;
}

const options = (
  transport: Transport,
  server: { host: string; port: number },
  nexusUrl: string,
) => ({
  account: "alice@example.com",
  password: PASSWORD,
  server,
  transport,
  passport: { nexusUrl, allowInsecureLoopback: true },
});

test("a recorded Client session replays byte-exactly through ReplayTransport, and holds no secret", async () => {
  const server = await startLoopbackServer({
    accounts: [
      {
        passport: "alice@example.com",
        password: PASSWORD,
        contacts: [{ passport: "bob@example.com", friendlyName: "Bob", lists: ["FL", "AL"] }],
      },
      { passport: "carol@example.com", password: "pw" },
    ],
  });
  let text: string;
  let live: SessionEvent[];
  try {
    const recorder = new RecordingTransport(defaultTransport());
    const base = options(recorder, server.dispatchAddress, server.nexusUrl);
    live = await bot({
      ...base,
      passport: { ...base.passport, run: recorder.wrapRunPassport(runPassport) },
    });
    text = stringifyTranscript(recorder.steps);
  } finally {
    await server.close();
  }
  assert.ok(!text.includes(PASSWORD) && !text.includes(encodeURIComponent(PASSWORD)));
  assert.doesNotMatch(text, /"send":"USR \d+ TWN S (?!\[REDACTED\])/);
  assert.doesNotMatch(text, /MSPAuth: (?!\[REDACTED\])/);

  // Replay: same bot, no network, no Passport server (the server above is gone).
  const replay = new ReplayTransport(parseTranscript(text));
  const replayed = await bot({
    ...options(replay, server.dispatchAddress, "https://nexus.invalid/rdr/pprdr.asp"),
    passport: { run: replay.runPassport },
  });
  await replay.done();
  const strip = (events: SessionEvent[]) =>
    JSON.parse(JSON.stringify(events, (k, v) => (k === "profile" || k === "port" ? undefined : v)));
  assert.deepStrictEqual(strip(replayed), strip(live));

  // A bot that behaves differently is caught at the first differing byte.
  const strict = new ReplayTransport(parseTranscript(text));
  const different = Client.connect({
    ...options(strict, server.dispatchAddress, "https://nexus.invalid/rdr/pprdr.asp"),
    protocols: ["MSNP8"],
    passport: { run: strict.runPassport },
  });
  await assert.rejects(different);
  await assert.rejects(strict.done(), ReplayMismatchError);
});
