// The Client's working part: one notification session at a time on its SessionDriver, the
// requests waiting for their replies, what a session's end means (sign in again after a backoff,
// or end the client), sign-out and abort. The public Client (client.ts) holds the event stream and
// the conversations, documents the API and delegates here.

import type { ConnectionKind, HostPort, ServerMessage, Status } from "../codec/mod.ts";
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
import { ClientPassport } from "./_client_passport.ts";
import { PendingRequests } from "./_requests.ts";
import { backoffDelay, mayReconnect, type ReconnectPolicy, reconnectPolicy } from "./_reconnect.ts";

/** What the core tells the Client. */
export interface CoreHooks {
  /** An event for the application. */
  emit(event: ClientEvent): void;
  /** Someone invites us into a conversation (`RNG`). */
  invited(event: Extract<SessionEvent, { type: "invitation" }>): void;
  /** The notification connection ended: so do the conversations. */
  endConversations(reason: "connectionLost" | "signedOut", error: Error | undefined): void;
  /** The client ended for good with `end` (already emitted). */
  ended(end: SignedOutEvent): void;
}

/** The notification side of one Client, across reconnections. */
export class ClientCore {
  readonly #options: ClientOptions;
  readonly #hooks: CoreHooks;
  readonly #transport: Transport;
  /** The client's monotonic clock. */
  readonly clock: () => number;
  /** The client's timers. */
  readonly timers: Timers;
  readonly #random: () => number;
  readonly #policy: ReconnectPolicy | undefined;
  #session!: NotificationSession;
  #driver!: SessionDriver<SessionEvent>;
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

  /** Checks the options; call {@linkcode start} next. */
  constructor(options: ClientOptions, hooks: CoreHooks) {
    this.#options = options;
    this.#hooks = hooks;
    this.#transport = options.transport ?? defaultTransport();
    this.clock = options.clock ?? (() => performance.now());
    this.timers = options.timers ?? REAL_TIMERS;
    this.#random = options.random ?? Math.random;
    const reconnect = options.reconnect ?? true;
    this.#policy = reconnect === false
      ? undefined
      : reconnectPolicy(reconnect === true ? {} : reconnect);
    this.#cache = options.contactListCache;
    this.#passport = new ClientPassport(options);
  }

  /** Signs in; resolves once the list is synced, rejects with what ended the sign-in. */
  start(): Promise<void> {
    this.#startSession();
    return new Promise<void>((resolve, reject) => {
      const signal = this.#options.signal;
      this.onEnd((end) => reject(end.error ?? this.#endedEarly(end)));
      this.#onSynced = resolve;
      if (signal?.aborted) this.#abort();
      else signal?.addEventListener("abort", this.#onAbort, { once: true });
    });
  }

  /** See `Client.session`. */
  get session(): NotificationSession {
    return this.#session;
  }

  /** See `Client.contactList`. */
  get contactList(): ContactListSnapshot {
    return this.#synced || !this.#cache ? this.#session.contactList : this.#cache;
  }

  /** Calls `listener` with the final event once the client has ended. */
  onEnd(listener: (event: SignedOutEvent) => void): void {
    if (this.#end) listener(this.#end);
    else this.#endListeners.push(listener);
  }

  /** Starts an intent (`start` returns its request id) and resolves with the server's reply. */
  call<T extends ServerMessage["type"]>(
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

  /** See `Client.requestSwitchboard`. */
  async requestSwitchboard(
    options?: IntentOptions,
  ): Promise<{ address: HostPort; cookie: string }> {
    let id = 0;
    await this.call(
      "request switchboard",
      () => (id = this.#session.requestSwitchboard()),
      options,
    );
    const sb = this.#switchboards.get(id)!;
    this.#switchboards.delete(id);
    return sb;
  }

  /** See `Client.close`. */
  close(): Promise<SignedOutEvent> {
    this.#closing = true;
    if (this.#end) return Promise.resolve(this.#end);
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
    return new Promise((resolve) => this.onEnd(resolve));
  }

  /** Runs any sans-IO session on its own driver, sharing this client's transport and trace. */
  run<E>(
    session: SessionDriver<E>["session"],
    kind: ConnectionKind,
    onEvent: (event: E) => void,
  ): SessionDriver<E> {
    const o = this.#options;
    return new SessionDriver<E>(session, {
      transport: this.#transport,
      clock: this.clock,
      timers: this.timers,
      connectTimeoutMs: o.timeouts?.connect ?? 15_000,
      kind,
      nextConnectionId: () => ++this.#connectionIds,
      passport: kind === "ns" ? this.#passport.ticket : undefined,
      onEvent,
      onConnecting: (info) =>
        this.#hooks.emit({
          type: "connecting",
          host: info.host,
          port: info.port,
          kind: info.kind,
          connection: info.id,
        }),
      onPassport: () => this.#hooks.emit({ type: "authenticating" }),
      trace: o.trace,
    });
  }

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
    this.#driver = this.run(session, "ns", (event) => this.#onSessionEvent(session, event));
    session.start(this.clock());
    this.#driver.pump();
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
        return this.#hooks.invited(event);
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
    this.#hooks.emit(event);
    if (event.type === "contactsSynced") {
      this.#synced = true;
      const first = !this.#everOnline;
      this.#everOnline = true;
      if (first) {
        const synced = this.#onSynced;
        this.#onSynced = undefined;
        synced?.();
      } else {
        this.#hooks.emit({ type: "reconnected", attempt: this.#attempt });
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
    this.#hooks.endConversations(lost ? "connectionLost" : "signedOut", lost ? cause : undefined);
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
    this.#hooks.emit({ type: "reconnecting", attempt, delayMs, cause });
    this.#retryTimer = this.timers.setTimeout(() => {
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

  #finish(end: SignedOutEvent): void {
    if (this.#end) return;
    if (this.#retryTimer !== undefined) this.timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#driver.stop();
    this.#hooks.endConversations("signedOut", end.error);
    this.#options.signal?.removeEventListener("abort", this.#onAbort);
    this.#requests.failAll(end.error);
    this.#hooks.emit(end);
    this.#end = end;
    this.#hooks.ended(end);
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
