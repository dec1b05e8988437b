// Private to testing/: scripted peers. A peer is an account that is signed in without a socket:
// it sits in the server's online sessions (so presence fans out to whoever has it on FL), it is
// invited straight into switchboard sessions instead of by RNG, and it takes part in them through
// the same session objects as socket clients, so what a bot sees on the wire is what a real client
// would send. Everything it receives is recorded; every wait has a timeout.

import { clearTimeout, setTimeout } from "node:timers";
import {
  buildTextMessage,
  buildTypingMessage,
  MAX_SB_MESSAGE_BYTES,
  STATUSES,
} from "../codec/mod.ts";
import { LoopbackServerError } from "./_server_errors.ts";
import type { SbSession, Switchboard } from "./_server_sb.ts";
import {
  nudgePayload,
  type PeerConversation,
  PeerSession,
  Seat,
  seats,
} from "./_server_peer_seat.ts";
import type {
  LoopbackConversation,
  LoopbackInvitation,
  LoopbackMessage,
  LoopbackMessageKind,
  LoopbackNextMessageOptions,
  LoopbackPeer,
  LoopbackPeerEvent,
  LoopbackPeerOptions,
  LoopbackSayOptions,
  LoopbackStatus,
  LoopbackWaitOptions,
} from "./_server_peer_types.ts";
import type { AccountState } from "./_server_state.ts";

/** A scripted peer; see `LoopbackPeer` in `_server_peer_types.ts` for the contract. */
export class ScriptedPeer implements LoopbackPeer {
  readonly passport: string;
  readonly #sb: Switchboard;
  readonly #session: PeerSession;
  readonly #autoAnswer: boolean;
  readonly #timeoutMs: number;
  readonly #conversations: PeerConversation[] = [];
  readonly #answered: PeerConversation[] = [];
  readonly #events: LoopbackPeerEvent[] = [];
  readonly #messages: LoopbackMessage[] = [];
  readonly #invitations: LoopbackInvitation[] = [];
  /** Items already handed out by a `next*` method. */
  readonly #taken = new WeakSet<object>();
  readonly #waiters = new Set<() => void>();
  #offline: "not-online" | "closed" | undefined;
  readonly #closer = () => this.#signOff("closed");

