import { NotificationSession, type SessionEvent, type SessionOptions } from "../machine/mod.ts";
import { stepBytes, type TranscriptStep } from "./transcript.ts";

/** Options for {@link replaySession}. */
export interface ReplayOptions {
  /** How to create the session under test. */
  session: SessionOptions;
  /**
   * Feed each `recv` step in chunks of this many bytes (1 = byte by byte).
   * Default: each step whole.
   */
  chunkSize?: number;
  /**
   * Whether every emitted event must appear as an `event` step (default
   * `true`). With `false`, events not listed are allowed, but the listed ones
   * must still come in order.
   */
  strictEvents?: boolean;
}

/** What a replay saw, for further assertions. */
export interface ReplayResult {
  /** The session after the last step. */
  session: NotificationSession;
  /** Every event the session emitted, in order. */
  events: SessionEvent[];
}

/** The session did something the transcript did not say. */
export class ReplayMismatchError extends Error {
  /** 1-based index of the step where replay diverged (steps + 1 for the final check). */
  readonly step: number;
  /** Creates an error for `step`. */
  constructor(step: number, message: string) {
    super(`Replay diverged at step ${step}: ${message}`);
    this.name = "ReplayMismatchError";
    this.step = step;
  }
}

type Effect = { type: "connect"; host: string; port: number } | { type: "close" } | {
  type: "passport";
  account: string;
  challenge: string;
};

/**
 * Drives a {@link NotificationSession} through a transcript with no network
 * and no real clock, asserting every byte it sends, every connection it
 * opens or closes, every Passport request and every event it emits. Throws
 * {@link ReplayMismatchError} at the first divergence.
 *
 * Event steps match on the fields they give (recursively); `call` steps
 * invoke a session intent with the given arguments. A `passport` step with
 * neither `ticket` nor `error` only checks the request: the sign-in is left
 * running (to replay a Passport that never answers).
 *
 * @example
 * ```ts
 * import { parseTranscript, replaySession } from "@msnp/client/testing";
 * const steps = parseTranscript([
 *   '{"connect":"127.0.0.1:1863"}',
 *   '{"send":"VER 1 MSNP8 CVR0\\r\\n"}',
 *   '{"recv":"VER 1 0\\r\\n"}',
 *   '{"close":"client"}',
 *   '{"event":{"type":"signedOut","reason":"error","error":{"code":"version-rejected"}}}',
 * ].join("\n"));
 * replaySession(steps, {
 *   session: { account: "me@example.com", protocols: ["MSNP8"], server: { host: "127.0.0.1", port: 1863 } },
 * });
 * ```
 */
export function replaySession(
  steps: readonly TranscriptStep[],
  options: ReplayOptions,
): ReplayResult {
  const session = new NotificationSession(options.session);
  const strict = options.strictEvents ?? true;
  const events: SessionEvent[] = [];
  const unmatched: SessionEvent[] = [];
  const effects: Effect[] = [];
  let sent = new Uint8Array(0);
  let now = 0;

  const pump = () => {
    for (let out = session.poll(); out !== undefined; out = session.poll()) {
      if (out.type === "transmit") {
        const joined = new Uint8Array(sent.length + out.bytes.length);
        joined.set(sent);
        joined.set(out.bytes, sent.length);
        sent = joined;
      } else if (out.type === "event") {
        events.push(out.event);
        unmatched.push(out.event);
      } else {
        effects.push(out);
      }
    }
  };
  const show = (bytes: Uint8Array) => JSON.stringify(new TextDecoder().decode(bytes));

  session.start(now);
  steps.forEach((step, index) => {
    const n = index + 1;
    const fail = (message: string): never => {
      throw new ReplayMismatchError(n, message);
    };
    pump();
    if ("connect" in step) {
      const effect = effects.shift();
      if (effect?.type !== "connect" || `${effect.host}:${effect.port}` !== step.connect) {
        fail(`expected connect to ${step.connect}, got ${JSON.stringify(effect ?? "nothing")}`);
      }
      session.handleConnected(now);
    } else if ("send" in step || "sendBase64" in step) {
      const expected = stepBytes(step)!;
      const actual = sent.subarray(0, expected.length);
      if (actual.length < expected.length || actual.some((b, i) => b !== expected[i])) {
        fail(`expected the client to send ${show(expected)}, it sent ${show(sent)}`);
      }
      sent = sent.slice(expected.length);
    } else if ("recv" in step || "recvBase64" in step) {
      const bytes = stepBytes(step)!;
      const size = options.chunkSize ?? bytes.length;
      for (let i = 0; i < bytes.length; i += Math.max(1, size)) {
        session.handleData(bytes.subarray(i, i + Math.max(1, size)), now);
      }
    } else if ("close" in step) {
      if (step.close === "server") {
        session.handleClosed(now);
      } else {
        const effect = effects.shift();
        if (effect?.type !== "close") {
          fail(`expected the client to close, got ${JSON.stringify(effect ?? "nothing")}`);
        }
      }
    } else if ("passport" in step) {
      const effect = effects.shift();
      if (effect?.type !== "passport" || effect.challenge !== step.passport.challenge) {
        fail(
          `expected a Passport request for ${JSON.stringify(step.passport.challenge)}, got ${
            JSON.stringify(effect ?? "nothing")
          }`,
        );
      }
      // With neither a ticket nor an error, the sign-in is still running.
      if (step.passport.ticket !== undefined) {
        session.handlePassportTicket(step.passport.ticket, now);
      } else if (step.passport.error !== undefined) {
        session.handlePassportError(
          { code: step.passport.error, message: "replayed failure" },
          now,
        );
      }
    } else if ("time" in step) {
      now = step.time;
      // Tell the session the time even when nothing is due, as a driver
      // does before an intent, so deadlines set by intents count from here.
      session.handleTimeout(now);
      for (let guard = 0; guard < 1000; guard++) {
        const due = session.pollTimeout();
        if (due === undefined || due > now) break;
        session.handleTimeout(now);
      }
    } else if ("event" in step) {
      let actual = unmatched.shift();
      if (!strict) {
        while (actual !== undefined && !matches(actual, step.event)) actual = unmatched.shift();
      }
      if (actual === undefined || !matches(actual, step.event)) {
        fail(`expected event ${JSON.stringify(step.event)}, got ${describe(actual)}`);
      }
    } else if ("call" in step) {
      const method = (session as unknown as Record<string, unknown>)[step.call.method];
      if (typeof method !== "function") fail(`no session method ${step.call.method}`);
      (method as (...args: unknown[]) => unknown).apply(session, step.call.args ?? []);
    }
  });
  pump();
  const end = steps.length + 1;
  if (sent.length > 0) throw new ReplayMismatchError(end, `unexpected bytes sent: ${show(sent)}`);
  if (effects.length > 0) {
    throw new ReplayMismatchError(end, `unexpected ${JSON.stringify(effects[0])}`);
  }
  if (strict && unmatched.length > 0) {
    throw new ReplayMismatchError(end, `unexpected event ${describe(unmatched[0])}`);
  }
  return { session, events };
}

function describe(event: SessionEvent | undefined): string {
  if (event === undefined) return "no event";
  return JSON.stringify(event, (_k, v) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v));
}

/** Whether `actual` has every field of `expected` (recursively; arrays must match whole). */
function matches(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== "object") return Object.is(actual, expected);
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length &&
      expected.every((e, i) => matches(actual[i], e));
  }
  if (actual === null || typeof actual !== "object") return false;
  for (const [key, value] of Object.entries(expected)) {
    if (!matches((actual as Record<string, unknown>)[key], value)) return false;
  }
  return true;
}
