// Private helpers shared by the transports: a single-consumer chunk queue for push-style sockets
// (node:net, Bun, replay) and the connect deadline (timeout + AbortSignal) every adapter applies.

import { TransportError } from "./errors.ts";
import type { ConnectOptions } from "./transport.ts";

/** Default bytes buffered in a {@linkcode ChunkQueue} before the source is paused. */
export const HIGH_WATER_MARK = 1 << 20;

/** Callbacks a {@linkcode ChunkQueue} uses to apply backpressure to its source. */
export interface ChunkQueueOptions {
  /** Bytes buffered before `pause` is called. Defaults to {@linkcode HIGH_WATER_MARK}. */
  highWaterMark?: number;
  /** Stop the source (e.g. `socket.pause()`). */
  pause?: () => void;
  /** Restart the source once the consumer has caught up. */
  resume?: () => void;
}

type Waiter = {
  resolve(result: IteratorResult<Uint8Array>): void;
  reject(error: unknown): void;
};

/**
 * Chunks pushed by a socket's callbacks, pulled by one `for await` loop. Buffered chunks are
 * delivered before the end or the error. Pauses its source above the high-water mark.
 */
export class ChunkQueue {
  #chunks: Uint8Array[] = [];
  #head = 0;
  #bytes = 0;
  #done = false;
  #error: unknown = undefined;
  #failed = false;
  #waiter: Waiter | undefined;
  #paused = false;
  #taken = false;
  readonly #highWaterMark: number;
  readonly #pause: (() => void) | undefined;
  readonly #resume: (() => void) | undefined;

  /** Creates an empty queue. */
  constructor(options: ChunkQueueOptions = {}) {
    this.#highWaterMark = options.highWaterMark ?? HIGH_WATER_MARK;
    this.#pause = options.pause;
    this.#resume = options.resume;
  }

  /** Whether `end` or `fail` was called. */
  get finished(): boolean {
    return this.#done;
  }

  /** Adds a chunk the consumer may keep (callers copy reused buffers first). */
  push(chunk: Uint8Array): void {
    if (this.#done || chunk.length === 0) return;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter.resolve({ value: chunk, done: false });
      return;
    }
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    if (!this.#paused && this.#pause && this.#bytes >= this.#highWaterMark) {
      this.#paused = true;
      this.#pause();
    }
  }

  /** Ends the stream after the buffered chunks. Later `push`, `end` and `fail` are ignored. */
  end(): void {
    if (this.#done) return;
    this.#done = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve({ value: undefined, done: true });
  }

  /** Ends the stream with `error` after the buffered chunks. */
  fail(error: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#failed = true;
    this.#error = error;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }

  /** The queue as an async iterable; it can be iterated once. */
  iterable(): AsyncIterable<Uint8Array> {
    return { [Symbol.asyncIterator]: () => this.#iterator() };
  }

  #iterator(): AsyncIterator<Uint8Array> {
    if (this.#taken) throw new TypeError("Cannot iterate readable: it has a consumer already");
    this.#taken = true;
    return {
      next: () => this.#next(),
      return: () => {
        this.#chunks = [];
        this.#head = 0;
        this.#bytes = 0;
        this.#done = true;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  #next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#head < this.#chunks.length) {
      const chunk = this.#chunks[this.#head++];
      if (this.#head === this.#chunks.length) {
        this.#chunks = [];
        this.#head = 0;
      }
      this.#bytes -= chunk.length;
      if (this.#paused && this.#bytes < this.#highWaterMark) {
        this.#paused = false;
        this.#resume?.();
      }
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.#failed) return Promise.reject(this.#error);
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    if (this.#waiter) {
      return Promise.reject(new TypeError("Cannot read readable: a read is already pending"));
    }
    return new Promise((resolve, reject) => (this.#waiter = { resolve, reject }));
  }
}

/**
 * Runs a connection attempt under `options.timeoutMs` and `options.signal`. `start` receives a
 * signal that aborts on either; if the attempt still succeeds after that, `discard` closes it.
 * A failure of the attempt itself is a `TransportError` `connect-failed` naming its OS code.
 */
export async function connectWithDeadline<T>(
  where: string,
  options: ConnectOptions,
  start: (signal: AbortSignal) => Promise<T>,
  discard: (late: T) => void,
): Promise<T> {
  const { signal, timeoutMs } = options;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) {
    throw new RangeError(`Cannot use timeoutMs ${timeoutMs}: not positive`);
  }
  if (signal?.aborted) {
    throw new TransportError("aborted", `Cannot connect to ${where}: aborted`);
  }
  const controller = new AbortController();
  let stopped: TransportError | undefined;
  let stop: (error: TransportError) => void = () => {};
  const stopping = new Promise<never>((_, reject) => (stop = reject));
  const fire = (error: TransportError) => {
    if (stopped) return;
    stopped = error;
    stop(error);
    controller.abort(error);
  };
  const timer = timeoutMs === undefined ? undefined : setTimeout(
    () =>
      fire(
        new TransportError("timeout", `Cannot connect to ${where}: no answer in ${timeoutMs} ms`),
      ),
    timeoutMs,
  );
  const onAbort = () => fire(new TransportError("aborted", `Cannot connect to ${where}: aborted`));
  signal?.addEventListener("abort", onAbort, { once: true });
  let attempt: Promise<T> | undefined;
  try {
    attempt = start(controller.signal);
    return await Promise.race([attempt, stopping]);
  } catch (error) {
    if (stopped) {
      attempt?.then(discard, () => {});
      throw stopped;
    }
    throw new TransportError("connect-failed", `Cannot connect to ${where}: ${errorLabel(error)}`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

/** `host:port`, with brackets around an IPv6 literal. */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The OS error code (`ECONNREFUSED`) or error name of a runtime error, for messages. */
export function errorLabel(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code !== "") return code;
    return error.name === "Error" ? error.message : error.name;
  }
  return String(error);
}

/** The `reset` error of a connection to `where` that broke (`label`: what broke it). */
export function brokenError(
  where: string,
  error: unknown,
  label: string = errorLabel(error),
): TransportError {
  return new TransportError("reset", `Connection to ${where} broke: ${label}`, { cause: error });
}

/** `chunks` as a readable that only one consumer may iterate. */
export function singleConsumer<T>(chunks: AsyncIterator<T>): AsyncIterable<T> {
  let taken = false;
  return {
    [Symbol.asyncIterator]: () => {
      if (taken) throw new TypeError("Cannot iterate readable: it has a consumer already");
      taken = true;
      return chunks;
    },
  };
}
