import {
  NotificationSession,
  type SessionEvent,
  type SessionOptions,
  type SwitchboardSettings,
} from "../machine/mod.ts";
import { describeEvent, describeStep, eventMatches, excerpt } from "../io_adapters/_replay_text.ts";
import {
  type ConnectionKind,
  connectKind,
  NS_CONNECTION,
  stepBytes,
  stepConnection,
  transcriptHeader,
  type TranscriptStep,
} from "../io_adapters/_transcript.ts";
import { type ReplayMismatchCode, ReplayMismatchError } from "../io_adapters/errors.ts";
import {
  describeOutput,
  effectCode,
  Outbox,
  splitHostPort,
  switchboardFactory,
} from "./_replay_parts.ts";

/** One output of a session, as {@link replaySession} reads it (other output types are ignored). */
export type ReplayOutput =
  | { type: "connect"; host: string; port: number; kind?: ConnectionKind }
  | { type: "transmit"; bytes: Uint8Array }
  | { type: "close" }
  | { type: "passport"; account: string; challenge: string }
  | { type: "event"; event: unknown };

/**
 * What {@link replaySession} drives on one connection: the notification session, a switchboard
 * session, or any session built on the same connection core.
 */
export interface ReplayableSession {
  /** The next output, or `undefined` when there is none. */
  poll(): { readonly type: string } | undefined;
  /** When `handleTimeout` should next be called, or `undefined`. */
  pollTimeout(): number | undefined;
  /** The connection it asked for (or was created for) is open. */
  handleConnected(now: number): void;
  /** Bytes from the server. */
  handleData(bytes: Uint8Array, now: number): void;
  /** The server closed the connection. */
  handleClosed(now: number): void;
  /** The clock reads `now`. */
  handleTimeout(now: number): void;
}

/** What a {@link ReplaySessionFactory} is told when a transcript opens a connection. */
export interface ReplayConnectContext {
  /** The connection id in the transcript (`sb1`, ...). */
  conn: string;
  /** The kind of server. */
  kind: ConnectionKind;
  /** Host of the `connect` step. */
  host: string;
  /** Port of the `connect` step. */
  port: number;
  /** The replay's clock. */
  now: number;
  /**
   * The notification session's latest `switchboard` (an `XFR SB` reply) or `invitation` (`RNG`)
   * event for this address that no earlier connection used: where a driver gets the cookie.
   */
  trigger?: Extract<SessionEvent, { type: "switchboard" | "invitation" }>;
  /** The notification session. */
  notification: NotificationSession;
}

/** Creates the session that plays a connection the notification session does not own. */
export type ReplaySessionFactory = (context: ReplayConnectContext) => ReplayableSession;

/** Options for {@link replaySession}. */
export interface ReplayOptions {
  /** How to create the notification session. Default: the transcript's `header` step. */
  session?: SessionOptions;
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
  /**
   * The sessions for connections other than `ns`, by kind: `sessions.sb` creates the session of
   * each switchboard connection when its `connect` step is reached. Default for `sb`: a real
   * {@link SwitchboardSession}, created from the notification session's `switchboard` event
   * (an `XFR SB` reply: mode `call`) or `invitation` event (`RNG`: mode `answer`) for that
   * address, with its address, cookie, session id and the header's account, and started at once.
   * A switchboard with neither event before its `connect` fails with code `invalid-step`.
   */
  sessions?: Partial<Record<ConnectionKind, ReplaySessionFactory>>;
  /** Settings (time limits, text format, ...) of the default switchboard sessions. */
  switchboard?: SwitchboardSettings;
}

/** What a replay saw, for further assertions. */
export interface ReplayResult {
  /** The notification session after the last step. */
  session: NotificationSession;
  /** Every event the notification session emitted, in order. */
  events: SessionEvent[];
  /** Every session by connection id (`ns` is the notification session). */
  sessions: ReadonlyMap<string, ReplayableSession>;
  /** Every event of every session with its connection id, in the order they were polled. */
  allEvents: { conn: string; event: unknown }[];
}

interface Lane {
  readonly id: string;
  readonly session: ReplayableSession;
  readonly sent: Outbox;
  readonly effects: ReplayOutput[];
  readonly unmatched: unknown[];
}

