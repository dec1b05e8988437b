// Conversations in transcripts: an outgoing and an incoming conversation, recorded with the
// notification connection and the switchboard interleaved, replay through replaySession with the
// real SwitchboardSession (whole and at every byte split of each recv) and through ReplayTransport
// with a plain driver; recording them again holds no cookie or ticket, and no mismatch shows one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  parseTranscript,
  ReplayMismatchError,
  replaySession,
  stepBytes,
  stringifyTranscript,
  type TranscriptStep,
} from "../testing/mod.ts";
import { bytesStep, stepConnection, transcriptHeader } from "../io_adapters/_transcript.ts";
import { ReplayTransport } from "../io_adapters/replay_transport.ts";
import { RecordingTransport } from "../io_adapters/recording_transport.ts";
import type { SwitchboardSession } from "../machine/mod.ts";
import { SessionDriver } from "./_session_driver.ts";

const FILES = ["msnp9_sb_outgoing.jsonl", "msnp9_sb_incoming.jsonl"];
const transcript = (name: string) =>
  parseTranscript(readFileSync(new URL(`./transcripts/${name}`, import.meta.url), "utf8"));

/** The transcript's event steps of switchboard connections, as `{conn, event}`. */
function sbEventSteps(steps: readonly TranscriptStep[]): { conn: string; event: unknown }[] {
  return steps.flatMap((s) =>
    "event" in s && stepConnection(s) !== "ns" ? [{ conn: stepConnection(s)!, event: s.event }] : []
  );
}

for (const file of FILES) {
  test(`replaySession plays ${file} with the real SwitchboardSession: exact bytes and events`, () => {
    const steps = transcript(file);
    const result = replaySession(steps);
    assert.equal(result.session.phase, "closed");
    const sb = result.sessions.get("sb1") as SwitchboardSession;
    assert.equal(sb.phase, "closed");
    // Every switchboard event, with its connection, exactly as the transcript lists it.
    assert.equal(
      JSON.stringify(result.allEvents.filter((e) => e.conn !== "ns")),
      JSON.stringify(sbEventSteps(steps)),
    );
  });

  test(`replaySession plays ${file} identically at every byte split of each recv`, () => {
    const steps = transcript(file);
    const whole = JSON.stringify(replaySession(steps).allEvents);
    let splits = 0;
    steps.forEach((step, k) => {
      const bytes = stepBytes(step);
      if (bytes === undefined || !("recv" in step || "recvBase64" in step)) return;
      const conn = stepConnection(step);
      for (let i = 1; i < bytes.length; i++) {
        const split: TranscriptStep[] = [
          ...steps.slice(0, k),
          bytesStep("recv", bytes.subarray(0, i), conn),
          bytesStep("recv", bytes.subarray(i), conn),
          ...steps.slice(k + 1),
        ];
        assert.equal(
          JSON.stringify(replaySession(split).allEvents),
          whole,
          `step ${k + 1} at ${i}`,
        );
        splits++;
      }
    });
    assert.ok(splits > 500, `${splits} splits`);
  });

  test(`ReplayTransport plays ${file} to a plain driver of the NS and SB sessions`, async () => {
    const steps = transcript(file);
    const { events, replay } = await drive(steps);
    replay.assertComplete();
    assertEventsMatch(events, steps);
  });

  test(`recording ${file} with real secrets writes it back redacted, events included`, async () => {
    const steps = transcript(file);
    // The server side with real secrets: a cookie in XFR/RNG (and back in USR/ANS), a ticket.
    const real = withSecrets(steps);
    assert.ok(stringifyTranscript(real).includes(COOKIE));
    const replay = new ReplayTransport(real, {
      onCall: (...a) => driver.call(...a),
      onTime: (ms) => driver.time(ms),
    });
    const recorder = new RecordingTransport(replay, { session: transcriptHeader(steps)!.session });
    const driver = new SessionDriver(
      recorder,
      recorder.wrapRunPassport(replay.runPassport),
      transcriptHeader(steps)!.session!,
    );
    driver.start();
    await within(replay.done());
    replay.assertComplete();
    assert.deepEqual(driver.errors, []);
    for (const { conn, event } of driver.events) {
      recorder.addStep(conn === "ns" ? { event } : { conn, event });
    }
    const json = stringifyTranscript(recorder.steps);
    for (const secret of [COOKIE, TICKET, "SeCrEt"]) assert.ok(!json.includes(secret), secret);
    // Per connection, the same bytes each way, the same connects, closes and Passport steps,
    // and the same events (the cookie in the NS events redacted) as the checked-in transcript.
    for (const conn of ["ns", "sb1"]) {
      assert.deepEqual(wire(recorder.steps, conn), wire(steps, conn), conn);
    }
    assertEventsMatch(
      recorder.steps.flatMap((s) =>
        "event" in s ? [{ conn: stepConnection(s)!, event: s.event }] : []
      ),
      steps,
    );
  });
}

