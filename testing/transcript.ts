/**
 * The transcript format: a recorded (or hand-written) MSNP session, one JSON
 * object per line, in the order things happened. It is what replay tests,
 * the replay transport and the recording wrapper read and write.
 *
 * Steps:
 * - `{"connect":"host:port"}`: the client opens a connection; later steps
 *   belong to it until the next `connect`.
 * - `{"send":"VER 1 MSNP8 CVR0\r\n"}`: bytes the client must send, exactly.
 * - `{"recv":"VER 1 MSNP8\r\n"}`: bytes the server sends.
 * - `{"close":"server"}` / `{"close":"client"}`: who closed the connection.
 * - `{"passport":{"challenge":"lc=1033,id=507","ticket":"t=..."}}`: the
 *   client asks Passport for a ticket for this challenge and gets `ticket`;
 *   `{"passport":{"challenge":"...","error":"bad-credentials"}}` for a failure.
 * - `{"time":1500}`: the clock reads this many milliseconds (absolute).
 * - `{"event":{"type":"signedIn",...}}`: an event the client must emit
 *   (compared on the fields given).
 * - `{"call":{"method":"addContact","args":["bob@example.com"]}}`: the
 *   application calls a session intent here (session replays only; transports
 *   ignore it).
 * - `{"comment":"..."}`: ignored.
 *
 * `send`/`recv` hold UTF-8 text; bytes that are not valid UTF-8 use
 * `sendBase64`/`recvBase64` instead. Recordings redact secrets as
 * `[REDACTED]`.
 *
 * @module
 */

/** One step of a transcript; see the module documentation. */
export type TranscriptStep =
  | { connect: string }
  | { send: string }
  | { sendBase64: string }
  | { recv: string }
  | { recvBase64: string }
  | { close: "server" | "client" }
  | { passport: { challenge: string; ticket?: string; error?: string } }
  | { time: number }
  | { event: Record<string, unknown> }
  | { call: { method: string; args?: unknown[] } }
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

const KEYS = new Set([
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
]);

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
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new TranscriptError(i + 1, "not JSON");
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new TranscriptError(i + 1, "not an object");
    }
    const keys = Object.keys(value);
    if (keys.length !== 1 || !KEYS.has(keys[0])) {
      throw new TranscriptError(i + 1, `expected exactly one of ${[...KEYS].join(", ")}`);
    }
    const key = keys[0];
    const v = (value as Record<string, unknown>)[key];
    const ok = key === "time"
      ? typeof v === "number" && Number.isFinite(v)
      : key === "close"
      ? v === "server" || v === "client"
      : key === "passport" || key === "event" || key === "call"
      ? typeof v === "object" && v !== null && !Array.isArray(v)
      : typeof v === "string";
    if (!ok) throw new TranscriptError(i + 1, `invalid value for "${key}"`);
    steps.push(value as TranscriptStep);
  }
  return steps;
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

/** Makes a `send` or `recv` step from bytes, falling back to base64 when they are not UTF-8. */
export function bytesStep(direction: "send" | "recv", bytes: Uint8Array): TranscriptStep {
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return direction === "send" ? { send: text } : { recv: text };
  } catch {
    let bin = "";
    for (const b of bytes) bin += String.fromCharCode(b);
    return direction === "send" ? { sendBase64: btoa(bin) } : { recvBase64: btoa(bin) };
  }
}