/**
 * Drives a {@link NotificationSession} and, for each switchboard connection, a
 * `SwitchboardSession` entered from the notification session's `switchboard` or `invitation`
 * event (or what `options.sessions` creates), through a transcript of interleaved connections
 * with no network and no real clock, asserting every byte each sends, every connection it opens
 * or closes, every Passport request and every event it emits. Throws {@link ReplayMismatchError} (with the step, the connection and what was
 * expected and seen, secrets redacted) at the first divergence.
 *
 * Event steps match on the fields they give (recursively; a credential field given as
 * `[REDACTED]` matches any value), against the events of their connection's session; `call` steps invoke an intent of their connection's session with the given
 * arguments. A `passport` step with neither `ticket` nor `error` only checks the request: the
 * sign-in is left running (to replay a Passport that never answers).
 *
 * @example
 * ```ts
 * import { parseTranscript, replaySession } from "@msnp/client/testing";
 * const steps = parseTranscript([
 *   '{"header":{"version":2,"session":{"account":"me@example.com","protocols":["MSNP8"],"server":{"host":"127.0.0.1","port":1863}}}}',
 *   '{"connect":"127.0.0.1:1863","kind":"ns"}',
 *   '{"send":"VER 1 MSNP8 CVR0\\r\\n"}',
 *   '{"recv":"VER 1 0\\r\\n"}',
 *   '{"close":"client"}',
 *   '{"event":{"type":"signedOut","reason":"error","error":{"code":"version-rejected"}}}',
 * ].join("\n"));
 * replaySession(steps);
 * ```
 */
