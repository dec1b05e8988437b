// The working part of a Conversation: its switchboards over time (each a SwitchboardSession on
// its own SessionDriver), the work waiting for someone to join, and what each switchboard event
// means. It decides when to open, what to send and what each outcome means; the public facade in
// conversation.ts only documents and delegates.

import { type HostPort, type ImFormat, splitTextMessage } from "../codec/mod.ts";
import type { Participant, SessionError, SwitchboardSession } from "../machine/mod.ts";
import { EventHub } from "./events.ts";
import {
  ConversationError,
  type ConversationEvent,
  type OpenOptions,
  type SendOptions,
} from "./conversation_types.ts";
import { checkPassport, failureOfSession, failureOfXfr } from "./_conversation_errors.ts";
import { type Job, newJob, Waiting } from "./_conversation_jobs.ts";
import { type CoreInternals, handleLinkEvent } from "./_conversation_events.ts";
import {
  callInto,
  type ConversationHost,
  leaveLink,
  type Link,
  type LinkEntry,
  openLink,
} from "./_conversation_link.ts";
import type { Conversation } from "./conversation.ts";

/** An answer to an `RNG`, for conversations someone else opened. */
export interface AnswerTicket {
  address: HostPort;
  cookie: string;
  sessionId: string;
  inviter: Participant;
}

/** The state and logic behind one {@linkcode Conversation}. */
export class ConversationCore {
  readonly #host: ConversationHost;
  readonly #conversation: Conversation;
  /** The conversation's events, for its `on`, `once`, `waitFor` and `events`. */
  readonly hub: EventHub<ConversationEvent>;
  /** Everyone to invite when a new switchboard opens, by lower-case passport. */
  readonly #people = new Map<string, string>();
  #link: Link | undefined;
  /** Every switchboard not yet ended (the current one, and ones being left). */
  readonly #links = new Set<Link>();
  #requesting: AbortController | undefined;
  readonly #waiting = new Waiting();
  #ended = false;
  #lastTyping = -Infinity;
  #leaving: Promise<void> = Promise.resolve();
  /** What the switchboard event handlers (./_conversation_events.ts) see of this core. */
  readonly #internals: CoreInternals;

