import { initialTransition, type SnapshotFrom, transition } from "xstate";
import type { LifecycleSnapshot } from "./lifecycle.ts";
import {
  add,
  adg,
  blp,
  challengeAnswer,
  chg,
  type ClientInfo,
  type Command,
  cvr,
  DecodeError,
  Decoder,
  DEFAULT_CLIENT_INFO,
  describeErrorCode,
  EncodeError,
  gtc,
  interpretMessage,
  type ListName,
  MSMSGS_PRODUCT,
  out,
  parseMime,
  parseServerCommand,
  PayloadError,
  type PhoneProperty,
  png,
  type ProductKey,
  prp,
  qry,
  rea,
  reg,
  rem,
  rmg,
  type ServerMessage,
  type Status,
  syn,
  usrTwnInitial,
  usrTwnSubsequent,
  ver,
  xfrSb,
} from "../codec/mod.ts";
import {
  ContactList,
  type ContactListSnapshot,
  type DraftContact,
  NO_GROUPS,
  NO_PHONES,
  sharedLists,
} from "./contact_list.ts";
import { SessionError, type SessionErrorCode, type SessionPhase, UsageError } from "./errors.ts";
import type { ListChange, PassportOutput, SessionEvent, SessionOutput } from "./events.ts";
import { ConnectionCore } from "./_connection.ts";
import { type LifecycleEvent, lifecycleMachine } from "./_lifecycle.ts";
import { applySynBpr, lstContact, setDraftPhone } from "./_fast_parse.ts";

/** Per-phase time limits in milliseconds; each has a default. */
export interface SessionTimeouts {
  /** Opening a TCP connection. Default 15 000. */
  connect: number;
  /** Each of the VER, CVR and `USR TWN I` replies. Default 30 000. */
  handshake: number;
  /** The driver's Passport sign-in. Default 60 000. */
  passport: number;
  /** `USR TWN S` to `USR OK`. Default 30 000. */
  authorize: number;
  /** `SYN` to the end of the contact list. Default 120 000. */
  sync: number;
  /** A request's reply (ADD, REM, CHG, ...). Default 30 000. */
  request: number;
  /** Time between `PNG`s when the server does not say (MSNP8). Default 45 000. */
  pingInterval: number;
  /** `PNG` to `QNG`; no `QNG` by then means the server is gone. Default 30 000. */
  pong: number;
  /** `OUT` to the server closing. Default 5 000. */
  signOut: number;
}

/** The defaults of {@link SessionTimeouts}. */
export const DEFAULT_TIMEOUTS: Readonly<SessionTimeouts> = Object.freeze({
  connect: 15_000,
  handshake: 30_000,
  passport: 60_000,
  authorize: 30_000,
  sync: 120_000,
  request: 30_000,
  pingInterval: 45_000,
  pong: 30_000,
  signOut: 5_000,
});

/** The historical dispatch server. */
export const DEFAULT_SERVER: Readonly<{ host: string; port: number }> = Object.freeze({
  host: "messenger.hotmail.com",
  port: 1863,
});

/** Options for {@link NotificationSession}. */
export interface SessionOptions {
  /** The account (passport) to sign in. */
  account: string;
  /** Dispatch (or notification) server. Default `messenger.hotmail.com:1863`. */
  server?: { host: string; port: number };
  /** Protocol versions to offer, most preferred first. Default `["MSNP9", "MSNP8"]`. */
  protocols?: readonly ("MSNP9" | "MSNP8")[];
  /** Client identification for `CVR`. */
  clientInfo?: ClientInfo;
  /** Product id and key for answering `CHL`. Default {@link MSMSGS_PRODUCT}. */
  product?: ProductKey;
  /** Status set after sync. Default `NLN`. */
  initialStatus?: Status;
  /** Client ID (capabilities) sent with `CHG`. Default 0. */
  clientId?: number;
  /** MSNObject XML sent with `CHG` on MSNP9. */
  msnObject?: string;
  /** The contact list from last time; `SYN` then asks only for changes since its version. */
  contactListCache?: ContactListSnapshot;
  /** Most `XFR NS` redirects in a row. Default 5. */
  maxRedirects?: number;
  /**
   * Whether TrIDs start again at 1 on each new connection after a redirect.
   * Default `true`; both are accepted by servers.
   */
  restartTridsOnRedirect?: boolean;
  /** Phase time limits. */
  timeouts?: Partial<SessionTimeouts>;
  /** Decoder limits. */
  maxLineBytes?: number;
  /** Decoder limits. */
  maxPayloadBytes?: number;
}

type Snapshot = SnapshotFrom<typeof lifecycleMachine>;
type RequestKind =
  | "CHG"
  | "REA"
  | "ADD"
  | "REM"
  | "ADG"
  | "RMG"
  | "REG"
  | "BLP"
  | "GTC"
  | "PRP"
  | "XFR"
  | "QRY";

