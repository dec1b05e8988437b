// A Transport wrapper that writes what flows through it as transcript steps, secrets redacted.
// Redaction works on whole commands, never on raw chunks: each direction is cut into commands
// (a line, plus its payload for payload commands) and every command is parsed with the codec's
// Decoder before its secret arguments or payload headers are replaced, so a ticket or cookie split
// across chunks is still caught.

import { type Command, Decoder, type Direction, hasPayload } from "../codec/mod.ts";
import { bytesStep, type TranscriptStep } from "../testing/transcript.ts";
import { PassportError } from "../auth/mod.ts";
import { hostPort } from "./_shared.ts";
import type { RunPassportFunction } from "./replay_transport.ts";
import type { Connection, ConnectOptions, Transport } from "./transport.ts";

/** What replaces a secret in a recording. */
export const REDACTED = "[REDACTED]";

/** Options for {@linkcode RecordingTransport}. */
export interface RecordingTransportOptions {
  /** Called with each step as it is recorded (after redaction). */
  onStep?: (step: TranscriptStep) => void;
}

/**
 * Wraps a {@linkcode Transport} and records `connect`, `send`, `recv` and `close` steps, one step
 * per command, in the order the client saw them. Secrets are replaced by `[REDACTED]`:
 *
 * - the Passport ticket in `USR <trid> TWN S <ticket>` (and an `MD5 S` hash);
 * - switchboard cookies: the one after `CKI` in `XFR ... SB` and `RNG`, and the ones the client
 *   sends back in `USR <trid> <account> <cookie>` and `ANS <trid> <account> <cookie> <session>`;
 * - `MSPAuth` and `MSPProf` header values in `MSG` payloads. The `MSG` length argument is fixed up
 *   to the new byte length, so the transcript still decodes. (Same-length `X`s would keep the
 *   length but leak the secret's size and look like a real value; `[REDACTED]` is the marker the
 *   transcript format defines.)
 *
 * Passwords never pass through a transport. Record the Passport step with
 * {@linkcode RecordingTransport.wrapRunPassport}: it stores `[REDACTED]` as the ticket.
 *
 * A recording replays byte-exactly through `ReplayTransport` against a client that is given the
 * redacted values: the replay hands out `[REDACTED]` as the ticket and the redacted cookies
 * arrive in the replayed `XFR`/`RNG`, so the client writes back exactly the recorded bytes.
 * (Only an `MD5` hash, which MSNP8/9 do not use, would differ.)
 *
 * Transcripts hold one connection at a time: traffic on a connection older than the latest
 * `connect` is not recorded (a comment says so), and a peer reset is recorded as `close:server`
 * after a comment.
 *
 * @example Record a session and save it
 * ```ts
 * import { defaultTransport, RecordingTransport } from "@msnp/client/io_adapters";
 * import { stringifyTranscript } from "@msnp/client/testing";
 *
 * const recorder = new RecordingTransport(defaultTransport());
 * const connection = await recorder.connect("messenger.hotmail.com", 1863);
 * await connection.write(new TextEncoder().encode("VER 1 MSNP8 CVR0\r\n"));
 * connection.close();
 * console.log(stringifyTranscript(recorder.steps));
 * ```
 */
export class RecordingTransport implements Transport {
  /** Every step recorded so far. */
  readonly steps: TranscriptStep[] = [];
  readonly #inner: Transport;
  readonly #onStep: ((step: TranscriptStep) => void) | undefined;
  #current: object | undefined;

  /** Wraps `inner`; nothing is recorded until `connect`. */
  constructor(inner: Transport, options: RecordingTransportOptions = {}) {
    this.#inner = inner;
    this.#onStep = options.onStep;
  }

  /**
   * Appends a step the transport cannot see (`time`, `event`, `comment`). It is stored as given:
   * keep secrets out of it.
   */
  addStep(step: TranscriptStep): void {
    this.steps.push(step);
    this.#onStep?.(step);
  }

  /**
   * Wraps a `runPassport`-like function so each sign-in is recorded as a `passport` step with the
   * ticket redacted (or the `PassportError` code on failure).
   *
   * @example
   * ```ts
   * import { defaultTransport, RecordingTransport, runPassport } from "@msnp/client/io_adapters";
   * const recorder = new RecordingTransport(defaultTransport());
   * const signIn = recorder.wrapRunPassport(runPassport);
   * ```
   */
  wrapRunPassport(run: RunPassportFunction): RunPassportFunction {
    return async (login, options) => {
      try {
        const result = await run(login, options);
        this.addStep({ passport: { challenge: login.challenge, ticket: REDACTED } });
        return result;
      } catch (error) {
        const code = error instanceof PassportError ? error.code : "network";
        this.addStep({ passport: { challenge: login.challenge, error: code } });
        throw error;
      }
    };
  }

