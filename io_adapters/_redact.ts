// Redaction for recordings: a secret the session can read is a secret the recorder removes.
// Each direction of a connection is cut into commands with the decoder's own framing rules (line to
// LF, then a payload whose byte length is the last argument of a payload command, judged with the
// codec's hasPayload/hasTrid/parseTrid), scanning only new bytes and copying each byte a bounded
// number of times, so the cost is linear in the input whatever the chunking. Each command that can
// hold a secret is parsed with the codec's Decoder, its secret arguments (the codec's command table:
// secretArgIndexes) replaced, and MSG payloads are read with the codec's parseMime (bare-LF line
// ends, any header case) so that the codec's SECRET_PAYLOAD_HEADERS (MSPAuth, MSPProf) are replaced
// wherever the session could find them. Where framing is lost (the decoder would fail for good)
// and inside a payload too large to keep, bytes are cut into lines and redacted by the same tables
// (./_redact_lines.ts). Only whole lines are ever redacted, so the output is the same however the
// bytes are chunked; a line longer than the limit keeps its first `maxLineBytes` bytes (redacted
// as a line) and the rest of it, to its LF, becomes one placeholder: it can be neither buffered
// whole nor cut without leaving part of a secret behind, and no session reads such a line.

import { type Command, COMMANDS, Decoder, type Direction } from "../codec/mod.ts";
import { hasPayload, hasTrid, isErrorCode, parseTrid, secretArgIndexes } from "../codec/command.ts";
import {
  concat,
  REDACTED,
  REDACTED_BYTES,
  redactLinesByPattern,
  redactMime,
} from "./_redact_lines.ts";

export { REDACTED };

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

const LF = 10;
const CR = 13;
const SPACE = 32;
const LF_BYTES = Uint8Array.of(LF);
/** Longest line kept whole for redaction; past it a line keeps only its redacted head. */
export const MAX_LINE_BYTES = 1 << 20;
/** Largest payload kept whole for redaction; a larger one is redacted line by line. */
export const MAX_PAYLOAD_BYTES = 16 << 20;

/** A StreamRedactor's limits (the defaults are far above any session's). */
export interface RedactorLimits {
  /** Longest line (without its LF) kept whole; default {@link MAX_LINE_BYTES}, at least 16. */
  maxLineBytes?: number;
  /** Largest payload kept whole; default {@link MAX_PAYLOAD_BYTES}. */
  maxPayloadBytes?: number;
}

const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

const LINE = 0; // looking for the LF of a command line
const PAYLOAD = 1; // waiting for #need bytes (line + payload) from #start
const STREAM = 2; // #need payload bytes left, passed on line by line
const SKIP = 3; // dropping the rest of an over-long line up to its LF (and within #need)

/**
 * Cuts one direction of one connection into commands and redacts each. `push` returns the units
 * (a command line with its payload, an empty line, a line of a payload too large to keep) that
 * the bytes complete, in order; `flush` returns the incomplete rest. The bytes returned do not
 * depend on how the input was chunked.
 */
export class StreamRedactor {
  readonly #from: Direction;
  readonly #names: ReadonlySet<string>;
  readonly #maxLine: number;
  readonly #maxPayload: number;
  #parser: Decoder;
  #buf = new Uint8Array(1024);
  #start = 0;
  #end = 0;
  #scanned = 0; // bytes after #start already searched for LF
  #mode = LINE;
  #need = 0; // PAYLOAD: unit bytes; STREAM, SKIP: payload bytes left (Infinity: not in a payload)
  #lost = false;
  #head: Uint8Array | undefined; // SKIP: the over-long line's redacted head
  /** Bytes scanned plus bytes copied so far: a measure of work, linear in the input. */
  work = 0;

  /** A redactor for bytes sent by `from`. */
  constructor(from: Direction, limits: RedactorLimits = {}) {
    this.#from = from;
    this.#names = secretCommandNames(from);
    this.#maxLine = limits.maxLineBytes ?? MAX_LINE_BYTES;
    this.#maxPayload = limits.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
    this.#parser = this.#newParser();
  }

