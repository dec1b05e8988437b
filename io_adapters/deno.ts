// The Deno transport: Deno.connect. It declares the few members of the Deno namespace it uses
// instead of depending on Deno's types, and reads `globalThis.Deno` only when connecting, so this
// module loads in any runtime.

import {
  brokenError,
  connectWithDeadline,
  errorLabel,
  hostPort,
  singleConsumer,
} from "./_shared.ts";
import { TransportError } from "./errors.ts";
import type { Connection, ConnectOptions, Transport } from "./transport.ts";

/** The part of a `Deno.Conn` the adapter uses. */
export interface DenoConnLike {
  /** Reads into `buffer`; resolves with the byte count, or `null` at end of stream. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes some of `bytes`; resolves with how many were written. */
  write(bytes: Uint8Array): Promise<number>;
  /** Closes the connection; may throw if it is already closed. */
  close(): void;
  /** Disables Nagle's algorithm, when available. */
  setNoDelay?(noDelay?: boolean): void;
}

/** The part of the `Deno` namespace the adapter uses. */
export interface DenoLike {
  /** `Deno.connect` for TCP. */
  connect(options: {
    hostname: string;
    port: number;
    transport?: "tcp";
    signal?: AbortSignal;
  }): Promise<DenoConnLike>;
}

/** Options for {@linkcode DenoTransport}. */
export interface DenoTransportOptions {
  /** The Deno namespace to use; defaults to `globalThis.Deno` (read at connect time). */
  deno?: DenoLike;
  /** Size of the read buffer, in bytes. Defaults to 64 KiB. */
  readBufferSize?: number;
}

// Deno error names that mean the connection broke rather than that we closed it.
const BROKEN = new Set(["ConnectionReset", "BrokenPipe", "ConnectionAborted", "UnexpectedEof"]);

/**
 * A {@linkcode Transport} over `Deno.connect`, with TCP no-delay on. Each chunk is a fresh copy, so
 * chunks are safe to keep.
 *
 * @example Connect under Deno
 * ```ts
 * import { DenoTransport } from "@msnp/client/io_adapters";
 *
 * const connection = await new DenoTransport().connect("127.0.0.1", 1863, { timeoutMs: 5_000 });
 * await connection.write(new TextEncoder().encode("VER 1 MSNP8 CVR0\r\n"));
 * connection.close();
 * ```
 */
export class DenoTransport implements Transport {
  readonly #deno: DenoLike | undefined;
  readonly #readBufferSize: number;

  /** Creates the transport; nothing is touched until `connect`. */
  constructor(options: DenoTransportOptions = {}) {
    this.#deno = options.deno;
    this.#readBufferSize = options.readBufferSize ?? 65536;
    if (!(this.#readBufferSize >= 1)) {
      throw new RangeError(`Cannot use readBufferSize ${this.#readBufferSize}: not positive`);
    }
  }

  /** Opens a TCP connection with `Deno.connect`. */
  async connect(host: string, port: number, options: ConnectOptions = {}): Promise<Connection> {
    const deno = this.#deno ?? (globalThis as { Deno?: DenoLike }).Deno;
    if (!deno || typeof deno.connect !== "function") {
      throw new TypeError("Cannot use DenoTransport: globalThis.Deno is not available");
    }
    const where = hostPort(host, port);
    const conn = await connectWithDeadline(
      where,
      options,
      (signal) => deno.connect({ hostname: host, port, transport: "tcp", signal }),
      (late) => closeQuietly(late),
    );
    try {
      conn.setNoDelay?.(true);
    } catch {
      // Not essential.
    }
    return new DenoConnection(conn, host, port, this.#readBufferSize);
  }
}

function closeQuietly(conn: DenoConnLike): void {
  try {
    conn.close();
  } catch {
    // Already closed (Deno throws BadResource).
  }
}

class DenoConnection implements Connection {
  readonly remote: { readonly host: string; readonly port: number };
  readonly readable: AsyncIterable<Uint8Array>;
  readonly #conn: DenoConnLike;
  readonly #where: string;
  #closed = false;
  #peerClosed = false;
  #broken: TransportError | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(conn: DenoConnLike, host: string, port: number, bufferSize: number) {
    this.#conn = conn;
    this.remote = { host, port };
    this.#where = hostPort(host, port);
    this.readable = singleConsumer(this.#read(bufferSize));
  }

  async *#read(bufferSize: number): AsyncGenerator<Uint8Array, void, undefined> {
    const buffer = new Uint8Array(bufferSize);
    while (!this.#closed) {
      let n: number | null;
      try {
        n = await this.#conn.read(buffer);
      } catch (error) {
        if (this.#closed) return;
        throw this.#break(error);
      }
      if (n === null) {
        this.#peerClosed = true;
        return;
      }
      if (this.#closed) return;
      if (n > 0) yield buffer.slice(0, n);
    }
  }

  #break(error: unknown): TransportError {
    const name = error instanceof Error ? error.name : "";
    const label = BROKEN.has(name) ? name : errorLabel(error);
    this.#broken ??= brokenError(this.#where, error, label);
    return this.#broken;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError());
    if (this.#broken) return Promise.reject(this.#broken);
    // Deno's write may be partial and concurrent writes could interleave: chain them.
    const next = this.#writing.then(() => this.#writeAll(bytes));
    this.#writing = next.catch(() => {});
    return next;
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      if (this.#closed) throw this.#closedError();
      if (this.#broken) throw this.#broken;
      try {
        offset += await this.#conn.write(bytes.subarray(offset));
      } catch (error) {
        if (this.#closed) throw this.#closedError();
        if (this.#peerClosed && !BROKEN.has(error instanceof Error ? error.name : "")) {
          throw new TransportError("closed", `Cannot write to ${this.#where}: the peer closed`);
        }
        throw this.#break(error);
      }
    }
  }

  #closedError(): TransportError {
    return new TransportError("closed", `Cannot write to ${this.#where}: connection closed`);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeQuietly(this.#conn);
  }
}
