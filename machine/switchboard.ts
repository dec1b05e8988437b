import { initialTransition, type SnapshotFrom, transition } from "xstate";
import {
  type AckMode,
  ans,
  buildInvitationCancel,
  buildNudgeMessage,
  buildTypingMessage,
  cal,
  DecodeError,
  Decoder,
  EncodeError,
  type ImFormat,
  interpretSwitchboardPayload,
  msg,
  out,
  parseSwitchboardCommand,
  PayloadError,
  sbUsr,
  splitTextMessage,
  type SwitchboardServerMessage,
} from "../codec/mod.ts";
import { ConnectionCore } from "./_connection.ts";
import { SessionError, type SessionErrorCode, UsageError } from "./errors.ts";
import {
  switchboardChart,
  type SwitchboardChartContext,
  type SwitchboardChartEvent,
} from "./_switchboard_chart.ts";
import type { LifecycleLogic } from "./lifecycle.ts";
import {
  DEFAULT_SWITCHBOARD_TIMEOUTS,
  type InviteFailure,
  type Participant,
  type SendFailure,
  type SwitchboardEvent,
  type SwitchboardOptions,
  type SwitchboardOutput,
  type SwitchboardPhase,
  type SwitchboardTimeouts,
} from "./switchboard_events.ts";
import { inviteFailure } from "./_switchboard_requests.ts";

type Snapshot = SnapshotFrom<typeof switchboardChart>;

/** A switchboard chart snapshot as plain data: the phase and the chart's context. */
export interface SwitchboardSnapshot {
  /** The phase (state value), e.g. `"open"`. */
  readonly value: unknown;
  /** `"active"` while running, `"done"` once closed or failed. */
  readonly status: string;
  /** The chart's context. */
  readonly context: SwitchboardChartContext;
}

/**
 * The switchboard lifecycle as an XState v5 machine, for `createActor` and
 * the Stately inspector. {@link SwitchboardSession} runs this same machine
 * through XState's pure `transition()`; its custom actions are no-ops here.
 *
 * Input: `{ mode: "call" | "answer", timeouts }`.
 *
 * @example Watch the phases with an actor
 * ```ts
 * import { createActor } from "xstate";
 * import { DEFAULT_SWITCHBOARD_TIMEOUTS, switchboardLifecycle } from "@msnp/client/machine";
 * const actor = createActor(switchboardLifecycle, {
 *   input: { mode: "call", timeouts: DEFAULT_SWITCHBOARD_TIMEOUTS },
 * });
 * actor.start();
 * actor.send({ type: "START" });
 * console.log((actor.getSnapshot() as { value: unknown }).value); // "connecting"
 * actor.stop();
 * ```
 */
export const switchboardLifecycle: LifecycleLogic = switchboardChart;

/** The state of one send (one intent; split text has several parts). */
interface Send {
  remaining: number;
  acknowledged: boolean;
  recipients: string[];
}

const MSG_ACKED = "MSG";
const MSG_NAK_WINDOW = "MSG-N";
const CAL = "CAL";

/**
 * One switchboard connection (a conversation) as a sans-IO state machine on
 * the shared connection core: no socket, timer or clock inside.
 *
 * Entered from an `XFR SB` reply (`mode: "call"`: `USR t me cookie` →
 * `USR t OK me name`, then `CAL` for each invitee) or from an `RNG`
 * (`mode: "answer"`: `ANS t me cookie sessid` → `IRO`… → `ANS t OK`). The
 * roster follows `IRO`, `JOI` and `BYE`. Each send returns an id whose
 * outcome is one `sendCompleted` or `sendFailed` event; each invitation an
 * id with one `inviteRinging` or `inviteFailed`. Every wait has a time limit
 * ({@link SwitchboardTimeouts}).
 *
 * Inputs: {@link start}, {@link handleConnected}, {@link handleData},
 * {@link handleClosed}, {@link handleTimeout}; intents {@link invite},
 * {@link sendText}, {@link sendTyping}, {@link sendNudge}, {@link sendRaw},
 * {@link leave}, each with an optional trailing `now`. Outputs:
 * {@link poll} (connect, transmit, close, event) and {@link pollTimeout}.
 * Only `SessionError` and `UsageError` ever leave a method.
 *
 * @example Answer an invitation by hand
 * ```ts
 * import { SwitchboardSession } from "@msnp/client/machine";
 * const sb = new SwitchboardSession({
 *   mode: "answer",
 *   address: { host: "127.0.0.1", port: 1864 },
 *   cookie: "1056411141.26158",
 *   sessionId: "17342299",
 *   account: "alice@passport.com",
 * });
 * sb.start(0);
 * sb.poll(); // { type: "connect", host: "127.0.0.1", port: 1864, kind: "sb" }
 * sb.handleConnected(1);
 * sb.poll(); // { type: "transmit", bytes: "ANS 1 alice@passport.com 1056411141.26158 17342299\r\n" }
 * ```
 */