const LOGIN_PHASES: ReadonlySet<SessionPhase> = new Set([
  "connecting",
  "negotiating",
  "identifying",
  "requestingAuth",
  "authenticating",
  "authorizing",
]);

/**
 * One account's notification-server session as a sans-IO state machine, in
 * the style of h11 and quinn-proto: no socket, timer or clock inside.
 *
 * Inputs: {@link start}, {@link handleConnected}, {@link handleData},
 * {@link handleClosed}, {@link handlePassportTicket},
 * {@link handlePassportError}, {@link handleTimeout} and the intents
 * ({@link setStatus}, {@link addContact}, ...). Every input that can happen
 * at a time carries `now` (milliseconds on any monotonic clock); intents use
 * the latest `now` given.
 *
 * Outputs, pulled in order: {@link poll} returns the next
 * {@link SessionOutput} (connect, transmit bytes, close, run Passport, or an
 * event for the application); {@link pollTimeout} returns when
 * {@link handleTimeout} should next be called.
 *
 * The lifecycle (login, redirect, sync, sign-out) is an XState machine run
 * through XState's pure `transition()`; contact-list and presence traffic is
 * handled beside it, so a 100 000-contact SYN costs one map insert per line.
 *
 * @example Drive a session by hand
 * ```ts
 * import { NotificationSession } from "@msnp/client/machine";
 * const session = new NotificationSession({ account: "me@example.com", protocols: ["MSNP8"] });
 * session.start(0);
 * console.log(session.poll()); // { type: "connect", host: "messenger.hotmail.com", port: 1863 }
 * session.handleConnected(5);
 * console.log(new TextDecoder().decode((session.poll() as { bytes: Uint8Array }).bytes)); // "VER 1 MSNP8 CVR0\r\n"
 * ```
 */
export class NotificationSession {
  readonly #account: string;
  readonly #protocols: readonly string[];
  readonly #clientInfo: ClientInfo;
  readonly #product: ProductKey;
  readonly #initialStatus: Status;
  readonly #clientId: number;
  readonly #msnObject: string | undefined;
  readonly #cache: ContactListSnapshot | undefined;
  readonly #restartTrids: boolean;
  readonly #timeouts: SessionTimeouts;
  readonly #decoderLimits: { maxLineBytes?: number; maxPayloadBytes?: number };

  #snapshot: Snapshot;
  readonly #core: ConnectionCore<SessionEvent, PassportOutput>;
  #list = new ContactList();
  #presence = new Map<string, { status: string; clientId?: number; msnObject?: string }>();
  #status: string | undefined;
  #friendlyName = "";
  // Sync progress: the SYN TrID and how many LSG/LST are still to come.
  #synTrid = -1;
  #syncGroupsLeft = 0;
  #syncContactsLeft = 0;
  #synced = false;
  // Between a SYN reply with counts and its last LST/LSG: the fast path is on.
  #inSync = false;
  // The last LST's contact: mutable while the SYN is still private to us, then only its passport.
  #draft: DraftContact | undefined;
  // Set between the last LST (by count) and the first command that is not one of its BPRs.
  #syncedPending: { fromCache: boolean } | undefined;
  #lastListed: string | undefined;
  // Set when the fast path took the last LST inside Decoder.push; handled before the queue.
  #syncDoneDue = false;
  readonly #takeLine = (bytes: Uint8Array, start: number, end: number): boolean =>
    this.#inSync && this.#syncLine(bytes, start, end);

