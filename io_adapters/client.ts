// A connected client: drives a NotificationSession over a Transport and Passport over HTTPS. It is
// built only on the session's public API (as rustls builds complete_io on its own), so everything
// it does, an application can do with the sans-IO core directly.

import type { PassportFetch } from "../auth/mod.ts";
import type { HostPort, ListName, PhoneProperty, ServerMessage, Status } from "../codec/mod.ts";
import {
  type ContactListSnapshot,
  NotificationSession,
  type RequestFailure,
  SessionError,
  type SessionEvent,
  type SessionOptions,
  type SignedOutEvent,
} from "../machine/mod.ts";
import { runPassport } from "./run_passport.ts";
import type { RunPassportFunction } from "./replay_transport.ts";
import type { Connection, Transport } from "./transport.ts";
import { defaultTransport } from "./auto.ts";

/** Options for {@link Client.connect}. */
export interface ClientOptions extends SessionOptions {
  /** The account's password; only ever sent to Passport. */
  password: string;
  /** How to open TCP connections. Default: the running runtime's adapter. */
  transport?: Transport;
  /** Passport settings. */
  passport?: {
    /** Nexus URL; revival servers run their own. */
    nexusUrl?: string;
    /** A login URL cached from an earlier sign-in; skips the Nexus. */
    loginUrl?: string;
    /** Allow plain `http:` to loopback hosts (local test servers only). */
    allowInsecureLoopback?: boolean;
    /** The HTTP function. Default: `fetch` with manual redirects. */
    fetch?: PassportFetch;
    /**
     * Runs the whole Passport sign-in instead of {@link runPassport}: e.g.
     * `ReplayTransport.runPassport` in tests, or `RecordingTransport.wrapRunPassport(runPassport)`.
     */
    run?: RunPassportFunction;
  };
  /** Cancels the sign-in, or signs out once online. */
  signal?: AbortSignal;
  /** Monotonic clock in ms. Default `performance.now()`. */
  clock?: () => number;
  /** Most events kept while nobody reads {@link Client.events}; older ones are dropped. Default 10 000. */
  maxBufferedEvents?: number;
}

/** A request (an intent with a TrID) failed. */
export class RequestError extends Error {
  /** Why: a server error code, or no answer in time. */
  readonly failure: RequestFailure;
  /** Creates an error from a session `requestFailed` event. */
  constructor(what: string, failure: RequestFailure) {
    super(
      failure.reason === "timeout"
        ? `Cannot ${what}: no answer from the server`
        : `Cannot ${what}: server error ${failure.serverCode} ${failure.serverName} (${failure.meaning})`,
    );
    this.name = "RequestError";
    this.failure = failure;
  }
}

interface Waiter {
  what: string;
  resolve(reply: ServerMessage): void;
  reject(error: Error): void;
}

/**
 * A signed-in MSNP8/9 client over real sockets, the same in Deno, Node and
 * Bun: connects, follows `XFR` redirects, runs Passport, syncs the contact
 * list, answers challenges and keeps the connection alive.
 *
 * Events come out of {@link Client.events} (an async iterable); intents
 * return promises that settle with the server's reply.
 *
 * @example
 * ```ts
 * import { Client } from "@msnp/client/io_adapters";
 * const client = await Client.connect({ account: "me@example.com", password: "secret" });
 * console.log(client.contactList.contacts.length);
 * await client.setStatus("BSY");
 * for await (const event of client.events) {
 *   if (event.type === "presence") console.log(event.passport, event.status);
 * }
 * ```
 */
export class Client {
  readonly #session: NotificationSession;
  readonly #transport: Transport;
  readonly #password: string;
  readonly #passport: NonNullable<ClientOptions["passport"]>;
  readonly #clock: () => number;
  readonly #signal: AbortSignal | undefined;
  readonly #maxBuffered: number;
  readonly #connectTimeout: number;

  #connection: Connection | undefined;
  #connectAttempt: AbortController | undefined;
  #writeChain: Promise<void> = Promise.resolve();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt: number | undefined;
  #pumping = false;
  #waiters = new Map<number, Waiter>();
  #switchboards = new Map<number, { address: HostPort; cookie: string }>();
  #queue: SessionEvent[] = [];
  #queueHead = 0;
  #readers: ((result: IteratorResult<SessionEvent>) => void)[] = [];
  #dropped = 0;
  #end: SignedOutEvent | undefined;
  #endListeners: ((event: SignedOutEvent) => void)[] = [];
  #onAbort = () => this.#abort();
  // Cancels a Passport sign-in still running when the client ends.
  #passportAbort = new AbortController();