export class SwitchboardSession {
  readonly #options: SwitchboardOptions;
  readonly #timeouts: SwitchboardTimeouts;
  readonly #core: ConnectionCore<SwitchboardEvent>;
  #snapshot: Snapshot;
  #sessionId: string | undefined;
  #participants = new Map<string, Participant>();
  #nextId = 0;
  #calls = new Map<number, { inviteId: number; passport: string }>();
  #parts = new Map<number, number>(); // MSG TrID -> send id
  #sends = new Map<number, Send>();
  #delayed = new Map<string, SwitchboardChartEvent>(); // chart `after` events by id

  /** Creates a session; nothing happens until {@link start}. */
  constructor(options: SwitchboardOptions) {
    if (options.mode !== "call" && options.mode !== "answer") {
      throw new UsageError(
        "invalid-argument",
        'Cannot create switchboard: mode must be "call" or "answer"',
      );
    }
    const { address } = options;
    if (
      typeof address?.host !== "string" || address.host === "" || !Number.isInteger(address.port) ||
      address.port < 1 || address.port > 65535
    ) {
      throw new UsageError("invalid-argument", "Cannot create switchboard: invalid address");
    }
    try {
      // Validate what we will send from the options now, not mid-handshake.
      if (options.mode === "call") {
        sbUsr(1, options.account, options.cookie);
        for (const p of options.invitees ?? []) cal(1, p);
      } else ans(1, options.account, options.cookie, options.sessionId);
    } catch (e) {
      if (!(e instanceof EncodeError)) throw e;
      throw new UsageError("invalid-argument", `Cannot create switchboard: ${e.message}`, {
        cause: e,
      });
    }
    this.#options = options;
    this.#timeouts = { ...DEFAULT_SWITCHBOARD_TIMEOUTS, ...options.timeouts };
    this.#sessionId = options.mode === "answer" ? options.sessionId : undefined;
    this.#core = new ConnectionCore<SwitchboardEvent>({
      kind: "sb",
      newDecoder: () =>
        new Decoder({
          from: "server",
          maxLineBytes: options.maxLineBytes,
          maxPayloadBytes: options.maxPayloadBytes,
        }),
      fault: (error) => this.#fault(error),
    });
    [this.#snapshot] = initialTransition(switchboardChart, {
      mode: options.mode,
      timeouts: this.#timeouts,
    });
  }

  // ---- getters ----

  /** The current phase. */
  get phase(): SwitchboardPhase {
    return this.#snapshot.value as SwitchboardPhase;
  }

  /** The failure, once in phase `failed`. */
  get error(): SessionError | undefined {
    return this.#snapshot.context.error;
  }

  /** The switchboard session id: from `RNG` when answering, from `CAL … RINGING` when calling. */
  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  /** The other participants now, in the order they came (copies). */
  get participants(): Participant[] {
    return [...this.#participants.values()].map((p) => ({ ...p }));
  }

  /** Our own passport. */
  get account(): string {
    return this.#options.account;
  }

  /** The XState snapshot of the chart (serializable; for inspection). */
  get machineSnapshot(): SwitchboardSnapshot {
    return this.#snapshot;
  }

  // ---- outputs ----

  /** The next output, or `undefined` when there is none. */
  poll(): SwitchboardOutput | undefined {
    return this.#core.poll();
  }

  /** When {@link handleTimeout} should next be called, or `undefined` if nothing is timed. */
  pollTimeout(): number | undefined {
    return this.#core.pollTimeout();
  }

  // ---- inputs ----

  /** Starts: the first output asks to connect to the switchboard (`kind: "sb"`). */
  start(now: number): void {
    if (this.phase !== "idle") {
      throw new UsageError("invalid-state", `Cannot start switchboard: already ${this.phase}`);
    }
    this.#core.input(now, () => this.#dispatch({ type: "START" }));
  }

  /** The connection asked for by the `connect` output is open. */
  handleConnected(now: number): void {
    this.#core.input(now, () => {
      if (this.#core.ended) return;
      this.#core.connected();
      this.#dispatch({ type: "CONNECTED" });
    });
  }

  /** Bytes arrived from the switchboard. The chunk is not retained. */
  handleData(bytes: Uint8Array, now: number): void {
    this.#core.input(now, () => {
      if (this.#core.ended || this.#core.connection !== "open") return;
      if (this.#core.push(bytes) && !this.#core.ended) this.#drain(false);
    });
  }

  /** The connection closed (by the server, or it failed to open). */
  handleClosed(now: number): void {
    this.#core.input(now, () => {
      if (this.#core.ended || this.#core.connection === "none") return;
      if (this.#core.lost()) {
        // What the server sent just before closing still counts.
        this.#core.decoder.end();
        this.#drain(true);
        if (this.#core.ended) return;
      }
      this.#dispatch({ type: "CONNECTION_CLOSED" });
    });
  }

  /** Time passed; call at (or after) the time {@link pollTimeout} returned. Earlier is harmless. */
  handleTimeout(now: number): void {
    this.#core.input(now, () => {
      const core = this.#core;
      for (const [id, event] of this.#delayed) {
        if (core.ended) return;
        if (core.timerDue(`chart:${id}`, now)) {
          this.#delayed.delete(id);
          this.#dispatch(event);
        }
      }
      if (core.ended) return;
      for (const [trid, request] of core.expire(now)) {
        if (request.kind === CAL) this.#callFailed(trid, { reason: "timeout" });
        else if (request.kind === MSG_NAK_WINDOW) this.#partDone(trid);
        else this.#partFailed(trid, { reason: "timeout" });
      }
    });
  }

  // ---- intents ----

  /**
   * Invites a contact (`CAL`). Returns the invite id of its `inviteRinging`
   * or `inviteFailed` event; the contact is in at `participantJoined`.
   */
  invite(passport: string, now?: number): number {
    return this.#intent(now, "invite", () => {
      const trid = this.#core.request(CAL, this.#timeouts.call, (t) => cal(t, passport));
      const inviteId = ++this.#nextId;
      this.#calls.set(trid, { inviteId, passport });
      return inviteId;
    });
  }

  /**
   * Sends text (ack `A`), split over several messages when it does not fit
   * in one. `format` overrides the session's `textFormat`. Returns the send id.
   */
  sendText(text: string, options: { format?: ImFormat } = {}, now?: number): number {
    return this.#intent(now, "send text", () => {
      const format = options.format ?? this.#options.textFormat;
      return this.#send(splitTextMessage(text, format === undefined ? {} : { format }), "A");
    });
  }

  /** Sends a typing notification (ack `U`: completes at once, unacknowledged). Returns the send id. */
  sendTyping(now?: number): number {
    return this.#intent(now, "send typing", () => {
      return this.#send([buildTypingMessage(this.#options.account)], "U");
    });
  }

  /** Sends a nudge (ack `N`). Returns the send id. */
  sendNudge(now?: number): number {
    return this.#intent(now, "send nudge", () => this.#send([buildNudgeMessage()], "N"));
  }

  /**
   * Sends a payload as it is (a whole MIME message, at most 1664 bytes) with
   * the given ack mode (`D` for P2P). Returns the send id.
   */
  sendRaw(payload: Uint8Array, ack: AckMode, now?: number): number {
    return this.#intent(now, "send", () => this.#send([payload], ack));
  }

  /**
   * Leaves: sends `OUT` and keeps reading until the server closes (at most
   * `timeouts.leave`). Before the switchboard accepted us it just closes.
   * Does nothing once leaving or ended.
   */
  leave(now?: number): void {
    this.#core.intent(now, () => {
      if (this.phase === "idle") {
        throw new UsageError("invalid-state", "Cannot leave switchboard: not started");
      }
      if (!this.#core.ended) this.#dispatch({ type: "LEAVE" });
    });
  }

  // ---- internals ----

  #intent<T>(now: number | undefined, what: string, run: () => T): T {
    return this.#core.intent(now, () => {
      if (this.phase !== "open") {
        throw new UsageError("not-online", `Cannot ${what}: switchboard is ${this.phase}`);
      }
      try {
        return run();
      } catch (e) {
        if (e instanceof PayloadError) {
          throw new UsageError("invalid-argument", e.message, { cause: e });
        }
        throw e;
      }
    });
  }

  #send(payloads: Uint8Array[], ack: AckMode): number {
    const core = this.#core;
    for (const p of payloads) msg(1, ack, p); // refuse before sending any part
    const sendId = ++this.#nextId;
    const recipients = [...this.#participants.values()].map((p) => p.passport);
    if (ack === "U") {
      for (const p of payloads) core.transmit(msg(core.nextTrid(), ack, p));
      core.emit({ type: "sendCompleted", sendId, acknowledged: false, recipients });
      return sendId;
    }
    this.#sends.set(sendId, { remaining: payloads.length, acknowledged: ack !== "N", recipients });
    const [kind, limit] = ack === "N"
      ? [MSG_NAK_WINDOW, this.#timeouts.nak]
      : [MSG_ACKED, this.#timeouts.ack];
    for (const p of payloads) {
      const trid = core.nextTrid();
      core.transmit(msg(trid, ack, p));
      core.track(trid, kind, limit);
      this.#parts.set(trid, sendId);
    }
    return sendId;
  }

  #partDone(trid: number): void {
    const sendId = this.#parts.get(trid);
    if (sendId === undefined) return;
    this.#parts.delete(trid);
    const send = this.#sends.get(sendId)!;
    if (--send.remaining > 0) return;
    this.#sends.delete(sendId);
    this.#core.emit({
      type: "sendCompleted",
      sendId,
      acknowledged: send.acknowledged,
      recipients: send.recipients,
    });
  }

  #partFailed(trid: number, failure: SendFailure): void {
    const sendId = this.#parts.get(trid);
    if (sendId === undefined) return;
    // The first failing part decides; the others' answers no longer matter.
    for (const [t, id] of this.#parts) {
      if (id !== sendId) continue;
      this.#parts.delete(t);
      this.#core.settle(t);
    }
    this.#sends.delete(sendId);
    this.#core.emit({ type: "sendFailed", sendId, failure });
  }

  #callFailed(trid: number, failure: InviteFailure): void {
    const call = this.#calls.get(trid);
    if (call === undefined) return;
    this.#calls.delete(trid);
    this.#core.emit({ type: "inviteFailed", ...call, failure });
  }

  #fault(error: unknown): void {
    if (this.#core.ended) return;
    if (error instanceof SessionError) return this.#dispatch({ type: "FAIL", error });
    const malformed = error instanceof PayloadError || error instanceof DecodeError;
    if (malformed && (this.phase === "open" || this.phase === "leaving")) {
      this.#core.emit({ type: "warning", error });
      return;
    }
    const what = malformed ? (error as Error).message : "Cannot handle the switchboard's command";
    this.#fail("protocol", what, { cause: error });
  }

  #fail(code: SessionErrorCode, message: string, extra: Record<string, unknown> = {}): void {
    const error = new SessionError(code, message, { phase: this.phase, ...extra });
    this.#dispatch({ type: "FAIL", error });
  }

  #dispatch(event: SwitchboardChartEvent): void {
    const before = this.#snapshot.value;
    const [next, actions] = transition(switchboardChart, this.#snapshot, event);
    this.#snapshot = next;
    for (const action of actions) {
      this.#execute(action.type as string, action.params as Record<string, unknown> | undefined);
    }
    if (next.value !== before) this.#entered(next.value as SwitchboardPhase);
  }

  #execute(type: string, params: Record<string, unknown> | undefined): void {
    const core = this.#core;
    const o = this.#options;
    switch (type) {
      case "connect":
        return core.open(o.address.host, o.address.port);
      case "closeConnection":
        return core.close();
      case "sendUsr":
        return core.transmit(sbUsr(core.nextTrid(), o.account, o.cookie));
      case "sendAns":
        if (o.mode === "answer") {
          core.transmit(ans(core.nextTrid(), o.account, o.cookie, o.sessionId));
        }
        return;
      case "sendOut":
        return core.transmit(out());
      case "xstate.raise": {
        // A phase's time limit: the chart hands it over as data; the core keeps the deadline.
        const { id, delay, event } = params as {
          id: string;
          delay: number;
          event: SwitchboardChartEvent;
        };
        this.#delayed.set(id, event);
        return core.setTimer(`chart:${id}`, core.now + delay);
      }
      case "xstate.cancel": {
        const id = (params as { sendId: string }).sendId;
        this.#delayed.delete(id);
        return core.clearTimer(`chart:${id}`);
      }
    }
  }

  #entered(phase: SwitchboardPhase): void {
    const core = this.#core;
    if (phase === "open") {
      const sessionId = this.#sessionId;
      const participants = this.participants;
      core.emit(
        sessionId === undefined
          ? { type: "ready", participants }
          : { type: "ready", sessionId, participants },
      );
      if (this.#options.mode === "call") {
        for (const p of this.#options.invitees ?? []) this.invite(p);
      }
    } else if (phase === "closed" || phase === "failed") {
      // Every wait ends here, each with its own outcome, before the session's last event.
      for (const trid of [...this.#calls.keys()]) this.#callFailed(trid, { reason: "closed" });
      for (const trid of [...this.#parts.keys()]) this.#partFailed(trid, { reason: "closed" });
      this.#delayed.clear();
      const { error, endReason } = this.#snapshot.context;
      if (error) core.fail(error);
      else core.end();
      core.emit(
        error
          ? { type: "ended", reason: "error", error }
          : { type: "ended", reason: endReason ?? "left" },
      );
    }
  }

  #drain(closing: boolean): void {
    this.#core.drain((item) => {
      if (item instanceof DecodeError) {
        if (closing && item.code === "truncated") return;
        if (item.fatal) this.#fail("protocol", item.message, { cause: item });
        else this.#fault(item);
        return;
      }
      this.#onCommand(parseSwitchboardCommand(item));
    }, () => this.#core.ended);
  }

  #onCommand(m: SwitchboardServerMessage): void {
    const core = this.#core;
    const phase = this.phase;
    switch (m.type) {
      case "error": {
        const request = core.settle(m.trid);
        if (request?.kind === CAL) return this.#callFailed(m.trid, inviteFailure(m.code, m.name));
        if (request !== undefined) {
          return this.#partFailed(m.trid, {
            reason: "server-error",
            serverCode: m.code,
            serverName: m.name,
          });
        }
        if (phase === "authenticating" || phase === "answering") {
          // 911: the cookie was refused (bad, used or expired); the server closes.
          this.#fail("server-error", `Switchboard refused us: ${m.code} ${m.name}`, {
            serverCode: m.code,
            serverName: m.name,
          });
        }
        return; // an error for no request of ours: nothing waits for it
      }
      case "USR_OK":
        if (phase === "authenticating") this.#dispatch({ type: "AUTHENTICATED" });
        return;
      case "ANS_OK":
        if (phase === "answering") this.#dispatch({ type: "AUTHENTICATED" });
        return;
      case "IRO":
        return this.#joined(m.passport, m.friendlyName, true);
      case "JOI":
        return this.#joined(m.passport, m.friendlyName, false);
      case "BYE": {
        if (!this.#participants.delete(m.passport.toLowerCase())) return;
        core.emit({ type: "participantLeft", passport: m.passport, timedOut: m.timedOut });
        return;
      }
      case "CAL": {
        const call = this.#calls.get(m.trid);
        if (call === undefined || core.settle(m.trid) === undefined) return;
        this.#calls.delete(m.trid);
        this.#sessionId ??= m.sessionId;
        core.emit({ type: "inviteRinging", ...call, sessionId: m.sessionId });
        return;
      }
      case "ACK":
        if (core.settle(m.trid) !== undefined) this.#partDone(m.trid);
        return;
      case "NAK":
        if (core.settle(m.trid) !== undefined) this.#partFailed(m.trid, { reason: "nak" });
        return;
      case "OUT":
        return this.#dispatch({ type: "SERVER_OUT" });
      case "MSG": {
        const content = interpretSwitchboardPayload(m.payload);
        core.emit({ type: "message", from: m.sender, friendlyName: m.senderName, content });
        if (
          content.kind === "invitation" && content.command === "INVITE" &&
          content.cookie !== undefined && this.#options.cancelInvitations !== false &&
          phase === "open"
        ) {
          // Unsupported invitations get a CANCEL, not silence; its answer (if any) is ignored.
          core.transmit(msg(core.nextTrid(), "N", buildInvitationCancel(content.cookie)));
        }
        return;
      }
    }
  }

  #joined(passport: string, friendlyName: string, initial: boolean): void {
    const key = passport.toLowerCase();
    const known = this.#participants.has(key);
    this.#participants.set(key, { passport, friendlyName });
    if (!known) this.#core.emit({ type: "participantJoined", passport, friendlyName, initial });
  }
}
