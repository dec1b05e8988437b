/**
 * The transcript format (see {@link TranscriptStep}), and the helpers that
 * `ReplayTransport`, `RecordingTransport` and `testing/`'s `replaySession` share. Private to the
 * package: `testing/mod.ts` and `io_adapters/mod.ts` export what users need.
 *
 * @module
 */

import type { ConnectionKind } from "../codec/mod.ts";
import type { SessionOptions } from "../machine/mod.ts";

export type { ConnectionKind };

/** The id of the notification connection, and of every step that names none. */
export const NS_CONNECTION = "ns";

/** The transcript format version written by this library. */
export const TRANSCRIPT_VERSION = 2;

/** The `header` step's content: how the recorded session was set up. */
export interface TranscriptHeader {
  /** Format version (2 is written today). */
  version: number;
  /** The notification session's options, as JSON (no password: sessions never see one). */
  session?: SessionOptions;
}

/**
 * The transcript format: a recorded (or hand-written) MSNP session, one JSON
 * object per line, in the order things happened. Replay tests, the replay
 * transport and the recording wrapper read and write it. Several connections
 * (the notification server and any number of switchboards) interleave in one
 * transcript.
 *
 * Steps (each line is one object with exactly one of these keys, plus `conn`
 * and `kind` where allowed):
 * - `{"header":{"version":2,"session":{"account":"me@example.com",...}}}`: at
 *   most one, before any other step but comments: the session options the
 *   recording was made with (JSON-safe `SessionOptions`), so a replay does not
 *   have to guess them.
 * - `{"connect":"host:port","kind":"ns"}`: the client opens a connection;
 *   `kind` is `ns` (notification or dispatch server) or `sb` (switchboard).
 * - `{"send":"VER 1 MSNP8 CVR0\r\n"}`: bytes the client must send, exactly.
 * - `{"recv":"VER 1 MSNP8\r\n"}`: bytes the server sends.
 * - `{"close":"server"}` / `{"close":"client"}`: who closed the connection.
 * - `{"passport":{"challenge":"lc=1033,id=507","ticket":"t=..."}}`: the
 *   client asks Passport for a ticket for this challenge and gets `ticket`;
 *   `{"passport":{"challenge":"...","error":"bad-credentials"}}` for a failure.
 * - `{"time":1500}`: the clock reads this many milliseconds (absolute).
 * - `{"event":{"type":"signedIn",...}}`: an event the client must emit
 *   (compared on the fields given; a `cookie`, `ticket`, `mspAuth` or
 *   `password` field given as `[REDACTED]` matches any value, and recorders
 *   write these fields redacted).
 * - `{"call":{"method":"addContact","args":["bob@example.com"]}}`: the
 *   application calls a session intent here (`replaySession` makes the call;
 *   `ReplayTransport` hands it to its `onCall` hook).
 * - `{"comment":"..."}`: ignored.
 *
 * Connections: `connect`, `send`, `recv`, `close`, `event` and `call` steps
 * may carry `"conn":"<id>"` (1 to 32 letters, digits, `_`, `.` or `-`). A step
 * without `conn` belongs to the notification connection, whose id is `ns`:
 * a transcript of one connection at a time (every recording made before
 * switchboards, and those files still replay unchanged) needs no `conn` at
 * all. A `connect` on an id that was connected before opens a new connection
 * for it (an `XFR NS` redirect reconnects `ns`); the older one is then stale.
 * `kind` defaults to `ns` for the id `ns` and `sb` for any other id; `passport`
 * steps belong to `ns`; `header`, `time` and `comment` belong to none.
 * Recorders name switchboards `sb1`, `sb2`, ... in the order they connect.
 *
 * Order: steps of one connection happen in their order. Across connections
 * the transcript order says what the recorder saw first; replays play server
 * steps in transcript order and let a client act on one connection ahead of a
 * step still waiting on another.
 *
 * `send`/`recv` hold UTF-8 text; bytes that are not valid UTF-8 use
 * `sendBase64`/`recvBase64` instead. Recordings redact secrets as
 * `[REDACTED]`.
 *
 * @example A notification connection and a switchboard, interleaved
 * ```ts
 * import { parseTranscript } from "@msnp/client/testing";
 * const steps = parseTranscript([
 *   '{"header":{"version":2,"session":{"account":"me@example.com"}}}',
 *   '{"connect":"messenger.hotmail.com:1863","kind":"ns"}',
 *   '{"send":"XFR 9 SB\\r\\n"}',
 *   '{"recv":"XFR 9 SB 10.0.0.9:1864 CKI [REDACTED]\\r\\n"}',
 *   '{"conn":"sb1","connect":"10.0.0.9:1864","kind":"sb"}',
 *   '{"conn":"sb1","send":"USR 1 me@example.com [REDACTED]\\r\\n"}',
 *   '{"recv":"NLN BSY bob@example.com Bob 0\\r\\n"}',
 *   '{"conn":"sb1","recv":"USR 1 OK me@example.com Me\\r\\n"}',
 * ].join("\n"));
 * console.log(steps.length); // 8
 * ```
 */
