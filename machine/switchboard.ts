import { initialTransition, type SnapshotFrom, transition } from "xstate";
import {
  type AckMode,
  ans,
  buildNudgeMessage,
  buildTypingMessage,
  cal,
  DecodeError,
  Decoder,
  type ImFormat,
  out,
  parseSwitchboardCommand,
  PayloadError,
  sbUsr,
  splitTextMessage,
} from "../codec/mod.ts";
import { ConnectionCore } from "./_connection.ts";
import { SessionError, type SessionErrorCode, UsageError } from "./errors.ts";
import { switchboardChart, type SwitchboardChartEvent } from "./_switchboard_chart.ts";
import type { SwitchboardSnapshot } from "./switchboard_lifecycle.ts";
import type {
  Participant,
  SendFailure,
  SwitchboardEvent,
  SwitchboardOptions,
  SwitchboardOutput,
  SwitchboardPhase,
  SwitchboardTimeouts,
} from "./switchboard_events.ts";
import { MSG_NAK_WINDOW, Outstanding, sendParts } from "./_switchboard_requests.ts";
import { handleServerCommand, Roster, type SwitchboardInternals } from "./_switchboard_incoming.ts";
import { ChartDelays } from "./_chart_delays.ts";
import { checkSwitchboardOptions } from "./_switchboard_options.ts";

type Snapshot = SnapshotFrom<typeof switchboardChart>;

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
  #roster = new Roster();
  #outstanding = new Outstanding();
  readonly #delays: ChartDelays<SwitchboardChartEvent>;
  readonly #internals: SwitchboardInternals;

  /** Creates a session; nothing happens until {@link start}. */
  constructor(options: SwitchboardOptions) {
    this.#timeouts = checkSwitchboardOptions(options);
    this.#options = options;
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
    this.#delays = new ChartDelays(this.#core);
    // The command handlers' view of this session (they live in _switchboard_incoming.ts).
    this.#internals = {
      phase: () => this.phase,
      core: this.#core,
      outstanding: this.#outstanding,
      roster: this.#roster,
      cancelInvitations: options.cancelInvitations !== false,
      dispatch: (event) => this.#dispatch(event),
      fail: (code, message, extra) => this.#fail(code, message, extra),
      ringing: (sessionId) => {
        this.#sessionId ??= sessionId;
      },
    };
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
    return this.#roster.list();
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
      for (
        let event = this.#delays.next(now);
        event !== undefined;
        event = this.#delays.next(now)
      ) {
        this.#dispatch(event);
        if (core.ended) break;
      }
      if (core.ended) return;
      for (const [trid, request] of core.expire(now)) {
        if (request.kind === CAL) {
          this.#emit(this.#outstanding.callFailed(trid, { reason: "timeout" }));
        } else if (request.kind === MSG_NAK_WINDOW) this.#emit(this.#outstanding.partDone(trid));
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
      return this.#outstanding.call(trid, passport);
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
    return sendParts(this.#core, this.#outstanding, this.#roster.passports(), payloads, ack, {
      ack: this.#timeouts.ack,
      nak: this.#timeouts.nak,
    });
  }

  #partFailed(trid: number, failure: SendFailure): void {
    this.#emit(this.#outstanding.partFailed(trid, failure, (t) => this.#core.settle(t)));
  }

  #emit(event: SwitchboardEvent | undefined): void {
    if (event !== undefined) this.#core.emit(event);
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
      default:
        // A phase's time limit: the chart hands it over as data; the core keeps the deadline.
        this.#delays.handle(type, params, (event) => this.#dispatch(event));
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
      for (const event of this.#outstanding.closeAll()) core.emit(event);
      this.#delays.clear();
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
      handleServerCommand(this.#internals, parseSwitchboardCommand(item));
    }, () => this.#core.ended);
  }
}
