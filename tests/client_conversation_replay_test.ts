// A bot's conversation recorded over real TCP (notification connection and switchboard
// interleaved) replays byte-exactly through ReplayTransport with no network, and the recording
// holds no cookie, ticket or password.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Client,
  type ClientOptions,
  RecordingTransport,
  ReplayTransport,
  runPassport,
  type Transport,
} from "../io_adapters/mod.ts";
import { parseTranscript, startLoopbackServer, stringifyTranscript } from "../testing/mod.ts";
import { KillableTransport } from "./_client_helpers.ts";

const PASSWORD = "bot, %pass";

/** The bot under test: echoes the first two text messages, then signs out. */
async function bot(options: ClientOptions, online = () => {}): Promise<string[]> {
  const client = await Client.connect(options);
  online();
  const log: string[] = [];
  let echoed = 0;
  await new Promise<void>((resolve, reject) => {
    client.on("message", (e) => {
      log.push(`${e.from}: ${e.text}`);
      e.conversation.send(`echo: ${e.text}`).then(() => {
        if (++echoed === 2) resolve();
      }, reject);
    });
  });
  await client.close();
  return log;
}

const options = (transport: Transport, server: { host: string; port: number }) => ({
  account: "bot@example.com",
  password: PASSWORD,
  server,
  transport,
  reconnect: false,
});

test("a recorded bot conversation replays byte-exactly with no network, and holds no secret", async () => {
  const server = await startLoopbackServer({
    accounts: [
      {
        passport: "bot@example.com",
        password: PASSWORD,
        friendlyName: "Echo Bot",
        contacts: [{ passport: "bob@example.com", lists: ["FL", "AL"] }],
      },
      { passport: "bob@example.com", password: "b", friendlyName: "Bob" },
    ],
  });
  const wire = new KillableTransport();
  let text: string;
  let live: string[];
  let heard: string[];
  try {
    const recorder = new RecordingTransport(wire);
    let online!: () => void;
    const isOnline = new Promise<void>((resolve) => (online = resolve));
    const running = bot({
      ...options(recorder, server.dispatchAddress),
      passport: {
        nexusUrl: server.nexusUrl,
        allowInsecureLoopback: true,
        run: recorder.wrapRunPassport(runPassport),
      },
    }, online);
    await isOnline;
    const bob = await server.peer("bob@example.com");
    const chat = await bob.openConversation("bot@example.com");
    bob.say(chat, "ping");
    heard = [(await bob.nextMessage({ kind: "text" })).text!];
    bob.say(chat, "second 😀");
    heard.push((await bob.nextMessage({ kind: "text" })).text!);
    live = await running;
    text = stringifyTranscript(recorder.steps);
  } finally {
    await server.close();
  }
  assert.deepEqual(live, ["bob@example.com: ping", "bob@example.com: second 😀"]);
  assert.deepEqual(heard, ["echo: ping", "echo: second 😀"]);

  // The real cookie went out on the wire, and appears nowhere in the recording.
  const sent = wire.connections.flatMap((c) => c.written).join("");
  const cookie = /^ANS 1 bot@example\.com (\S+) \d+\r$/m.exec(sent)?.[1];
  assert.ok(cookie && cookie !== "[REDACTED]");
  assert.ok(!text.includes(cookie));
  assert.ok(!text.includes(PASSWORD) && !text.includes(encodeURIComponent(PASSWORD)));
  assert.match(text, /"conn":"sb1","send":"ANS 1 bot@example\.com \[REDACTED\] \d+\\r\\n"/);
  assert.match(
    text,
    /"recv":"RNG \d+ 127\.0\.0\.1:\d+ CKI \[REDACTED\] bob@example\.com Bob\\r\\n"/,
  );
  assert.match(text, /"send":"USR \d+ TWN S \[REDACTED\]\\r\\n"/);
  assert.doesNotMatch(text, /[^a-z]t=|from-PP/i);

  // The same bot against the recording: no server, no Passport, the same bytes.
  const replay = new ReplayTransport(parseTranscript(text));
  const replayed = await bot({
    ...options(replay, server.dispatchAddress),
    passport: { run: replay.runPassport },
  });
  await replay.done();
  replay.assertComplete();
  assert.deepEqual(replayed, live);
});
