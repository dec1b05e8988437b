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

/**
 * The work a conversation holds until someone is in: the opening (`openConversation` or an
 * answer), queued sends in order, and invitations by invitee. Each job leaves it when it settles.
 */
export class Waiting {
  /** Sends not yet written, oldest first. */
  readonly queue: Job[] = [];
  /** Invitations waiting for their invitee to join. */
  readonly invites = new Set<Job>();
  /** The opening, while it waits. */
  opening: Job | undefined;

  /** Whether nothing waits. */
  get idle(): boolean {
    return this.queue.length === 0 && this.invites.size === 0 && !this.opening;
  }

  /** Whether sends or invitations wait (the opening aside). */
  get pending(): boolean {
    return this.queue.length > 0 || this.invites.size > 0;
  }

  /** Everything waiting: the opening, the sends, the invitations. */
  all(): Job[] {
    const waiting = [...this.queue, ...this.invites];
    if (this.opening) waiting.unshift(this.opening);
    return waiting;
  }

  /** Files `job` as the opening; returns how to unfile it. */
  enterOpening(job: Job): () => void {
    this.opening = job;
    return () => {
      if (this.opening === job) this.opening = undefined;
    };
  }

  /** Files `job` as an invitation; returns how to unfile it. */
  enterInvite(job: Job): () => void {
    this.invites.add(job);
    return () => this.invites.delete(job);
  }

  /** Files `job` as a send; returns how to unfile it (from `sent` too, once written). */
  enterSend(job: Job, sent: () => Map<number, Job> | undefined): () => void {
    this.queue.push(job);
    return () => {
      const i = this.queue.indexOf(job);
      if (i >= 0) this.queue.splice(i, 1);
      const written = sent();
      for (const [id, j] of written ?? []) if (j === job) written!.delete(id);
    };
  }
}
