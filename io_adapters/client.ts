// A connected client: the public face. The notification session, its driver, Passport, the
// requests and reconnection live in ./_client_core.ts; conversations in ./_conversations.ts; events
// go through an EventHub. It is built only on the sessions' public API (as rustls builds
// complete_io on its own), so everything it does, an application can do with the sans-IO core.

import type { HostPort, ListName, PhoneProperty, ServerMessage, Status } from "../codec/mod.ts";
import {
  type ContactListSnapshot,
  type NotificationSession,
  SessionError,
  type SignedOutEvent,
} from "../machine/mod.ts";
import type { ClientEvent, ClientOptions, IntentOptions, ServerReply } from "./client_types.ts";
import type { Conversation } from "./conversation.ts";
import type { OpenOptions } from "./conversation_types.ts";
import { Conversations } from "./_conversations.ts";
import { ClientCore } from "./_client_core.ts";
import { EventHub, type EventOf, type WaitForOptions } from "./events.ts";

export type * from "./client_types.ts";

/**
 * A signed-in MSNP8/9 client over real sockets, the same in Deno, Node and
 * Bun: connects, follows `XFR` redirects, runs Passport, syncs the contact
 * list, answers challenges, keeps the connection alive and signs in again
 * when the session is lost.
 *
 * Events: `on(type, handler)` (every handler sees every event), `once`,
 * `waitFor`, or one `for await` loop over {@link Client.events}. Intents
 * return promises that settle with the server's reply. Chats are
 * {@link Conversation}s: {@link Client.openConversation}, or the
 * `conversationStarted` event when someone invites us.
 *
 * @example
 * ```ts
 * import { Client } from "@msnp/client/io_adapters";
 * await using client = await Client.connect({ account: "me@example.com", password: "secret" });
 * client.on("reconnecting", (e) => console.log(`retry ${e.attempt} in ${e.delayMs} ms`));
 * await client.setStatus("BSY");
 * for await (const event of client.events) {
 *   if (event.type === "presence") console.log(event.passport, event.status);
 * }
 * ```
 */
export class Client {
  readonly #core: ClientCore;
  readonly #events: EventHub<ClientEvent>;
  readonly #conversations: Conversations;

