// Redaction for recordings: a secret the session can read is a secret the recorder removes.
// Each direction of a connection is cut into commands with the decoder's own framing rules (line to
// LF, then a payload whose byte length is the last argument of a payload command, judged with the
// codec's hasPayload/hasTrid/parseTrid), scanning only new bytes and copying each byte a bounded
// number of times, so the cost is linear in the input whatever the chunking. Each command that can
// hold a secret is parsed with the codec's Decoder, its secret arguments (the codec's command table:
// secretArgIndexes) replaced, and MSG payloads are read with the codec's parseMime (bare-LF line
// ends, any header case) so that the codec's SECRET_PAYLOAD_HEADERS (MSPAuth, MSPProf) are replaced
// wherever the session could find them. Where framing is lost (the decoder would fail
// for good), the rest is cut into lines and redacted by the same table, token by token.

import { type Command, COMMANDS, Decoder, type Direction, parseMime } from "../codec/mod.ts";
import {
  hasPayload,
  hasTrid,
  parseTrid,
  SECRET_PAYLOAD_HEADERS,
  secretArgIndexes,
} from "../codec/command.ts";

/** What replaces a secret in a recording. */
export const REDACTED = "[REDACTED]";

/** Names of commands sent by `from` that can hold a secret argument or a secret MIME header. */
function secretCommandNames(from: Direction): Set<string> {
  const names = new Set(["MSG"]);
  for (const kind of ["ns", "sb"] as const) {
    for (const [name, rule] of Object.entries(COMMANDS[kind][from])) {
      if (rule.secrets !== undefined) names.add(name);
    }
  }
  return names;
}

const SECRET_HEADERS: ReadonlySet<string> = new Set(SECRET_PAYLOAD_HEADERS);

const LF = 10;
const CR = 13;
const SPACE = 32;
/** Longest line kept whole for redaction; a longer one (no session reads it) streams through. */
export const MAX_LINE_BYTES = 1 << 20;
/** Largest payload kept whole for redaction; a larger one streams through. */
export const MAX_PAYLOAD_BYTES = 16 << 20;

const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const loose = new TextDecoder("utf-8", { ignoreBOM: true });
const REDACTED_BYTES = encoder.encode(REDACTED);

const LINE = 0;
const PAYLOAD = 1; // waiting for #need bytes (line + payload) from #start
const STREAM = 2; // passing #need payload bytes through
const SKIP = 3; // passing the rest of an over-long line through, up to its LF

/**
 * Cuts one direction of one connection into commands and redacts each. `push` returns the units
 * (a command line with its payload, an empty line, or a piece of something too long to keep) that
 * the bytes complete, in order; `flush` returns the incomplete rest.
 */
export class StreamRedactor {
  readonly #from: Direction;
  readonly #names: ReadonlySet<string>;
  #parser: Decoder;
  #buf = new Uint8Array(1024);
  #start = 0;
  #end = 0;
  #scanned = 0; // bytes after #start already searched for LF
  #mode = LINE;
  #need = 0;
  #lost = false;
  /** Bytes scanned plus bytes copied so far: a measure of work, linear in the input. */
  work = 0;

  /** A redactor for bytes sent by `from`. */
  constructor(from: Direction) {
    this.#from = from;
    this.#names = secretCommandNames(from);
    this.#parser = this.#newParser();
  }