const COOKIE = "17262740.1050826919.SeCrEtCoOkIe";
const TICKET = "t=SeCrEtTiCkEt&p=SeCrEtPrOf";

/** The transcript as the real server sent it: [REDACTED] cookies and ticket filled in. */
function withSecrets(steps: readonly TranscriptStep[]): TranscriptStep[] {
  return steps.map((s) => {
    if ("passport" in s) return { passport: { ...s.passport, ticket: TICKET } };
    if ("send" in s && s.send.startsWith("USR 4 TWN S ")) {
      return { ...s, send: `USR 4 TWN S ${TICKET}\r\n` };
    }
    if ("send" in s || "recv" in s) {
      const key = "send" in s ? "send" : "recv";
      const text = (s as Record<string, string>)[key].replace("[REDACTED]", COOKIE);
      return { ...s, [key]: text } as TranscriptStep;
    }
    return s;
  });
}

/** What went over one connection: sent and received bytes, and connects, closes, Passport steps. */
function wire(steps: readonly TranscriptStep[], conn: string) {
  const mine = steps.filter((s) => stepConnection(s) === conn);
  const join = (key: "send" | "recv") =>
    mine.filter((s) => key in s).map((s) => new TextDecoder().decode(stepBytes(s)!)).join("");
  return {
    send: join("send"),
    recv: join("recv"),
    other: mine.filter((s) => "connect" in s || "close" in s || "passport" in s),
  };
}

/** Each connection's events equal the transcript's event steps of that connection, in order. */
function assertEventsMatch(
  events: readonly { conn: string; event: unknown }[],
  steps: readonly TranscriptStep[],
): void {
  for (const conn of ["ns", "sb1"]) {
    const got = events.filter((e) => e.conn === conn).map((e) => e.event);
    const want = steps.flatMap((s) => "event" in s && stepConnection(s) === conn ? [s.event] : []);
    assert.equal(got.length, want.length, `${conn}: ${JSON.stringify(got)}`);
    want.forEach((w, i) => {
      for (const [key, value] of Object.entries(w)) {
        const actual = (got[i] as Record<string, unknown>)[key];
        if (key === "reply" || value === "[REDACTED]") continue; // partial and redacted fields
        assert.equal(JSON.stringify(actual), JSON.stringify(value), `${conn} event ${i} ${key}`);
      }
    });
  }
}

function within<T>(promise: Promise<T>, ms = 5000): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error("replay did not finish")), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function drive(steps: readonly TranscriptStep[]) {
  const replay: ReplayTransport = new ReplayTransport(steps, {
    onCall: (...a) => driver.call(...a),
    onTime: (ms) => driver.time(ms),
  });
  const driver = new SessionDriver(replay, replay.runPassport, transcriptHeader(steps)!.session!);
  driver.start();
  await within(replay.done());
  assert.deepEqual(driver.errors, []);
  return { events: driver.events, replay };
}

