// What a switchboard session waits for besides its phase: invitations (CAL) and sends (one MSG
// per part), each ending in exactly one event. The TrIDs' deadlines live in the ConnectionCore;
// this keeps what each TrID belongs to and builds the outcome events.
import { type AckMode, msg } from "../codec/mod.ts";
import type { ConnectionCore } from "./_connection.ts";
import type { InviteFailure, SendFailure, SwitchboardEvent } from "./switchboard_events.ts";

/** Request kind of an acked `MSG` (`A`/`D`): it waits for `ACK` or `NAK`. */
const MSG_ACKED = "MSG";
/** Request kind of an `N` message: only a `NAK` within the window is news. */
export const MSG_NAK_WINDOW = "MSG-N";

type CalReason = Extract<InviteFailure, { serverCode: number }>["reason"];

const CAL_ERRORS: Readonly<Record<number, CalReason>> = {
  215: "already-present",
  216: "blocked",
  217: "offline",
  208: "invalid-address",
  713: "too-fast",
};

/** The typed failure of an invitation answered with error `code` (named `name`). */
export function inviteFailure(code: number, name: string): InviteFailure {
  return { reason: CAL_ERRORS[code] ?? "server-error", serverCode: code, serverName: name };
}

interface Send {
  remaining: number;
  acknowledged: boolean;
  recipients: string[];
}

/** Invitations and sends in flight, by TrID; ids for both come from one counter. */
export class Outstanding {
  #nextId = 0;
  #calls = new Map<number, { inviteId: number; passport: string }>();
  #parts = new Map<number, number>(); // MSG TrID -> send id
  #sends = new Map<number, Send>();

  /** Records a `CAL` and returns its invite id. */
  call(trid: number, passport: string): number {
    const inviteId = ++this.#nextId;
    this.#calls.set(trid, { inviteId, passport });
    return inviteId;
  }

  /** `CAL t RINGING`: the event, or `undefined` when no invitation waits on `trid`. */
  ringing(trid: number, sessionId: string): SwitchboardEvent | undefined {
    const call = this.#calls.get(trid);
    if (call === undefined) return undefined;
    this.#calls.delete(trid);
    return { type: "inviteRinging", ...call, sessionId };
  }

  /** The invitation on `trid` failed: the event, or `undefined` when none waits. */
  callFailed(trid: number, failure: InviteFailure): SwitchboardEvent | undefined {
    const call = this.#calls.get(trid);
    if (call === undefined) return undefined;
    this.#calls.delete(trid);
    return { type: "inviteFailed", ...call, failure };
  }

  /** A new send id (for a send that is complete at once, ack `U`). */
  nextSendId(): number {
    return ++this.#nextId;
  }

  /** Records a send whose parts went out on `trids`; returns its id. */
  send(trids: readonly number[], acknowledged: boolean, recipients: string[]): number {
    const sendId = ++this.#nextId;
    this.#sends.set(sendId, { remaining: trids.length, acknowledged, recipients });
    for (const trid of trids) this.#parts.set(trid, sendId);
    return sendId;
  }

  /** The part on `trid` is done: the send's `sendCompleted` once its last part is. */
  partDone(trid: number): SwitchboardEvent | undefined {
    const sendId = this.#parts.get(trid);
    if (sendId === undefined) return undefined;
    this.#parts.delete(trid);
    const send = this.#sends.get(sendId)!;
    if (--send.remaining > 0) return undefined;
    this.#sends.delete(sendId);
    const { acknowledged, recipients } = send;
    return { type: "sendCompleted", sendId, acknowledged, recipients };
  }

  /**
   * The part on `trid` failed: the whole send fails once. `forget` is called
   * for the send's other parts, whose answers no longer matter.
   */
  partFailed(
    trid: number,
    failure: SendFailure,
    forget: (trid: number) => void,
  ): SwitchboardEvent | undefined {
    const sendId = this.#parts.get(trid);
    if (sendId === undefined) return undefined;
    for (const [t, id] of this.#parts) {
      if (id !== sendId) continue;
      this.#parts.delete(t);
      if (t !== trid) forget(t);
    }
    this.#sends.delete(sendId);
    return { type: "sendFailed", sendId, failure };
  }

  /** The switchboard closed: one failure event per invitation and per send still waiting. */
  closeAll(): SwitchboardEvent[] {
    const events: SwitchboardEvent[] = [];
    for (const trid of [...this.#calls.keys()]) {
      events.push(this.callFailed(trid, { reason: "closed" })!);
    }
    for (const trid of [...this.#parts.keys()]) {
      const event = this.partFailed(trid, { reason: "closed" }, () => {});
      if (event) events.push(event);
    }
    return events;
  }
}

/**
 * Sends a message's parts (one `MSG` each) and records what to wait for: nothing for `U` (done
 * at once), a `NAK` window for `N`, an `ACK` for `A`/`D`. Every part is checked before any is
 * sent. Returns the send id.
 */
export function sendParts(
  core: ConnectionCore<SwitchboardEvent>,
  outstanding: Outstanding,
  recipients: string[],
  payloads: Uint8Array[],
  ack: AckMode,
  limits: { ack: number; nak: number },
): number {
  for (const p of payloads) msg(1, ack, p); // refuse before sending any part
  if (ack === "U") {
    const sendId = outstanding.nextSendId();
    for (const p of payloads) core.transmit(msg(core.nextTrid(), ack, p));
    core.emit({ type: "sendCompleted", sendId, acknowledged: false, recipients });
    return sendId;
  }
  const [kind, limit] = ack === "N" ? [MSG_NAK_WINDOW, limits.nak] : [MSG_ACKED, limits.ack];
  const trids = payloads.map((p) => {
    const trid = core.nextTrid();
    core.transmit(msg(trid, ack, p));
    core.track(trid, kind, limit);
    return trid;
  });
  return outstanding.send(trids, ack !== "N", recipients);
}
