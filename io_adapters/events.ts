// Event delivery for the Client (and, next, for each conversation): handlers that each see every
// event, a promise for the next matching event, and one buffered async iterator. A second
// iterator while one is active is refused with an error, never given every other event.

import { ClientUsageError, WaitTimeoutError } from "./errors.ts";
import type { Timers } from "./_timers.ts";

/** The member of event union `E` whose `type` is `T`. */
export type EventOf<E extends { type: string }, T extends E["type"]> = Extract<E, { type: T }>;

/** Options for {@linkcode EventHub.waitFor}. */
export interface WaitForOptions {
  /** Rejects with the signal's reason when it fires. */
  signal?: AbortSignal;
  /** Rejects with {@linkcode WaitTimeoutError} after this many ms. */
  timeout?: number;
}

/** Options for an {@linkcode EventHub}. */
export interface EventHubOptions<E> {
  /** Most events kept for the iterator; the oldest are dropped beyond it. */
  maxBuffered: number;
  /** Timers for `waitFor` timeouts. */
  timers: Timers;
  /** The event that tells the iterator `count` events were dropped. */
  dropped: (count: number) => E;
}

interface Waiting {
  settle(event: unknown): boolean;
  fail(error: unknown): void;
}

/**
 * Delivers events three ways. `on`/`once` handlers run synchronously, each sees every event (a
 * handler that throws has its error rethrown in a microtask, so it is reported, not swallowed);
 * `waitFor` resolves with the next matching event; one async iterator at a time reads a bounded
 * buffer that starts with the first event, and learns about events dropped from it through the
 * event made by `options.dropped`.
 */
export class EventHub<E extends { type: string }> {
  readonly #o: EventHubOptions<E>;
  #handlers = new Map<string, Set<(event: E) => void>>();
  #waiting = new Set<Waiting>();
  #buffer: E[] = [];
  #head = 0;
  #droppedSinceRead = 0;
  #droppedTotal = 0;
  #reader: ((result: IteratorResult<E>) => void) | undefined;
  #iterating = false;
  #ended = false;
  #endError: unknown;

  /** Creates a hub with an empty buffer. */
  constructor(options: EventHubOptions<E>) {
    this.#o = options;
  }

  /** Events dropped from the iterator's buffer so far. */
  get dropped(): number {
    return this.#droppedTotal;
  }