  /** Creates a session; nothing happens until {@link start}. */
  constructor(options: SessionOptions) {
    if (typeof options.account !== "string" || !/^[^\s]+$/.test(options.account)) {
      throw new UsageError(
        "invalid-argument",
        "Cannot create session: account must be a passport without spaces",
      );
    }
    this.#account = options.account;
    this.#protocols = options.protocols ?? ["MSNP9", "MSNP8"];
    if (this.#protocols.length === 0) {
      throw new UsageError("invalid-argument", "Cannot create session: no protocol versions");
    }
    this.#clientInfo = options.clientInfo ?? DEFAULT_CLIENT_INFO;
    this.#product = options.product ?? MSMSGS_PRODUCT;
    this.#initialStatus = options.initialStatus ?? "NLN";
    if ((this.#initialStatus as string) === "FLN") {
      throw new UsageError(
        "invalid-argument",
        "Cannot create session: FLN is not a status you can set",
      );
    }
    this.#clientId = options.clientId ?? 0;
    this.#msnObject = options.msnObject;
    this.#cache = options.contactListCache;
    this.#restartTrids = options.restartTridsOnRedirect ?? true;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.#decoderLimits = {
      maxLineBytes: options.maxLineBytes,
      maxPayloadBytes: options.maxPayloadBytes,
    };
    this.#core = new ConnectionCore({
      kind: "ns",
      newDecoder: () => this.#newDecoder(),
      fault: (error) => this.#fault(error),
    });
    // Validate the commands we will build from options now, not mid-login.
    try {
      ver(1, this.#protocols);
      cvr(1, this.#account, this.#clientInfo);
      chg(1, this.#initialStatus, { clientId: this.#clientId, msnObject: this.#msnObject });
    } catch (e) {
      if (!(e instanceof EncodeError)) throw e;
      throw new UsageError("invalid-argument", `Cannot create session: ${e.message}`, { cause: e });
    }
    const [snapshot] = initialTransition(lifecycleMachine, {
      server: options.server ?? DEFAULT_SERVER,
      maxRedirects: options.maxRedirects ?? 5,
    });
    this.#snapshot = snapshot;
  }

  // ---- getters ----

  /** The current lifecycle phase. */
  get phase(): SessionPhase {
    return this.#snapshot.value as SessionPhase;
  }

  /** The failure, once the session is in phase `failed`. */
  get error(): SessionError | undefined {
    return this.#snapshot.context.error;
  }

  /** The negotiated protocol version (`MSNP9` or `MSNP8`), once known. */
  get protocol(): string | undefined {
    return this.#snapshot.context.version;
  }

  /** Our own status as the server last confirmed it. */
  get status(): string | undefined {
    return this.#status;
  }

  /** Our friendly name as the server last reported it. */
  get friendlyName(): string {
    return this.#friendlyName;
  }

  /** A copy of the contact list as it is now. */
  get contactList(): ContactListSnapshot {
    return this.#list.snapshot();
  }

  /** A contact's last known presence, or `undefined` if offline or unknown. */
  presenceOf(
    passport: string,
  ): { status: string; clientId?: number; msnObject?: string } | undefined {
    const p = this.#presence.get(passport.toLowerCase());
    return p ? { ...p } : undefined;
  }

  /** The XState snapshot of the lifecycle machine (serializable; for inspection). */
  get machineSnapshot(): LifecycleSnapshot {
    return this.#snapshot;
  }

  // ---- outputs ----

  /** The next output, or `undefined` when there is none. */
  poll(): SessionOutput | undefined {
    return this.#core.poll();
  }

  /** When {@link handleTimeout} should next be called, or `undefined` if nothing is timed. */
  pollTimeout(): number | undefined {
    return this.#core.pollTimeout();
  }

  // ---- inputs ----

  /** Starts signing in: the first output asks to connect to the server. */
  start(now: number): void {
    this.#expectPhase("start", ["idle"]);
    this.#core.input(now, () => this.#dispatch({ type: "START" }));
  }

  /** The connection asked for by the last `connect` output is open. */
  handleConnected(now: number): void {
    this.#core.input(now, () => {
      if (this.#ended()) return;
      this.#core.connected();
      this.#dispatch({ type: "CONNECTED" });
    });
  }

  /**
   * Bytes arrived from the server. The chunk is not retained. Never throws
   * for anything the server sent: that ends as a `warning` event or a
   * {@link SessionError}, and the rest of the chunk is still handled while
   * the session goes on.
   */
  handleData(bytes: Uint8Array, now: number): void {
    this.#core.input(now, () => {
      if (this.#ended() || this.#core.connection !== "open") return;
      if (!this.#core.push(bytes) || this.#ended()) return;
      if (this.#syncDoneDue) {
        this.#syncDoneDue = false;
        this.#syncDone(false);
      }
      this.#drainDecoder();
    });
  }

  /** The connection closed (by the peer, or it failed to open). */
  handleClosed(now: number): void {
    this.#core.input(now, () => {
      if (this.#ended() || this.#core.connection === "none") return;
      const wasOpen = this.#core.lost();
      if (wasOpen) {
        // Commands the server sent just before closing still count; a command
        // cut off by the close is part of the connection loss, not a protocol error.
        this.#core.decoder.end();
        this.#drainDecoder(true);
        if (this.#ended()) return;
      }
      const phase = this.phase;
      if (phase === "online" || phase === "signingOut") {
        this.#dispatch({ type: "CONNECTION_CLOSED" });
      } else {
        this.#fail(
          "connection-lost",
          wasOpen
            ? `Connection closed by the server while ${phase}`
            : `Cannot connect to the server`,
        );
      }
    });
  }

  /** The driver's Passport sign-in produced a ticket for the `passport` output's challenge. */
  handlePassportTicket(ticket: string, now: number): void {
    if (this.#ended()) return;
    this.#expectPhase("handle ticket", ["authenticating"]);
    try {
      usrTwnSubsequent(1, ticket);
    } catch (e) {
      if (!(e instanceof EncodeError)) throw e;
      throw new UsageError("invalid-argument", e.message, { cause: e });
    }
    this.#core.input(now, () => this.#dispatch({ type: "TICKET", ticket }));
  }

  /**
   * The driver's Passport sign-in failed. `code` is the Passport error code
   * (`bad-credentials`, ...); `message` must not contain secrets.
   */
  handlePassportError(failure: { code: string; message: string }, now: number): void {
    if (this.#ended()) return;
    this.#expectPhase("handle Passport error", ["authenticating"]);
    this.#core.input(
      now,
      () =>
        this.#fail("passport-failed", `Passport sign-in failed: ${failure.message}`, {
          passportCode: failure.code,
        }),
    );
  }

  /**
   * Time passed; call at (or after) the time {@link pollTimeout} returned.
   * Calling it earlier is harmless and only records the time.
   */
  handleTimeout(now: number): void {
    this.#core.input(now, () => this.#onTimeout(now));
  }

  #onTimeout(now: number): void {
    const core = this.#core;
    if (this.#ended()) return;
    if (core.timerDue("phase", now)) {
      if (this.phase === "signingOut") {
        this.#dispatch({ type: "TIMEOUT" });
      } else {
        this.#fail("timeout", `No answer from the server while ${this.phase}`);
      }
      return;
    }
    if (core.timerDue("pong", now)) {
      this.#fail("timeout", "No QNG in answer to PNG: the server is gone");
      return;
    }
    if (core.timerDue("ping", now)) {
      core.setTimer("pong", now + this.#timeouts.pong);
      core.transmit(png());
    }
    for (const [trid, p] of core.expire(now)) {
      // QRY is ours, not the application's: a server that neither accepts nor
      // refuses the answer is left to the ping timeout.
      if (p.kind === "QRY") continue;
      this.#emit({ type: "requestFailed", requestId: trid, failure: { reason: "timeout" } });
    }
  }

  // ---- intents ----
  // Each takes an optional trailing `now` (the request's deadline counts from
  // it; without it, from the latest `now` given). Only `UsageError` and
  // `SessionError` ever leave one; a refused argument is
  // `UsageError("invalid-argument")` with the `EncodeError` as `cause`.

  /** Changes our status (`CHG`). Returns the request id. */
  setStatus(
    status: Status,
    options: { clientId?: number; msnObject?: string } = {},
    now?: number,
  ): number {
    return this.#request("set status", now, "CHG", (t) => {
      const msnObject = this.protocol === "MSNP9"
        ? options.msnObject ?? this.#msnObject
        : undefined;
      return chg(t, status, { clientId: options.clientId ?? this.#clientId, msnObject });
    });
  }

  /** Changes our own friendly name (`REA`). */
  rename(friendlyName: string, now?: number): number {
    return this.#request("rename", now, "REA", (t) => rea(t, this.#account, friendlyName));
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
    this.#core.intent(now, () => {
      if (this.#ended()) return;
      if (this.phase === "idle") {
        throw new UsageError("invalid-state", "Cannot sign out: not started");
      }
      this.#dispatch({ type: "SIGN_OUT" });
    });
  }

  // ---- internals ----

  #ended(): boolean {
    return this.#snapshot.status === "done";
  }

  #expectPhase(what: string, phases: SessionPhase[]): void {
    if (this.error) throw this.error;
    if (!phases.includes(this.phase)) {
      throw new UsageError("invalid-state", `Cannot ${what}: session is ${this.phase}`);
    }
  }

  #request(
    what: string,
    now: number | undefined,
    kind: RequestKind,
    build: (trid: number) => Command,
  ): number {
    return this.#core.intent(now, () => {
      if (this.phase !== "online") {
        throw new UsageError("not-online", `Cannot ${what}: session is ${this.phase}`);
      }
      return this.#core.request(kind, this.#timeouts.request, build);
    });
  }

  /**
   * The error boundary's verdict on anything thrown while handling the
   * server's input: a malformed part of one command is a warning once signed
   * in (the session goes on); during sign-in, or anything else, it is fatal.
   */
  #fault(error: unknown): void {
    if (this.#ended()) return;
    if (error instanceof SessionError) {
      this.#dispatch({ type: "FAIL", error });
      return;
    }
    const malformed = error instanceof PayloadError || error instanceof DecodeError;
    if (malformed && !LOGIN_PHASES.has(this.phase)) {
      this.#emit({ type: "warning", error });
      return;
    }
    const what = malformed ? (error as Error).message : "Cannot handle the server's command";
    this.#fail("protocol", what, { cause: error });
  }

  #emit(event: SessionEvent): void {
    // Whatever happens next, the application hears about the synced list first.
    if (this.#syncedPending !== undefined && event.type !== "contactsSynced") this.#flushSynced();
    this.#core.emit(event);
  }

  #fail(
    code: SessionErrorCode,
    message: string,
    extra: { serverCode?: number; serverName?: string; passportCode?: string; cause?: unknown } =
      {},
  ): void {
    this.#dispatch({
      type: "FAIL",
      error: new SessionError(code, message, { phase: this.phase, ...extra }),
    });
  }

  #dispatch(event: LifecycleEvent): void {
    const before = this.#snapshot.value;
    const [next, actions] = transition(lifecycleMachine, this.#snapshot, event);
    this.#snapshot = next;
    for (const action of actions) {
      this.#execute(action.type as string, action.params as Record<string, string>);
    }
    if (next.value !== before) this.#entered(next.value as SessionPhase);
  }

  #execute(type: string, params: Record<string, string> | undefined): void {
    const core = this.#core;
    switch (type) {
      case "connect": {
        const { host, port } = this.#snapshot.context.server;
        if (this.#snapshot.context.redirects > 0) {
          this.#emit({ type: "redirected", host, port });
          if (this.#restartTrids) core.resetTrids();
        }
        core.open(host, port);
        return;
      }
      case "closeConnection":
        return core.close();
      case "sendVer":
        return core.transmit(ver(core.nextTrid(), this.#protocols));
      case "sendCvr":
        return core.transmit(cvr(core.nextTrid(), this.#account, this.#clientInfo));
      case "sendUsrInitial":
        return core.transmit(usrTwnInitial(core.nextTrid(), this.#account));
      case "requestPassport":
        core.output({ type: "passport", account: this.#account, challenge: params!.challenge });
        return;
      case "sendUsrTicket":
        return core.transmit(usrTwnSubsequent(core.nextTrid(), params!.ticket));
      case "sendSyn":
        this.#synTrid = core.nextTrid();
        return core.transmit(syn(this.#synTrid, this.#cache?.version ?? 0));
      case "sendInitialStatus": {
        const msnObject = this.protocol === "MSNP9" ? this.#msnObject : undefined;
        const trid = core.nextTrid();
        core.transmit(chg(trid, this.#initialStatus, { clientId: this.#clientId, msnObject }));
        core.track(trid, "CHG", this.#timeouts.request);
        return;
      }
      case "sendOut":
        return core.transmit(out());
    }
  }

  #entered(phase: SessionPhase): void {
    const core = this.#core;
    const limits: Partial<Record<SessionPhase, number>> = {
      connecting: this.#timeouts.connect,
      negotiating: this.#timeouts.handshake,
      identifying: this.#timeouts.handshake,
      requestingAuth: this.#timeouts.handshake,
      authenticating: this.#timeouts.passport,
      authorizing: this.#timeouts.authorize,
      syncing: this.#timeouts.sync,
      signingOut: this.#timeouts.signOut,
    };
    const limit = limits[phase];
    if (limit === undefined) core.clearTimer("phase");
    else core.setTimer("phase", core.now + limit);
    if (phase === "online") {
      core.setTimer("ping", core.now + this.#timeouts.pingInterval);
    } else if (phase === "signingOut") {
      // OUT is the last thing we send; the sign-out limit alone decides now.
      core.clearTimer("ping");
      core.clearTimer("pong");
    } else if (phase === "closed" || phase === "failed") {
      const { endReason, error } = this.#snapshot.context;
      if (error) core.fail(error);
      else core.end();
      this.#emit(
        error
          ? { type: "signedOut", reason: "error", error }
          : { type: "signedOut", reason: endReason ?? "client" },
      );
    }
  }

  /** A decoder for a new connection, with the SYN fast path on it. */
  #newDecoder(): Decoder {
    return new Decoder({ from: "server", ...this.#decoderLimits, takeLine: this.#takeLine });
  }

  #drainDecoder(closing = false): void {
    this.#core.drain((item) => {
      if (item instanceof DecodeError) {
        if (closing && item.code === "truncated") return;
        if (item.fatal) this.#fail("protocol", item.message, { cause: item });
        else this.#emit({ type: "warning", error: item });
        return;
      }
      if (this.#syncedPending !== undefined && !isSynFormBpr(item)) this.#flushSynced();
      this.#onMessage(parseServerCommand(item));
    }, () => this.#ended());
  }

  #onMessage(m: ServerMessage): void {
    const phase = this.phase;
    if (m.type === "error") {
      this.#onError(m.trid, m.code);
      return;
    }
    if (m.type === "OUT") {
      const reason = m.reason === "OTH"
        ? "otherLocation"
        : m.reason === "SSD"
        ? "serverShutdown"
        : "serverClosed";
      this.#dispatch({ type: "SERVER_OUT", reason });
      return;
    }
    switch (phase) {
      case "negotiating":
        if (m.type === "VER") return this.#onVer(m.versions);
        return;
      case "identifying":
        if (m.type === "CVR") this.#dispatch({ type: "CVR_OK" });
        return;
      case "requestingAuth":
        if (m.type === "XFR_NS" && m.address) {
          if (this.#snapshot.context.redirects >= this.#snapshot.context.maxRedirects) {
            this.#fail(
              "too-many-redirects",
              `More than ${this.#snapshot.context.maxRedirects} redirects`,
            );
          } else {
            this.#dispatch({ type: "XFR_NS", host: m.address.host, port: m.address.port });
          }
        } else if (m.type === "USR_TWN_S") {
          this.#dispatch({ type: "CHALLENGE", challenge: m.challenge });
        }
        return;
      case "authorizing":
        // The profile normally follows USR OK; a server that sends it first is still heard.
        if (m.type === "MSG") return this.#onMsg(m.payload);
        if (m.type === "USR_OK") {
          this.#friendlyName = m.friendlyName;
          this.#emit({
            type: "signedIn",
            passport: m.passport,
            friendlyName: m.friendlyName,
            verified: m.verified ?? true,
            protocol: this.protocol ?? "",
          });
          this.#dispatch({ type: "USR_OK" });
        }
        return;
      case "syncing":
      case "online":
      case "signingOut":
        return this.#onOnline(m);
    }
  }

  #onVer(versions: string[]): void {
    const chosen = versions[0];
    if (chosen === undefined || chosen === "0") {
      this.#fail("version-rejected", `The server supports none of ${this.#protocols.join(", ")}`);
    } else if (!this.#protocols.includes(chosen)) {
      this.#fail("protocol", `The server chose ${chosen}, which was not offered`);
    } else {
      this.#dispatch({ type: "VER_OK", version: chosen });
    }
  }

  #onError(trid: number, code: number): void {
    const info = describeErrorCode(code);
    const pending = this.#core.settle(trid);
    if (pending) {
      if (pending.kind === "QRY") {
        this.#fail("server-error", `Challenge answer refused: ${code} ${info.meaning}`, {
          serverCode: code,
          serverName: info.name,
        });
        return;
      }
      this.#emit({
        type: "requestFailed",
        requestId: trid,
        failure: {
          reason: "server-error",
          serverCode: code,
          serverName: info.name,
          meaning: info.meaning,
        },
      });
      return;
    }
    if (LOGIN_PHASES.has(this.phase) || this.phase === "syncing" || code === 540) {
      this.#fail("server-error", `Server error ${code} ${info.name}: ${info.meaning}`, {
        serverCode: code,
        serverName: info.name,
      });
    }
    // Other stray errors (for a request already timed out) carry no news.
  }

  #complete(trid: number, reply: ServerMessage): boolean {
    if (this.#core.settle(trid) === undefined) return false;
    this.#emit({ type: "requestCompleted", requestId: trid, reply });
    return true;
  }

  #changed(change: ListChange, version?: number): void {
    if (version !== undefined) this.#list.version = version;
    if (this.#synced) this.#emit({ type: "listChanged", change, version: this.#list.version });
  }

  #onOnline(m: ServerMessage): void {
    const list = this.#list;
    switch (m.type) {
      case "MSG":
        return this.#onMsg(m.payload);
      case "SYN":
        if (m.trid !== this.#synTrid || this.#synced) return;
        if (m.contactCount === undefined) {
          // Up to date: the cache is the list (with none, the list is empty). A reply naming
          // another version than the cache's is the server's mistake; keeping the cache and its
          // version makes the next SYN ask for whatever changed, instead of persisting an empty list.
          if (this.#cache) this.#list = ContactList.from(this.#cache);
          return this.#syncDone(true);
        }
        list.clear();
        list.version = m.version;
        this.#inSync = true;
        this.#syncContactsLeft = m.contactCount;
        this.#syncGroupsLeft = m.groupCount ?? 0;
        if (this.#syncContactsLeft === 0 && this.#syncGroupsLeft === 0) this.#syncDone(false);
        return;
      case "GTC":
        list.addPrompt = m.mode;
        if (m.trid !== null && m.version !== undefined) {
          this.#changed({ kind: "addPromptChanged", addPrompt: m.mode }, m.version);
          this.#complete(m.trid, m);
        }
        return;
      case "BLP":
        list.privacy = m.mode;
        if (m.trid !== null && m.version !== undefined) {
          this.#changed({ kind: "privacyChanged", privacy: m.mode }, m.version);
          this.#complete(m.trid, m);
        }
        return;
      case "PRP":
        if (m.value === "") delete list.phones[m.property as PhoneProperty];
        else list.phones[m.property as PhoneProperty] = m.value;
        if (m.trid !== null) {
          this.#changed({ kind: "phoneChanged", property: m.property, value: m.value }, m.version);
          this.#complete(m.trid, m);
        }
        return;
      case "LSG":
        list.setGroup({ id: m.groupId, name: m.name });
        if (!this.#synced && --this.#syncGroupsLeft <= 0 && this.#syncContactsLeft <= 0) {
          this.#syncDone(false);
        }
        return;
      case "LST": {
        const contact: DraftContact = {
          passport: m.passport,
          friendlyName: m.friendlyName,
          lists: sharedLists(m.lists),
          groupIds: m.lists & 1 && m.groupIds.length > 0 ? m.groupIds : NO_GROUPS,
          phones: NO_PHONES as Record<string, string>,
        };
        this.#listed(contact);
        if (!this.#synced && --this.#syncContactsLeft <= 0 && this.#syncGroupsLeft <= 0) {
          this.#syncDone(false);
        }
        return;
      }
      case "BPR":
        this.#phone(m.passport, m.property, m.value, m.version);
        return;
      case "CHG":
        this.#status = m.status;
        this.#emit({
          type: "statusChanged",
          status: m.status,
          ...(m.clientId !== undefined ? { clientId: m.clientId } : {}),
          ...(m.msnObject !== undefined ? { msnObject: m.msnObject } : {}),
        });
        if (m.trid !== 0) this.#complete(m.trid, m);
        return;
      case "ILN":
      case "NLN": {
        const key = m.passport.toLowerCase();
        if (list.get(m.passport)?.friendlyName !== m.friendlyName) {
          list.update(m.passport, { friendlyName: m.friendlyName });
        }
        // Only contacts' presence is kept, so a server cannot grow the map without bound.
        if (list.get(m.passport)) {
          this.#presence.set(key, {
            status: m.status,
            clientId: m.clientId,
            ...(m.msnObject ? { msnObject: m.msnObject } : {}),
          });
        }
        this.#emit({
          type: "presence",
          passport: m.passport,
          status: m.status,
          friendlyName: m.friendlyName,
          clientId: m.clientId,
          ...(m.msnObject !== undefined ? { msnObject: m.msnObject } : {}),
          initial: m.type === "ILN",
        });
        return;
      }
      case "FLN":
        this.#presence.delete(m.passport.toLowerCase());
        this.#emit({ type: "presence", passport: m.passport, status: "FLN", initial: false });
        return;
      case "CHL": {
        const answer = challengeAnswer(m.challenge, this.#product.key);
        const trid = this.#core.nextTrid();
        this.#core.transmit(qry(trid, this.#product.id, answer));
        this.#core.track(trid, "QRY", this.#timeouts.request);
        return;
      }
      case "QRY":
        this.#core.settle(m.trid);
        return;
      case "QNG": {
        this.#core.clearTimer("pong");
        // A server asking for pings more often than every 5 s would make us flood it.
        const wait = m.seconds !== undefined
          ? Math.max(5, m.seconds) * 1000
          : this.#timeouts.pingInterval;
        this.#core.setTimer("ping", this.#core.now + wait);
        return;
      }
      case "ADD": {
        list.addToList(m.passport, m.list, m.friendlyName, m.groupId);
        this.#changed(
          {
            kind: "contactAdded",
            passport: m.passport,
            list: m.list,
            friendlyName: m.friendlyName,
            ...(m.groupId !== undefined ? { groupId: m.groupId } : {}),
          },
          m.version,
        );
        if (m.trid === 0 && m.list === "RL") {
          this.#emit({ type: "addedBy", passport: m.passport, friendlyName: m.friendlyName });
        } else {
          this.#complete(m.trid, m);
        }
        return;
      }
      case "REM":
        list.removeFromList(m.passport, m.list, m.groupId);
        if (m.list === "FL" && m.groupId === undefined) {
          this.#presence.delete(m.passport.toLowerCase());
        }
        this.#changed(
          {
            kind: "contactRemoved",
            passport: m.passport,
            list: m.list,
            ...(m.groupId !== undefined ? { groupId: m.groupId } : {}),
          },
          m.version,
        );
        if (m.trid === 0 && m.list === "RL") {
          this.#emit({ type: "removedBy", passport: m.passport });
        } else this.#complete(m.trid, m);
        return;
      case "ADG":
        list.setGroup({ id: m.groupId, name: m.name });
        this.#changed({ kind: "groupAdded", groupId: m.groupId, name: m.name }, m.version);
        this.#complete(m.trid, m);
        return;
      case "RMG": {
        const leftFl = list.deleteGroup(m.groupId);
        this.#changed({ kind: "groupRemoved", groupId: m.groupId }, m.version);
        for (const passport of leftFl) {
          this.#presence.delete(passport.toLowerCase());
          this.#changed({ kind: "contactRemoved", passport, list: "FL" });
        }
        this.#complete(m.trid, m);
        return;
      }
      case "REG":
        list.setGroup({ id: m.groupId, name: m.name });
        this.#changed({ kind: "groupRenamed", groupId: m.groupId, name: m.name }, m.version);
        this.#complete(m.trid, m);
        return;
      case "REA":
        if (m.passport.toLowerCase() === this.#account.toLowerCase()) {
          this.#friendlyName = m.friendlyName;
          list.version = m.version;
          this.#emit({ type: "renamed", friendlyName: m.friendlyName });
        } else {
          list.update(m.passport, { friendlyName: m.friendlyName });
          this.#changed({
            kind: "contactRenamed",
            passport: m.passport,
            friendlyName: m.friendlyName,
          }, m.version);
        }
        this.#complete(m.trid, m);
        return;
      case "XFR_SB":
        if (this.#core.isPending(m.trid)) {
          this.#emit({
            type: "switchboard",
            requestId: m.trid,
            address: m.address,
            cookie: m.cookie,
          });
          this.#complete(m.trid, m);
        }
        return;
      case "RNG":
        this.#emit({
          type: "invitation",
          sessionId: m.sessionId,
          address: m.address,
          cookie: m.cookie,
          passport: m.passport,
          friendlyName: m.friendlyName,
        });
        return;
    }
  }

  #onMsg(payload: Uint8Array): void {
    let view;
    try {
      view = interpretMessage(parseMime(payload));
    } catch (e) {
      // A payload that is not MIME is the server's mistake, not ours: report and go on.
      if (!(e instanceof PayloadError)) throw e;
      this.#emit({ type: "warning", error: e });
      return;
    }
    if (view.kind === "profile") this.#emit({ type: "profile", profile: view.profile });
    else this.#emit({ type: "notification", message: view });
  }

  /**
   * The SYN hot path, called by the decoder with a line's bytes while no
   * command is queued: a canonical LST or in-SYN BPR handled with the same
   * effect as the general path. Returns `false` for anything else.
   */
  #syncLine(bytes: Uint8Array, start: number, end: number): boolean {
    const contact = lstContact(bytes, start, end);
    if (contact !== undefined) {
      this.#listed(contact);
      if (--this.#syncContactsLeft <= 0 && this.#syncGroupsLeft <= 0) {
        // Inside Decoder.push: the rest of the chunk must not be taken, and the
        // lifecycle moves on before the queue is read.
        this.#inSync = false;
        this.#syncDoneDue = true;
      }
      return true;
    }
    const draft = this.#draft;
    return draft !== undefined && applySynBpr(draft, bytes, start, end);
  }

  /** Stores an LST's contact; it stays a draft (BPRs may follow) until the sync completes. */
  #listed(contact: DraftContact): void {
    this.#list.append(contact);
    this.#draft = contact;
    this.#lastListed = contact.passport;
  }

  /**
   * Applies a BPR: to `passport`, or without one (inside SYN) to the last LST's
   * contact. A draft is changed in place; a contact others may hold is
   * replaced, and the change is an event.
   */
  #phone(
    passport: string | undefined,
    property: string,
    value: string,
    version: number | undefined,
  ): void {
    const draft = this.#draft;
    if (passport === undefined && draft !== undefined) {
      setDraftPhone(draft, property, value);
      return;
    }
    const target = passport ?? this.#lastListed;
    if (target === undefined) return;
    const contact = this.#list.setPhone(target, property, value);
    if (!contact) return;
    this.#changed({ kind: "phoneChanged", passport: contact.passport, property, value }, version);
  }

  #syncDone(fromCache: boolean): void {
    this.#inSync = false;
    this.#synced = true;
    // The last contact's BPRs may still follow its LST; the snapshot waits for them (see
    // #flushSynced), but the initial CHG goes out now: the server sends nothing until it gets it.
    this.#syncedPending = { fromCache };
    this.#dispatch({ type: "SYNC_DONE" });
  }

  /** Emits the deferred `contactsSynced`; from here on contacts are shared with the application. */
  #flushSynced(): void {
    const pending = this.#syncedPending;
    if (pending === undefined) return;
    this.#syncedPending = undefined;
    this.#draft = undefined;
    this.#emit({
      type: "contactsSynced",
      contactList: this.#list.snapshot(),
      fromCache: pending.fromCache,
    });
  }
}

/** An in-SYN `BPR <prop> [value]` (the other form is `BPR <version> <passport> <prop> [value]`). */
function isSynFormBpr(command: Command): boolean {
  return command.name === "BPR" && !(command.args.length >= 3 && /^\d+$/.test(command.args[0]));
}
