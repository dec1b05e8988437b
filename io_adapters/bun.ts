// The Bun transport: Bun.connect with socket handlers. It declares the few members of Bun's API it
// uses instead of depending on Bun's types, and reads `globalThis.Bun` only when connecting, so this
// module loads in any runtime (tests run it under Deno and Node against a fake `Bun`).

import { brokenError, ChunkQueue, connectWithDeadline, hostPort } from "./_shared.ts";
import { TransportError } from "./errors.ts";
import type { Connection, ConnectOptions, Transport } from "./transport.ts";

/** The part of a Bun TCP socket the adapter uses. */
export interface BunSocketLike {
  /**
   * Writes what the kernel accepts now and returns that byte count (less than asked under
   * backpressure, negative when closed); the `drain` handler runs when more can be written.
   */
  write(bytes: Uint8Array): number;
  /** Closes the socket (after flushing what the kernel accepted). */
  end(): void;
  /** Stops `data` callbacks, when available. */
  pause?(): void;
  /** Restarts `data` callbacks, when available. */
  resume?(): void;
  /** Disables Nagle's algorithm, when available. */
  setNoDelay?(noDelay?: boolean): boolean | void;
}

/** The socket handlers the adapter passes to `Bun.connect`. */
export interface BunSocketHandlers {
  /** Bytes arrived; `data` may be reused by the runtime after the call. */
  data(socket: BunSocketLike, data: Uint8Array): void;
  /** The socket can take more bytes. */
  drain(socket: BunSocketLike): void;
  /** The peer ended its side. */
  end(socket: BunSocketLike): void;
  /** The socket closed; `error` is set when it broke. */
  close(socket: BunSocketLike, error?: Error): void;
  /** The socket failed. */
  error(socket: BunSocketLike, error: Error): void;
  /** The connection attempt failed (the `Bun.connect` promise rejects too). */
  connectError(socket: BunSocketLike, error: Error): void;
}

/** The part of the `Bun` global the adapter uses. */
export interface BunLike {
  /** `Bun.connect` for TCP. */
  connect(options: {
    hostname: string;
    port: number;
    socket: BunSocketHandlers;
  }): Promise<BunSocketLike>;
}

/** Options for {@linkcode BunTransport}. */
export interface BunTransportOptions {
  /** The Bun API to use; defaults to `globalThis.Bun` (read at connect time). */
  bun?: BunLike;
  /** Bytes buffered before the socket is paused while the reader lags. Defaults to 1 MiB. */
  highWaterMark?: number;
}

/**
 * A {@linkcode Transport} over `Bun.connect`. Bun's `write` takes only what the kernel accepts:
 * the rest is kept and flushed on `drain`, and `write` resolves once all of it was taken. Chunks
 * are copied out of Bun's buffers, so they are safe to keep.
 *
 * @example Connect under Bun
 * ```ts
 * import { BunTransport } from "@msnp/client/io_adapters";
 *
 * const connection = await new BunTransport().connect("127.0.0.1", 1863, { timeoutMs: 5_000 });
 * await connection.write(new TextEncoder().encode("VER 1 MSNP8 CVR0\r\n"));
 * connection.close();
 * ```
 */
export class BunTransport implements Transport {
  readonly #bun: BunLike | undefined;
  readonly #highWaterMark: number | undefined;

  /** Creates the transport; nothing is touched until `connect`. */
  constructor(options: BunTransportOptions = {}) {
    this.#bun = options.bun;
    this.#highWaterMark = options.highWaterMark;
  }

  /** Opens a TCP connection with `Bun.connect`. */
  async connect(host: string, port: number, options: ConnectOptions = {}): Promise<Connection> {
    const bun = this.#bun ?? (globalThis as { Bun?: BunLike }).Bun;
    if (!bun || typeof bun.connect !== "function") {
      throw new TypeError("Cannot use BunTransport: globalThis.Bun is not available");
    }
    const where = hostPort(host, port);
    // The connection exists before the socket: Bun may call handlers before `connect` resolves.
    const connection = new BunConnection(host, port, this.#highWaterMark);
    const socket = await connectWithDeadline(
      where,
      options,
      () => bun.connect({ hostname: host, port, socket: connection.handlers }),
      (late) => {
        connection.close();
        late.end();
      },
    );
    connection.attach(socket);
    return connection;
  }
}

interface PendingWrite {
  bytes: Uint8Array;
  offset: number;
  resolve(): void;
  reject(error: TransportError): void;
}

class BunConnection implements Connection {
  readonly remote: { readonly host: string; readonly port: number };
  readonly readable: AsyncIterable<Uint8Array>;
  readonly handlers: BunSocketHandlers;
  readonly #queue: ChunkQueue;
  readonly #where: string;
  #socket: BunSocketLike | undefined;
  #pending: PendingWrite[] = [];
  #closed = false;
  #peerClosed = false;
  #broken: TransportError | undefined;

  constructor(host: string, port: number, highWaterMark: number | undefined) {
    this.remote = { host, port };
    this.#where = hostPort(host, port);
    this.#queue = new ChunkQueue({
      highWaterMark,
      pause: () => this.#socket?.pause?.(),
      resume: () => this.#socket?.resume?.(),
    });
    this.readable = this.#queue.iterable();
    this.handlers = {
      // Copy: Bun may reuse the buffer after the callback returns.
      data: (_socket, data) => {
        if (!this.#closed) this.#queue.push(new Uint8Array(data));
      },
      drain: () => this.#flush(),
      end: () => {
        this.#peerClosed = true;
        this.#queue.end();
      },
      close: (_socket, error) => {
        this.#peerClosed = true;
        if (error && !this.#closed) this.#fail(this.#break(error));
        else this.#fail(this.#closedError("the peer closed"));
        this.#queue.end();
      },
      error: (_socket, error) => {
        if (!this.#closed) this.#fail(this.#break(error));
      },
      connectError: () => {},
    };
  }

  attach(socket: BunSocketLike): void {
    this.#socket = socket;
    try {
      socket.setNoDelay?.(true);
    } catch {
      // Not essential.
    }
    if (this.#closed) socket.end();
  }

  #break(error: unknown): TransportError {
    this.#broken ??= brokenError(this.#where, error);
    return this.#broken;
  }

  #closedError(why: string): TransportError {
    return new TransportError("closed", `Cannot write to ${this.#where}: ${why}`);
  }

  /** Rejects every pending write with `error`; a broken socket also fails the readable. */
  #fail(error: TransportError): void {
    const pending = this.#pending;
    this.#pending = [];
    for (const write of pending) write.reject(error);
    if (error.code === "reset") this.#queue.fail(error);
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError("connection closed"));
    if (this.#broken) return Promise.reject(this.#broken);
    if (this.#peerClosed) return Promise.reject(this.#closedError("the peer closed"));
    return new Promise((resolve, reject) => {
      this.#pending.push({ bytes, offset: 0, resolve, reject });
      if (this.#pending.length === 1) this.#flush();
    });
  }

  /** Writes queued bytes until Bun takes less than offered; `drain` calls it again. */
  #flush(): void {
    const socket = this.#socket;
    if (!socket) return;
    while (this.#pending.length > 0) {
      const head = this.#pending[0];
      const rest = head.bytes.subarray(head.offset);
      const written = rest.length === 0 ? 0 : socket.write(rest);
      if (written < 0) {
        this.#fail(this.#closedError("the socket is closed"));
        return;
      }
      head.offset += written;
      if (head.offset < head.bytes.length) return;
      this.#pending.shift();
      head.resolve();
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#fail(this.#closedError("connection closed"));
    this.#queue.end();
    this.#socket?.end();
  }
}