  constructor(sb: Switchboard, account: AccountState, options: LoopbackPeerOptions = {}) {
    const status = options.status ?? "NLN";
    if (!STATUSES.includes(status)) {
      throw new LoopbackServerError("invalid-argument", `Cannot sign in peer: status ${status}`);
    }
    const timeout = options.timeout ?? 2000;
    if (!(timeout >= 0 && Number.isFinite(timeout))) {
      throw new LoopbackServerError("invalid-argument", `Cannot sign in peer: timeout ${timeout}`);
    }
    this.#sb = sb;
    this.passport = account.passport;
    this.#autoAnswer = options.autoAnswer ?? true;
    this.#timeoutMs = timeout;
    this.#session = new PeerSession(
      account,
      status,
      () => this.#signOff("not-online"),
      (id, inviter, name) => this.#invited(id, inviter, name),
    );
    const hub = sb.hub;
    // Like a second sign-in on the notification server: the older session is told OUT OTH.
    const previous = hub.sessions.get(account.key);
    if (previous) {
      previous.link.send("OUT", null, ["OTH"]);
      previous.link.close();
    }
    hub.sessions.set(account.key, this.#session);
    hub.closers.add(this.#closer);
    hub.syncAll(account.key);
  }

  get online(): boolean {
    return this.#offline === undefined;
  }

  get status(): LoopbackStatus {
    return this.#session.status as LoopbackStatus;
  }

  get conversations(): readonly LoopbackConversation[] {
    return [...this.#conversations];
  }

  get events(): readonly LoopbackPeerEvent[] {
    return [...this.#events];
  }

  get received(): readonly LoopbackMessage[] {
    return [...this.#messages];
  }

  setStatus(status: LoopbackStatus): void {
    this.#assertOnline("change status");
    if (!STATUSES.includes(status)) {
      throw new LoopbackServerError("invalid-argument", `Cannot change status to ${status}`);
    }
    this.#session.status = status;
    this.#sb.hub.syncAll(this.#session.account.key);
  }

  async openConversation(
    passports: string | readonly string[],
    options?: LoopbackWaitOptions,
  ): Promise<LoopbackConversation> {
    this.#assertOnline("open a conversation");
    const invitees = typeof passports === "string" ? [passports] : [...passports];
    if (invitees.length === 0) {
      throw new LoopbackServerError("invalid-argument", "Cannot open a conversation with nobody");
    }
    if (this.#session.status === "HDN") {
      // The notification server refuses XFR SB while hidden.
      throw new LoopbackServerError("call-failed", "Cannot open a conversation while HDN", 913);
    }
    const conversation = this.#join(this.#sb.open(), false);
    try {
      for (const who of invitees) await this.invite(conversation, who, options);
    } catch (error) {
      this.leave(conversation);
      throw error;
    }
    return conversation;
  }

  invite(
    conversation: LoopbackConversation,
    passport: string,
    options?: LoopbackWaitOptions,
  ): Promise<void> {
    const seat = this.#seat(conversation, "invite");
    const code = this.#sb.callError(seat.session, seat, passport);
    if (code !== undefined) {
      return Promise.reject(
        new LoopbackServerError("call-failed", `Cannot invite ${passport}: error ${code}`, code),
      );
    }
    this.#sb.ring(seat.session, passport, seat);
    const key = passport.toLowerCase();
    return this.#until(
      () => seat.session.members.has(key) || undefined,
      options,
      `${passport} to join`,
    ).then(() => {});
  }

  answer(invitation: LoopbackInvitation): LoopbackConversation {
    this.#assertOnline("answer");
    const session = this.#sb.sessions.get(invitation.sessionId);
    if (!session) {
      throw new LoopbackServerError(
        "call-failed",
        `Cannot answer: switchboard session ${invitation.sessionId} has ended`,
        911,
      );
    }
    const conversation = this.#join(session, true);
    this.#answered.push(conversation);
    this.#notify();
    return conversation;
  }

  say(conversation: LoopbackConversation, text: string, options?: LoopbackSayOptions): void {
    this.#send(conversation, buildTextMessage(text, options?.format), "say");
  }

  typing(conversation: LoopbackConversation): void {
    this.#send(conversation, buildTypingMessage(this.passport), "type");
  }

  nudge(conversation: LoopbackConversation): void {
    this.#send(conversation, nudgePayload(), "nudge");
  }

  send(conversation: LoopbackConversation, payload: Uint8Array): void {
    const seat = this.#seat(conversation, "send");
    seat.session.relay(seat, new Uint8Array(payload));
  }

  leave(conversation: LoopbackConversation): void {
    const seat = seats.get(conversation);
    if (seat?.owner !== this || !seat.active) return;
    seat.active = false;
    seat.session.remove(seat, false);
  }

  nextMessage(options?: LoopbackNextMessageOptions): Promise<LoopbackMessage> {
    const kind: LoopbackMessageKind | undefined = options?.kind;
    const from = options?.from?.toLowerCase();
    return this.#next(
      this.#messages,
      options,
      `a ${kind ?? "any"} message`,
      (m) =>
        (kind === undefined || m.kind === kind) &&
        (options?.conversation === undefined || m.conversation === options.conversation) &&
        (from === undefined || m.from.toLowerCase() === from),
    );
  }

  nextEvent<T extends LoopbackPeerEvent["type"]>(
    options?: LoopbackWaitOptions & { type?: T },
  ): Promise<Extract<LoopbackPeerEvent, { type: T }>> {
    const type = options?.type;
    return this.#next(
      this.#events,
      options,
      `a ${type ?? "any"} event`,
      (e) => type === undefined || e.type === type,
    ) as Promise<Extract<LoopbackPeerEvent, { type: T }>>;
  }

  nextConversation(options?: LoopbackWaitOptions): Promise<LoopbackConversation> {
    return this.#next(this.#answered, options, "an invitation to be answered", () => true);
  }

  nextInvitation(options?: LoopbackWaitOptions): Promise<LoopbackInvitation> {
    return this.#next(this.#invitations, options, "an invitation", () => true);
  }

  signOut(): void {
    this.#signOff("not-online");
  }

  // -------------------------------------------------------------------------------------------

  #assertOnline(action: string): void {
    if (this.#offline === "closed") {
      throw new LoopbackServerError("closed", `Cannot ${action}: the server is closed`);
    }
    if (this.#offline) {
      throw new LoopbackServerError("not-online", `Cannot ${action}: ${this.passport} signed out`);
    }
  }