  private constructor(options: ClientOptions) {
    const core = new ClientCore(options, {
      emit: (event) => this.#events.emit(event),
      invited: (event) => this.#conversations.invited(event),
      endConversations: (reason, error) => this.#conversations.endAll(reason, error),
      ended: (end) =>
        this.#events.end(
          end.error ?? new SessionError("connection-lost", `Client ended (${end.reason})`, {
            phase: "closed",
          }),
        ),
    });
    this.#core = core;
    this.#events = new EventHub<ClientEvent>({
      maxBuffered: options.maxBufferedEvents ?? 10_000,
      timers: core.timers,
      dropped: (count) => ({ type: "eventsDropped", count }),
    });
    if (options.onEvent) this.#events.on("*", options.onEvent);
    this.#conversations = new Conversations(options, core.timers, core.clock, {
      requestSwitchboard: (signal) => core.requestSwitchboard({ signal }),
      run: (session, onEvent) => core.run(session, "sb", onEvent),
      emit: (event) => this.#events.emit(event),
    });
  }

  /**
   * Signs in and resolves once the contact list is synced and the initial
   * status is sent. Rejects with the {@link SessionError} that ended the
   * sign-in (bad password, server error, timeout, ...); a connection failure
   * is a {@link ConnectionError} naming the server, with the transport's
   * error as `cause`.
   */
  static connect(options: ClientOptions): Promise<Client> {
    if (typeof options.password !== "string") {
      return Promise.reject(new TypeError("Cannot connect: password must be a string"));
    }
    try {
      const client = new Client(options);
      return client.#core.start().then(() => client);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The notification session being driven now (a new one after each reconnection). */
  get session(): NotificationSession {
    return this.#core.session;
  }

  /** The contact list: the synced one, or the last one known while signing in again. */
  get contactList(): ContactListSnapshot {
    return this.#core.contactList;
  }

  /** Events dropped because {@link events} was not read fast enough. */
  get droppedEvents(): number {
    return this.#events.dropped;
  }

  /** Resolves with the final event once the client has ended (after any reconnection). */
  get closed(): Promise<SignedOutEvent> {
    return new Promise((resolve) => this.#core.onEnd(resolve));
  }

  /**
   * Every event from sign-in on, in order; ends after the final `signedOut`.
   * One loop at a time: a second concurrent loop throws `ClientUsageError`
   * `events-consumed` (use {@link on} for more consumers). Events beyond
   * `maxBufferedEvents` unread are dropped and announced by `eventsDropped`.
   */
  get events(): AsyncIterable<ClientEvent> {
    return this.#events.iterable();
  }

  /** Calls `handler` for every event of `type` (`"*"`: all). Returns a function that unsubscribes. */
  on<T extends ClientEvent["type"] | "*">(
    type: T,
    handler: (event: T extends ClientEvent["type"] ? EventOf<ClientEvent, T> : ClientEvent) => void,
  ): () => void {
    return this.#events.on(type, handler);
  }

  /** Like {@link on}, for the next such event only. */
  once<T extends ClientEvent["type"] | "*">(
    type: T,
    handler: (event: T extends ClientEvent["type"] ? EventOf<ClientEvent, T> : ClientEvent) => void,
  ): () => void {
    return this.#events.once(type, handler);
  }

  /**
   * The next event of `type` matching `predicate`. Rejects on `signal`, after `timeout` ms
   * (`WaitTimeoutError`), or with the client's final error when it ends first.
   */
  waitFor<T extends ClientEvent["type"]>(
    type: T,
    predicate?: (event: EventOf<ClientEvent, T>) => boolean,
    options?: WaitForOptions,
  ): Promise<EventOf<ClientEvent, T>> {
    return this.#events.waitFor(type, predicate, options);
  }

  /** Changes our status; restored after a reconnection. */
  setStatus(
    status: Status,
    options: { clientId?: number; msnObject?: string } & IntentOptions = {},
  ): Promise<ServerReply<"CHG">> {
    return this.#call("set status", () => this.#session.setStatus(status, options), options);
  }

  /** Changes our friendly name. */
  rename(friendlyName: string, options?: IntentOptions): Promise<ServerReply<"REA">> {
    return this.#call("rename", () => this.#session.rename(friendlyName), options);
  }

  /** Changes the name stored for a contact. */
  renameContact(
    passport: string,
    friendlyName: string,
    options?: IntentOptions,
  ): Promise<ServerReply<"REA">> {
    const start = () => this.#session.renameContact(passport, friendlyName);
    return this.#call("rename contact", start, options);
  }

  /** Adds a contact to a list (default FL), optionally to a group. */
  addContact(
    passport: string,
    options: {
      list?: Exclude<ListName, "RL">;
      friendlyName?: string;
      groupId?: number;
    } & IntentOptions = {},
  ): Promise<ServerReply<"ADD">> {
    return this.#call("add contact", () => this.#session.addContact(passport, options), options);
  }

  /** Removes a contact from a list (default FL), or only from one group. */
  removeContact(
    passport: string,
    options: { list?: Exclude<ListName, "RL">; groupId?: number } & IntentOptions = {},
  ): Promise<ServerReply<"REM">> {
    const start = () => this.#session.removeContact(passport, options);
    return this.#call("remove contact", start, options);
  }

  /** Creates a group; resolves with its id. */
  async addGroup(name: string, options?: IntentOptions): Promise<number> {
    const reply = await this.#call<"ADG">("add group", () => this.#session.addGroup(name), options);
    return reply.groupId;
  }

  /** Removes a group. */
  removeGroup(groupId: number, options?: IntentOptions): Promise<ServerReply<"RMG">> {
    return this.#call("remove group", () => this.#session.removeGroup(groupId), options);
  }

  /** Renames a group. */
  renameGroup(groupId: number, name: string, options?: IntentOptions): Promise<ServerReply<"REG">> {
    return this.#call("rename group", () => this.#session.renameGroup(groupId, name), options);
  }

  /** Sets who may see you when on no list. */
  setPrivacy(mode: "AL" | "BL", options?: IntentOptions): Promise<ServerReply<"BLP">> {
    return this.#call("set privacy", () => this.#session.setPrivacy(mode), options);
  }

  /** Sets whether you are asked when someone adds you. */
  setAddPrompt(mode: "A" | "N", options?: IntentOptions): Promise<ServerReply<"GTC">> {
    return this.#call("set add prompt", () => this.#session.setAddPrompt(mode), options);
  }

  /** Sets or clears one of your phone numbers. */
  setPhone(
    property: PhoneProperty,
    value: string,
    options?: IntentOptions,
  ): Promise<ServerReply<"PRP">> {
    return this.#call("set phone", () => this.#session.setPhone(property, value), options);
  }

  /**
   * Opens a conversation, or gives back the live one-to-one one with that contact; resolves once
   * invitations went out. Rejects with a `ConversationError` (`offline`, `blocked`, `hidden`...).
   */
  openConversation(
    passports: string | readonly string[],
    options?: OpenOptions,
  ): Promise<Conversation> {
    return this.#conversations.open(passports, options);
  }

  /** The conversations open or opening (idle ones are let go), oldest first. */
  get conversations(): Conversation[] {
    return this.#conversations.list;
  }

  /** Asks for a switchboard; resolves with its address and cookie. */
  requestSwitchboard(options?: IntentOptions): Promise<{ address: HostPort; cookie: string }> {
    return this.#core.requestSwitchboard(options);
  }

  /**
   * Signs out (no reconnection after it) and resolves once the client has ended. The sign-out
   * wait counts from now. Safe to call more than once.
   */
  close(): Promise<SignedOutEvent> {
    return this.#core.close();
  }

  /** Signs out, for `await using client = await Client.connect(...)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  get #session(): NotificationSession {
    return this.#core.session;
  }

  #call<T extends ServerMessage["type"]>(
    what: string,
    start: () => number,
    options?: IntentOptions,
  ): Promise<ServerReply<T>> {
    return this.#core.call<T>(what, start, options);
  }
}
