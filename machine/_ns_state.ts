// The notification session's state and the runner of its lifecycle chart:
// what the handler modules (_login, _sync, _lists, _presence, _notices) read
// and change. The chart's actions and delayed events come back from XState's
// pure `transition()` as data; this module carries them out with the
// connection core (outputs, timers).

import { type EventObject, initialTransition, type SnapshotFrom } from "xstate";
import { ChartStepper } from "./_chart_step.ts";
import {
  chg,
  type ClientInfo,
  cvr,
  DecodeError,
  Decoder,
  DEFAULT_CLIENT_INFO,
  EncodeError,
  MSMSGS_PRODUCT,
  out,
  PayloadError,
  png,
  type ProductKey,
  type ServerMessage,
  type Status,
  syn,
  usrTwnInitial,
  usrTwnSubsequent,
  ver,
} from "../codec/mod.ts";
import { ContactList, type ContactListSnapshot } from "./contact_list.ts";
import { SessionError, type SessionErrorCode, type SessionPhase, UsageError } from "./errors.ts";
import type { ListChange, PassportOutput, SessionEvent } from "./events.ts";
import { ChartDelays } from "./_chart_delays.ts";
import { ConnectionCore } from "./_connection.ts";
import { type LifecycleEvent, lifecycleMachine } from "./_lifecycle.ts";
import {
  DEFAULT_SERVER,
  DEFAULT_TIMEOUTS,
  type SessionOptions,
  type SessionTimeouts,
} from "./options.ts";
import { SyncState } from "./_sync.ts";

/** The session's options, resolved and validated. */
export interface NsConfig {
  readonly account: string;
  readonly server: { host: string; port: number };
  readonly protocols: readonly string[];
  readonly clientInfo: ClientInfo;
  readonly product: ProductKey;
  readonly initialStatus: Status;
  readonly clientId: number;
  readonly msnObject: string | undefined;
  readonly cache: ContactListSnapshot | undefined;
  readonly maxRedirects: number;
  readonly restartTrids: boolean;
  readonly timeouts: SessionTimeouts;
  readonly maxLineBytes?: number;
  readonly maxPayloadBytes?: number;
}

/** Resolves and validates the options; a refused one is a `UsageError`. */
export function resolveConfig(options: SessionOptions): NsConfig {
  if (typeof options.account !== "string" || !/^[^\s]+$/.test(options.account)) {
    throw new UsageError(
      "invalid-argument",
      "Cannot create session: account must be a passport without spaces",
    );
  }
  const protocols = options.protocols ?? ["MSNP9", "MSNP8"];
  if (protocols.length === 0) {
    throw new UsageError("invalid-argument", "Cannot create session: no protocol versions");
  }
  const initialStatus = options.initialStatus ?? "NLN";
  if ((initialStatus as string) === "FLN") {
    throw new UsageError(
      "invalid-argument",
      "Cannot create session: FLN is not a status you can set",
    );
  }
  const config: NsConfig = {
    account: options.account,
    server: options.server ?? DEFAULT_SERVER,
    protocols,
    clientInfo: options.clientInfo ?? DEFAULT_CLIENT_INFO,
    product: options.product ?? MSMSGS_PRODUCT,
    initialStatus,
    clientId: options.clientId ?? 0,
    msnObject: options.msnObject,
    cache: options.contactListCache,
    maxRedirects: options.maxRedirects ?? 5,
    restartTrids: options.restartTridsOnRedirect ?? true,
    timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
    maxLineBytes: options.maxLineBytes,
    maxPayloadBytes: options.maxPayloadBytes,
  };
  // Validate the commands we will build from options now, not mid-login.
  try {
    ver(1, protocols);
    cvr(1, config.account, config.clientInfo);
    chg(1, initialStatus, { clientId: config.clientId, msnObject: config.msnObject });
  } catch (e) {
    if (!(e instanceof EncodeError)) throw e;
    throw new UsageError("invalid-argument", `Cannot create session: ${e.message}`, { cause: e });
  }
  return config;
}

/** A contact's presence as the session keeps it. */
export interface Presence {
  status: string;
  clientId?: number;
  msnObject?: string;
}

type Snapshot = SnapshotFrom<typeof lifecycleMachine>;

/** Phases before sign-in completes: anything malformed then is fatal. */
export const LOGIN_PHASES: ReadonlySet<SessionPhase> = new Set([
  "connecting",
  "negotiating",
  "identifying",
  "requestingAuth",
  "authenticating",
  "authorizing",
]);

/** The notification session's mutable state, shared by its handler modules. */
export class NsState {
  readonly config: NsConfig;
  readonly core: ConnectionCore<SessionEvent, PassportOutput>;
  snapshot: Snapshot;
  list: ContactList = new ContactList();
  readonly presence: Map<string, Presence> = new Map();
  status: string | undefined;
  friendlyName = "";
  readonly sync: SyncState;
  // The top-level state, kept so each command's dispatch need not derive it.
  #phase: SessionPhase = "idle";
  /** The chart's pending delayed events (its `after` delays) on the core's timers. */
  readonly #delays: ChartDelays<EventObject>;
  readonly #chart: ChartStepper<typeof lifecycleMachine>;

  constructor(config: NsConfig) {
    this.config = config;
    this.sync = new SyncState(this);
    this.core = new ConnectionCore({
      kind: "ns",
      newDecoder: () =>
        new Decoder({
          from: "server",
          maxLineBytes: config.maxLineBytes,
          maxPayloadBytes: config.maxPayloadBytes,
        }),
      fault: (error) => this.fault(error),
    });
    const input = {
      server: config.server,
      maxRedirects: config.maxRedirects,
      timeouts: config.timeouts,
    };
    const [snapshot] = initialTransition(lifecycleMachine, input);
    this.#chart = new ChartStepper(lifecycleMachine, input);
    this.snapshot = snapshot;
    this.#delays = new ChartDelays(this.core);
  }

