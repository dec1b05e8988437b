// The Node transport: node:net. Deno and Bun implement node:net too, so this module loads and works
// in all three runtimes (the test suite runs it in each as a cross-check).

import { connect as netConnect, type Socket } from "node:net";
import { brokenError, ChunkQueue, connectWithDeadline, errorLabel, hostPort } from "./_shared.ts";
import { TransportError } from "./errors.ts";
import type { Connection, ConnectOptions, Transport } from "./transport.ts";

/** Options for {@linkcode NodeTransport}. */
export interface NodeTransportOptions {
  /**
   * Creates the socket; defaults to `net.connect` from `node:net`. The socket must emit `connect`
   * once open (tests pass one that never does).
   */
  connect?: (options: { host: string; port: number }) => Socket;
  /** Bytes buffered before the socket is paused while the reader lags. Defaults to 1 MiB. */
  highWaterMark?: number;
}

// Runtime error codes that mean the connection broke.
const WRITE_AFTER_END = new Set(["ERR_STREAM_WRITE_AFTER_END", "EPIPE"]);

/**
 * A {@linkcode Transport} over `node:net`, with TCP no-delay on. Works under Node, Deno and Bun.
 * Chunks are copied out of the runtime's buffers, so they are safe to keep.
 *
 * @example Connect under Node
 * ```ts
 * import { NodeTransport } from "@msnp/client/io_adapters";
 *
 * const connection = await new NodeTransport().connect("127.0.0.1", 1863, { timeoutMs: 5_000 });
 * await connection.write(new TextEncoder().encode("VER 1 MSNP8 CVR0\r\n"));
 * connection.close();
 * ```
 */
export class NodeTransport implements Transport {
  readonly #connect: (options: { host: string; port: number }) => Socket;
  readonly #highWaterMark: number | undefined;

  /** Creates the transport; nothing is opened until `connect`. */
  constructor(options: NodeTransportOptions = {}) {
    this.#connect = options.connect ?? ((o) => netConnect(o));
    this.#highWaterMark = options.highWaterMark;
  }

  /** Opens a TCP connection with `net.connect`. */
  async connect(host: string, port: number, options: ConnectOptions = {}): Promise<Connection> {
    const where = hostPort(host, port);
    const socket = await connectWithDeadline(
      where,
      options,
      (signal) =>
        new Promise<Socket>((resolve, reject) => {
          const s = this.#connect({ host, port });
          const onError = (error: Error) => {
            s.off("connect", onConnect);
            s.destroy();
            reject(error);
          };
          const onConnect = () => {
            s.off("error", onError);
            signal.removeEventListener("abort", onAbort);
            resolve(s);
          };
          const onAbort = () => {
            s.off("error", onError);
            s.off("connect", onConnect);
            s.destroy();
          };
          s.once("error", onError);
          s.once("connect", onConnect);
          signal.addEventListener("abort", onAbort, { once: true });
        }),
      (late) => late.destroy(),
    );
    return new NodeConnection(socket, host, port, this.#highWaterMark);
  }
}

class NodeConnection implements Connection {
  readonly remote: { readonly host: string; readonly port: number };
  readonly readable: AsyncIterable<Uint8Array>;
  readonly #socket: Socket;
  readonly #queue: ChunkQueue;
  readonly #where: string;
  #closed = false;
  #peerClosed = false;
  #broken: TransportError | undefined;

  constructor(socket: Socket, host: string, port: number, highWaterMark: number | undefined) {
    this.#socket = socket;
    this.remote = { host, port };
    this.#where = hostPort(host, port);
    this.#queue = new ChunkQueue({
      highWaterMark,
      pause: () => socket.pause(),
      resume: () => socket.resume(),
    });
    this.readable = this.#queue.iterable();
    try {
      socket.setNoDelay(true);
    } catch {
      // Not essential.
    }
    // Copy: a chunk handed out must stay valid, whatever the runtime does with its buffers.
    socket.on("data", (chunk: Uint8Array) => this.#queue.push(new Uint8Array(chunk)));
    socket.on("end", () => {
      this.#peerClosed = true;
      this.#queue.end();
    });
    socket.on("error", (error: Error) => {
      if (this.#closed) return;
      if (this.#peerClosed && WRITE_AFTER_END.has(errorLabel(error))) return;
      this.#queue.fail(this.#break(error));
    });
    socket.on("close", () => {
      this.#peerClosed = true;
      this.#queue.end();
    });
  }

  #break(error: unknown): TransportError {
    this.#broken ??= brokenError(this.#where, error);
    return this.#broken;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError("connection closed"));
    if (this.#broken) return Promise.reject(this.#broken);
    if (this.#peerClosed || this.#socket.writableEnded || this.#socket.destroyed) {
      return Promise.reject(this.#closedError("the peer closed"));
    }
    return new Promise((resolve, reject) => {
      // The callback runs once the bytes are handed to the OS (after any backpressure).
      this.#socket.write(bytes, (error) => {
        if (!error) return resolve();
        if (this.#closed) return reject(this.#closedError("connection closed"));
        if (this.#broken) return reject(this.#broken);
        if (WRITE_AFTER_END.has(errorLabel(error)) && this.#peerClosed) {
          return reject(this.#closedError("the peer closed"));
        }
        reject(this.#break(error));
      });
    });
  }

  #closedError(why: string): TransportError {
    return new TransportError("closed", `Cannot write to ${this.#where}: ${why}`);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.end();
    this.#socket.destroy();
  }
}