  /** Whether {@linkcode end} was called. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Delivers an event to handlers, waiters and the iterator, in that order. */
  emit(event: E): void {
    if (this.#ended) return;
    for (const key of [event.type, "*"]) {
      const set = this.#handlers.get(key);
      if (!set) continue;
      for (const handler of [...set]) {
        try {
          handler(event);
        } catch (error) {
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    }
    for (const waiting of [...this.#waiting]) waiting.settle(event);
    const reader = this.#reader;
    if (reader && this.#head === this.#buffer.length && this.#droppedSinceRead === 0) {
      this.#reader = undefined;
      reader({ value: event, done: false });
      return;
    }
    this.#buffer.push(event);
    if (this.#buffer.length - this.#head > this.#o.maxBuffered) {
      this.#head++;
      this.#droppedSinceRead++;
      this.#droppedTotal++;
      if (this.#head > 4096) {
        this.#buffer = this.#buffer.slice(this.#head);
        this.#head = 0;
      }
    }
  }

  /** No more events: the iterator ends after its buffer, waiters reject with `error`. */
  end(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#endError = error;
    for (const waiting of [...this.#waiting]) waiting.fail(error);
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.({ value: undefined, done: true });
  }

  /** Calls `handler` with every event of `type` (`"*"`: every event). Returns the unsubscriber. */
  on<T extends E["type"] | "*">(
    type: T,
    handler: (event: T extends E["type"] ? EventOf<E, T> : E) => void,
  ): () => void {
    let set = this.#handlers.get(type);
    if (!set) this.#handlers.set(type, set = new Set());
    const h = handler as (event: E) => void;
    set.add(h);
    return () => void set.delete(h);
  }

  /** Like {@linkcode on}, for the next such event only. */
  once<T extends E["type"] | "*">(
    type: T,
    handler: (event: T extends E["type"] ? EventOf<E, T> : E) => void,
  ): () => void {
    const off = this.on(type, (event) => {
      off();
      handler(event);
    });
    return off;
  }

  /**
   * The next event of `type` for which `predicate` is true. Rejects on `signal`, on `timeout`,
   * and when the events end first (with the error that ended them).
   */
  waitFor<T extends E["type"]>(
    type: T,
    predicate: (event: EventOf<E, T>) => boolean = () => true,
    options: WaitForOptions = {},
  ): Promise<EventOf<E, T>> {
    const { signal, timeout } = options;
    if (this.#ended) return Promise.reject(this.#endError);
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (timeout !== undefined && !(timeout >= 0)) {
      return Promise.reject(
        new ClientUsageError("invalid-argument", `Cannot wait ${timeout} ms: not a duration`),
      );
    }
    return new Promise((resolve, reject) => {
      let timer: unknown;
      const done = () => {
        this.#waiting.delete(waiting);
        if (timer !== undefined) this.#o.timers.clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const waiting: Waiting = {
        settle: (event) => {
          const e = event as E;
          if (e.type !== type) return false;
          let match: boolean;
          try {
            match = predicate(e as EventOf<E, T>);
          } catch (error) {
            done();
            reject(error);
            return true;
          }
          if (!match) return false;
          done();
          resolve(e as EventOf<E, T>);
          return true;
        },
        fail: (error) => {
          done();
          reject(error);
        },
      };
      const onAbort = () => waiting.fail(signal!.reason);
      this.#waiting.add(waiting);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (timeout !== undefined) {
        timer = this.#o.timers.setTimeout(
          () => waiting.fail(new WaitTimeoutError(type, timeout)),
          timeout,
        );
      }
    });
  }

  /**
   * The buffered events as an async iterable. One iterator at a time: asking for a second while
   * one is active throws {@linkcode ClientUsageError} `events-consumed`; after a `break` the next
   * iterator goes on where the last one stopped.
   */
  iterable(): AsyncIterable<E> {
    return { [Symbol.asyncIterator]: () => this.#iterator() };
  }

  #iterator(): AsyncIterator<E> {
    if (this.#iterating) {
      throw new ClientUsageError(
        "events-consumed",
        "Cannot iterate events: another loop is reading them (use on() for more consumers)",
      );
    }
    this.#iterating = true;
    let finished = false;
    const release = () => {
      if (finished) return;
      finished = true;
      this.#iterating = false;
      const reader = this.#reader;
      this.#reader = undefined;
      reader?.({ value: undefined, done: true });
    };
    return {
      next: (): Promise<IteratorResult<E>> => {
        if (finished) return Promise.resolve({ value: undefined, done: true });
        if (this.#droppedSinceRead > 0) {
          const count = this.#droppedSinceRead;
          this.#droppedSinceRead = 0;
          return Promise.resolve({ value: this.#o.dropped(count), done: false });
        }
        if (this.#head < this.#buffer.length) {
          const event = this.#buffer[this.#head++];
          if (this.#head === this.#buffer.length) {
            this.#buffer = [];
            this.#head = 0;
          }
          return Promise.resolve({ value: event, done: false });
        }
        if (this.#ended) {
          release();
          return Promise.resolve({ value: undefined, done: true });
        }
        if (this.#reader) {
          return Promise.reject(
            new ClientUsageError(
              "events-consumed",
              "Cannot read events: a read is already pending",
            ),
          );
        }
        return new Promise((resolve) => (this.#reader = resolve));
      },
      return: (): Promise<IteratorResult<E>> => {
        release();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