  /** Creates the core of `conversation`, to invite `people`. */
  constructor(host: ConversationHost, conversation: Conversation, people: readonly string[]) {
    // deno-lint-ignore no-this-alias
    const core = this;
    this.#host = host;
    this.#conversation = conversation;
    for (const p of people) this.#people.set(p.toLowerCase(), p);
    this.hub = new EventHub<ConversationEvent>({
      maxBuffered: 1000,
      timers: host.timers,
      dropped: (count) => ({ type: "eventsDropped", conversation, count }),
    });
    this.#internals = {
      conversation,
      people: this.#people,
      invites: this.#waiting.invites,
      queue: this.#waiting.queue,
      get ended() {
        return core.#ended;
      },
      isCurrent: (link) => this.#link === link && !this.#ended,
      started: (inviter) => host.started(conversation, inviter),
      emit: (event) => this.#emit(event),
      settleOpening: () => this.#waiting.opening?.resolve(),
      call: (link, passports) => callInto(link, passports, host.clock()),
      pump: () => this.#pump(),
      drop: (link) => this.#drop(link),
      failOpening: (error) => this.#failOpening(error),
      linkEnded: (link, error) => this.#linkEnded(link, error),
    };
  }

  /** See `Conversation.sessionId`. */
  get sessionId(): string | undefined {
    return this.#link?.session.sessionId;
  }

  /** See `Conversation.participants`. */
  get participants(): Participant[] {
    const link = this.#link;
    return link?.ready ? [...link.present.values()].map((p) => ({ ...p })) : [];
  }

  /** See `Conversation.state`. */
  get state(): "opening" | "open" | "idle" | "ended" {
    if (this.#ended) return "ended";
    if (this.#link?.ready) return "open";
    return this.#link || this.#requesting ? "opening" : "idle";
  }

  /** See `Conversation.people`. */
  get people(): string[] {
    return [...this.#people.values()];
  }

  /** See `Conversation.send`. */
  send(text: string, options: SendOptions = {}): Promise<void> {
    const format: ImFormat | undefined = options.format ?? this.#host.switchboard.textFormat;
    try {
      splitTextMessage(text, format === undefined ? {} : { format });
    } catch (error) {
      return Promise.reject(
        new ConversationError("send message", "invalid-argument", { cause: error }),
      );
    }
    const write = (session: SwitchboardSession, now: number) =>
      session.sendText(text, format === undefined ? {} : { format }, now);
    return this.#enqueue("send message", write, options.signal);
  }

  /** See `Conversation.nudge`. */
  nudge(options: OpenOptions = {}): Promise<void> {
    return this.#enqueue("send nudge", (s, now) => s.sendNudge(now), options.signal);
  }

  /** See `Conversation.typing`. */
  typing(): boolean {
    const link = this.#link;
    const now = this.#host.clock();
    if (this.#ended || !link?.ready || link.present.size === 0) return false;
    if (now - this.#lastTyping < this.#host.typingIntervalMs) return false;
    try {
      link.session.sendTyping(now);
    } catch {
      return false; // The switchboard is closing; its end is on its way.
    }
    this.#lastTyping = now;
    link.driver?.pump();
    return true;
  }

  /** See `Conversation.invite`. */
  invite(passport: string, options: OpenOptions = {}): Promise<void> {
    const bad = checkPassport(passport, this.#host.account);
    if (bad) return Promise.reject(new ConversationError("invite", "invalid-argument", bad));
    const key = passport.toLowerCase();
    if (this.participants.some((p) => p.passport.toLowerCase() === key)) return Promise.resolve();
    const promise = this.#wait(
      "invite",
      options.signal,
      (job) => this.#waiting.enterInvite(job),
      key,
    );
    if (!this.#ended) {
      this.#people.set(key, passport);
      const link = this.#link;
      if (link?.ready && !link.pending.has(key)) callInto(link, [passport], this.#host.clock());
      this.#pump();
    }
    return promise;
  }

  /** See `Conversation.leave`. */
  leave(): Promise<void> {
    if (!this.#ended) this.end("left");
    return this.#leaving;
  }

  // ---- opening ----

  /** Opens the first switchboard (`openConversation`). */
  open(signal: AbortSignal | undefined): Promise<void> {
    const promise = this.#wait(
      "open conversation",
      signal,
      (job) => this.#waiting.enterOpening(job),
    );
    this.#request();
    return promise;
  }

  /** Joins a switchboard we were invited to. */
  answer(ticket: AnswerTicket): Promise<void> {
    this.#people.set(ticket.inviter.passport.toLowerCase(), ticket.inviter.passport);
    const promise = this.#wait(
      "join conversation",
      undefined,
      (job) => this.#waiting.enterOpening(job),
    );
    this.#connect({
      mode: "answer",
      address: ticket.address,
      cookie: ticket.cookie,
      sessionId: ticket.sessionId,
    }, ticket.inviter);
    return promise;
  }

  /** Asks the notification server for a switchboard (`XFR SB`), then connects. */
  #request(): void {
    this.#host.active(this.#conversation);
    const abort = new AbortController();
    this.#requesting = abort;
    this.#host.requestSwitchboard(abort.signal).then(
      (sb) => {
        if (this.#requesting !== abort) return;
        this.#requesting = undefined;
        this.#connect({ mode: "call", address: sb.address, cookie: sb.cookie });
      },
      (error: unknown) => {
        if (this.#requesting !== abort) return;
        this.#requesting = undefined;
        this.#failOpening(failureOfXfr(error));
      },
    );
  }

  #connect(entry: LinkEntry, inviter?: Participant): void {
    let link: Link;
    try {
      link = openLink(
        this.#host,
        entry,
        inviter,
        (l, event) => handleLinkEvent(this.#internals, l, event),
      );
    } catch (error) {
      this.#failOpening(new ConversationError("open conversation", "closed", { cause: error }));
      return;
    }
    this.#link = link;
    this.#links.add(link);
    this.#host.active(this.#conversation);
    link.driver!.pump();
  }

  /** Opening failed (or every invitation did): everything waiting fails with `error`. */
  #failOpening(error: ConversationError): void {
    for (const job of this.#waiting.all()) job.reject(error);
  }

  /** Stops using a switchboard that nobody else is in: leaves it. */
  #drop(link: Link): void {
    if (this.#link === link) this.#link = undefined;
    leaveLink(link, this.#host.clock());
  }

  // ---- sending ----

  #enqueue(
    what: string,
    write: (session: SwitchboardSession, now: number) => number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const enter = (job: Job) => this.#waiting.enterSend(job, () => this.#link?.sent);
    const promise = this.#wait(what, signal, enter, undefined, write);
    this.#pump();
    return promise;
  }

  #wait(
    what: string,
    signal: AbortSignal | undefined,
    enter: (job: Job) => () => void,
    invitee?: string,
    write?: Job["write"],
  ): Promise<void> {
    if (this.#ended) return Promise.reject(new ConversationError(what, "closed"));
    return newJob({
      what,
      signal,
      invitee,
      write,
      timers: this.#host.timers,
      timeoutMs: this.#host.sendTimeoutMs,
      enter,
      gaveUp: () => this.#settleIdle(),
    });
  }

  /** Nothing waits any more for someone to join: stop ringing (leave the empty switchboard). */
  #settleIdle(): void {
    const link = this.#link;
    if (!this.#waiting.idle) return;
    if (link?.ready && link.present.size === 0) this.#drop(link);
  }

  /** Moves queued work forward: writes it when someone is in, else opens a switchboard. */
  #pump(): void {
    if (this.#ended || !this.#waiting.pending) return;
    const link = this.#link;
    if (!link) {
      if (!this.#requesting) this.#request();
      return;
    }
    if (!link.ready) return;
    if (link.present.size === 0) {
      if (link.pending.size > 0) return;
      // Open, alone, nobody ringing: start again with everyone.
      this.#drop(link);
      this.#request();
      return;
    }
    const now = this.#host.clock();
    for (const job of this.#waiting.queue.splice(0)) {
      try {
        link.sent.set(job.write!(link.session, now), job);
      } catch (error) {
        job.reject(new ConversationError(job.what, "invalid-argument", { cause: error }));
      }
    }
    link.driver?.pump();
  }

  // ---- what the switchboard says ----

  #linkEnded(link: Link, error: SessionError | undefined): void {
    const driver = link.driver;
    this.#links.delete(link);
    // Stop after this pump: the connection and its timer go with it.
    queueMicrotask(() => driver?.stop());
    for (const callback of link.onEnded.splice(0)) callback();
    if (this.#link !== link) return;
    this.#link = undefined;
    if (this.#ended) return;
    for (const p of link.present.values()) {
      this.#emit({
        type: "left",
        conversation: this.#conversation,
        passport: p.passport,
        reason: "closed",
      });
    }
    if (!link.ready) {
      this.#failOpening(failureOfSession(error, driver?.connection));
      return;
    }
    this.#pump();
  }

  // ---- the end ----

  #emit(event: ConversationEvent): void {
    this.hub.emit(event);
    if (event.type === "ended") this.#host.emit({ ...event, type: "conversationEnded" });
    else if (event.type !== "eventsDropped") this.#host.emit(event);
  }

  /** Ends for good: every wait fails with `closed`. */
  end(reason: "left" | "signedOut" | "connectionLost" | "failed", error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#requesting?.abort();
    this.#requesting = undefined;
    const waiting = this.#waiting.all();
    for (const link of this.#links) waiting.push(...link.sent.values());
    for (const job of waiting) {
      job.reject(new ConversationError(job.what, "closed", { cause: error }));
    }
    const link = this.#link;
    this.#link = undefined;
    if (reason === "left") {
      // Leave politely and let the server close; the others are being left already.
      if (link) {
        this.#leaving = new Promise((resolve) => link.onEnded.push(resolve));
        link.session.leave(this.#host.clock());
        link.driver?.pump();
      }
    } else {
      for (const l of this.#links) l.driver?.stop();
      this.#links.clear();
    }
    const ended: ConversationEvent = error
      ? { type: "ended", conversation: this.#conversation, reason, error }
      : { type: "ended", conversation: this.#conversation, reason };
    this.#emit(ended);
    this.hub.end(new ConversationError("wait for event", "closed", { cause: error }));
    this.#host.ended(this.#conversation);
  }
}
