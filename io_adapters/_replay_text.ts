// How transcripts show and compare things: step and byte excerpts with secrets redacted (for
// ReplayMismatchError messages), and events with their credential fields redacted (recorders write
// them so; replays match them so). Private to the package.

import { redactBytes } from "./_redact.ts";
import { stepBytes, type TranscriptStep } from "./_transcript.ts";

/** A short description of what a step expects, for mismatch messages (secrets redacted). */
export function describeStep(step: TranscriptStep | undefined, sendOffset = 0): string {
  if (!step) return "the end of the transcript";
  if ("connect" in step) return `connect to ${step.connect}${step.kind ? ` (${step.kind})` : ""}`;
  if ("close" in step) return `close by the ${step.close}`;
  if ("passport" in step) return `passport for ${quote(step.passport.challenge)}`;
  if ("time" in step) return `time ${step.time}`;
  if ("event" in step) return `event ${String(step.event.type ?? "")}`.trimEnd();
  if ("call" in step) return `call ${step.call.method}`;
  if ("comment" in step) return "comment";
  if ("header" in step) return "header";
  const bytes = stepBytes(step)!;
  const send = "send" in step || "sendBase64" in step;
  const rest = sendOffset > 0 ? ` (${sendOffset} bytes matched)` : "";
  return `${send ? "send" : "recv"} ${excerpt(bytes, send ? "client" : "server")}${rest}`;
}

const lenient = new TextDecoder("utf-8");

/** Bytes (sent by `from`) as a JSON-quoted string, secrets redacted, cut after 160 characters. */
export function excerpt(bytes: Uint8Array, from: "client" | "server" = "client"): string {
  return quote(lenient.decode(redactBytes(bytes, from)));
}

/** Text as a JSON-quoted string, cut after 160 characters. */
export function quote(text: string): string {
  return text.length > 160 ? JSON.stringify(text.slice(0, 160)) + "..." : JSON.stringify(text);
}

/** Event fields that hold credentials (the notification session's `switchboard` and `invitation` events carry the cookie). */
const SECRET_EVENT_FIELDS: ReadonlySet<string> = new Set([
  "cookie",
  "ticket",
  "mspAuth",
  "password",
]);
const REDACTED_VALUE = "[REDACTED]";

/**
 * A copy of an event (or any JSON-like value) with every credential field replaced by
 * `[REDACTED]`, walking plain objects and arrays; other values are kept as they are.
 */
export function redactEvent<T>(event: T): T {
  if (Array.isArray(event)) return event.map(redactEvent) as T;
  if (event === null || typeof event !== "object") return event;
  const proto = Object.getPrototypeOf(event);
  if (proto !== Object.prototype && proto !== null) return event;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    out[key] = SECRET_EVENT_FIELDS.has(key) && typeof value === "string"
      ? REDACTED_VALUE
      : redactEvent(value);
  }
  return out as T;
}

/**
 * Whether `actual` has every field of `expected` (recursively; arrays must match whole). A
 * credential field given as `[REDACTED]` matches any string, so an event recorded with its cookie
 * redacted still matches the event a replay emits.
 */
export function eventMatches(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== "object") return Object.is(actual, expected);
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length &&
      expected.every((e, i) => eventMatches(actual[i], e));
  }
  if (actual === null || typeof actual !== "object") return false;
  for (const [key, value] of Object.entries(expected)) {
    const got = (actual as Record<string, unknown>)[key];
    if (value === REDACTED_VALUE && SECRET_EVENT_FIELDS.has(key) && typeof got === "string") {
      continue;
    }
    if (!eventMatches(got, value)) return false;
  }
  return true;
}

/** An event as JSON, with bytes shortened and credentials redacted. */
export function describeEvent(event: unknown): string {
  if (event === undefined) return "no event";
  return JSON.stringify(redactEvent(event), (_key, v) => {
    if (v instanceof Uint8Array) return `<${v.length} bytes>`;
    return v;
  });
}
