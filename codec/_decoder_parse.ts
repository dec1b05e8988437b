/**
 * The command line parser of the `Decoder`: name, TrID, arguments and
 * payload length of one decoded line, by the codec's command table, and the
 * errors of a line (too long, not UTF-8) that framing reports.
 *
 * @module
 */

import { type Command, type Direction, hasPayload, hasTrid, MAX_TRID } from "./command.ts";
import { type DecodeErrorCode, quote } from "./errors.ts";
import { isCommandName, isUtf8, latin1, splitArgs } from "./_decoder_text.ts";

/** A command name seen, and what the table says of it. */
// kind: 1 = payload, 2 = TrID, 4 = TrID decided by the first parameter
// (GTC/BLP/PRP); saves the table lookups on every line.
export interface NameEntry {
  name: string;
  kind: number;
}

/**
 * Parses decoded lines into commands. One per decoder: it caches the valid
 * command names it has seen, by their three character codes.
 */
export class LineParser {
  readonly #from: Direction;
  readonly #maxPayload: number;
  #names = new Map<number, NameEntry>();
  /** Why the last {@link parse} returned `undefined`. */
  code: DecodeErrorCode = "invalid-name";
  /** The error message for {@link code}. */
  message = "";
  /** Whether that error loses framing (a payload command's line). */
  fatal = false;
  /** Whether the last command parsed takes a payload. */
  payload = false;
  /** Its payload length, when it takes one (also for `payload-too-large`). */
  length = 0;

  /** A parser for lines sent by `from`, with payloads up to `maxPayload` bytes. */
  constructor(from: Direction, maxPayload: number) {
    this.#from = from;
    this.#maxPayload = maxPayload;
  }

  /**
   * The command on `text[start, end)` (payload not attached), or `undefined`
   * with {@link code}, {@link message} and {@link fatal} set.
   */
  parse(text: string, start: number, end: number): Command | undefined {
    let from = start;
    while (from < end && text.charCodeAt(from) === 32) from++;
    let sp = text.indexOf(" ", from);
    if (sp === -1 || sp > end) sp = end;
    // Names are looked up by their three character codes: no string per line.
    let entry: NameEntry | undefined;
    let code = -1;
    if (sp - from === 3) {
      const c0 = text.charCodeAt(from);
      const c1 = text.charCodeAt(from + 1);
      const c2 = text.charCodeAt(from + 2);
      if ((c0 | c1 | c2) < 128) {
        code = (c0 << 16) | (c1 << 8) | c2;
        entry = this.#names.get(code);
      }
    }
    if (entry === undefined) {
      const name = text.slice(from, sp);
      if (code === -1 || !isCommandName(name)) {
        return this.#error(
          "invalid-name",
          `Cannot decode line: invalid command name ${quote(name)}`,
          false,
        );
      }
      entry = {
        name,
        kind: (hasPayload(name, this.#from) ? 1 : 0) |
          (name === "GTC" || name === "BLP" || name === "PRP"
            ? 4
            : hasTrid(name, this.#from)
            ? 2
            : 0),
      };
      this.#names.set(code, entry);
    }
    const name = entry.name;
    const kind = entry.kind;
    const payload = (kind & 1) !== 0;
    this.payload = payload;
    let trid: number | null = null;
    let at = sp + 1;
    while (at < end && text.charCodeAt(at) === 32) at++;
    if ((kind & 6) !== 0) {
      let t1 = at < end ? text.indexOf(" ", at) : -1;
      if (t1 === -1 || t1 > end) t1 = end;
      if (
        (kind & 2) !== 0 || hasTrid(name, this.#from, at < end ? text.slice(at, t1) : undefined)
      ) {
        if (at >= end) {
          return this.#error("missing-trid", `Cannot decode line "${name}": missing TrID`, payload);
        }
        let n = t1 - at <= 10 ? 0 : -1;
        for (let i = at; i < t1 && n !== -1; i++) {
          const d = text.charCodeAt(i) - 48;
          n = d >= 0 && d <= 9 ? n * 10 + d : -1;
        }
        if (n === -1 || n > MAX_TRID) {
          const message = `Cannot decode line "${name}": invalid TrID ${quote(text.slice(at, t1))}`;
          return this.#error("invalid-trid", message, payload);
        }
        trid = n;
        at = t1 + 1;
      }
    }
    const args = splitArgs(text, at, end);
    if (payload) {
      const lengthText = args.length > 0 ? args[args.length - 1] : "";
      if (!/^\d{1,10}$/.test(lengthText)) {
        const message = `Cannot decode line "${name}": invalid payload length ${quote(lengthText)}`;
        return this.#error("invalid-payload-length", message, true);
      }
      const length = Number(lengthText);
      this.length = length;
      if (length > this.#maxPayload) {
        // Not fatal: the decoder skips the payload (`length`).
        return this.#error(
          "payload-too-large",
          `Cannot decode line "${name}": payload of ${length} bytes exceeds the limit of ${this.#maxPayload}`,
          false,
        );
      }
    }
    return { name, trid, args };
  }

  /**
   * Whether `bytes[start, end)`, a line that decoded with U+FFFD, is valid
   * UTF-8; if not, {@link code}, {@link message} and {@link fatal} are set.
   */
  utf8(bytes: Uint8Array, start: number, end: number): boolean {
    if (isUtf8(bytes, start, end)) return true;
    const name = latin1(bytes, start, Math.min(start + 3, end));
    this.#error(
      "invalid-utf8",
      `Cannot decode line ${quote(name)}: not valid UTF-8`,
      hasPayload(name, this.#from),
    );
    return false;
  }

  /**
   * Sets {@link code}, {@link message} and {@link fatal} for the line at
   * `bytes[start, end)`, longer than `max` bytes. Without the length at the
   * end of the line a payload cannot be skipped: that loses framing.
   */
  tooLong(bytes: Uint8Array, start: number, end: number, max: number): void {
    const name = latin1(bytes, start, Math.min(start + 3, end));
    const fatal = hasPayload(name, this.#from) || !isCommandName(name);
    this.#error(
      "line-too-long",
      `Cannot decode line ${quote(name)}: longer than ${max} bytes`,
      fatal,
    );
  }

  #error(code: DecodeErrorCode, message: string, fatal: boolean): undefined {
    this.code = code;
    this.message = message;
    this.fatal = fatal;
    return undefined;
  }
}

/**
 * One object of each shape the hot path makes. Optimized code refers to the
 * hidden classes ("maps") of its objects weakly, and a decoder's map (its
 * private fields) and a command's are reached only through transitions that
 * a collection drops when no object of the shape is alive: after a major
 * collection between two connections, V8 would throw the decoder's code and
 * type feedback away and run it unoptimized until it warmed up again (which
 * made a fresh decoder after a forced collection about twice as slow).
 */
export function hotShapes(): object[] {
  const withPayload: Command = { name: "", trid: null, args: [] };
  withPayload.payload = new Uint8Array(0);
  const entry: NameEntry = { name: "", kind: 0 };
  return [{ name: "", trid: null, args: [] } satisfies Command, withPayload, entry];
}
