// What each event of a conversation's switchboard means: who is in, invitations answered or
// failed, messages, send outcomes, the end. Plain functions over a narrow view of the core.

import type { Participant, SessionError, SwitchboardEvent } from "../machine/mod.ts";
import type { ConversationError, ConversationEvent } from "./conversation_types.ts";
import type { Conversation } from "./conversation.ts";
import type { Job } from "./_conversation_jobs.ts";
import type { Link } from "./_conversation_link.ts";
import { contentEvent, inviteError, sendError } from "./_conversation_errors.ts";

/** What the handlers may see and do of a conversation's core. */
export interface CoreInternals {
  readonly conversation: Conversation;
  /** Everyone to invite when a new switchboard opens, by lower-case passport. */
  readonly people: Map<string, string>;
  /** Invitations waiting for someone to join. */
  readonly invites: Set<Job>;
  /** Sends waiting for someone to be in. */
  readonly queue: Job[];
  /** Whether the conversation ended. */
  readonly ended: boolean;
  /** Whether `link` is the conversation's switchboard now. */
  isCurrent(link: Link): boolean;
  /** An answered conversation is open. */
  started(inviter: Participant): void;
  emit(event: ConversationEvent): void;
  /** The opening (openConversation or an answer) succeeded. */
  settleOpening(): void;
  call(link: Link, passports: readonly string[]): void;
  pump(): void;
  drop(link: Link): void;
  failOpening(error: ConversationError): void;
  linkEnded(link: Link, error: SessionError | undefined): void;
}

/** Handles one event of `link`. */
export function handleLinkEvent(c: CoreInternals, link: Link, event: SwitchboardEvent): void {
  const current = c.isCurrent(link);
  switch (event.type) {
    case "ready": {
      link.ready = true;
      if (!current) return;
      if (link.inviter) {
        c.settleOpening();
        c.started(link.inviter);
      }
      const present = link.present;
      for (const [key, p] of present) {
        c.emit({
          type: "joined",
          conversation: c.conversation,
          passport: p.passport,
          friendlyName: p.friendlyName,
        });
        for (const job of [...c.invites]) if (job.invitee === key) job.resolve();
      }
      // Calling: everyone we know of. Answering: whoever invite() asked for meanwhile.
      const wanted = link.inviter
        ? [...c.invites].map((job) => job.invitee!)
        : [...c.people.keys()];
      const call = new Set(wanted.filter((k) => !present.has(k)));
      c.call(link, [...call].map((k) => c.people.get(k)!));
      return c.pump();
    }
    case "participantJoined": {
      const key = event.passport.toLowerCase();
      link.pending.delete(key);
      link.present.set(key, { passport: event.passport, friendlyName: event.friendlyName });
      if (c.ended) return;
      c.people.set(key, event.passport);
      // Those already there when we joined are announced at `ready`, after the conversation.
      if (!link.ready) return;
      c.emit({
        type: "joined",
        conversation: c.conversation,
        passport: event.passport,
        friendlyName: event.friendlyName,
      });
      for (const job of [...c.invites]) if (job.invitee === key) job.resolve();
      if (current) c.settleOpening();
      return c.pump();
    }
    case "participantLeft":
      link.present.delete(event.passport.toLowerCase());
      if (c.ended) return;
      c.emit({
        type: "left",
        conversation: c.conversation,
        passport: event.passport,
        reason: event.timedOut ? "idle" : "left",
      });
      if (current && link.present.size === 0 && link.pending.size === 0) {
        c.drop(link);
        c.pump();
      }
      return;
    case "inviteRinging":
      if (current) c.settleOpening();
      return;
    case "inviteFailed": {
      const key = event.passport.toLowerCase();
      link.pending.delete(key);
      if (c.ended) return;
      const error = inviteError(event.failure, event.passport);
      link.firstFailure ??= error;
      c.emit({
        type: "inviteFailed",
        conversation: c.conversation,
        passport: event.passport,
        error,
      });
      for (const job of [...c.invites]) if (job.invitee === key) job.reject(error);
      if (current && link.pending.size === 0 && link.present.size === 0) {
        c.failOpening(link.firstFailure);
        c.drop(link);
      }
      return;
    }
    case "message":
      if (!c.ended) c.emit(contentEvent(c.conversation, event));
      return;
    case "sendCompleted": {
      const job = link.sent.get(event.sendId);
      link.sent.delete(event.sendId);
      if (!job) return;
      if (link.present.size === 0 && !c.ended) {
        // Everyone left before the server took it: it reached nobody. Send it again.
        c.queue.unshift(job);
        return c.pump();
      }
      return job.resolve();
    }
    case "sendFailed": {
      const job = link.sent.get(event.sendId);
      link.sent.delete(event.sendId);
      return job?.reject(sendError(job.what, event.failure));
    }
    case "warning":
      return;
    case "ended":
      return c.linkEnded(link, event.error);
  }
}