  /** The top-level state of the chart. */
  get phase(): SessionPhase {
    return this.#phase;
  }

  /** Whether the session is closed or failed. */
  get ended(): boolean {
    return this.snapshot.status === "done";
  }

  /** Whether the chart is in `state` (e.g. `{ syncing: "receiving" }`). */
  matches(state: Parameters<Snapshot["matches"]>[0]): boolean {
    return this.snapshot.matches(state);
  }

  /** Queues an event; the synced list is always heard before anything that follows it. */
  emit(event: SessionEvent): void {
    if (this.sync.snapshotDue && event.type !== "contactsSynced") this.sync.flush();
    this.core.emit(event);
  }

  /** Fails the session from the current phase. */
  fail(
    code: SessionErrorCode,
    message: string,
    extra: { serverCode?: number; serverName?: string; passportCode?: string; cause?: unknown } =
      {},
  ): void {
    this.dispatch({
      type: "FAIL",
      error: new SessionError(code, message, { phase: this.phase, ...extra }),
    });
  }

  /** Completes the pending request `trid` with `reply`; whether one was pending. */
  complete(trid: number, reply: ServerMessage): boolean {
    if (this.core.settle(trid) === undefined) return false;
    this.emit({ type: "requestCompleted", requestId: trid, reply });
    return true;
  }

  /** Records a list version and, once synced, tells the application about the change. */
  changed(change: ListChange, version?: number): void {
    if (version !== undefined) this.list.version = version;
    if (this.sync.synced) this.emit({ type: "listChanged", change, version: this.list.version });
  }

  /**
   * The error boundary's verdict on anything thrown while handling the
   * server's input: a malformed part of one command is a warning once signed
   * in (the session goes on); during sign-in, or anything else, it is fatal.
   */
  fault(error: unknown): void {
    if (this.ended) return;
    if (error instanceof SessionError) {
      this.dispatch({ type: "FAIL", error });
      return;
    }
    const malformed = error instanceof PayloadError || error instanceof DecodeError;
    if (malformed && !LOGIN_PHASES.has(this.phase)) {
      this.emit({ type: "warning", error });
      return;
    }
    const message = malformed ? error.message : "Cannot handle the server's command";
    this.fail("protocol", message, { cause: error });
  }

  /** Runs the chart on `event` and carries out what it returns. */
  dispatch(event: LifecycleEvent | EventObject): void {
    const before = this.phase;
    const [next, actions] = this.#chart.transition(this.snapshot, event as LifecycleEvent);
    this.snapshot = next;
    const value = next.value;
    this.#phase = (typeof value === "string" ? value : Object.keys(value)[0]) as SessionPhase;
    for (const action of actions) this.#execute(action.type, action.params);
    if (this.phase !== before && this.ended) this.#ended();
  }

  /** Fires the chart's due delayed events, earliest first; whether one fired. */
  fireDue(now: number): boolean {
    let fired = false;
    for (let event = this.#delays.next(now); event !== undefined; event = this.#delays.next(now)) {
      fired = true;
      this.dispatch(event);
      if (this.ended) break;
    }
    return fired;
  }

  #execute(type: string, params: unknown): void {
    const core = this.core;
    const config = this.config;
    // An `after` delay (or its cancellation): a timer of the core; the event returns when due.
    if (this.#delays.handle(type, params, (event) => this.dispatch(event))) return;
    switch (type) {
      case "connect": {
        const { host, port } = this.snapshot.context.server;
        if (this.snapshot.context.redirects > 0) {
          this.emit({ type: "redirected", host, port });
          if (config.restartTrids) core.resetTrids();
        }
        core.open(host, port);
        return;
      }
      case "closeConnection":
        return core.close();
      case "sendVer":
        return core.transmit(ver(core.nextTrid(), config.protocols));
      case "sendCvr":
        return core.transmit(cvr(core.nextTrid(), config.account, config.clientInfo));
      case "sendUsrInitial":
        return core.transmit(usrTwnInitial(core.nextTrid(), config.account));
      case "requestPassport": {
        const { challenge } = params as { challenge: string };
        core.output({ type: "passport", account: config.account, challenge });
        return;
      }
      case "sendUsrTicket":
        return core.transmit(
          usrTwnSubsequent(core.nextTrid(), (params as { ticket: string }).ticket),
        );
      case "sendSyn":
        this.sync.trid = core.nextTrid();
        return core.transmit(syn(this.sync.trid, config.cache?.version ?? 0));
      case "sendInitialStatus": {
        const msnObject = this.snapshot.context.version === "MSNP9" ? config.msnObject : undefined;
        const trid = core.nextTrid();
        core.transmit(chg(trid, config.initialStatus, { clientId: config.clientId, msnObject }));
        core.track(trid, "CHG", config.timeouts.request);
        return;
      }
      case "sendPng":
        return core.transmit(png());
      case "sendOut":
        return core.transmit(out());
    }
  }

  /** Closed or failed: the core stops every timer, and the application hears why. */
  #ended(): void {
    const { endReason, error } = this.snapshot.context;
    this.#delays.clear();
    if (error) this.core.fail(error);
    else this.core.end();
    this.emit(
      error
        ? { type: "signedOut", reason: "error", error }
        : { type: "signedOut", reason: endReason ?? "client" },
    );
  }
}
