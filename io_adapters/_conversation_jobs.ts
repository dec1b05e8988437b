// Work waiting for an outcome in a conversation (a send, a nudge, an invitation, the opening):
// each settles exactly once, by its outcome, its time limit or its AbortSignal.

import type { SwitchboardSession } from "../machine/mod.ts";
import type { Timers } from "./_timers.ts";
import { ConversationError } from "./conversation_types.ts";

/** A send (text or nudge), an invitation or an opening, waiting for its outcome. */
export interface Job {
  /** The operation, as in `Cannot <what>`. */
  readonly what: string;
  /** Writes it; returns the send id (sends only). */
  readonly write?: (session: SwitchboardSession, now: number) => number;
  /** For invitations: the lower-case passport. */
  readonly invitee?: string;
  /** Succeeded. Later calls do nothing. */
  resolve(): void;
  /** Failed. Later calls do nothing. */
  reject(error: ConversationError): void;
}

/** How to make a {@linkcode Job}. */
export interface JobOptions {
  what: string;
  signal: AbortSignal | undefined;
  invitee?: string;
  write?: Job["write"];
  timers: Timers;
  timeoutMs: number;
  /** Files the job where its outcome will find it; returns how to unfile it. */
  enter: (job: Job) => () => void;
  /** Called after the job failed by its time limit or signal. */
  gaveUp: () => void;
}

/** A job and the promise it settles: by outcome, after `timeoutMs` (`timeout`), or on `signal` (`aborted`). */
export function newJob(o: JobOptions): Promise<void> {
  const { what, signal, timers } = o;
  if (signal?.aborted) {
    return Promise.reject(new ConversationError(what, "aborted", { cause: signal.reason }));
  }
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let unfile = () => {};
    const finish = () => {
      settled = true;
      timers.clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      unfile();
    };
    const job: Job = {
      what,
      write: o.write,
      invitee: o.invitee,
      resolve: () => {
        if (settled) return;
        finish();
        resolve();
      },
      reject: (error) => {
        if (settled) return;
        finish();
        reject(error);
      },
    };
    const onAbort = () => {
      job.reject(new ConversationError(what, "aborted", { cause: signal!.reason }));
      o.gaveUp();
    };
    const timer = timers.setTimeout(() => {
      job.reject(new ConversationError(what, "timeout"));
      o.gaveUp();
    }, o.timeoutMs);
    signal?.addEventListener("abort", onAbort, { once: true });
    unfile = o.enter(job);
  });
}
