import { type Command, type Direction, PAYLOAD_COMMANDS } from "./command.ts";
import { type DecodeError, type DecodeErrorCode, stacklessDecodeError } from "./errors.ts";
import type { DecoderOptions, RawLine } from "./_decoder_types.ts";
import { hotShapes, LineParser } from "./_decoder_parse.ts";
import { nameCode } from "./_decoder_text.ts";
import { decodeWindow, type LineSink, loose } from "./_decoder_window.ts";

export type { DecoderOptions, RawLine } from "./_decoder_types.ts";

const LF = 10;
const CR = 13;
// Complete lines are decoded this many bytes at a time, with one TextDecoder
// call per window: a call per line costs more than the decoding itself.
const WINDOW = 2048;

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
 * `maxPayloadBytes` plus the complete lines not pulled yet.
 *
 * {@link Decoder.push} frames the bytes (line ends, payloads, limits);
 * complete lines are decoded only when pulled. {@link Decoder.next} returns a
 * {@link Command}, a {@link DecodeError} for a malformed line (see
 * `DecodeError.fatal`), or `undefined` when more bytes are needed. A consumer
 * with a fast path for its hottest lines can look at the next line's raw
 * bytes first with {@link Decoder.peekLine} and consume it with
 * {@link Decoder.skipLine} instead of decoding it.
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
  // Keeps the maps alive: see hotShapes().
  static readonly #kept: readonly object[] = [new Decoder(), ...hotShapes()];
  readonly #from: Direction;
  readonly #maxLine: number;
  readonly #maxPayload: number;
  // First three bytes of each payload command name, as 24-bit numbers.
  readonly #payloadNames: readonly number[];

  // Bytes pushed: held lines and the incomplete rest, in #buf[live, #end).
  #buf: Uint8Array = new Uint8Array(4096);
  #base = 0; // stream offset of #buf[0]
  #pos = 0; // first byte not framed yet
  #end = 0;
  #lineScanned = 0; // bytes from #pos already searched for LF
  #state = READ_LINE;
  #pending: Command | undefined;
  #payloadNeed = 0;
  #skipRemaining = 0;
  #failure: DecodeError | undefined;
  #ended = false;

  // What push() framed, in stream order, as pairs: a complete non-empty line
  // not decoded yet (stream offsets of its first byte and of its LF), or
  // -1, -1 for the next item of #framed (a payload command, a framing error).
  #held: number[] = [];
  #heldHead = 0;
  #framed: (Command | DecodeError)[] = [];
  #framedHead = 0;
  // Items decoded from held lines, to be returned first.
  #ready: (Command | DecodeError)[] = [];
  #readyHead = 0;
  #decoding = false;
  // peekLine showed the first held line: next() decodes only that one.
  #peeked = false;
  readonly #view = { bytes: this.#buf, start: 0, end: 0 };
  readonly #parser: LineParser;
  // #line for _decoder_window.ts, made once: a window allocates no closure.
  readonly #lineSink: LineSink = (text, start, end, offset, badEnd) =>
    this.#line(text, start, end, offset, badEnd);

  /** Creates a decoder for one direction of one connection. */
  constructor(options: DecoderOptions = {}) {
    this.#from = options.from ?? "server";
    this.#maxLine = options.maxLineBytes ?? 8192;
    this.#maxPayload = options.maxPayloadBytes ?? 65536;
    this.#parser = new LineParser(this.#from, this.#maxPayload);
    this.#payloadNames = PAYLOAD_COMMANDS[this.#from].map(nameCode);
    if (!(this.#maxLine >= 16) || !(this.#maxPayload >= 0)) {
      throw new RangeError(
        "Cannot create decoder: maxLineBytes must be >= 16, maxPayloadBytes >= 0",
      );
    }
  }

  /**
   * Bytes held for a command that is not complete yet. (Complete lines wait
   * undecoded until pulled; like decoded commands, they are not counted.)
   */
  get bufferedBytes(): number {
    return this.#end - this.#pos;
  }

  /**
   * Feeds bytes. The chunk is not retained: the caller may reuse it as soon
   * as this returns.
   */
  push(chunk: Uint8Array): void {
    if (this.#ended) throw new TypeError("Cannot push to decoder: end() was called");
    if (this.#state === FAILED || chunk.length === 0) return;
    this.#peeked = false;
    if (this.#end + chunk.length > this.#buf.length) this.#makeRoom(chunk.length);
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
    this.#frame();
  }

  /**
   * Signals the end of the stream. A partial command still buffered becomes
   * a fatal `truncated` error.
   */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#state === FAILED) return;
    if (this.#end > this.#pos || this.#state === READ_PAYLOAD || this.#state === SKIP_BYTES) {
      this.#fail(
        "truncated",
        "Cannot decode stream: it ended inside a command",
        this.#base + this.#pos,
      );
    }
  }

  /**
   * The next decoded command, a {@link DecodeError}, or `undefined` when more
   * bytes are needed. After a fatal error every call returns that error.
   */
  next(): Command | DecodeError | undefined {
    if (this.#readyHead === this.#ready.length) {
      const held = this.#held;
      if (this.#heldHead === held.length) return this.#failure;
      if (held[this.#heldHead] === -1) {
        this.#heldHead += 2;
        const item = this.#framed[this.#framedHead++];
        if (this.#heldHead === held.length) this.#dropHeld();
        return item;
      }
      this.#decodeHeld(this.#peeked ? 0 : WINDOW);
      this.#peeked = false;
    }
    const item = this.#ready[this.#readyHead++];
    if (this.#readyHead === this.#ready.length) {
      this.#ready = [];
      this.#readyHead = 0;
    }
    return item;
  }

  /**
   * The raw bytes of the next line, not decoded and not consumed, when the
   * next item would be a command line without a payload; otherwise (nothing
   * complete, a decoded command or error comes first, or a payload command)
   * `undefined`. Take it with {@link skipLine}, or leave it to {@link next}.
   * Empty lines never show up here, and lines over the limit never do.
   */
  peekLine(): RawLine | undefined {
    if (
      this.#readyHead < this.#ready.length || this.#heldHead === this.#held.length ||
      this.#held[this.#heldHead] === -1
    ) {
      return undefined;
    }
    const buf = this.#buf;
    const start = this.#held[this.#heldHead] - this.#base;
    const lf = this.#held[this.#heldHead + 1] - this.#base;
    const view = this.#view;
    view.bytes = buf;
    view.start = start;
    view.end = lf > start && buf[lf - 1] === CR ? lf - 1 : lf;
    this.#peeked = true;
    return view;
  }

  /** Consumes the line {@link peekLine} showed, without decoding it. */
  skipLine(): void {
    if (!this.#peeked) throw new TypeError("Cannot skip a line: peekLine() did not show one");
    this.#peeked = false;
    this.#heldHead += 2;
    if (this.#heldHead === this.#held.length) this.#dropHeld();
  }

  /** Index of the first byte still needed. */
  #live(): number {
    const held = this.#held;
    for (let i = this.#heldHead; i < held.length; i += 2) {
      if (held[i] !== -1) return held[i] - this.#base;
    }
    return this.#pos;
  }

  #dropHeld(): void {
    this.#held = [];
    this.#heldHead = 0;
    this.#framed = [];
    this.#framedHead = 0;
  }

  /** Queues an item in stream order: decoded from a held line, or framed now. */
  #put(item: Command | DecodeError): void {
    if (this.#decoding) {
      this.#ready.push(item);
    } else {
      this.#held.push(-1, -1);
      this.#framed.push(item);
    }
  }

  /** Makes room for `n` more bytes: moves the live bytes to the front, or grows. */
  #makeRoom(n: number): void {
    const live = this.#live();
    const used = this.#end - live;
    let buf = this.#buf;
    if (used + n > buf.length / 2) {
      buf = new Uint8Array(Math.max(2 * (used + n), 4096));
      buf.set(this.#buf.subarray(live, this.#end));
    } else if (live > 0) {
      buf.copyWithin(0, live, this.#end);
    }
    this.#buf = buf;
    this.#base += live;
    this.#pos -= live;
    this.#end -= live;
  }

  /** Frames `#buf[#pos, #end)`: complete lines are held, payloads cut, limits applied. */
  #frame(): void {
    // A view that ends where the data does: `indexOf` on the whole buffer
    // would search stale bytes up to its capacity on every push.
    const end = this.#end;
    const bytes = this.#buf.subarray(0, end);
    let pos = this.#pos;
    while (pos < end) {
      const state = this.#state;
      if (state === READ_LINE) {
        const lf = bytes.indexOf(LF, pos + this.#lineScanned);
        if (lf === -1) {
          this.#lineScanned = end - pos;
          // +1 leaves room for the CR of a line that is exactly at the limit.
          if (end - pos > this.#maxLine + 1) {
            this.#pos = pos;
            this.#lineTooLong(bytes, pos, end);
          }
          if (this.#state === READ_LINE) break;
          continue;
        }
        this.#lineScanned = 0;
        let lineEnd = lf;
        if (lineEnd > pos && bytes[lineEnd - 1] === CR) lineEnd--;
        if (lineEnd - pos > this.#maxLine) {
          this.#pos = pos;
          this.#lineTooLong(bytes, pos, lf);
          if (this.#state === FAILED) break;
          this.#state = READ_LINE;
        } else if (lineEnd > pos) {
          // Empty lines carry nothing; servers with off-by-two payload
          // lengths send them, so they are skipped silently.
          // A payload command is decoded now: framing needs its length. The
          // name is the first word, so leading spaces are stepped over.
          let p = pos;
          while (bytes[p] === 32 && p < lineEnd) p++;
          const name = lineEnd - p < 3 ? -1 : (bytes[p] << 16) | (bytes[p + 1] << 8) | bytes[p + 2];
          if (this.#payloadNames.includes(name)) {
            this.#pos = pos;
            const text = loose.decode(bytes.subarray(pos, lineEnd));
            const bad = text.includes("\uFFFD");
            this.#line(text, 0, text.length, this.#base + pos, bad ? lineEnd : -1);
          } else {
            this.#held.push(this.#base + pos, this.#base + lf);
          }
        }
        pos = lf + 1;
      } else if (state === READ_PAYLOAD) {
        if (end - pos < this.#payloadNeed) break;
        const command = this.#pending!;
        command.payload = bytes.slice(pos, pos + this.#payloadNeed);
        this.#put(command);
        this.#pending = undefined;
        pos += this.#payloadNeed;
        this.#state = READ_LINE;
      } else if (state === SKIP_BYTES) {
        const n = Math.min(this.#skipRemaining, end - pos);
        this.#skipRemaining -= n;
        pos += n;
        if (this.#skipRemaining === 0) this.#state = READ_LINE;
      } else if (state === SKIP_LINE) {
        const lf = bytes.indexOf(LF, pos);
        pos = lf === -1 ? end : lf + 1;
        if (lf !== -1) this.#state = READ_LINE;
      } else {
        break;
      }
    }
    if (this.#state === FAILED) pos = end;
    this.#pos = pos;
    // Nothing live: start again at the front (cheaper than moving bytes later).
    if (pos === end && this.#heldHead === this.#held.length) {
      this.#base += pos;
      this.#pos = this.#end = 0;
      // A buffer that once held a large payload must not pin its memory.
      if (this.#buf.length > 65536) this.#buf = new Uint8Array(4096);
    }
  }

  /** Decodes about `window` bytes of held lines (at least one) into the queue, with one call. */
  #decodeHeld(window: number): void {
    const held = this.#held;
    const base = this.#base;
    const first = this.#heldHead;
    const from = held[first] - base;
    let last = first;
    while (
      last + 2 < held.length && held[last + 2] !== -1 && held[last + 3] - base - from < window
    ) last += 2;
    const text = loose.decode(this.#buf.subarray(from, held[last + 1] - base + 1));
    this.#decoding = true;
    decodeWindow(text, this.#buf, base, held, first, last, this.#lineSink);
    this.#decoding = false;
    this.#heldHead = last + 2;
    if (this.#heldHead === held.length) this.#dropHeld();
  }

  /** Reports a line longer than the limit; skips it if framing allows. */
  #lineTooLong(bytes: Uint8Array, pos: number, end: number): void {
    const parser = this.#parser;
    parser.tooLong(bytes, pos, end, this.#maxLine);
    this.#emit(parser.code, parser.message, this.#base + pos, parser.fatal);
    if (!parser.fatal) {
      this.#state = SKIP_LINE;
      this.#lineScanned = 0;
    }
  }

  /**
   * Decodes one complete line, `text[start, end)`, which starts at stream
   * offset `offset`; `badEnd`: -1, or where its bytes end in the buffer when
   * it came out with U+FFFD, so they must be checked.
   */
  #line(text: string, start: number, end: number, offset: number, badEnd: number): void {
    const parser = this.#parser;
    // Only a line that came out with U+FFFD is checked, without a throwing
    // strict decode: a valid line decodes the same either way.
    const command = badEnd !== -1 && !parser.utf8(this.#buf, offset - this.#base, badEnd)
      ? undefined
      : parser.parse(text, start, end);
    if (command === undefined) {
      this.#emit(parser.code, parser.message, offset, parser.fatal);
      if (parser.code === "payload-too-large") {
        this.#state = SKIP_BYTES;
        this.#skipRemaining = parser.length;
      }
      return;
    }
    if (!parser.payload) {
      this.#put(command);
      return;
    }
    const length = parser.length;
    if (length === 0) {
      command.payload = new Uint8Array(0);
      this.#put(command);
      return;
    }
    this.#pending = command;
    this.#payloadNeed = length;
    this.#state = READ_PAYLOAD;
  }

  #emit(code: DecodeErrorCode, message: string, offset: number, fatal: boolean): void {
    if (fatal) this.#fail(code, message, offset);
    else this.#put(stacklessDecodeError(code, message, offset, false));
  }

  #fail(code: DecodeErrorCode, message: string, offset: number): void {
    this.#failure = stacklessDecodeError(code, message + "; framing lost", offset, true);
    this.#state = FAILED;
    this.#pending = undefined;
  }
}
