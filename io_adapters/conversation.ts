// A conversation as the application sees it: a documented facade over ConversationCore
// (./_conversation_core.ts), which does the work.

import type { Participant } from "../machine/mod.ts";
import type { EventOf, WaitForOptions } from "./events.ts";
import type { ConversationEvent, OpenOptions, SendOptions } from "./conversation_types.ts";
import { ConversationCore } from "./_conversation_core.ts";
import type { ConversationHost } from "./_conversation_link.ts";

// Set in the class's static block: the client's way in, not part of the public API.
let create: (host: ConversationHost, id: number, people: readonly string[]) => Conversation;
let coreOf: (c: Conversation) => ConversationCore;

/** Creates a conversation and its core (for the client's conversation manager). */
export function newConversation(
  host: ConversationHost,
  id: number,
  people: readonly string[],
): { conversation: Conversation; control: ConversationCore } {
  const conversation = create(host, id, people);
  return { conversation, control: coreOf(conversation) };
}

/**
 * A chat with one or more contacts, made by `Client.openConversation` or by someone inviting
 * you (the client's `conversationStarted` event). It outlives its switchboards: sends wait until
 * someone has joined, and after everyone has left the next send opens a new switchboard and
 * invites the same people again.
 *
 * Events: `on(type, handler)`, `once`, `waitFor`, or one `for await` loop over
 * {@link Conversation.events}; each event is also on the client's stream (`ended` as
 * `conversationEnded`).
 *
 * @example Say hello and wait for the answer
 * ```ts
 * import { Client } from "@msnp/client/io_adapters";
 * const client = await Client.connect({ account: "me@example.com", password: "secret" });
 * const chat = await client.openConversation("bob@example.com");
 * await chat.send("Hello Bob 👋");
 * const reply = await chat.waitFor("message", undefined, { timeout: 60_000 });
 * console.log(reply.from, reply.text);
 * await chat.leave();
 * ```
 */
export class Conversation {
  readonly #id: number;
  readonly #core: ConversationCore;

  static {
    create = (host, id, people) => new Conversation(host, id, people);
    coreOf = (c) => c.#core;
  }

  private constructor(host: ConversationHost, id: number, people: readonly string[]) {
    this.#id = id;
    this.#core = new ConversationCore(host, this, people);
  }

  /** Unique within the client (1, 2, ...); stays the same when a new switchboard opens. */
  get id(): number {
    return this.#id;
  }

  /** The switchboard session id now, or `undefined` while none is open. */
  get sessionId(): string | undefined {
    return this.#core.sessionId;
  }

  /** The other participants in the switchboard now (copies); empty while none is open. */
  get participants(): Participant[] {
    return this.#core.participants;
  }

  /**
   * `opening`: a switchboard is being opened; `open`: one is open (maybe waiting for someone to
   * join); `idle`: none (everyone left: the next send opens one); `ended`: over for good.
   */
  get state(): "opening" | "open" | "idle" | "ended" {
    return this.#core.state;
  }

  /** Everyone the next switchboard invites: who was in, or was invited (passports). */
  get people(): string[] {
    return this.#core.people;
  }

  /**
   * Every event from the start, in order; ends after `ended`. One loop at a time (a second throws
   * `ClientUsageError` `events-consumed`); beyond 1 000 unread events the oldest are dropped and an
   * `eventsDropped` event says how many.
   */
  get events(): AsyncIterable<ConversationEvent> {
    return this.#core.hub.iterable();
  }

  /** Calls `handler` for every event of `type` (`"*"`: all). Returns a function that unsubscribes. */
  on<T extends ConversationEvent["type"] | "*">(
    type: T,
    handler: (
      event: T extends ConversationEvent["type"] ? EventOf<ConversationEvent, T>
        : ConversationEvent,
    ) => void,
  ): () => void {
    return this.#core.hub.on(type, handler);
  }

  /** Like {@link on}, for the next such event only. */
  once<T extends ConversationEvent["type"] | "*">(
    type: T,
    handler: (
      event: T extends ConversationEvent["type"] ? EventOf<ConversationEvent, T>
        : ConversationEvent,
    ) => void,
  ): () => void {
    return this.#core.hub.once(type, handler);
  }

  /**
   * The next event of `type` matching `predicate`. Rejects on `signal`, after `timeout` ms
   * (`WaitTimeoutError`), or with `ConversationError` `closed` once the conversation ended.
   */
  waitFor<T extends ConversationEvent["type"]>(
    type: T,
    predicate?: (event: EventOf<ConversationEvent, T>) => boolean,
    options?: WaitForOptions,
  ): Promise<EventOf<ConversationEvent, T>> {
    return this.#core.hub.waitFor(type, predicate, options);
  }

  /**
   * Sends text, split over several messages when long (one outcome for all). Resolves once the
   * server acknowledged it while someone else was in the switchboard; waits for someone to join
   * first, opening a switchboard and inviting everyone again if all had left. Rejects with a
   * {@linkcode ConversationError}: `offline`, `blocked`, `closed`, `timeout`, `nak`,
   * `server-error`, `aborted`, `invalid-argument`, ...
   */
  send(text: string, options: SendOptions = {}): Promise<void> {
    return this.#core.send(text, options);
  }

  /** Sends a nudge; settles like {@link send} (once no `NAK` came in time). */
  nudge(options: OpenOptions = {}): Promise<void> {
    return this.#core.nudge(options);
  }

  /**
   * Tells the others you are typing, at most once per `typingIntervalMs` (call it on every key
   * press). Only while someone is in: it never opens a switchboard. Returns whether it was sent.
   */
  typing(): boolean {
    return this.#core.typing();
  }

  /**
   * Invites one more contact; resolves once they joined. Rejects with `offline`, `blocked`,
   * `invalid-address`, `timeout`, `closed`, `aborted`, ... Everyone invited is invited again
   * when a new switchboard opens.
   */
  invite(passport: string, options: OpenOptions = {}): Promise<void> {
    return this.#core.invite(passport, options);
  }

  /**
   * Leaves for good: `OUT`, then the conversation ends (`ended`, reason `left`); sends still
   * waiting reject with `closed`. Resolves once the switchboard closed. Safe to call twice.
   */
  leave(): Promise<void> {
    return this.#core.leave();
  }

  /** Leaves, for `await using chat = await client.openConversation(...)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.leave();
  }

  /** `{ id, participants }` (what `JSON.stringify` shows of a conversation). */
  toJSON(): { id: number; participants: string[] } {
    return { id: this.#id, participants: this.participants.map((p) => p.passport) };
  }
}