  #newParser(): Decoder {
    return new Decoder({
      from: this.#from,
      maxLineBytes: this.#maxLine,
      maxPayloadBytes: this.#maxPayload,
    });
  }

  /** Feeds bytes; returns the units they complete, redacted. */
  push(bytes: Uint8Array): Uint8Array[] {
    this.#append(bytes);
    const out: Uint8Array[] = [];
    while (this.#start < this.#end) {
      const mode = this.#mode;
      const more = mode === LINE
        ? this.#line(out)
        : mode === PAYLOAD
        ? this.#payload(out)
        : mode === STREAM
        ? this.#stream(out)
        : this.#skip(out);
      if (!more) break;
    }
    return out;
  }

  /** The incomplete rest, redacted line by line. */
  flush(): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.#head !== undefined) out.push(this.#head);
    const n = this.#end - this.#start;
    if (n > 0) out.push(redactLinesByPattern(this.#take(n), this.#from));
    this.#mode = LINE;
    this.#need = 0;
    this.#head = undefined;
    return out;
  }

  /** LINE: a whole command line (or, lost, a line) is cut; false when more bytes are needed. */
  #line(out: Uint8Array[]): boolean {
    const lineEnd = this.#findLineEnd(this.#end - this.#start);
    if (lineEnd === -1) return false;
    if (lineEnd === -2) {
      // The decoder cannot skip an over-long line of a payload command (or of no command).
      const name = String.fromCharCode(...this.#buf.subarray(this.#start, this.#start + 3));
      if (hasPayload(name, this.#from) || !(/^[A-Z]{3}$/.test(name) || isErrorCode(name))) {
        this.#lost = true;
      }
      this.#need = Infinity;
      this.#startSkip();
      return true;
    }
    const length = this.#lost ? -1 : this.#payloadLength(this.#start, lineEnd);
    if (length === undefined) this.#lost = true;
    if (length === undefined || length < 0) {
      const unit = this.#take(lineEnd - this.#start);
      out.push(this.#lost ? redactLinesByPattern(unit, this.#from) : this.#redactUnit(unit));
    } else if (length > this.#maxPayload) {
      out.push(this.#redactUnit(this.#take(lineEnd - this.#start)));
      this.#mode = STREAM;
      this.#need = length;
    } else {
      this.#mode = PAYLOAD;
      this.#need = lineEnd - this.#start + length;
    }
    return true;
  }

  /** PAYLOAD: the command line and its payload, redacted together once all are here. */
  #payload(out: Uint8Array[]): boolean {
    if (this.#end - this.#start < this.#need) return false;
    out.push(this.#redactUnit(this.#take(this.#need)));
    this.#mode = LINE;
    return true;
  }

  /** STREAM: each whole line of the payload (its last one ends where the payload does). */
  #stream(out: Uint8Array[]): boolean {
    const available = Math.min(this.#end - this.#start, this.#need);
    const lineEnd = this.#findLineEnd(available);
    let n: number;
    if (lineEnd >= 0) n = lineEnd - this.#start;
    else if (lineEnd === -1 && available === this.#need) n = available;
    else if (lineEnd === -1) return false;
    else {
      this.#startSkip();
      return true;
    }
    out.push(redactLinesByPattern(this.#take(n), this.#from));
    this.#need -= n;
    if (this.#need === 0) this.#mode = LINE;
    return true;
  }

  /** SKIP: drops bytes up to the LF (or the payload's end), then passes the line on. */
  #skip(out: Uint8Array[]): boolean {
    const available = Math.min(this.#end - this.#start, this.#need);
    const lf = this.#buf.subarray(this.#start, this.#start + available).indexOf(LF);
    const n = lf < 0 ? available : lf + 1;
    this.work += n;
    this.#advance(n);
    this.#need -= n;
    if (lf >= 0 || this.#need === 0) {
      out.push(lf >= 0 ? concat([this.#head!, LF_BYTES]) : this.#head!);
      this.#head = undefined;
      this.#mode = this.#need === 0 || this.#need === Infinity ? LINE : STREAM;
    }
    return true;
  }

  /**
   * Searches the first `available` pending bytes, from where the last search stopped, for the LF
   * that ends the line at #start: the index after it; -1 if more bytes are needed; -2 if the
   * line is longer than the limit (whatever the chunking, since only that many bytes count).
   */
  #findLineEnd(available: number): number {
    const window = Math.min(available, this.#maxLine + 1);
    const from = this.#start + this.#scanned;
    const stop = this.#start + window;
    const lf = from < stop ? this.#buf.subarray(from, stop).indexOf(LF) : -1;
    this.work += lf < 0 ? Math.max(0, stop - from) : lf + 1;
    if (lf >= 0) return from + lf + 1;
    this.#scanned = Math.max(this.#scanned, window);
    return window > this.#maxLine ? -2 : -1;
  }

  /** Keeps the over-long line's first #maxLine bytes, redacted as a line, and skips the rest. */
  #startSkip(): void {
    const head = redactLinesByPattern(this.#take(this.#maxLine), this.#from);
    this.#head = concat([head, REDACTED_BYTES]);
    this.#need -= this.#maxLine;
    this.#mode = SKIP;
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
    this.#advance(n);
    return unit;
  }

  /** Drops the next `n` pending bytes. */
  #advance(n: number): void {
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

/** `bytes` (sent by `from`) with every secret the recorder would remove removed, for error messages. */
export function redactBytes(bytes: Uint8Array, from: Direction): Uint8Array {
  const redactor = new StreamRedactor(from);
  return concat([...redactor.push(bytes), ...redactor.flush()]);
}
