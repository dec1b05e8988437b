// A Transport wrapper that writes what flows through it as transcript steps, secrets redacted, for
// any number of interleaved connections (the notification server and switchboards). Redaction
// (./_redact.ts) works on whole commands, never on raw chunks, so a ticket or cookie split across
// chunks is still caught, and costs time linear in the bytes whatever the chunking.

import type { SessionOptions } from "../machine/mod.ts";
import { PassportError } from "../auth/mod.ts";
import { REDACTED, StreamRedactor } from "./_redact.ts";
import { bytesStep, headerStep, NS_CONNECTION, type TranscriptStep } from "./_transcript.ts";
import { redactEvent } from "./_replay_text.ts";
import { hostPort, singleConsumer } from "./_shared.ts";
import type { RunPassportFunction } from "./run_passport.ts";
import type { Connection, ConnectOptions, Transport } from "./transport.ts";

export { REDACTED };

/** Options for {@linkcode RecordingTransport}. */
export interface RecordingTransportOptions {
  /** Called with each step as it is recorded (after redaction). */
  onStep?: (step: TranscriptStep) => void;
  /**
   * The notification session's options, recorded first as the transcript's `header` step so a
   * replay needs no guessing. Hold no secret (sessions never see the password).
   */
  session?: SessionOptions;
}

/**
 * Wraps a {@linkcode Transport} and records `connect`, `send`, `recv` and `close` steps, one step
 * per command, in the order the client saw them. Secrets are replaced by `[REDACTED]`, judged the
 * way the session reads them (the codec's framing at any chunking, its command grammar and its
 * MIME parser):
 *
 * - every argument the codec's command table marks as a secret (`secretArgIndexes`): the
 *   Passport ticket in `USR <trid> TWN S <ticket>` (and an `MD5 S` hash), switchboard cookies in
 *   `XFR ... SB` and `RNG` (after `CKI`, and the fourth argument where the codec's views read the
 *   cookie), and the ones the client sends back in `USR <trid> <account> <cookie>` and
 *   `ANS <trid> <account> <cookie> <session>`, on any connection;
 * - the values of the codec's `SECRET_PAYLOAD_HEADERS` (`MSPAuth`, `MSPProf`) in `MSG` payloads,
 *   with CRLF or bare-LF line ends and in any letter case. The `MSG` length argument is fixed up to
 *   the new byte length, so the transcript still decodes.
 *
 * Connections: the one the client opens with `kind: "ns"` (or, without a kind, while no
 * notification connection is open) is `ns`, and reconnecting replaces it (an `XFR NS` redirect);
 * each other connection gets its own id, `sb1`, `sb2`, ... Steps of `ns` are written without
 * `conn`, so a recording of one connection at a time reads as it always did.
 *
 * Passwords never pass through a transport. Record the Passport step with
 * {@linkcode RecordingTransport.wrapRunPassport}: it stores `[REDACTED]` as the ticket.
 *
 * A recording replays byte-exactly through `ReplayTransport` against a client that is given the
 * redacted values: the replay hands out `[REDACTED]` as the ticket and the redacted cookies
 * arrive in the replayed `XFR`/`RNG`, so the client writes back exactly the recorded bytes.
 *
 * @example Record a session and save it
 * ```ts
 * import { defaultTransport, RecordingTransport } from "@msnp/client/io_adapters";
 * import { stringifyTranscript } from "@msnp/client/testing";
 *
 * const recorder = new RecordingTransport(defaultTransport(), {
 *   session: { account: "me@example.com", protocols: ["MSNP8"] },
 * });
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
  /** The live connection of each id; a connection not found here is stale. */
  readonly #live = new Map<string, object>();
  #switchboards = 0;

  /** Wraps `inner`; nothing but the header (if `options.session` is given) is recorded until `connect`. */
  constructor(inner: Transport, options: RecordingTransportOptions = {}) {
    this.#inner = inner;
    this.#onStep = options.onStep;
    if (options.session !== undefined) this.addStep(headerStep(options.session));
  }

  /**
   * Appends a step the transport cannot see (`time`, `event`, `comment`). An `event` step is
   * stored with its credential fields (`cookie`, `ticket`, `mspAuth`, `password`) redacted, as
   * replays compare them; keep secrets out of anything else.
   */
  addStep(step: TranscriptStep): void {
    if ("event" in step) step = { ...step, event: redactEvent(step.event) };
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

  /**
   * Connects through the inner transport and records a `connect` step. `options.kind` (`ns` or
   * `sb`) is recorded and names the connection (see the class documentation).
   */
  async connect(
    host: string,
    port: number,
    options?: ConnectOptions,
  ): Promise<Connection> {
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
    const kind = options?.kind;
    const conn = kind === "ns" || (kind === undefined && !this.#live.has(NS_CONNECTION))
      ? NS_CONNECTION
      : `sb${++this.#switchboards}`;
    const token = {};
    this.#live.set(conn, token);
    this.addStep({
      ...(conn === NS_CONNECTION ? {} : { conn }),
      connect: where,
      ...(kind === undefined ? {} : { kind }),
    });
    let warned = false;
    const record = (step: TranscriptStep) => {
      if (this.#live.get(conn) === token) return this.addStep(step);
      if (warned) return;
      warned = true;
      this.addStep({ comment: `not recorded: later traffic on an earlier connection to ${where}` });
    };
    const ended = () => {
      if (this.#live.get(conn) === token) this.#live.delete(conn);
    };
    return new RecordingConnection(inner, conn, record, ended);
  }
}

class RecordingConnection implements Connection {
  readonly remote: { readonly host: string; readonly port: number };
  readonly readable: AsyncIterable<Uint8Array>;
  readonly #inner: Connection;
  readonly #conn: string;
  readonly #record: (step: TranscriptStep) => void;
  readonly #ended: () => void;
  readonly #sent = new StreamRedactor("client");
  readonly #received = new StreamRedactor("server");
  #closed = false;
  #serverEnded = false;

  constructor(
    inner: Connection,
    conn: string,
    record: (step: TranscriptStep) => void,
    ended: () => void,
  ) {
    this.#inner = inner;
    this.#conn = conn;
    this.#record = record;
    this.#ended = ended;
    this.remote = inner.remote;
    this.readable = singleConsumer(this.#read());
  }

  async *#read(): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      for await (const chunk of this.#inner.readable) {
        if (!this.#closed) this.#emit("recv", this.#received.push(chunk));
        yield chunk;
      }
    } catch (error) {
      this.#endByServer(`the connection broke: ${(error as { code?: unknown })?.code ?? "error"}`);
      throw error;
    }
    this.#endByServer();
  }

  #endByServer(why?: string): void {
    if (this.#closed || this.#serverEnded) return;
    this.#serverEnded = true;
    this.#emit("recv", this.#received.flush());
    if (why) this.#record({ comment: why });
    this.#record(this.#on({ close: "server" }));
    this.#ended();
  }

  #on(step: { close: "server" | "client" }): TranscriptStep {
    return this.#conn === NS_CONNECTION ? step : { conn: this.#conn, ...step };
  }

  #emit(direction: "send" | "recv", units: Uint8Array[]): void {
    for (const unit of units) this.#record(bytesStep(direction, unit, this.#conn));
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!this.#closed) this.#emit("send", this.#sent.push(bytes));
    return this.#inner.write(bytes);
  }

  close(): void {
    if (!this.#closed && !this.#serverEnded) {
      this.#emit("send", this.#sent.flush());
      this.#emit("recv", this.#received.flush());
      this.#record(this.#on({ close: "client" }));
    }
    this.#closed = true;
    this.#ended();
    this.#inner.close();
  }
}
