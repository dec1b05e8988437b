import {
  add,
  adg,
  blp,
  chg,
  type Command,
  EncodeError,
  gtc,
  type ListName,
  type PhoneProperty,
  prp,
  rea,
  reg,
  rem,
  rmg,
  type Status,
  usrTwnSubsequent,
  xfrSb,
} from "../codec/mod.ts";
import type { ContactListSnapshot } from "./contact_list.ts";
import { type SessionError, type SessionPhase, UsageError } from "./errors.ts";
import type { SessionOutput } from "./events.ts";
import type { LifecycleSnapshot } from "./lifecycle.ts";
import type { SessionOptions } from "./options.ts";
import { NsState, resolveConfig } from "./_ns_state.ts";
import { handleItem } from "./_dispatch.ts";
import { nsFastPath } from "./_presence.ts";

export {
  DEFAULT_SERVER,
  DEFAULT_TIMEOUTS,
  type SessionOptions,
  type SessionTimeouts,
} from "./options.ts";

/**
 * One account's notification-server session as a sans-IO state machine, in
 * the style of h11 and quinn-proto: no socket, timer or clock inside.
 *
 * Inputs: {@link start}, {@link handleConnected}, {@link handleData},
 * {@link handleClosed}, {@link handlePassportTicket},
 * {@link handlePassportError}, {@link handleTimeout} and the intents
 * ({@link setStatus}, {@link addContact}, ...). Every input carries `now`
 * (milliseconds on any monotonic clock); intents take an optional trailing
 * `now` and otherwise use the latest one given.
 *
 * Outputs, pulled in order: {@link poll} returns the next
 * {@link SessionOutput} (connect, transmit bytes, close, run Passport, or an
 * event for the application); {@link pollTimeout} returns when
 * {@link handleTimeout} should next be called.
 *
 * Only {@link SessionError} and {@link UsageError} ever leave a method:
 * anything the server sends that breaks a rule ends as a `warning` event or
 * a `SessionError`; misuse is a `UsageError`.
 *
 * The lifecycle (login, redirect, sync, keepalive, sign-out, every time
 * limit) is the XState chart `notificationLifecycle`, run through XState's
 * pure `transition()`; contact-list and presence traffic is handled beside
 * it by a (phase, command) table, so a 100 000-contact SYN costs one map
 * insert per line.
 *
 * @example Drive a session by hand
 * ```ts
 * import { NotificationSession } from "@msnp/client/machine";
 * const session = new NotificationSession({ account: "me@example.com", protocols: ["MSNP8"] });
 * session.start(0);
 * console.log(session.poll()); // { type: "connect", host: "messenger.hotmail.com", port: 1863, kind: "ns" }
 * session.handleConnected(5);
 * console.log(new TextDecoder().decode((session.poll() as { bytes: Uint8Array }).bytes)); // "VER 1 MSNP8 CVR0\r\n"
 * ```
 */
export class NotificationSession {
  readonly #s: NsState;
  #fast: ((bytes: Uint8Array, start: number, end: number) => boolean) | undefined;

  /** Creates a session; nothing happens until {@link start}. */
  constructor(options: SessionOptions) {
    this.#s = new NsState(resolveConfig(options));
  }

  // ---- getters ----

  /** The current lifecycle phase. */
  get phase(): SessionPhase {
    return this.#s.phase;
  }

  /** The failure, once the session is in phase `failed`. */
  get error(): SessionError | undefined {
    return this.#s.snapshot.context.error;
  }

  /** The negotiated protocol version (`MSNP9` or `MSNP8`), once known. */
  get protocol(): string | undefined {
    return this.#s.snapshot.context.version;
  }

  /** Our own status as the server last confirmed it. */
  get status(): string | undefined {
    return this.#s.status;
  }

  /** Our friendly name as the server last reported it. */
  get friendlyName(): string {
    return this.#s.friendlyName;
  }

  /** A copy of the contact list as it is now; its contacts are never changed afterwards. */
  get contactList(): ContactListSnapshot {
    // Handing out the list makes the sync's draft contact shared: later BPRs copy it.
    this.#s.sync.seal();
    return this.#s.list.snapshot();
  }

  /** A contact's last known presence, or `undefined` if offline or unknown. */
  presenceOf(
    passport: string,
  ): { status: string; clientId?: number; msnObject?: string } | undefined {
    if (typeof passport !== "string") {
      throw new UsageError(
        "invalid-argument",
        "Cannot look up presence: passport must be a string",
      );
    }
    const p = this.#s.presence.get(passport.toLowerCase());
    return p ? { ...p } : undefined;
  }