  #seat(conversation: LoopbackConversation, action: string): Seat {
    this.#assertOnline(action);
    const seat = seats.get(conversation);
    if (seat?.owner !== this || !seat.active) {
      throw new LoopbackServerError(
        "not-in-conversation",
        `Cannot ${action}: ${this.passport} is not in conversation ${conversation.id}`,
      );
    }
    return seat;
  }

  #send(conversation: LoopbackConversation, payload: Uint8Array, action: string): void {
    const seat = this.#seat(conversation, action);
    if (payload.length > MAX_SB_MESSAGE_BYTES) {
      throw new LoopbackServerError(
        "invalid-argument",
        `Cannot ${action}: ${payload.length} bytes is over ${MAX_SB_MESSAGE_BYTES} (split it)`,
      );
    }
    seat.session.relay(seat, payload);
  }

  #join(session: SbSession, announce: boolean): PeerConversation {
    const seat = new Seat(this, this.#session.account, session, (e) => this.#record(e));
    seats.set(seat.conversation, seat);
    this.#conversations.push(seat.conversation);
    session.add(seat, announce);
    return seat.conversation;
  }

  #record(event: LoopbackPeerEvent): void {
    this.#events.push(event);
    if (event.type === "message") this.#messages.push(event.message);
    this.#notify();
  }

  #invited(sessionId: string, inviter: string, inviterName: string): void {
    if (this.#offline) return;
    const invitation: LoopbackInvitation = { sessionId, inviter, inviterName };
    this.#record({ type: "invited", invitation });
    if (this.#autoAnswer) this.answer(invitation);
    else {
      this.#invitations.push(invitation);
      this.#notify();
    }
  }

  #signOff(reason: "not-online" | "closed"): void {
    if (this.#offline) return;
    this.#offline = reason;
    const hub = this.#sb.hub;
    hub.closers.delete(this.#closer);
    this.#session.closed = true;
    for (const c of this.#conversations) this.leave(c);
    const key = this.#session.account.key;
    if (hub.sessions.get(key) === this.#session) {
      hub.sessions.delete(key);
      if (!hub.closed) hub.syncAll(key);
    }
    this.#notify();
  }

  #notify(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  #next<T extends object>(
    items: readonly T[],
    options: LoopbackWaitOptions | undefined,
    label: string,
    match: (item: T) => boolean,
  ): Promise<T> {
    return this.#until(
      () => {
        const found = items.find((item) => !this.#taken.has(item) && match(item));
        if (found !== undefined) this.#taken.add(found);
        return found;
      },
      options,
      label,
    );
  }

  /** Resolves with `find()`'s first defined result; rejects after the timeout or at sign-out. */
  #until<T>(
    find: () => T | undefined,
    options: LoopbackWaitOptions | undefined,
    label: string,
  ): Promise<T> {
    const ms = options?.timeout ?? this.#timeoutMs;
    return new Promise<T>((resolve, reject) => {
      const wait: { timer?: ReturnType<typeof setTimeout> } = {};
      const finish = (): void => {
        if (wait.timer !== undefined) clearTimeout(wait.timer);
        this.#waiters.delete(check);
      };
      const check = (): boolean => {
        const found = find();
        if (found !== undefined) {
          finish();
          resolve(found);
          return true;
        }
        if (this.#offline) {
          finish();
          reject(
            new LoopbackServerError(
              this.#offline,
              `Stopped waiting for ${label}: ${
                this.#offline === "closed" ? "the server closed" : `${this.passport} signed out`
              }`,
            ),
          );
          return true;
        }
        return false;
      };
      if (check()) return;
      this.#waiters.add(check);
      wait.timer = setTimeout(() => {
        finish();
        reject(new LoopbackServerError("timeout", `${this.passport} waited ${ms} ms for ${label}`));
      }, ms);
    });
  }
}