  /** Connects through the inner transport and records a `connect` step. */
  async connect(host: string, port: number, options?: ConnectOptions): Promise<Connection> {
    const where = hostPort(host, port);
    let inner: Connection;
    try {
      inner = await this.#inner.connect(host, port, options);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      this.addStep({
        comment: `connect to ${where} failed${typeof code === "string" ? `: ${code}` : ""}`,
      });
      throw error;
    }
    const token = {};
    this.#current = token;
    this.addStep({ connect: where });
    let warned = false;
    const record = (step: TranscriptStep) => {
      if (this.#current === token) return this.addStep(step);
      if (warned) return;
      warned = true;
      this.addStep({ comment: `not recorded: later traffic on the connection to ${where}` });
    };
    return new RecordingConnection(inner, record);
  }
}

class RecordingConnection implements Connection {
  readonly remote: { readonly host: string; readonly port: number };
  readonly readable: AsyncIterable<Uint8Array>;
  readonly #inner: Connection;
  readonly #record: (step: TranscriptStep) => void;
  readonly #sent = new CommandRedactor("client");
  readonly #received = new CommandRedactor("server");
  #closed = false;
  #ended = false;

  constructor(inner: Connection, record: (step: TranscriptStep) => void) {
    this.#inner = inner;
    this.#record = record;
    this.remote = inner.remote;
    const chunks = this.#read();
    let taken = false;
    this.readable = {
      [Symbol.asyncIterator]: () => {
        if (taken) throw new TypeError("Cannot iterate readable: it has a consumer already");
        taken = true;
        return chunks;
      },
    };
  }

  async *#read(): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      for await (const chunk of this.#inner.readable) {
        if (!this.#closed) this.#emit("recv", this.#received.push(chunk));
        yield chunk;
      }
    } catch (error) {
      this.#serverEnded(`the connection broke: ${(error as { code?: unknown })?.code ?? "error"}`);
      throw error;
    }
    this.#serverEnded();
  }

  #serverEnded(why?: string): void {
    if (this.#closed || this.#ended) return;
    this.#ended = true;
    this.#emit("recv", this.#received.flush());
    if (why) this.#record({ comment: why });
    this.#record({ close: "server" });
  }

  #emit(direction: "send" | "recv", units: Uint8Array[]): void {
    for (const unit of units) this.#record(bytesStep(direction, unit));
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!this.#closed) this.#emit("send", this.#sent.push(bytes));
    return this.#inner.write(bytes);
  }

  close(): void {
    if (!this.#closed && !this.#ended) {
      this.#emit("send", this.#sent.flush());
      this.#emit("recv", this.#received.flush());
      this.#record({ close: "client" });
    }
    this.#closed = true;
    this.#inner.close();
  }
}

const LF = 10;
const MAX_PENDING = 1 << 20;
const utf8 = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/**
 * Cuts one direction of a stream into whole commands and redacts each. Once framing is lost
 * (a payload command without a valid length) the rest passes through a text-level fallback.
 */
export class CommandRedactor {
  readonly #from: Direction;
  #buffer = new Uint8Array(0);
  #lost = false;

  constructor(from: Direction) {
    this.#from = from;
  }