  /**
   * The XState snapshot of the lifecycle chart (serializable; for
   * inspection). Its `value` is the phase, or for `syncing` and `online` an
   * object naming the sub-states, e.g. `{ online: { keepalive: "waiting" } }`.
   */
  get machineSnapshot(): LifecycleSnapshot {
    return this.#s.snapshot;
  }

  // ---- outputs ----

  /** The next output, or `undefined` when there is none. */
  poll(): SessionOutput | undefined {
    return this.#s.core.poll();
  }

  /** When {@link handleTimeout} should next be called, or `undefined` if nothing is timed. */
  pollTimeout(): number | undefined {
    return this.#s.core.pollTimeout();
  }

  // ---- inputs ----

  /** Starts signing in: the first output asks to connect to the server. */
  start(now: number): void {
    this.#expectPhase("start", ["idle"]);
    this.#s.core.input(now, () => this.#s.dispatch({ type: "START" }));
  }

  /** The connection asked for by the last `connect` output is open. */
  handleConnected(now: number): void {
    const s = this.#s;
    s.core.input(now, () => {
      if (s.ended) return;
      s.core.connected();
      s.dispatch({ type: "CONNECTED" });
    });
  }

  /**
   * Bytes arrived from the server. The chunk is not retained. Nothing the
   * server sends makes this throw: it ends as a `warning` event (and the
   * rest of the chunk is handled) or as a {@link SessionError}.
   */
  handleData(bytes: Uint8Array, now: number): void {
    const s = this.#s;
    if (!(bytes instanceof Uint8Array)) {
      throw new UsageError("invalid-argument", "Cannot handle data: bytes must be a Uint8Array");
    }
    s.core.input(now, () => {
      if (s.ended || s.core.connection !== "open") return;
      if (!s.core.push(bytes) || s.ended) return;
      this.#drain(false);
    });
  }

  /** The connection closed (by the peer, or it failed to open). */
  handleClosed(now: number): void {
    const s = this.#s;
    s.core.input(now, () => {
      if (s.ended || s.core.connection === "none") return;
      if (s.core.lost()) {
        // Commands the server sent just before closing still count; a command
        // cut off by the close is part of the connection loss, not a protocol error.
        s.core.decoder.end();
        this.#drain(true);
        if (s.ended) return;
      }
      // What a close means in each phase is the chart's.
      s.dispatch({ type: "CONNECTION_CLOSED" });
    });
  }

  /** The driver's Passport sign-in produced a ticket for the `passport` output's challenge. */
  handlePassportTicket(ticket: string, now: number): void {
    if (this.#s.ended) return;
    this.#expectPhase("handle ticket", ["authenticating"]);
    try {
      usrTwnSubsequent(1, ticket);
    } catch (e) {
      const message = e instanceof EncodeError ? e.message : "Cannot handle ticket: not a string";
      throw new UsageError("invalid-argument", message, { cause: e });
    }
    this.#s.core.input(now, () => this.#s.dispatch({ type: "TICKET", ticket }));
  }

  /**
   * The driver's Passport sign-in failed. `code` is the Passport error code
   * (`bad-credentials`, ...); `message` must not contain secrets.
   */
  handlePassportError(failure: { code: string; message: string }, now: number): void {
    const s = this.#s;
    if (s.ended) return;
    this.#expectPhase("handle Passport error", ["authenticating"]);
    if (typeof failure?.code !== "string" || typeof failure.message !== "string") {
      throw new UsageError("invalid-argument", "Cannot handle Passport error: code and message");
    }
    s.core.input(
      now,
      () =>
        s.fail("passport-failed", `Passport sign-in failed: ${failure.message}`, {
          passportCode: failure.code,
        }),
    );
  }

  /**
   * Time passed; call at (or after) the time {@link pollTimeout} returned.
   * Calling it earlier is harmless and only records the time.
   */
  handleTimeout(now: number): void {
    const s = this.#s;
    s.core.input(now, () => {
      if (s.ended) return;
      // The chart's time limits first (a phase's limit, PNG, QNG); then requests.
      s.fireDue(now);
      if (s.ended) return;
      for (const [trid, p] of s.core.expire(now)) {
        // QRY is ours, not the application's: a server that neither accepts nor
        // refuses the answer is left to the ping timeout.
        if (p.kind === "QRY") continue;
        s.emit({ type: "requestFailed", requestId: trid, failure: { reason: "timeout" } });
      }
    });
  }

  // ---- intents ----
  // Each takes an optional trailing `now` (its deadline counts from it;
  // without it, from the latest `now` given). A refused argument is
  // `UsageError("invalid-argument")` with the `EncodeError` as `cause`.

  /** Changes our status (`CHG`). Returns the request id. */
  setStatus(
    status: Status,
    options: { clientId?: number; msnObject?: string } = {},
    now?: number,
  ): number {
    const c = this.#s.config;
    return this.#request("set status", now, "CHG", (t) =>
      chg(t, status, {
        clientId: options.clientId ?? c.clientId,
        msnObject: this.protocol === "MSNP9" ? options.msnObject ?? c.msnObject : undefined,
      }));
  }

