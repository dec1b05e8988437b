// One replayed connection: recv steps become readable chunks, writes and closes go to the replay.

import { ChunkQueue } from "./_shared.ts";
import type { Connection } from "./transport.ts";

/** What a replayed connection reports its writes and close to. */
export interface Engine {
  write(connection: ReplayConnection, bytes: Uint8Array): Promise<void>;
  close(connection: ReplayConnection): void;
}

export class ReplayConnection implements Connection {
  readonly remote: { readonly host: string; readonly port: number };
  readonly readable: AsyncIterable<Uint8Array>;
  readonly #queue = new ChunkQueue();
  readonly #engine: Engine;
  closed = false;
  serverClosed = false;

  constructor(host: string, port: number, engine: Engine) {
    this.remote = { host, port };
    this.readable = this.#queue.iterable();
    this.#engine = engine;
  }

  deliver(bytes: Uint8Array): void {
    if (!this.closed) this.#queue.push(bytes);
  }

  closeByServer(): void {
    this.serverClosed = true;
    this.#queue.end();
  }

  fail(error: Error): void {
    this.#queue.fail(error);
  }

  write(bytes: Uint8Array): Promise<void> {
    return this.#engine.write(this, bytes);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#queue.end();
    this.#engine.close(this);
  }
}
