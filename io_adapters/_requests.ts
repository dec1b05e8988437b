// Requests waiting for their outcome, keyed by request id (the TrID a session returned). Each
// outcome settles one promise once: the reply, a typed RequestError, or an abort by the caller's
// signal. Any session kind's requests fit (the switchboard's sends next).

import type { RequestFailure } from "../machine/mod.ts";
import { RequestError } from "./errors.ts";

interface Pending {
  what: string;
  resolve(reply: unknown): void;
  reject(error: Error): void;
}

/** The open requests of one client. */
export class PendingRequests {
  #pending = new Map<number, Pending>();

  /**
   * Starts a request: `start` sends it and returns its id. Rejects at once when `signal` has
   * fired or `start` throws (a `UsageError`, the session's `SessionError`).
   */
  open<R>(what: string, start: () => number, signal: AbortSignal | undefined): Promise<R> {
    if (signal?.aborted) {
      return Promise.reject(new RequestError(what, "aborted", { cause: signal.reason }));
    }
    let id: number;
    try {
      id = start();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<R>((resolve, reject) => {
      const onAbort = () => {
        if (this.#pending.delete(id)) {
          reject(new RequestError(what, "aborted", { cause: signal!.reason }));
        }
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const settle = () => signal?.removeEventListener("abort", onAbort);
      this.#pending.set(id, {
        what,
        resolve: (reply) => {
          settle();
          resolve(reply as R);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
    });
  }

  /** Whether request `id` is still waiting. */
  has(id: number): boolean {
    return this.#pending.has(id);
  }

  /** Request `id` succeeded. */
  complete(id: number, reply: unknown): void {
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    pending?.resolve(reply);
  }

  /** Request `id` failed: a server error or no answer in time. */
  fail(id: number, failure: RequestFailure): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    pending.reject(
      failure.reason === "timeout"
        ? new RequestError(pending.what, "timeout")
        : new RequestError(pending.what, "server-error", failure),
    );
  }

  /** The connection ended: every open request fails with `connection-lost`. */
  failAll(cause: unknown): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of all) p.reject(new RequestError(p.what, "connection-lost", { cause }));
  }
}