export function replaySession(
  steps: readonly TranscriptStep[],
  options: ReplayOptions = {},
): ReplayResult {
  const sessionOptions = options.session ?? transcriptHeader(steps)?.session;
  if (sessionOptions === undefined) {
    throw new TypeError("Cannot replay: give options.session or a transcript with a header step");
  }
  const session = new NotificationSession(sessionOptions);
  const defaultSwitchboard = switchboardFactory(sessionOptions.account, options.switchboard ?? {});
  const factories: Partial<Record<ConnectionKind, ReplaySessionFactory>> = {
    sb: defaultSwitchboard,
    ...options.sessions,
  };
  const strict = options.strictEvents ?? true;
  const events: SessionEvent[] = [];
  const allEvents: { conn: string; event: unknown }[] = [];
  const lanes = new Map<string, Lane>();
  const triggers: Extract<SessionEvent, { type: "switchboard" | "invitation" }>[] = [];
  let now = 0;

  const open = (id: string, s: ReplayableSession): Lane => {
    const lane = { id, session: s, sent: new Outbox(), effects: [], unmatched: [] };
    lanes.set(id, lane);
    return lane;
  };
  const ns = open(NS_CONNECTION, session);

  const pump = () => {
    for (const lane of lanes.values()) {
      for (let out = lane.session.poll(); out !== undefined; out = lane.session.poll()) {
        const output = out as ReplayOutput;
        if (output.type === "transmit") {
          lane.sent.push(output.bytes);
        } else if (output.type === "event") {
          lane.unmatched.push(output.event);
          allEvents.push({ conn: lane.id, event: output.event });
          if (lane === ns) {
            const event = output.event as SessionEvent;
            events.push(event);
            if (event.type === "switchboard" || event.type === "invitation") triggers.push(event);
          }
        } else if (
          output.type === "connect" || output.type === "close" || output.type === "passport"
        ) {
          lane.effects.push(output);
        }
      }
    }
  };
  const tick = (s: ReplayableSession) => {
    // Tell the session the time even when nothing is due, as a driver does before an intent,
    // so deadlines set by intents count from here.
    s.handleTimeout(now);
    for (let guard = 0; guard < 1000; guard++) {
      const due = s.pollTimeout();
      if (due === undefined || due > now) break;
      s.handleTimeout(now);
    }
  };

  session.start(now);
  steps.forEach((step, index) => {
    const n = index + 1;
    const id = stepConnection(step);
    const fail = (code: ReplayMismatchCode, expected: string, actual: string): never => {
      throw new ReplayMismatchError(code, n, expected, actual, { connection: id });
    };
    const laneFor = (): Lane => {
      const lane = lanes.get(id!);
      if (!lane) fail("invalid-step", describeStep(step), `no connection ${id} open`);
      return lane!;
    };
    const effect = (lane: Lane, type: ReplayOutput["type"]): ReplayOutput => {
      const got = lane.effects.shift();
      if (got === undefined) fail("missing", describeStep(step), "nothing");
      if (got!.type !== type) fail(effectCode(got!), describeStep(step), describeOutput(got!));
      return got!;
    };
    pump();
    if ("connect" in step) {
      const kind = connectKind(step);
      let lane = lanes.get(id!);
      if (lane === undefined) {
        const factory = factories[kind];
        if (factory === undefined) {
          fail("invalid-step", describeStep(step), `no session for a ${kind} connection`);
        }
        const [host, port] = splitHostPort(step.connect);
        const at = triggers.findIndex((t) => t.address.host === host && t.address.port === port);
        const trigger = at < 0 ? undefined : triggers.splice(at, 1)[0];
        if (trigger === undefined && factory === defaultSwitchboard) {
          fail(
            "invalid-step",
            describeStep(step),
            `no switchboard or invitation event for ${step.connect}`,
          );
        }
        lane = open(
          id!,
          factory!({ conn: id!, kind, host, port, now, trigger, notification: session }),
        );
        pump();
        // A session that asks for its own connection must ask for this one.
        if (lane.effects[0]?.type === "connect") expectConnect(effect(lane, "connect"));
      } else {
        expectConnect(effect(lane, "connect"));
      }
      lane.session.handleConnected(now);
    } else if ("send" in step || "sendBase64" in step) {
      const lane = laneFor();
      const expected = stepBytes(step)!;
      if (!lane.sent.startsWith(expected)) {
        fail(
          lane.sent.length === 0 ? "missing" : "send-mismatch",
          describeStep(step),
          lane.sent.length === 0 ? "nothing" : excerpt(lane.sent.view()),
        );
      }
      lane.sent.consume(expected.length);
    } else if ("recv" in step || "recvBase64" in step) {
      const lane = laneFor();
      const bytes = stepBytes(step)!;
      const size = Math.max(1, options.chunkSize ?? bytes.length);
      for (let i = 0; i < bytes.length; i += size) {
        lane.session.handleData(bytes.subarray(i, i + size), now);
      }
    } else if ("close" in step) {
      const lane = laneFor();
      if (step.close === "server") lane.session.handleClosed(now);
      else effect(lane, "close");
    } else if ("passport" in step) {
      const got = effect(ns, "passport") as { challenge: string };
      if (got.challenge !== step.passport.challenge) {
        fail("unexpected-passport", describeStep(step), describeOutput(got as ReplayOutput));
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
      for (const lane of [...lanes.values()]) tick(lane.session);
    } else if ("event" in step) {
      const lane = laneFor();
      let actual = lane.unmatched.shift();
      if (!strict) {
        while (actual !== undefined && !eventMatches(actual, step.event)) {
          actual = lane.unmatched.shift();
        }
      }
      if (actual === undefined || !eventMatches(actual, step.event)) {
        fail("event-mismatch", `event ${describeEvent(step.event)}`, describeEvent(actual));
      }
    } else if ("call" in step) {
      const lane = laneFor();
      const method = (lane.session as unknown as Record<string, unknown>)[step.call.method];
      if (typeof method !== "function") {
        fail("invalid-step", describeStep(step), `no session method ${step.call.method}`);
      }
      (method as (...args: unknown[]) => unknown).apply(lane.session, step.call.args ?? []);
    }

    function expectConnect(got: ReplayOutput): void {
      const c = got as { host: string; port: number; kind?: ConnectionKind };
      const step2 = step as { connect: string; kind?: ConnectionKind };
      const kindOk = c.kind === undefined || step2.kind === undefined || c.kind === step2.kind;
      if (`${c.host}:${c.port}` !== step2.connect || !kindOk) {
        fail("unexpected-connect", describeStep(step), describeOutput(got));
      }
    }
  });
  pump();
  const end = steps.length + 1;
  for (const lane of lanes.values()) {
    const on = { connection: lane.id };
    if (lane.sent.length > 0) {
      throw new ReplayMismatchError(
        "unexpected-send",
        end,
        "the end of the transcript",
        excerpt(lane.sent.view()),
        on,
      );
    }
    if (lane.effects.length > 0) {
      const got = lane.effects[0];
      throw new ReplayMismatchError(
        effectCode(got),
        end,
        "the end of the transcript",
        describeOutput(got),
        on,
      );
    }
    if (strict && lane.unmatched.length > 0) {
      throw new ReplayMismatchError(
        "event-mismatch",
        end,
        "the end of the transcript",
        describeEvent(lane.unmatched[0]),
        on,
      );
    }
  }
  const sessions = new Map([...lanes].map(([id, lane]) => [id, lane.session]));
  return { session, events, sessions, allEvents };
}