  /** Changes our own friendly name (`REA`). */
  rename(friendlyName: string, now?: number): number {
    return this.#request("rename", now, "REA", (t) => rea(t, this.#s.config.account, friendlyName));
  }

  /** Changes the name stored for a contact (`REA`). */
  renameContact(passport: string, friendlyName: string, now?: number): number {
    return this.#request("rename contact", now, "REA", (t) => rea(t, passport, friendlyName));
  }

  /** Adds a contact to a list (`ADD`); on FL optionally to a group. */
  addContact(
    passport: string,
    options: { list?: Exclude<ListName, "RL">; friendlyName?: string; groupId?: number } = {},
    now?: number,
  ): number {
    return this.#request("add contact", now, "ADD", (t) =>
      add(t, options.list ?? "FL", passport, {
        friendlyName: options.friendlyName,
        groupId: options.groupId,
      }));
  }

  /** Removes a contact from a list (`REM`), or only from one group on FL. */
  removeContact(
    passport: string,
    options: { list?: Exclude<ListName, "RL">; groupId?: number } = {},
    now?: number,
  ): number {
    return this.#request(
      "remove contact",
      now,
      "REM",
      (t) => rem(t, options.list ?? "FL", passport, { groupId: options.groupId }),
    );
  }

  /** Creates a group (`ADG`). */
  addGroup(name: string, now?: number): number {
    return this.#request("add group", now, "ADG", (t) => adg(t, name));
  }

  /** Removes a group (`RMG`). */
  removeGroup(groupId: number, now?: number): number {
    return this.#request("remove group", now, "RMG", (t) => rmg(t, groupId));
  }

  /** Renames a group (`REG`). */
  renameGroup(groupId: number, name: string, now?: number): number {
    return this.#request("rename group", now, "REG", (t) => reg(t, groupId, name));
  }

  /** Sets who may see you when on no list (`BLP AL|BL`). */
  setPrivacy(mode: "AL" | "BL", now?: number): number {
    return this.#request("set privacy", now, "BLP", (t) => blp(t, mode));
  }

  /** Sets whether you are asked when someone adds you (`GTC A|N`). */
  setAddPrompt(mode: "A" | "N", now?: number): number {
    return this.#request("set add prompt", now, "GTC", (t) => gtc(t, mode));
  }

  /** Sets (or with `""` clears) one of your phone numbers (`PRP`). */
  setPhone(property: PhoneProperty, value: string, now?: number): number {
    return this.#request("set phone", now, "PRP", (t) => prp(t, property, value));
  }

  /** Asks for a switchboard (`XFR SB`); the answer is a `switchboard` event. */
  requestSwitchboard(now?: number): number {
    return this.#request("request switchboard", now, "XFR", (t) => xfrSb(t));
  }

  /** Signs out (`OUT`), or abandons a sign-in in progress. */
  signOut(now?: number): void {
    const s = this.#s;
    s.core.intent(now, () => {
      if (s.ended) return;
      if (s.phase === "idle") throw new UsageError("invalid-state", "Cannot sign out: not started");
      s.dispatch({ type: "SIGN_OUT" });
    });
  }

  // ---- internals ----

  #expectPhase(what: string, phases: SessionPhase[]): void {
    if (this.error) throw this.error;
    if (!phases.includes(this.phase)) {
      throw new UsageError("invalid-state", `Cannot ${what}: session is ${this.phase}`);
    }
  }

  #request(
    what: string,
    now: number | undefined,
    kind: string,
    build: (trid: number) => Command,
  ): number {
    const s = this.#s;
    return s.core.intent(now, () => {
      if (s.phase !== "online") {
        throw new UsageError("not-online", `Cannot ${what}: session is ${s.phase}`);
      }
      return s.core.request(kind, s.config.timeouts.request, build);
    });
  }

  #drain(closing: boolean): void {
    const s = this.#s;
    this.#fast ??= nsFastPath(s);
    s.core.drain((item) => handleItem(s, item, closing), () => s.ended, this.#fast);
  }
}
