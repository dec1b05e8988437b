import {
  type Command,
  type Direction,
  hasPayload,
  hasTrid,
  isErrorCode,
  parseTrid,
  PAYLOAD_COMMANDS,
} from "./command.ts";
import { type DecodeError, type DecodeErrorCode, quote, stacklessDecodeError } from "./errors.ts";

/** Options for {@link Decoder}. */
export interface DecoderOptions {
  /** Who sends the bytes being decoded. Default `"server"`. */
  from?: Direction;
  /** Longest command line accepted, in bytes, line end excluded. Default 8192. */
  maxLineBytes?: number;
  /** Largest payload accepted, in bytes. Default 65536. */
  maxPayloadBytes?: number;
  /**
   * A consumer's fast path for its hottest lines, such as the tens of
   * thousands of `LST` lines of a contact-list sync. Called during
   * {@link Decoder.push} with a complete line, `bytes[start, end)` without its
   * line end, before it is decoded; returning `true` consumes the line, which
   * then never becomes a command.
   *
   * It is offered a line only while no decoded command or error is waiting
   * in {@link Decoder.next}, so a consumer that drains the decoder after each
   * push sees every line in stream order, taken or not. Lines of payload
   * commands (`MSG`, ...) are never offered: their payload would be lost.
   * `bytes` is only valid during the call. It must not throw: an exception
   * propagates out of `push()` and the rest of that chunk is lost.
   */
  takeLine?: (bytes: Uint8Array, start: number, end: number) => boolean;
}

const LF = 10;
const CR = 13;

// ignoreBOM: a BOM at the start of a line is bytes on the wire, not a marker to drop.
const loose = new TextDecoder("utf-8", { ignoreBOM: true });

// Decoder states. Everything else lives in fields so the hot path allocates
// only the commands themselves.
const READ_LINE = 0;
const READ_PAYLOAD = 1; // waiting for #payloadNeed bytes for #pending
const SKIP_LINE = 2; // discarding the rest of an over-long line, up to its LF
const SKIP_BYTES = 3; // discarding #skipRemaining bytes of an over-large payload
const FAILED = 4;

/**
 * A streaming MSNP decoder: push byte chunks of any size, pull complete
 * commands out. The output is the same whatever the chunking.
 *
 * Lines end in CRLF or a bare LF. Payload lengths count bytes, so multi-byte
 * UTF-8 split across chunks survives. Memory is bounded by `maxLineBytes` and
 * `maxPayloadBytes`: chunks are parsed in place and only an incomplete tail is
 * copied.
 *
 * {@link Decoder.next} returns a {@link Command}, a {@link DecodeError} for a
 * malformed line (see `DecodeError.fatal`), or `undefined` when more bytes are
 * needed.
 *
 * @example
 * ```ts
 * import { Decoder } from "@msnp/client/codec";
 * const decoder = new Decoder({ from: "server" });
 * decoder.push(new TextEncoder().encode("VER 1 MSNP8 CVR0\r\nQNG 4"));
 * decoder.push(new TextEncoder().encode("5\r\n"));
 * for (let c = decoder.next(); c !== undefined; c = decoder.next()) console.log(c);
 * // { name: "VER", trid: 1, args: ["MSNP8", "CVR0"] }, { name: "QNG", trid: null, args: ["45"] }
 * ```
 */
export class Decoder {
  readonly #from: Direction;
  readonly #maxLine: number;
  readonly #maxPayload: number;
  readonly #takeLine: ((bytes: Uint8Array, start: number, end: number) => boolean) | undefined;
  // First three bytes of each payload command name, as 24-bit numbers.
  readonly #payloadNames: readonly number[];

  #tail: Uint8Array = new Uint8Array(0);
  #tailLength = 0;
  #lineScanned = 0; // bytes of the current line already searched for LF
  #offset = 0; // stream offset of the first byte not yet consumed
  #state = READ_LINE;
  #pending: Command | undefined;
  #payloadNeed = 0;
  #skipRemaining = 0;
  #failure: DecodeError | undefined;
  #ended = false;