export type TranscriptStep =
  | { header: TranscriptHeader }
  | { connect: string; conn?: string; kind?: ConnectionKind }
  | { send: string; conn?: string }
  | { sendBase64: string; conn?: string }
  | { recv: string; conn?: string }
  | { recvBase64: string; conn?: string }
  | { close: "server" | "client"; conn?: string }
  | { passport: { challenge: string; ticket?: string; error?: string } }
  | { time: number }
  | { event: Record<string, unknown>; conn?: string }
  | { call: { method: string; args?: unknown[] }; conn?: string }
  | { comment: string };

/** A transcript could not be read. */
export class TranscriptError extends Error {
  /** Line number (1-based) of the bad step. */
  readonly line: number;
  /** Creates an error for line `line`. */
  constructor(line: number, message: string) {
    super(`Cannot read transcript line ${line}: ${message}`);
    this.name = "TranscriptError";
    this.line = line;
  }
}

const KEYS = [
  "header",
  "connect",
  "send",
  "sendBase64",
  "recv",
  "recvBase64",
  "close",
  "passport",
  "time",
  "event",
  "call",
  "comment",
];
const MAIN = new Set(KEYS);
/** Steps that never name a connection (`passport` is always the notification server's). */
const WITHOUT_CONN = new Set(["header", "passport", "time", "comment"]);
const WITH_CONN = new Set(KEYS.filter((key) => !WITHOUT_CONN.has(key)));
const CONN_ID = /^[A-Za-z0-9_.-]{1,32}$/;

/**
 * Parses JSON-lines transcript text. Blank lines are skipped.
 *
 * @example
 * ```ts
 * import { parseTranscript } from "@msnp/client/testing";
 * const steps = parseTranscript('{"connect":"127.0.0.1:1863"}\n{"send":"VER 1 MSNP8 CVR0\\r\\n"}\n');
 * console.log(steps.length); // 2
 * ```
 */
export function parseTranscript(text: string): TranscriptStep[] {
  const steps: TranscriptStep[] = [];
  const lines = text.split("\n");
  let others = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    const fail = (message: string): never => {
      throw new TranscriptError(i + 1, message);
    };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      fail("not JSON");
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) fail("not an object");
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    const main = keys.filter((k) => MAIN.has(k));
    if (main.length !== 1) fail(`expected exactly one of ${KEYS.join(", ")}`);
    const key = main[0];
    for (const extra of keys) {
      if (extra === key) continue;
      if (extra === "conn" && WITH_CONN.has(key)) {
        if (typeof record.conn !== "string" || !CONN_ID.test(record.conn)) {
          fail(`invalid connection id ${JSON.stringify(record.conn)}`);
        }
      } else if (extra === "kind" && key === "connect") {
        if (record.kind !== "ns" && record.kind !== "sb") {
          fail(`invalid kind ${JSON.stringify(record.kind)}`);
        }
      } else {
        fail(`unexpected key ${JSON.stringify(extra)} in a "${key}" step`);
      }
    }
    const v = record[key];
    const ok = key === "time"
      ? typeof v === "number" && Number.isFinite(v)
      : key === "close"
      ? v === "server" || v === "client"
      : key === "header"
      ? isObject(v) && typeof v.version === "number" &&
        (v.session === undefined || isObject(v.session))
      : key === "passport" || key === "event" || key === "call"
      ? isObject(v)
      : key === "sendBase64" || key === "recvBase64"
      ? typeof v === "string" && isBase64(v)
      : typeof v === "string";
    if (!ok) fail(`invalid value for "${key}"`);
    if (key === "header" && others) fail("the header must come before every other step");
    if (key !== "comment") others = true;
    steps.push(record as TranscriptStep);
  }
  return steps;
}

