// The Client's conversations: opening them (reusing a live one-to-one), answering invitations
// (`RNG`) or offering them to the application, and ending them all when the notification
// connection ends. Conversation does the talking; this keeps the list.

import type { HostPort } from "../codec/mod.ts";
import type { Participant } from "../machine/mod.ts";
import type { Timers } from "./_timers.ts";
import type { ClientEvent } from "./client_types.ts";
import { type Conversation, newConversation } from "./conversation.ts";
import type { ClientHooks, ConversationHost } from "./_conversation_link.ts";
import { checkPassport } from "./_conversation_errors.ts";
import {
  ConversationError,
  type ConversationSettings,
  type OpenOptions,
} from "./conversation_types.ts";

/** An `RNG`, cookie included (never shown to the application). */
export interface Invitation {
  sessionId: string;
  address: HostPort;
  cookie: string;
  passport: string;
  friendlyName: string;
}

type Control = ReturnType<typeof newConversation>["control"];

/** The live conversations of one client. */
export class Conversations {
  readonly #account: string;
  readonly #settings: ConversationSettings;
  readonly #emit: (event: ClientEvent) => void;
  readonly #host: ConversationHost;
  /**
   * Conversations with a switchboard open or opening (idle ones are let go when the next one is
   * made, so a bot's list does not grow for ever; a send on one brings it back).
   */
  readonly #live = new Map<Conversation, { control: Control; opening?: Promise<void> }>();
  readonly #controls = new WeakMap<Conversation, Control>();
  #ids = 0;

  /** Checks the settings (a `RangeError` for nonsense). */
  constructor(
    options: { account: string; conversations?: ConversationSettings },
    timers: Timers,
    clock: () => number,
    hooks: ClientHooks,
  ) {
    const s = options.conversations ?? {};
    this.#account = options.account;
    this.#settings = s;
    this.#emit = hooks.emit;
    const sendTimeoutMs = s.sendTimeoutMs ?? 60_000;
    const typingIntervalMs = s.typingIntervalMs ?? 4_000;
    if (!(sendTimeoutMs > 0) || !(typingIntervalMs >= 0)) {
      throw new RangeError("Cannot use conversation settings: a time is out of range");
    }
    this.#host = {
      account: options.account,
      sendTimeoutMs,
      typingIntervalMs,
      switchboard: s.switchboard ?? {},
      timers,
      clock,
      requestSwitchboard: hooks.requestSwitchboard,
      run: hooks.run,
      emit: hooks.emit,
      started: (conversation, inviter) =>
        hooks.emit({
          type: "conversationStarted",
          conversation,
          inviter: inviter.passport,
          inviterName: inviter.friendlyName,
        }),
      ended: (conversation) => this.#live.delete(conversation),
      active: (conversation) => {
        const control = this.#controls.get(conversation);
        if (control && !this.#live.has(conversation)) this.#live.set(conversation, { control });
      },
    };
  }

  /** The conversations with a switchboard open or opening, or not idle for long; oldest first. */
  get list(): Conversation[] {
    return [...this.#live.keys()];
  }

  /** See `Client.openConversation`. */
  open(passports: string | readonly string[], options: OpenOptions = {}): Promise<Conversation> {
    const list = typeof passports === "string" ? [passports] : [...(passports ?? [])];
    const people = new Map<string, string>();
    for (const p of list) {
      const bad = checkPassport(p, this.#account);
      if (bad) {
        return Promise.reject(new ConversationError("open conversation", "invalid-argument", bad));
      }
      people.set(p.toLowerCase(), p);
    }
    if (people.size === 0) {
      return Promise.reject(
        new ConversationError("open conversation", "invalid-argument", {
          cause: new TypeError("no one to invite"),
        }),
      );
    }
    if (people.size === 1) {
      const found = this.#oneToOne([...people.keys()][0]);
      if (found) {
        const opening = this.#live.get(found)?.opening;
        return opening ? opening.then(() => found) : Promise.resolve(found);
      }
    }
    const { conversation, control } = this.#create([...people.values()]);
    const opening = control.open(options.signal).then(
      () => {
        const entry = this.#live.get(conversation);
        if (entry) entry.opening = undefined;
      },
      (error: Error) => {
        control.end("failed", error);
        throw error;
      },
    );
    this.#live.get(conversation)!.opening = opening;
    return opening.then(() => conversation);
  }

  /** Someone invites us (`RNG`): answer, or ask the application. */
  invited(invitation: Invitation): void {
    if (this.#settings.acceptInvitations !== false) {
      this.#answer(invitation).catch(() => {
        // Reported as the conversation's `ended` (reason `failed`).
      });
      return;
    }
    let answer: Promise<Conversation> | undefined;
    let declined = false;
    this.#emit({
      type: "invitation",
      passport: invitation.passport,
      friendlyName: invitation.friendlyName,
      sessionId: invitation.sessionId,
      accept: () => {
        if (declined) {
          return Promise.reject(
            new ConversationError("accept invitation", "invalid-argument", {
              cause: new Error("the invitation was declined"),
            }),
          );
        }
        return answer ??= this.#answer(invitation);
      },
      decline: () => {
        // MSNP has no refusal: an invitation not answered simply expires.
        declined = answer === undefined;
      },
    });
  }

  /** The notification connection ended: so does every conversation. */
  endAll(reason: "signedOut" | "connectionLost", error?: Error): void {
    for (const { control } of [...this.#live.values()]) control.end(reason, error);
  }

  #answer(invitation: Invitation): Promise<Conversation> {
    const inviter: Participant = {
      passport: invitation.passport,
      friendlyName: invitation.friendlyName,
    };
    const { conversation, control } = this.#create([inviter.passport]);
    return control.answer({
      address: invitation.address,
      cookie: invitation.cookie,
      sessionId: invitation.sessionId,
      inviter,
    }).then(
      () => conversation,
      (error: Error) => {
        control.end("failed", error);
        throw error;
      },
    );
  }

  #create(people: string[]): { conversation: Conversation; control: Control } {
    for (const c of this.#live.keys()) if (c.state === "idle") this.#live.delete(c);
    const made = newConversation(this.#host, ++this.#ids, people);
    this.#live.set(made.conversation, { control: made.control });
    this.#controls.set(made.conversation, made.control);
    return made;
  }

  /** A live conversation whose people are exactly `key`; one with them in it first. */
  #oneToOne(key: string): Conversation | undefined {
    let found: Conversation | undefined;
    for (const c of this.#live.keys()) {
      const people = c.people;
      if (people.length !== 1 || people[0].toLowerCase() !== key) continue;
      if (c.participants.some((p) => p.passport.toLowerCase() === key)) return c;
      found ??= c;
    }
    return found;
  }
}