  private constructor(options: ClientOptions) {
    this.#session = new NotificationSession(options);
    this.#transport = options.transport ?? defaultTransport();
    this.#password = options.password;
    this.#passport = options.passport ?? {};
    this.#clock = options.clock ?? (() => performance.now());
    this.#signal = options.signal;
    this.#maxBuffered = options.maxBufferedEvents ?? 10_000;
    this.#connectTimeout = options.timeouts?.connect ?? 15_000;
  }

  /**
   * Signs in and resolves once the contact list is synced and the initial
   * status is sent. Rejects with the {@link SessionError} that ended the
   * sign-in (bad password, server error, timeout, ...).
   */
  static connect(options: ClientOptions): Promise<Client> {
    if (typeof options.password !== "string") {
      return Promise.reject(new TypeError("Cannot connect: password must be a string"));
    }
    const client = new Client(options);
    return new Promise<Client>((resolve, reject) => {
      const signal = client.#signal;
      if (signal?.aborted) {
        reject(new SessionError("aborted", "Sign-in aborted", { phase: "idle" }));
        return;
      }
      signal?.addEventListener("abort", client.#onAbort, { once: true });
      client.#onEnd((end) =>
        reject(
          end.error ?? (client.#aborted
            ? new SessionError("aborted", "Sign-in aborted", { phase: "closed" })
            : new SessionError(
              "connection-lost",
              `Signed out before sign-in completed (${end.reason})`,
              {
                phase: "closed",
              },
            )),
        )
      );
      client.#onSynced = () => resolve(client);
      client.#session.start(client.#clock());
      client.#pump();
    });
  }

  #onSynced: (() => void) | undefined;

  /** The session being driven (read its phase, contact list, presence). */
  get session(): NotificationSession {
    return this.#session;
  }

  /** A copy of the contact list as it is now. */
  get contactList(): ContactListSnapshot {
    return this.#session.contactList;
  }

  /** Events dropped because {@link events} was not read fast enough. */
  get droppedEvents(): number {
    return this.#dropped;
  }

