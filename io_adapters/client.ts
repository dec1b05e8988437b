// A connected client: one notification session run by a SessionDriver over a Transport, Passport
// over HTTPS, reconnection after a lost session, and events delivered through an EventHub. It is
// built only on the sessions' public API (as rustls builds complete_io on its own), so everything
// it does, an application can do with the sans-IO core directly.

import type {
  ConnectionKind,
  HostPort,
  ListName,
  PhoneProperty,
  ServerMessage,
  Status,
} from "../codec/mod.ts";
import {
  type ContactListSnapshot,
  NotificationSession,
  SessionError,
  type SessionEvent,
  type SessionPhase,
  type SignedOutEvent,
} from "../machine/mod.ts";
import type { Transport } from "./transport.ts";
import { defaultTransport } from "./auto.ts";
import { connectionError, SessionDriver } from "./_driver.ts";
import { REAL_TIMERS, type Timers } from "./_timers.ts";
import type { ClientEvent, ClientOptions, IntentOptions, ServerReply } from "./client_types.ts";
import type { Conversation } from "./conversation.ts";
import type { OpenOptions } from "./conversation_types.ts";
import { Conversations } from "./_conversations.ts";
import { ClientPassport } from "./_client_passport.ts";
import { EventHub, type EventOf, type WaitForOptions } from "./events.ts";
import { PendingRequests } from "./_requests.ts";
import { backoffDelay, mayReconnect, type ReconnectPolicy, reconnectPolicy } from "./_reconnect.ts";

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
  readonly #options: ClientOptions;
  readonly #transport: Transport;
  readonly #clock: () => number;
  readonly #timers: Timers;
  readonly #random: () => number;
  readonly #policy: ReconnectPolicy | undefined;
  readonly #events: EventHub<ClientEvent>;
  #session!: NotificationSession;
  #driver!: SessionDriver<SessionEvent>;
  readonly #conversations: Conversations;
  #connectionIds = 0;
  readonly #requests = new PendingRequests();
  #switchboards = new Map<number, { address: HostPort; cookie: string }>();
  #end: SignedOutEvent | undefined;
  #endListeners: ((event: SignedOutEvent) => void)[] = [];
  #onSynced: (() => void) | undefined;
  #everOnline = false;
  #synced = false;
  #cache: ContactListSnapshot | undefined;
  #status: { status: Status; clientId?: number; msnObject?: string } | undefined;
  readonly #passport: ClientPassport;
  #attempt = 0;
  #retryTimer: unknown;
  #closing = false;
  #abortedIn: SessionPhase | undefined;
  #onAbort = () => this.#abort();

  private constructor(options: ClientOptions) {
    this.#options = options;
    this.#transport = options.transport ?? defaultTransport();
    this.#clock = options.clock ?? (() => performance.now());
    this.#timers = options.timers ?? REAL_TIMERS;
    this.#random = options.random ?? Math.random;
    const reconnect = options.reconnect ?? true;
    this.#policy = reconnect === false
      ? undefined
      : reconnectPolicy(reconnect === true ? {} : reconnect);
    this.#events = new EventHub<ClientEvent>({
      maxBuffered: options.maxBufferedEvents ?? 10_000,
      timers: this.#timers,
      dropped: (count) => ({ type: "eventsDropped", count }),
    });
    this.#cache = options.contactListCache;
    this.#passport = new ClientPassport(options);
    this.#conversations = new Conversations(options, this.#timers, this.#clock, {
      requestSwitchboard: (signal) => this.requestSwitchboard({ signal }),
      run: (session, onEvent) => this.#run(session, "sb", onEvent),
      emit: (event) => this.#emit(event),
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
    let client: Client;
    try {
      client = new Client(options);
      client.#startSession();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<Client>((resolve, reject) => {
      const signal = options.signal;
      client.#onEnd((end) => reject(end.error ?? client.#endedEarly(end)));
      client.#onSynced = () => resolve(client);
      if (signal?.aborted) client.#abort();
      else signal?.addEventListener("abort", client.#onAbort, { once: true });
    });
  }

  /** The notification session being driven now (a new one after each reconnection). */
  get session(): NotificationSession {
    return this.#session;
  }

  /** The contact list: the synced one, or the last one known while signing in again. */
  get contactList(): ContactListSnapshot {
    return this.#synced || !this.#cache ? this.#session.contactList : this.#cache;
  }

  /** Events dropped because {@link events} was not read fast enough. */
  get droppedEvents(): number {
    return this.#events.dropped;
  }

  /** Resolves with the final event once the client has ended (after any reconnection). */
  get closed(): Promise<SignedOutEvent> {
    return new Promise((resolve) => this.#onEnd(resolve));
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
  async requestSwitchboard(
    options?: IntentOptions,
  ): Promise<{ address: HostPort; cookie: string }> {
    let id = 0;
    await this.#call(
      "request switchboard",
      () => (id = this.#session.requestSwitchboard()),
      options,
    );
    const sb = this.#switchboards.get(id)!;
    this.#switchboards.delete(id);
    return sb;
  }

  /**
   * Signs out (no reconnection after it) and resolves once the client has ended. The sign-out
   * wait counts from now. Safe to call more than once.
   */
  async close(): Promise<SignedOutEvent> {
    this.#closing = true;
    if (this.#end) return this.#end;
    if (this.#retryTimer !== undefined) {
      this.#finish({ type: "signedOut", reason: "client" });
    } else {
      // The session counts its sign-out deadline from the latest time it was given: give it now.
      this.#driver.tick();
      try {
        this.#session.signOut();
      } catch {
        // Already failed: the end event is on its way.
      }
      this.#driver.pump();
    }
    return await this.closed;
  }

  /** Signs out, for `await using client = await Client.connect(...)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- sessions ----

  #startSession(): void {
    const o = this.#options;
    const status = this.#status;
    this.#synced = false;
    this.#session = new NotificationSession({
      ...o,
      contactListCache: this.#cache,
      initialStatus: status?.status ?? o.initialStatus,
      clientId: status?.clientId ?? o.clientId,
      msnObject: status?.msnObject ?? o.msnObject,
    });
    const session = this.#session;
    this.#driver = this.#run(session, "ns", (event) => this.#onSessionEvent(session, event));
    session.start(this.#clock());
    this.#driver.pump();
  }

  /** Runs any sans-IO session on its own driver, sharing this client's transport and trace. */
  #run<E>(
    session: SessionDriver<E>["session"],
    kind: ConnectionKind,
    onEvent: (event: E) => void,
  ): SessionDriver<E> {
    const o = this.#options;
    return new SessionDriver<E>(session, {
      transport: this.#transport,
      clock: this.#clock,
      timers: this.#timers,
      connectTimeoutMs: o.timeouts?.connect ?? 15_000,
      kind,
      nextConnectionId: () => ++this.#connectionIds,
      passport: kind === "ns" ? this.#passport.ticket : undefined,
      onEvent,
      onConnecting: (info) =>
        this.#emit({
          type: "connecting",
          host: info.host,
          port: info.port,
          kind: info.kind,
          connection: info.id,
        }),
      onPassport: () => this.#emit({ type: "authenticating" }),
      trace: o.trace,
    });
  }

  #onSessionEvent(session: NotificationSession, event: SessionEvent): void {
    if (session !== this.#session || this.#end) return;
    switch (event.type) {
      case "requestCompleted":
        this.#requests.complete(event.requestId, event.reply);
        return;
      case "requestFailed":
        this.#requests.fail(event.requestId, event.failure);
        return;
      case "switchboard":
        if (this.#requests.has(event.requestId)) {
          this.#switchboards.set(event.requestId, { address: event.address, cookie: event.cookie });
        }
        return;
      case "invitation":
        return this.#conversations.invited(event);
      case "statusChanged":
        if (event.status !== "FLN") {
          this.#status = {
            status: event.status as Status,
            clientId: event.clientId,
            msnObject: event.msnObject,
          };
        }
        break;
      case "signedOut":
        this.#sessionEnded(event);
        return;
    }
    this.#emit(event);
    if (event.type === "contactsSynced") {
      this.#synced = true;
      const first = !this.#everOnline;
      this.#everOnline = true;
      if (first) {
        const synced = this.#onSynced;
        this.#onSynced = undefined;
        synced?.();
      } else {
        this.#emit({ type: "reconnected", attempt: this.#attempt });
        this.#attempt = 0;
      }
    }
  }

  #sessionEnded(end: SignedOutEvent): void {
    const driver = this.#driver;
    driver.stop();
    if (this.#synced) this.#cache = this.#session.contactList;
    const error = end.error && connectionError(end.error, driver.connection);
    const final: SignedOutEvent = error ? { ...end, error } : end;
    this.#requests.failAll(final.error);
    const lost = end.reason === "connectionLost" || end.reason === "error";
    const cause = error ?? connectionError(
      new SessionError("connection-lost", `Session ended (${end.reason})`, { phase: "online" }),
      driver.connection,
    );
    this.#conversations.endAll(lost ? "connectionLost" : "signedOut", lost ? cause : undefined);
    const policy = this.#policy;
    if (
      !policy || !this.#everOnline || this.#closing || this.#abortedIn !== undefined ||
      !mayReconnect(end) || this.#attempt >= policy.maxAttempts
    ) {
      this.#finish(final);
      return;
    }
    const attempt = ++this.#attempt;
    const delayMs = backoffDelay(policy, attempt, this.#random());
    this.#emit({ type: "reconnecting", attempt, delayMs, cause });
    this.#retryTimer = this.#timers.setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#end) return;
      try {
        this.#startSession();
      } catch (error) {
        this.#finish({ type: "signedOut", reason: "error", error: error as SessionError });
      }
    }, delayMs);
  }

  #endedEarly(end: SignedOutEvent): SessionError {
    const phase = this.#abortedIn;
    if (phase !== undefined) {
      return new SessionError("aborted", `Sign-in aborted while ${phase}`, { phase });
    }
    return new SessionError(
      "connection-lost",
      `Signed out before sign-in completed (${end.reason})`,
      { phase: "closed" },
    );
  }

  // ---- requests ----

  #call<T extends ServerMessage["type"]>(
    what: string,
    start: () => number,
    options: IntentOptions = {},
  ): Promise<ServerReply<T>> {
    const reply = this.#requests.open<ServerReply<T>>(what, () => {
      // The session times requests from the latest time it was given: give it now.
      this.#driver.tick();
      return start();
    }, options.signal);
    this.#driver.pump();
    return reply;
  }

  // ---- the end ----

  #emit(event: ClientEvent): void {
    this.#events.emit(event);
  }

  #onEnd(listener: (event: SignedOutEvent) => void): void {
    if (this.#end) listener(this.#end);
    else this.#endListeners.push(listener);
  }

  #finish(end: SignedOutEvent): void {
    if (this.#end) return;
    if (this.#retryTimer !== undefined) this.#timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#driver.stop();
    this.#conversations.endAll("signedOut", end.error);
    this.#options.signal?.removeEventListener("abort", this.#onAbort);
    this.#requests.failAll(end.error);
    this.#emit(end);
    this.#end = end;
    this.#events.end(
      end.error ?? new SessionError("connection-lost", `Client ended (${end.reason})`, {
        phase: "closed",
      }),
    );
    for (const listener of this.#endListeners.splice(0)) listener(end);
  }

  #abort(): void {
    if (this.#end) return;
    const phase = this.#session.phase;
    this.#abortedIn = phase;
    if (this.#retryTimer !== undefined) {
      this.#finish({ type: "signedOut", reason: "client" });
      return;
    }
    const online = phase === "online";
    this.#driver.tick();
    try {
      this.#session.signOut();
    } catch {
      // Already ended.
    }
    this.#driver.pump();
    if (online && !this.#end) {
      // OUT is queued; drop the connection once it is written instead of waiting for the server.
      const driver = this.#driver;
      void driver.written.finally(() => driver.dropConnection());
    }
  }
}