  #newParser(): Decoder {
    return new Decoder({
      from: this.#from,
      maxLineBytes: MAX_LINE_BYTES,
      maxPayloadBytes: MAX_PAYLOAD_BYTES,
    });
  }

  /** Feeds bytes; returns the units they complete, redacted. */
  push(bytes: Uint8Array): Uint8Array[] {
    this.#append(bytes);
    const out: Uint8Array[] = [];
    while (this.#start < this.#end) {
      if (this.#mode === PAYLOAD) {
        if (this.#end - this.#start < this.#need) break;
        out.push(this.#redactUnit(this.#take(this.#need)));
        this.#mode = LINE;
      } else if (this.#mode === STREAM || this.#mode === SKIP) {
        let n = Math.min(this.#need, this.#end - this.#start);
        if (this.#mode === SKIP) {
          const lf = this.#buf.subarray(this.#start, this.#end).indexOf(LF);
          this.work += lf < 0 ? n : lf + 1;
          n = lf < 0 ? this.#end - this.#start : lf + 1;
          if (lf >= 0) this.#mode = LINE;
        } else {
          this.#need -= n;
          if (this.#need === 0) this.#mode = LINE;
        }
        out.push(redactLinesByPattern(this.#take(n), this.#from));
      } else {
        const from = this.#start + this.#scanned;
        const lf = this.#buf.subarray(from, this.#end).indexOf(LF);
        this.work += lf < 0 ? this.#end - from : lf + 1;
        if (lf < 0) {
          this.#scanned = this.#end - this.#start;
          if (this.#scanned > MAX_LINE_BYTES) {
            if (!this.#lost && hasPayload(nameOf(this.#buf, this.#start, this.#end), this.#from)) {
              this.#lost = true; // the decoder cannot find this payload's length either
            }
            this.#mode = SKIP;
            out.push(redactLinesByPattern(this.#take(this.#end - this.#start), this.#from));
          }
          break;
        }
        const lineEnd = from + lf + 1;
        const length = this.#lost ? -1 : this.#payloadLength(this.#start, lineEnd);
        if (length === undefined) this.#lost = true;
        if (length === undefined || length < 0) {
          const unit = this.#take(lineEnd - this.#start);
          out.push(this.#lost ? redactLinesByPattern(unit, this.#from) : this.#redactUnit(unit));
        } else if (length > MAX_PAYLOAD_BYTES) {
          out.push(this.#redactUnit(this.#take(lineEnd - this.#start)));
          this.#mode = STREAM;
          this.#need = length;
        } else {
          this.#mode = PAYLOAD;
          this.#need = lineEnd - this.#start + length;
        }
      }
    }
    return out;
  }

  /** The incomplete rest, redacted line by line. */
  flush(): Uint8Array[] {
    const n = this.#end - this.#start;
    this.#mode = LINE;
    return n > 0 ? [redactLinesByPattern(this.#take(n), this.#from)] : [];
  }

  /** Appends bytes, compacting or growing the buffer so each byte is copied a bounded number of times. */
  #append(bytes: Uint8Array): void {
    const pending = this.#end - this.#start;
    if (this.#end + bytes.length > this.#buf.length) {
      if (pending + bytes.length <= this.#buf.length / 2) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        const grown = new Uint8Array(Math.max(1024, 2 * (pending + bytes.length)));
        grown.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = grown;
      }
      this.work += pending;
      this.#start = 0;
      this.#end = pending;
    }
    this.#buf.set(bytes, this.#end);
    this.#end += bytes.length;
    this.work += bytes.length;
  }

  /** Removes and returns (a copy of) the next `n` pending bytes. */
  #take(n: number): Uint8Array {
    const unit = this.#buf.slice(this.#start, this.#start + n);
    this.work += n;
    this.#start += n;
    this.#scanned = 0;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    // A buffer that once held a large unit must not pin its memory.
    if (this.#buf.length > 1 << 18 && this.#end - this.#start < this.#buf.length / 8) {
      const small = new Uint8Array(Math.max(1024, 2 * (this.#end - this.#start)));
      small.set(this.#buf.subarray(this.#start, this.#end));
      this.work += this.#end - this.#start;
      this.#buf = small;
      this.#end -= this.#start;
      this.#start = 0;
    }
    return unit;
  }

  /**
   * For the line `buf[start, lineEnd)`: -1 if it is not a payload command, its payload length if it
   * is, `undefined` if the decoder would lose framing on it (exactly the decoder's fatal cases).
   */
  #payloadLength(start: number, lineEnd: number): number | undefined {
    let end = lineEnd - 1;
    if (end > start && this.#buf[end - 1] === CR) end--;
    if (!hasPayload(nameOf(this.#buf, start, end), this.#from)) return -1;
    let text: string;
    try {
      text = utf8.decode(this.#buf.subarray(start, end));
    } catch {
      return undefined;
    }
    const parts = text.split(" ").filter((p) => p !== "");
    const withTrid = hasTrid(parts[0], this.#from, parts[1]);
    if (withTrid && (parts.length < 2 || parseTrid(parts[1]) === undefined)) return undefined;
    const args = parts.slice(withTrid ? 2 : 1);
    const length = args.length > 0 ? args[args.length - 1] : "";
    return /^\d{1,10}$/.test(length) ? Number(length) : undefined;
  }

  /** Redacts one complete unit; the same array when nothing in it is secret. */
  #redactUnit(unit: Uint8Array): Uint8Array {
    const lf = unit.indexOf(LF);
    let end = lf < 0 ? unit.length : lf;
    if (end > 0 && unit[end - 1] === CR) end--;
    if (!this.#names.has(nameOf(unit, 0, end))) return unit;
    this.#parser.push(unit);
    const command = this.#parser.next();
    for (let rest = this.#parser.next(); rest !== undefined; rest = this.#parser.next()) {
      if (rest instanceof Error && rest.fatal) break;
    }
    if (command === undefined || command instanceof Error) {
      // Not a command the session can read; still remove what looks like a secret.
      this.#parser = this.#newParser();
      return redactLinesByPattern(unit, this.#from);
    }
    return redactCommand(unit, end, lf, command, this.#from);
  }
}

/** The first space-separated token of `bytes[start, end)`, as the decoder names a command. */
function nameOf(bytes: Uint8Array, start: number, end: number): string {
  let i = start;
  while (i < end && bytes[i] === SPACE) i++;
  const from = i;
  while (i < end && bytes[i] !== SPACE && i - from < 4) i++;
  if (i - from !== 3) return "";
  return String.fromCharCode(bytes[from], bytes[from + 1], bytes[from + 2]);
}

/** Redacts a parsed command's secret arguments and, in a MSG, its secret MIME headers. */
function redactCommand(
  unit: Uint8Array,
  lineEnd: number,
  lf: number,
  command: Command,
  from: Direction,
): Uint8Array {
  const line = utf8.decode(unit.subarray(0, lineEnd));
  const ending = unit.subarray(lineEnd, lf < 0 ? unit.length : lf + 1);
  const originalPayload = lf < 0 ? new Uint8Array(0) : unit.subarray(lf + 1);
  let payload = originalPayload;
  let newLine = line;
  for (const index of secretArgIndexes(command.name, from, command.args)) {
    newLine = replaceArgument(newLine, command.trid !== null, index, REDACTED);
  }
  if (command.name === "MSG" && command.payload !== undefined) {
    payload = redactMime(originalPayload);
    if (payload !== originalPayload) {
      newLine = replaceArgument(
        newLine,
        command.trid !== null,
        command.args.length - 1,
        String(payload.length),
      );
    }
  }
  if (newLine === line && payload === originalPayload) return unit;
  return concat([encoder.encode(newLine), ending, payload]);
}

/** Replaces argument `index` in a raw line, keeping every other byte (runs of spaces included). */
function replaceArgument(line: string, withTrid: boolean, index: number, value: string): string {
  const tokens = line.split(" ");
  let target = 1 + (withTrid ? 1 : 0) + index;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === "") continue;
    if (target === 0) {
      if (tokens[i] === value) return line;
      tokens[i] = value;
      return tokens.join(" ");
    }
    target--;
  }
  return line;
}

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
        let valueStart = payload.indexOf(0x3a, start) + 1;
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
 * The fallback for bytes that are not a whole command the session could read: each line is
 * redacted token by token with the same table (with or without a TrID, either direction's rules),
 * and a line that looks like a secret MIME header loses its value. Binary bytes stay as they are.
 */
export function redactLinesByPattern(bytes: Uint8Array, from: Direction): Uint8Array {
  const text = loose.decode(bytes);
  const lines = text.split("\n");
  let changed = false;
  for (let i = 0; i < lines.length; i++) {
    const redacted = redactLineText(lines[i], from);
    if (redacted !== lines[i]) {
      lines[i] = redacted;
      changed = true;
    }
  }
  if (!changed) return bytes;
  return encoder.encode(lines.join("\n"));
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

function concat(parts: readonly Uint8Array[]): Uint8Array {
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

/** `bytes` (sent by `from`) with every secret the recorder would remove removed, for error messages. */
export function redactBytes(bytes: Uint8Array, from: Direction): Uint8Array {
  const redactor = new StreamRedactor(from);
  return concat([...redactor.push(bytes), ...redactor.flush()]);
}