  #queue: (Command | DecodeError)[] = [];
  // Per command name: 1 = payload, 2 = TrID, 4 = TrID decided by the first
  // parameter (GTC/BLP/PRP); saves the table lookups on every line.
  #kinds = new Map<string, number>();
  #queueHead = 0;

  /** Creates a decoder for one direction of one connection. */
  constructor(options: DecoderOptions = {}) {
    this.#from = options.from ?? "server";
    this.#maxLine = options.maxLineBytes ?? 8192;
    this.#maxPayload = options.maxPayloadBytes ?? 65536;
    this.#takeLine = options.takeLine;
    this.#payloadNames = PAYLOAD_COMMANDS[this.#from].map((name) =>
      (name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2)
    );
    if (!(this.#maxLine >= 16) || !(this.#maxPayload >= 0)) {
      throw new RangeError(
        "Cannot create decoder: maxLineBytes must be >= 16, maxPayloadBytes >= 0",
      );
    }
  }

  /** Bytes held for a command that is not complete yet. */
  get bufferedBytes(): number {
    return this.#tailLength;
  }

  /**
   * Feeds bytes. The chunk is not retained: the caller may reuse it as soon
   * as this returns.
   */
  push(chunk: Uint8Array): void {
    if (this.#ended) throw new TypeError("Cannot push to decoder: end() was called");
    if (this.#state === FAILED || chunk.length === 0) return;
    if (this.#tailLength === 0) {
      this.#keep(chunk, this.#consume(chunk, chunk.length), chunk.length, false);
      return;
    }
    const total = this.#tailLength + chunk.length;
    if (this.#tail.length < total) {
      const grown = new Uint8Array(Math.max(total, this.#tail.length * 2));
      grown.set(this.#tail.subarray(0, this.#tailLength));
      this.#tail = grown;
    }
    this.#tail.set(chunk, this.#tailLength);
    this.#tailLength = 0;
    // A view that ends where the data does: `indexOf` on the whole tail would
    // search the stale bytes up to its capacity on every push.
    const view = this.#tail.subarray(0, total);
    this.#keep(view, this.#consume(view, total), total, true);
  }

  /**
   * Signals the end of the stream. A partial command still buffered becomes
   * a fatal `truncated` error.
   */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#state === FAILED) return;
    if (this.#tailLength > 0 || this.#state === READ_PAYLOAD || this.#state === SKIP_BYTES) {
      this.#fail("truncated", "Cannot decode stream: it ended inside a command", this.#offset);
    }
  }

  /**
   * The next decoded command, a {@link DecodeError}, or `undefined` when more
   * bytes are needed. After a fatal error every call returns that error.
   */
  next(): Command | DecodeError | undefined {
    if (this.#queueHead < this.#queue.length) {
      const item = this.#queue[this.#queueHead++];
      if (this.#queueHead === this.#queue.length) {
        this.#queue = [];
        this.#queueHead = 0;
      }
      return item;
    }
    return this.#failure;
  }

  /** Keeps `bytes[from, to)` as the tail for the next push; `inTail`: `bytes` is a view of it. */
  #keep(bytes: Uint8Array, from: number, to: number, inTail: boolean): void {
    const n = to - from;
    if (n <= 0 || this.#state === FAILED) {
      this.#tailLength = 0;
    } else if (inTail) {
      if (from > 0) this.#tail.copyWithin(0, from, to);
      this.#tailLength = n;
    } else {
      if (this.#tail.length < n) this.#tail = new Uint8Array(Math.max(n * 2, 1024));
      this.#tail.set(bytes.subarray(from, to));
      this.#tailLength = n;
    }
    // A tail that once held a large payload must not pin its memory.
    if (this.#tail.length > 65536 && this.#tailLength < this.#tail.length / 8) {
      this.#tail = this.#tail.slice(0, Math.max(this.#tailLength * 2, 1024));
    }
  }

  /** Parses as much of `bytes[0, end)` as possible; returns the first unused index. */
  #consume(bytes: Uint8Array, end: number): number {
    let pos = 0;
    while (pos < end) {
      const state = this.#state;
      if (state === READ_LINE) {
        const lf = bytes.indexOf(LF, pos + this.#lineScanned);
        if (lf === -1 || lf >= end) {
          this.#lineScanned = end - pos;
          // +1 leaves room for the CR of a line that is exactly at the limit.
          if (end - pos > this.#maxLine + 1) this.#lineTooLong(bytes, pos, end);
          if (this.#state === READ_LINE) return pos;
          continue;
        }
        this.#lineScanned = 0;
        let lineEnd = lf;
        if (lineEnd > pos && bytes[lineEnd - 1] === CR) lineEnd--;
        if (lineEnd - pos > this.#maxLine) {
          this.#lineTooLong(bytes, pos, lf);
          if (this.#state === FAILED) return end;
          this.#state = READ_LINE;
        } else if (lineEnd > pos) {
          // Empty lines carry nothing; servers with off-by-two payload
          // lengths send them, so they are skipped silently.
          if (!this.#taken(bytes, pos, lineEnd)) this.#line(bytes, pos, lineEnd, this.#offset);
        }
        this.#offset += lf + 1 - pos;
        pos = lf + 1;
      } else if (state === READ_PAYLOAD) {
        if (end - pos < this.#payloadNeed) return pos;
        const command = this.#pending!;
        command.payload = bytes.slice(pos, pos + this.#payloadNeed);
        this.#queue.push(command);
        this.#pending = undefined;
        pos += this.#payloadNeed;
        this.#offset += this.#payloadNeed;
        this.#state = READ_LINE;
      } else if (state === SKIP_BYTES) {
        const n = Math.min(this.#skipRemaining, end - pos);
        this.#skipRemaining -= n;
        this.#offset += n;
        pos += n;
        if (this.#skipRemaining === 0) this.#state = READ_LINE;
      } else if (state === SKIP_LINE) {
        const lf = bytes.indexOf(LF, pos);
        const stop = lf === -1 || lf >= end ? end : lf + 1;
        this.#offset += stop - pos;
        pos = stop;
        if (lf !== -1 && lf < end) this.#state = READ_LINE;
      } else {
        return end;
      }
    }
    return pos;
  }

  /** Offers a line to the `takeLine` option; whether it took it. */
  #taken(bytes: Uint8Array, start: number, end: number): boolean {
    const take = this.#takeLine;
    if (take === undefined || this.#queueHead < this.#queue.length) return false;
    const name = end - start < 3
      ? -1
      : (bytes[start] << 16) | (bytes[start + 1] << 8) | bytes[start + 2];
    return !this.#payloadNames.includes(name) && take(bytes, start, end);
  }

  /** Reports a line longer than the limit; skips it if framing allows. */
  #lineTooLong(bytes: Uint8Array, pos: number, end: number): void {
    const name = latin1(bytes, pos, Math.min(pos + 3, end));
    // Without the length at the end of the line a payload cannot be skipped.
    const fatal = hasPayload(name, this.#from) || !isCommandName(name);
    this.#emit(
      "line-too-long",
      `Cannot decode line ${quote(name)}: longer than ${this.#maxLine} bytes`,
      this.#offset,
      fatal,
    );
    if (!fatal) {
      this.#state = SKIP_LINE;
      this.#lineScanned = 0;
    }
  }

  /** Decodes one complete line `bytes[start, end)`, line end excluded. */
  #line(bytes: Uint8Array, start: number, end: number, offset: number): void {
    // One non-fatal TextDecoder call per line is 1.5-2x faster than an ASCII
    // scan + String.fromCharCode.
    const text = loose.decode(bytes.subarray(start, end));
    // Only a line that came out with U+FFFD is checked, without a throwing
    // strict decode: a valid line decodes the same either way.
    if (text.includes("\uFFFD") && !isUtf8(bytes, start, end)) {
      const name = latin1(bytes, start, Math.min(start + 3, end));
      this.#emit(
        "invalid-utf8",
        `Cannot decode line ${quote(name)}: not valid UTF-8`,
        offset,
        hasPayload(name, this.#from),
      );
      return;
    }
    const parts = splitArgs(text);
    const name = parts.length > 0 ? parts[0] : "";
    if (!isCommandName(name)) {
      this.#emit(
        "invalid-name",
        `Cannot decode line: invalid command name ${quote(name)}`,
        offset,
        false,
      );
      return;
    }
    let kind = this.#kinds.get(name);
    if (kind === undefined) {
      kind = (hasPayload(name, this.#from) ? 1 : 0) |
        (name === "GTC" || name === "BLP" || name === "PRP"
          ? 4
          : hasTrid(name, this.#from)
          ? 2
          : 0);
      this.#kinds.set(name, kind);
    }
    const payload = (kind & 1) !== 0;
    let trid: number | null = null;
    let first = 1;
    if ((kind & 2) !== 0 || ((kind & 4) !== 0 && hasTrid(name, this.#from, parts[1]))) {
      if (parts.length < 2) {
        this.#emit("missing-trid", `Cannot decode line "${name}": missing TrID`, offset, payload);
        return;
      }
      const parsed = parseTrid(parts[1]);
      if (parsed === undefined) {
        const message = `Cannot decode line "${name}": invalid TrID ${quote(parts[1])}`;
        this.#emit("invalid-trid", message, offset, payload);
        return;
      }
      trid = parsed;
      first = 2;
    }
    parts.shift();
    if (first === 2) parts.shift();
    const command: Command = { name, trid, args: parts };
    if (!payload) {
      this.#queue.push(command);
      return;
    }
    const lengthText = command.args.length > 0 ? command.args[command.args.length - 1] : "";
    if (!/^\d{1,10}$/.test(lengthText)) {
      const message = `Cannot decode line "${name}": invalid payload length ${quote(lengthText)}`;
      this.#fail("invalid-payload-length", message, offset);
      return;
    }
    const length = Number(lengthText);
    if (length > this.#maxPayload) {
      this.#emit(
        "payload-too-large",
        `Cannot decode line "${name}": payload of ${length} bytes exceeds the limit of ${this.#maxPayload}`,
        offset,
        false,
      );
      this.#state = SKIP_BYTES;
      this.#skipRemaining = length;
      return;
    }
    if (length === 0) {
      command.payload = new Uint8Array(0);
      this.#queue.push(command);
      return;
    }
    this.#pending = command;
    this.#payloadNeed = length;
    this.#state = READ_PAYLOAD;
  }

  #emit(code: DecodeErrorCode, message: string, offset: number, fatal: boolean): void {
    if (fatal) this.#fail(code, message, offset);
    else this.#queue.push(stacklessDecodeError(code, message, offset, false));
  }

  #fail(code: DecodeErrorCode, message: string, offset: number): void {
    this.#failure = stacklessDecodeError(code, message + "; framing lost", offset, true);
    this.#state = FAILED;
    this.#pending = undefined;
    this.#tailLength = 0;
  }
}

/**
 * Whether `bytes[start, end)` is well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF): the WHATWG decoder's rules, without
 * an exception for a bad line.
 */
function isUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return false;
    if (i + need >= end) return false;
    const second = bytes[i + 1];
    if (second < lo || second > hi) return false;
    for (let k = 2; k <= need; k++) {
      const c = bytes[i + k];
      if (c < 0x80 || c > 0xbf) return false;
    }
    i += need + 1;
  }
  return true;
}

function isCommandName(name: string): boolean {
  if (name.length !== 3) return false;
  return (isUpper(name.charCodeAt(0)) && isUpper(name.charCodeAt(1)) &&
    isUpper(name.charCodeAt(2))) ||
    isErrorCode(name);
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

/** Splits on spaces; runs of spaces and trailing spaces are tolerated. */
function splitArgs(text: string): string[] {
  const parts: string[] = [];
  let from = 0;
  const n = text.length;
  while (from < n) {
    const sp = text.indexOf(" ", from);
    if (sp === -1) {
      parts.push(from === 0 ? text : text.slice(from));
      break;
    }
    if (sp > from) parts.push(text.slice(from, sp));
    from = sp + 1;
  }
  return parts;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i += 4096) {
    const stop = Math.min(end, i + 4096);
    s += String.fromCharCode.apply(null, bytes.subarray(i, stop) as unknown as number[]);
  }
  return s;
}