// stepBytes decodes with atob: what it would refuse is refused here, as a TranscriptError.
function isBase64(v: string): boolean {
  try {
    atob(v);
    return true;
  } catch {
    return false;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Serializes steps as JSON lines (one step per line, newline-terminated).
 *
 * @example
 * ```ts
 * import { stringifyTranscript } from "@msnp/client/testing";
 * stringifyTranscript([{ recv: "QNG 50\r\n" }]); // '{"recv":"QNG 50\\r\\n"}\n'
 * ```
 */
export function stringifyTranscript(steps: readonly TranscriptStep[]): string {
  return steps.map((s) => JSON.stringify(s) + "\n").join("");
}

/** The connection a step belongs to (`ns` when it names none), or `undefined` for `header`, `time` and `comment`. */
export function stepConnection(step: TranscriptStep): string | undefined {
  if ("header" in step || "time" in step || "comment" in step) return undefined;
  return ("conn" in step && step.conn !== undefined) ? step.conn : NS_CONNECTION;
}

/** The kind of server a `connect` step goes to: its `kind`, else `ns` for the id `ns` and `sb` otherwise. */
export function connectKind(
  step: { connect: string; conn?: string; kind?: ConnectionKind },
): ConnectionKind {
  return step.kind ?? ((step.conn ?? NS_CONNECTION) === NS_CONNECTION ? "ns" : "sb");
}

/** The transcript's header, if it has one. */
export function transcriptHeader(steps: readonly TranscriptStep[]): TranscriptHeader | undefined {
  for (const step of steps) {
    if ("header" in step) return step.header;
    if (!("comment" in step)) return undefined;
  }
  return undefined;
}

/**
 * A `header` step for a session started with `session`: a JSON-safe copy (undefined fields
 * dropped, the contact list cache copied as plain data), e.g.
 * `{ header: { version: 2, session: { account: "me@example.com", protocols: ["MSNP8"] } } }`.
 */
export function headerStep(session?: SessionOptions): { header: TranscriptHeader } {
  const header: TranscriptHeader = { version: TRANSCRIPT_VERSION };
  if (session !== undefined) header.session = JSON.parse(JSON.stringify(session));
  return { header };
}

/** The bytes of a `send`/`sendBase64` or `recv`/`recvBase64` step, or `undefined` for other steps. */
export function stepBytes(step: TranscriptStep): Uint8Array | undefined {
  if ("send" in step) return new TextEncoder().encode(step.send);
  if ("recv" in step) return new TextEncoder().encode(step.recv);
  const b64 = "sendBase64" in step
    ? step.sendBase64
    : "recvBase64" in step
    ? step.recvBase64
    : undefined;
  if (b64 === undefined) return undefined;
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Makes a `send` or `recv` step from bytes, falling back to base64 when they are not UTF-8.
 * `conn` is written only when it is not `ns`.
 */
export function bytesStep(
  direction: "send" | "recv",
  bytes: Uint8Array,
  conn: string = NS_CONNECTION,
): TranscriptStep {
  const on = conn === NS_CONNECTION ? {} : { conn };
  try {
    const text = strictUtf8.decode(bytes);
    return direction === "send" ? { ...on, send: text } : { ...on, recv: text };
  } catch {
    let bin = "";
    for (let i = 0; i < bytes.length; i += 4096) {
      bin += String.fromCharCode(...bytes.subarray(i, i + 4096));
    }
    return direction === "send"
      ? { ...on, sendBase64: btoa(bin) }
      : { ...on, recvBase64: btoa(bin) };
  }
}
