// The recorder's redaction of bytes that are not a command the session reads whole: a MIME payload
// (read with the codec's parseMime, as the session reads it), and the line-by-line fallback for
// everything else (lost framing, streamed payloads, the head of an over-long line). Both follow
// the codec's tables: SECRET_PAYLOAD_HEADERS for header lines, secretArgIndexes for arguments.

import { type Direction, parseMime } from "../codec/mod.ts";
import { hasTrid, SECRET_PAYLOAD_HEADERS, secretArgIndexes } from "../codec/command.ts";

/** What replaces a secret in a recording. */
export const REDACTED = "[REDACTED]";

const SECRET_HEADERS: ReadonlySet<string> = new Set(SECRET_PAYLOAD_HEADERS);
const LF = 10;
const CR = 13;
const SPACE = 32;
const COLON = 0x3a;

const encoder = new TextEncoder();
const loose = new TextDecoder("utf-8", { ignoreBOM: true });
/** The placeholder as bytes. */
export const REDACTED_BYTES: Uint8Array = encoder.encode(REDACTED);

function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.has(name.trim().toLowerCase());
}

/**
 * Replaces the values of secret headers in a MIME payload, read with the codec's parseMime (so
 * bare-LF line ends and any header case count), keeping every other byte. The same array if none.
 */
export function redactMime(payload: Uint8Array): Uint8Array {
  let headers: [string, string][];
  try {
    headers = parseMime(payload).headers;
  } catch {
    return redactLinesByPattern(payload, "server");
  }
  if (
    !headers.some(([name, value]) => isSecretHeader(name) && value !== "" && value !== REDACTED)
  ) {
    return payload;
  }
  // Walk the header lines exactly as parseMime does, so header k is line k.
  const parts: Uint8Array[] = [];
  let last = 0;
  let k = 0;
  let start = 0;
  while (start < payload.length) {
    const lf = payload.indexOf(LF, start);
    const lineEnd = lf === -1 ? payload.length : lf;
    const contentEnd = lineEnd > start && payload[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    if (contentEnd === start && lf !== -1) break;
    if (contentEnd > start) {
      const [name, value] = headers[k++];
      if (isSecretHeader(name) && value !== "" && value !== REDACTED) {
        // Whitespace before the value is kept as it was; the value itself is replaced.
        let valueStart = payload.indexOf(COLON, start) + 1;
        while (valueStart < contentEnd && payload[valueStart] === SPACE) valueStart++;
        parts.push(payload.subarray(last, valueStart), REDACTED_BYTES);
        last = contentEnd;
      }
    }
    start = lf === -1 ? payload.length : lf + 1;
  }
  parts.push(payload.subarray(last));
  return concat(parts);
}

/**
 * The fallback for bytes that are not a whole command the session could read: each line (cut at
 * LF) is redacted token by token with the same table (with or without a TrID, either direction's
 * rules), and a line that looks like a secret MIME header loses its value. A line with nothing to
 * redact keeps its bytes (binary ones included), so redacting lines one by one or together gives
 * the same bytes. The same array when nothing changed.
 */
export function redactLinesByPattern(bytes: Uint8Array, from: Direction): Uint8Array {
  let parts: Uint8Array[] | undefined;
  let last = 0;
  for (let start = 0; start < bytes.length;) {
    const lf = bytes.indexOf(LF, start);
    const end = lf < 0 ? bytes.length : lf;
    const line = loose.decode(bytes.subarray(start, end));
    const redacted = redactLineText(line, from);
    if (redacted !== line) {
      parts ??= [];
      parts.push(bytes.subarray(last, start), encoder.encode(redacted));
      last = end;
    }
    start = end + 1;
  }
  if (parts === undefined) return bytes;
  parts.push(bytes.subarray(last));
  return concat(parts);
}

function redactLineText(line: string, from: Direction): string {
  const colon = line.indexOf(":");
  if (colon > 0 && isSecretHeader(line.slice(0, colon))) {
    const rest = line.slice(colon + 1);
    const cr = rest.endsWith("\r") ? "\r" : "";
    const value = cr ? rest.slice(0, -1) : rest;
    if (value.trim() === "" || value.trim() === REDACTED) return line;
    const lead = value.length - value.trimStart().length;
    return `${line.slice(0, colon + 1)}${value.slice(0, lead)}${REDACTED}${cr}`;
  }
  const tokens = line.split(" ");
  const words: { text: string; at: number }[] = [];
  tokens.forEach((t, at) => {
    const text = t.endsWith("\r") ? t.slice(0, -1) : t;
    if (text !== "") words.push({ text, at });
  });
  if (words.length === 0) return line;
  const secret = new Set<number>();
  const name = words[0].text;
  for (const direction of [from, from === "client" ? "server" : "client"] as const) {
    const skip = hasTrid(name, direction, words[1]?.text) ? 2 : 1;
    const args = words.slice(skip).map((w) => w.text);
    for (const index of secretArgIndexes(name, direction, args)) secret.add(index + skip);
  }
  words.forEach((w, n) => {
    if (w.text === "CKI" && n + 1 < words.length) secret.add(n + 1);
  });
  let changed = false;
  for (const n of secret) {
    if (n >= words.length || words[n].text === REDACTED) continue;
    const { text, at } = words[n];
    tokens[at] = REDACTED + tokens[at].slice(text.length);
    changed = true;
  }
  return changed ? tokens.join(" ") : line;
}

/** The parts joined into one new array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