  /** Feeds bytes; returns the commands they complete, redacted. */
  push(bytes: Uint8Array): Uint8Array[] {
    if (this.#lost) return [redactText(bytes)];
    const joined = new Uint8Array(this.#buffer.length + bytes.length);
    joined.set(this.#buffer);
    joined.set(bytes, this.#buffer.length);
    const out: Uint8Array[] = [];
    let pos = 0;
    while (pos < joined.length) {
      const lf = joined.indexOf(LF, pos);
      if (lf < 0) break;
      const line = latin1(joined.subarray(pos, lf)).replace(/\r$/, "");
      const words = line.split(" ").filter((w) => w !== "");
      let end = lf + 1;
      if (words.length > 0 && hasPayload(words[0], this.#from)) {
        const length = words[words.length - 1];
        if (!/^\d{1,10}$/.test(length)) {
          this.#lost = true;
          out.push(redactText(joined.subarray(pos)));
          pos = joined.length;
          break;
        }
        end += Number(length);
        if (end > joined.length) break;
      }
      out.push(redactCommand(joined.subarray(pos, end), this.#from));
      pos = end;
    }
    if (joined.length - pos > MAX_PENDING) {
      // No command is this long: give up framing rather than buffer without bound.
      this.#lost = true;
      out.push(redactText(joined.subarray(pos)));
      pos = joined.length;
    }
    this.#buffer = joined.slice(pos);
    return out;
  }

  /** The incomplete rest, redacted by the text-level fallback. */
  flush(): Uint8Array[] {
    const rest = this.#buffer;
    this.#buffer = new Uint8Array(0);
    return rest.length > 0 ? [redactText(rest)] : [];
  }
}

/** Redacts one complete command (line plus payload), parsed with the codec's Decoder. */
function redactCommand(unit: Uint8Array, from: Direction): Uint8Array {
  const decoder = new Decoder({
    from,
    maxLineBytes: Math.max(16, unit.length),
    maxPayloadBytes: unit.length,
  });
  decoder.push(unit);
  const command = decoder.next();
  if (command === undefined || command instanceof Error) return unit;
  const lf = unit.indexOf(LF);
  let lineText: string;
  try {
    lineText = utf8.decode(unit.subarray(0, lf));
  } catch {
    return unit;
  }
  const cr = lineText.endsWith("\r") ? "\r" : "";
  const line = cr ? lineText.slice(0, -1) : lineText;
  const secret = secretArguments(command, from);
  let payload = unit.subarray(lf + 1);
  let newLine = line;
  for (const index of secret) newLine = replaceArgument(newLine, command, index, REDACTED);
  if (command.payload && command.name === "MSG") {
    const redacted = redactMimeHeaders(payload);
    if (redacted !== payload) {
      payload = redacted;
      newLine = replaceArgument(newLine, command, command.args.length - 1, String(payload.length));
    }
  }
  if (newLine === line && payload === unit.subarray(lf + 1)) return unit;
  const head = encoder.encode(`${newLine}${cr}\n`);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

/** Indexes into `command.args` of secret arguments. */
function secretArguments(command: Command, from: Direction): number[] {
  const { name, args } = command;
  if (from === "client") {
    if (name === "USR") {
      if ((args[0] === "TWN" || args[0] === "MD5") && args[1] === "S" && args.length >= 3) {
        return [2];
      }
      if (args[0] !== "TWN" && args[0] !== "MD5" && args.length >= 2) return [1];
    }
    if (name === "ANS" && args.length >= 2) return [1];
    return [];
  }
  if (name === "XFR" || name === "RNG") {
    const cki = args.indexOf("CKI");
    if (cki >= 0 && cki + 1 < args.length) return [cki + 1];
  }
  return [];
}

/** Replaces argument `index` of `command` in its raw line, keeping all other bytes as they were. */
function replaceArgument(line: string, command: Command, index: number, value: string): string {
  const tokens = line.split(" ");
  let target = 1 + (command.trid === null ? 0 : 1) + index;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === "") continue;
    if (target === 0) {
      tokens[i] = value;
      return tokens.join(" ");
    }
    target--;
  }
  return line;
}

const SECRET_HEADERS = new Set(["mspauth", "mspprof"]);

/** Redacts secret header values in a MIME payload's header block; the same array if none. */
function redactMimeHeaders(payload: Uint8Array): Uint8Array {
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return payload;
  }
  const split = text.indexOf("\r\n\r\n");
  const headEnd = split < 0 ? text.length : split;
  const lines = text.slice(0, headEnd).split("\r\n");
  let changed = false;
  for (let i = 0; i < lines.length; i++) {
    const colon = lines[i].indexOf(":");
    if (colon < 0 || !SECRET_HEADERS.has(lines[i].slice(0, colon).trim().toLowerCase())) continue;
    const space = lines[i][colon + 1] === " " ? " " : "";
    const redacted = `${lines[i].slice(0, colon + 1)}${space}${REDACTED}`;
    if (redacted !== lines[i]) {
      lines[i] = redacted;
      changed = true;
    }
  }
  return changed ? encoder.encode(lines.join("\r\n") + text.slice(headEnd)) : payload;
}

/**
 * Fallback for bytes that could not be cut into commands: redacts the same secrets by pattern.
 * Binary (non-UTF-8) bytes are kept as they are.
 */
function redactText(bytes: Uint8Array): Uint8Array {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return bytes;
  }
  const redacted = text
    .replace(/^((?:MSPAuth|MSPProf)[ \t]*:[ \t]*)[^\r\n]*/gim, `$1${REDACTED}`)
    .replace(/(\bCKI )\S+/g, `$1${REDACTED}`)
    .replace(/^(USR \d+ (?:TWN|MD5) S )\S+/gm, `$1${REDACTED}`)
    .replace(/^(USR \d+ (?!TWN |MD5 )\S+ )\S+/gm, `$1${REDACTED}`)
    .replace(/^(ANS \d+ \S+ )\S+/gm, `$1${REDACTED}`);
  return redacted === text ? bytes : encoder.encode(redacted);
}

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 4096)));
  }
  return s;
}