test("a mismatch on a switchboard never shows the cookie: message, stack, JSON", () => {
  const steps = transcript("msnp9_sb_outgoing.jsonl");
  // The server sent a real cookie; the transcript expects another one back.
  const changed = steps.map((s) =>
    "recv" in s && s.recv.startsWith("XFR") ? { recv: s.recv.replace("[REDACTED]", COOKIE) } : s
  );
  // The NS event's cookie, given as [REDACTED], still matches the real one.
  const cut = changed.findIndex((s) => "send" in s && s.send.startsWith("USR 1 "));
  replaySession(changed.slice(0, cut - 1));
  const wrong = changed.map((s, i) =>
    i === cut ? { conn: "sb1", send: "USR 1 me@example.com 1.2.3\r\n" } : s
  );
  assert.throws(() => replaySession(wrong), (e: unknown) => {
    assert.ok(e instanceof ReplayMismatchError);
    assert.equal(e.code, "send-mismatch");
    assert.equal(e.connection, "sb1");
    assert.equal(e.actual, JSON.stringify("USR 1 me@example.com [REDACTED]\r\n"));
    for (const text of [e.message, e.stack ?? "", JSON.stringify(e), e.expected, e.actual]) {
      assert.ok(!text.includes("SeCrEt"), text);
    }
    return true;
  });
  // An event that does not match shows the NS event with its cookie redacted.
  const badEvent = changed.map((s) =>
    "event" in s && s.event.type === "requestCompleted" && s.event.requestId === 7
      ? { event: { type: "requestCompleted", requestId: 8 } }
      : s
  );
  assert.throws(() => replaySession(badEvent), (e: unknown) => {
    assert.ok(e instanceof ReplayMismatchError);
    assert.equal(e.code, "event-mismatch");
    assert.match(e.actual, /"cookie":"\[REDACTED\]"/);
    for (const text of [e.message, e.stack ?? "", JSON.stringify(e)]) {
      assert.ok(!text.includes("SeCrEt"), text);
    }
    return true;
  });
});

test("a real cookie in an event step must match exactly; [REDACTED] matches any", () => {
  const steps = transcript("msnp9_sb_incoming.jsonl").map((s) =>
    "recv" in s && s.recv.startsWith("RNG") ? { recv: s.recv.replace("[REDACTED]", COOKIE) } : s
  );
  const cut = steps.findIndex((s) => "connect" in s && s.conn === "sb1");
  replaySession(steps.slice(0, cut));
  const other = steps.slice(0, cut).map((s) =>
    "event" in s && s.event.type === "invitation" ? { event: { ...s.event, cookie: "1.2.3" } } : s
  );
  assert.throws(() => replaySession(other), { code: "event-mismatch" });
});

test("through ReplayTransport, a real cookie written back is a mismatch that never shows it", async () => {
  // The server hands out a real cookie, the transcript expects [REDACTED] back on the switchboard.
  const steps = transcript("msnp9_sb_incoming.jsonl").map((s) =>
    "recv" in s && s.recv.startsWith("RNG") ? { recv: s.recv.replace("[REDACTED]", COOKIE) } : s
  );
  const replay: ReplayTransport = new ReplayTransport(steps, {
    onCall: (...a) => driver.call(...a),
    onTime: (ms) => driver.time(ms),
  });
  const driver = new SessionDriver(replay, replay.runPassport, transcriptHeader(steps)!.session!);
  driver.start();
  const error = await within(replay.done().then(() => undefined, (e: unknown) => e));
  assert.ok(error instanceof ReplayMismatchError);
  assert.equal(error.code, "send-mismatch");
  assert.equal(error.connection, "sb1");
  // Cut where the transcript's line ends, mid-cookie: what is shown of the cookie is redacted too.
  assert.equal(error.actual, JSON.stringify("ANS 1 me@example.com [REDACTED]"));
  for (const text of [error.message, error.stack ?? "", JSON.stringify(error), error.actual]) {
    assert.ok(!text.includes("SeCrEt"), text);
  }
  // The driver's write failed with the same error, which shows no cookie either.
  assert.ok(driver.errors.length > 0 && driver.errors.every((e) => e === error));
});