  /** Resolves with the final event once the session has ended. */
  get closed(): Promise<SignedOutEvent> {
    return new Promise((resolve) => this.#onEnd(resolve));
  }

  /**
   * Every session event from sign-in on, in order; ends after `signedOut`.
   * Single consumer.
   */
  get events(): AsyncIterable<SessionEvent> {
    return {
      [Symbol.asyncIterator]: () => ({
        next: (): Promise<IteratorResult<SessionEvent>> => {
          if (this.#queueHead < this.#queue.length) {
            const event = this.#queue[this.#queueHead++];
            if (this.#queueHead === this.#queue.length) {
              this.#queue = [];
              this.#queueHead = 0;
            }
            return Promise.resolve({ value: event, done: false });
          }
          if (this.#end) return Promise.resolve({ value: undefined, done: true });
          return new Promise((resolve) => this.#readers.push(resolve));
        },
        return: (): Promise<IteratorResult<SessionEvent>> =>
          Promise.resolve({ value: undefined, done: true }),
      }),
    };
  }

  /** Changes our status. */
  setStatus(
    status: Status,
    options: { clientId?: number; msnObject?: string } = {},
  ): Promise<ServerMessage> {
    return this.#call("set status", () => this.#session.setStatus(status, options));
  }

  /** Changes our friendly name. */
  rename(friendlyName: string): Promise<ServerMessage> {
    return this.#call("rename", () => this.#session.rename(friendlyName));
  }

  /** Changes the name stored for a contact. */
  renameContact(passport: string, friendlyName: string): Promise<ServerMessage> {
    return this.#call("rename contact", () => this.#session.renameContact(passport, friendlyName));
  }

  /** Adds a contact to a list (default FL), optionally to a group. */
  addContact(
    passport: string,
    options: { list?: Exclude<ListName, "RL">; friendlyName?: string; groupId?: number } = {},
  ): Promise<ServerMessage> {
    return this.#call("add contact", () => this.#session.addContact(passport, options));
  }

  /** Removes a contact from a list (default FL), or only from one group. */
  removeContact(
    passport: string,
    options: { list?: Exclude<ListName, "RL">; groupId?: number } = {},
  ): Promise<ServerMessage> {
    return this.#call("remove contact", () => this.#session.removeContact(passport, options));
  }

  /** Creates a group; resolves with its id. */
  async addGroup(name: string): Promise<number> {
    const reply = await this.#call("add group", () => this.#session.addGroup(name));
    return reply.type === "ADG" ? reply.groupId : -1;
  }

  /** Removes a group. */
  removeGroup(groupId: number): Promise<ServerMessage> {
    return this.#call("remove group", () => this.#session.removeGroup(groupId));
  }

  /** Renames a group. */
  renameGroup(groupId: number, name: string): Promise<ServerMessage> {
    return this.#call("rename group", () => this.#session.renameGroup(groupId, name));
  }

  /** Sets who may see you when on no list. */
  setPrivacy(mode: "AL" | "BL"): Promise<ServerMessage> {
    return this.#call("set privacy", () => this.#session.setPrivacy(mode));
  }

  /** Sets whether you are asked when someone adds you. */
  setAddPrompt(mode: "A" | "N"): Promise<ServerMessage> {
    return this.#call("set add prompt", () => this.#session.setAddPrompt(mode));
  }

  /** Sets or clears one of your phone numbers. */
  setPhone(property: PhoneProperty, value: string): Promise<ServerMessage> {
    return this.#call("set phone", () => this.#session.setPhone(property, value));
  }

  /** Asks for a switchboard; resolves with its address and cookie. */
  async requestSwitchboard(): Promise<{ address: HostPort; cookie: string }> {
    let id = 0;
    await this.#call("request switchboard", () => (id = this.#session.requestSwitchboard()));
    const sb = this.#switchboards.get(id)!;
    this.#switchboards.delete(id);
    return sb;
  }

  /** Signs out and resolves once the session has ended. Safe to call more than once. */
  async close(): Promise<SignedOutEvent> {
    if (!this.#end) {
      try {
        this.#session.signOut();
      } catch {
        // Already failed: the end event is on its way.
      }
      this.#pump();
    }
    return await this.closed;
  }

  // ---- driver ----

  #call(what: string, start: () => number): Promise<ServerMessage> {
    let id: number;
    try {
      // The session times requests from the latest time it was given: give it now.
      this.#session.handleTimeout(this.#clock());
      id = start();
    } catch (error) {
      return Promise.reject(error);
    }
    const promise = new Promise<ServerMessage>((resolve, reject) =>
      this.#waiters.set(id, { what, resolve, reject })
    );
    this.#pump();
    return promise;
  }

  #onEnd(listener: (event: SignedOutEvent) => void): void {
    if (this.#end) listener(this.#end);
    else this.#endListeners.push(listener);
  }

  #pump(): void {
    // Outputs may cause inputs (a failed write closes the connection); never nest.
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (let out = this.#session.poll(); out !== undefined; out = this.#session.poll()) {
        switch (out.type) {
          case "connect":
            this.#connect(out.host, out.port);
            break;
          case "transmit":
            this.#write(out.bytes);
            break;
          case "close":
            this.#closeConnection();
            break;
          case "passport":
            this.#runPassport(out.account, out.challenge);
            break;
          case "event":
            this.#deliver(out.event);
            break;
        }
      }
    } finally {
      this.#pumping = false;
    }
    this.#schedule();
  }

  #schedule(): void {
    const due = this.#end ? undefined : this.#session.pollTimeout();
    if (due === this.#timerAt) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = due;
    if (due === undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = undefined;
      this.#session.handleTimeout(this.#clock());
      this.#pump();
      // Timers take at most 2^31-1 ms; a later deadline is simply re-checked then.
    }, Math.min(0x7fffffff, Math.max(0, due - this.#clock())));
  }

  #connect(host: string, port: number): void {
    const attempt = new AbortController();
    this.#connectAttempt = attempt;
    this.#transport.connect(host, port, { signal: attempt.signal, timeoutMs: this.#connectTimeout })
      .then(
        (connection) => {
          if (this.#connectAttempt !== attempt || this.#end) {
            connection.close();
            return;
          }
          this.#connectAttempt = undefined;
          this.#connection = connection;
          this.#writeChain = Promise.resolve();
          this.#session.handleConnected(this.#clock());
          this.#pump();
          void this.#read(connection);
        },
        () => {
          if (this.#connectAttempt !== attempt) return;
          this.#connectAttempt = undefined;
          this.#session.handleClosed(this.#clock());
          this.#pump();
        },
      );
  }

  async #read(connection: Connection): Promise<void> {
    try {
      for await (const chunk of connection.readable) {
        if (this.#connection !== connection) return;
        this.#session.handleData(chunk, this.#clock());
        this.#pump();
      }
    } catch {
      // A reset ends the connection like a close does.
    }
    if (this.#connection !== connection) return;
    this.#connection = undefined;
    connection.close();
    this.#session.handleClosed(this.#clock());
    this.#pump();
  }

  #write(bytes: Uint8Array): void {
    const connection = this.#connection;
    if (!connection) return;
    this.#writeChain = this.#writeChain.then(() => connection.write(bytes)).catch(() => {
      // The reader sees the same failure and reports the close; make sure it wakes up.
      if (this.#connection === connection) connection.close();
    });
  }

  #closeConnection(): void {
    // Immediate, so it stays in order with what follows (a redirect's new connection). Whatever
    // the session still had queued for this connection no longer matters; the one write that does,
    // an OUT on abort, is awaited by #abort before it closes.
    this.#connectAttempt?.abort();
    this.#connectAttempt = undefined;
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.close();
  }

