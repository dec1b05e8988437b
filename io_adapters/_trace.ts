// The `trace` option: every command line of one connection as it crosses the wire, secrets
// redacted the way the recorder redacts them (./_redact.ts, whole commands at any chunking).

import type { ConnectionKind } from "../codec/mod.ts";
import { StreamRedactor } from "./_redact.ts";

/** One command line on the wire, secrets redacted, as the `trace` option receives it. */
export interface TraceEntry {
  /** Connection id, unique within a client (1, 2, ...). */
  connection: number;
  /** Which kind of server the connection goes to. */
  kind: ConnectionKind;
  /** `send`: we wrote it; `receive`: the server did. */
  direction: "send" | "receive";
  /** The command line without CR LF, secrets replaced by `[REDACTED]`. */
  line: string;
  /** For a payload command (`MSG`, ...): the payload, header secrets redacted. */
  payload?: Uint8Array;
}

/** Receives every traced line. Must not throw; a throw is ignored. */
export type TraceFunction = (entry: TraceEntry) => void;

const utf8 = new TextDecoder();

/** Traces one connection: both directions, each through its own redactor. */
export class ConnectionTrace {
  readonly #trace: TraceFunction;
  readonly #connection: number;
  readonly #kind: ConnectionKind;
  readonly #sent = new StreamRedactor("client");
  readonly #received = new StreamRedactor("server");

  /** Traces connection `connection` of kind `kind` into `trace`. */
  constructor(trace: TraceFunction, connection: number, kind: ConnectionKind) {
    this.#trace = trace;
    this.#connection = connection;
    this.#kind = kind;
  }

  /** Bytes we write. */
  send(bytes: Uint8Array): void {
    this.#emit("send", this.#sent.push(bytes));
  }

  /** Bytes the server sent. */
  receive(bytes: Uint8Array): void {
    this.#emit("receive", this.#received.push(bytes));
  }

  #emit(direction: "send" | "receive", units: Uint8Array[]): void {
    for (const unit of units) {
      const lf = unit.indexOf(10);
      const end = lf < 0 ? unit.length : lf;
      const line = utf8.decode(unit.subarray(0, end > 0 && unit[end - 1] === 13 ? end - 1 : end));
      const entry: TraceEntry = { connection: this.#connection, kind: this.#kind, direction, line };
      if (lf >= 0 && lf + 1 < unit.length) entry.payload = unit.slice(lf + 1);
      try {
        this.#trace(entry);
      } catch {
        // A trace sink's failure must not change what the client does.
      }
    }
  }
}