  #runPassport(account: string, challenge: string): void {
    const run = this.#passport.run ?? runPassport;
    run(
      {
        account,
        password: this.#password,
        challenge,
        nexusUrl: this.#passport.nexusUrl,
        loginUrl: this.#passport.loginUrl,
        allowInsecureLoopback: this.#passport.allowInsecureLoopback,
      },
      {
        fetch: this.#passport.fetch,
        signal: this.#signal
          ? AbortSignal.any([this.#signal, this.#passportAbort.signal])
          : this.#passportAbort.signal,
      },
    ).then(
      ({ ticket }) => {
        if (this.#end || this.#session.phase !== "authenticating") return;
        try {
          this.#session.handlePassportTicket(ticket, this.#clock());
        } catch {
          // A ticket that cannot go on an MSNP line (a custom runner's mistake) fails the sign-in.
          this.#session.handlePassportError(
            { code: "protocol", message: "Passport returned a ticket that cannot be sent" },
            this.#clock(),
          );
        }
        this.#pump();
      },
      (error: unknown) => {
        if (this.#end || this.#session.phase !== "authenticating") return;
        const code = typeof (error as { code?: unknown })?.code === "string"
          ? (error as { code: string }).code
          : "network";
        const message = error instanceof Error ? error.message : "unknown failure";
        this.#session.handlePassportError({ code, message }, this.#clock());
        this.#pump();
      },
    );
  }

  #deliver(event: SessionEvent): void {
    switch (event.type) {
      case "contactsSynced": {
        const synced = this.#onSynced;
        this.#onSynced = undefined;
        synced?.();
        break;
      }
      case "switchboard":
        // Kept only for a requestSwitchboard() call waiting for it.
        if (this.#waiters.has(event.requestId)) {
          this.#switchboards.set(event.requestId, { address: event.address, cookie: event.cookie });
        }
        break;
      case "requestCompleted": {
        const waiter = this.#waiters.get(event.requestId);
        this.#waiters.delete(event.requestId);
        waiter?.resolve(event.reply);
        break;
      }
      case "requestFailed": {
        const waiter = this.#waiters.get(event.requestId);
        this.#waiters.delete(event.requestId);
        waiter?.reject(new RequestError(waiter.what, event.failure));
        break;
      }
      case "signedOut":
        this.#finish(event);
        break;
    }
    const reader = this.#readers.shift();
    if (reader) {
      reader({ value: event, done: false });
    } else {
      this.#queue.push(event);
      if (this.#queue.length - this.#queueHead > this.#maxBuffered) {
        this.#queueHead++;
        this.#dropped++;
        if (this.#queueHead > 4096) {
          this.#queue = this.#queue.slice(this.#queueHead);
          this.#queueHead = 0;
        }
      }
    }
    if (event.type === "signedOut") {
      for (const r of this.#readers.splice(0)) r({ value: undefined, done: true });
    }
  }

  #finish(event: SignedOutEvent): void {
    this.#end = event;
    this.#passportAbort.abort();
    this.#signal?.removeEventListener("abort", this.#onAbort);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#closeConnection();
    const error = event.error ??
      new SessionError("connection-lost", `Session ended (${event.reason})`, { phase: "closed" });
    for (const waiter of this.#waiters.values()) waiter.reject(error);
    this.#waiters.clear();
    for (const listener of this.#endListeners.splice(0)) listener(event);
  }

  #aborted = false;

  #abort(): void {
    if (this.#end) return;
    this.#aborted = true;
    const online = this.#session.phase === "online";
    try {
      this.#session.signOut();
    } catch {
      // Already ended.
    }
    this.#pump();
    if (online && !this.#end) {
      // OUT is queued; drop the connection once it is written instead of waiting for the server.
      void this.#writeChain.finally(() => {
        if (this.#end) return;
        this.#closeConnection();
        this.#session.handleClosed(this.#clock());
        this.#pump();
      });
    }
  }
}
