// What each switchboard server command means for the session, as plain functions over a narrow
// view of the session's internals: the roster, the requests in flight and the chart.
import {
  buildInvitationCancel,
  interpretSwitchboardPayload,
  msg,
  type SwitchboardServerMessage,
} from "../codec/mod.ts";
import type { ConnectionCore } from "./_connection.ts";
import type { SessionErrorCode } from "./errors.ts";
import type { SwitchboardChartEvent } from "./_switchboard_chart.ts";
import { inviteFailure, type Outstanding } from "./_switchboard_requests.ts";
import type { Participant, SwitchboardEvent, SwitchboardPhase } from "./switchboard_events.ts";

/** The participants other than us, keyed by passport in lower case, in the order they came. */
export class Roster {
  readonly #members = new Map<string, Participant>();

  /** Adds (or renames) someone; the `participantJoined` event when they are new. */
  join(passport: string, friendlyName: string, initial: boolean): SwitchboardEvent | undefined {
    const key = passport.toLowerCase();
    const known = this.#members.has(key);
    this.#members.set(key, { passport, friendlyName });
    return known ? undefined : { type: "participantJoined", passport, friendlyName, initial };
  }

  /** Removes someone; the `participantLeft` event when they were there. */
  leave(passport: string, timedOut: boolean): SwitchboardEvent | undefined {
    if (!this.#members.delete(passport.toLowerCase())) return undefined;
    return { type: "participantLeft", passport, timedOut };
  }

  /** Copies of the participants. */
  list(): Participant[] {
    return [...this.#members.values()].map((p) => ({ ...p }));
  }

  /** Their passports. */
  passports(): string[] {
    return [...this.#members.values()].map((p) => p.passport);
  }
}

/** What the handlers may see and do of the session. */
export interface SwitchboardInternals {
  /** The current phase. */
  phase(): SwitchboardPhase;
  /** The connection core. */
  readonly core: ConnectionCore<SwitchboardEvent>;
  /** Invitations and sends in flight. */
  readonly outstanding: Outstanding;
  /** The other participants. */
  readonly roster: Roster;
  /** Whether to answer an `INVITE` with a CANCEL. */
  readonly cancelInvitations: boolean;
  /** Feeds the chart. */
  dispatch(event: SwitchboardChartEvent): void;
  /** Fails the session. */
  fail(code: SessionErrorCode, message: string, extra: Record<string, unknown>): void;
  /** Records the session id from the first `CAL … RINGING` (calls only). */
  ringing(sessionId: string): void;
}

function emit(sb: SwitchboardInternals, event: SwitchboardEvent | undefined): void {
  if (event !== undefined) sb.core.emit(event);
}

/** Handles one switchboard server command. */
export function handleServerCommand(sb: SwitchboardInternals, m: SwitchboardServerMessage): void {
  const { core, outstanding } = sb;
  switch (m.type) {
    case "error":
      return handleError(sb, m.trid, m.code, m.name);
    case "USR_OK":
      if (sb.phase() === "authenticating") sb.dispatch({ type: "AUTHENTICATED" });
      return;
    case "ANS_OK":
      if (sb.phase() === "answering") sb.dispatch({ type: "AUTHENTICATED" });
      return;
    case "IRO":
      return emit(sb, sb.roster.join(m.passport, m.friendlyName, true));
    case "JOI":
      return emit(sb, sb.roster.join(m.passport, m.friendlyName, false));
    case "BYE":
      return emit(sb, sb.roster.leave(m.passport, m.timedOut));
    case "CAL":
      if (core.settle(m.trid) === undefined) return;
      sb.ringing(m.sessionId);
      return emit(sb, outstanding.ringing(m.trid, m.sessionId));
    case "ACK":
      if (core.settle(m.trid) !== undefined) emit(sb, outstanding.partDone(m.trid));
      return;
    case "NAK":
      if (core.settle(m.trid) === undefined) return;
      return emit(sb, outstanding.partFailed(m.trid, { reason: "nak" }, (t) => core.settle(t)));
    case "OUT":
      return sb.dispatch({ type: "SERVER_OUT" });
    case "MSG": {
      const content = interpretSwitchboardPayload(m.payload);
      core.emit({ type: "message", from: m.sender, friendlyName: m.senderName, content });
      if (
        content.kind === "invitation" && content.command === "INVITE" &&
        content.cookie !== undefined && sb.cancelInvitations && sb.phase() === "open"
      ) {
        // Unsupported invitations get a CANCEL, not silence; its answer (if any) is ignored.
        core.transmit(msg(core.nextTrid(), "N", buildInvitationCancel(content.cookie)));
      }
      return;
    }
  }
}

function handleError(sb: SwitchboardInternals, trid: number, code: number, name: string): void {
  const request = sb.core.settle(trid);
  if (request?.kind === "CAL") {
    return emit(sb, sb.outstanding.callFailed(trid, inviteFailure(code, name)));
  }
  if (request !== undefined) {
    const failure = { reason: "server-error", serverCode: code, serverName: name } as const;
    return emit(sb, sb.outstanding.partFailed(trid, failure, (t) => sb.core.settle(t)));
  }
  if (sb.phase() === "authenticating" || sb.phase() === "answering") {
    // 911: the cookie was refused (bad, used or expired); the server closes.
    sb.fail("server-error", `Switchboard refused us: ${code} ${name}`, {
      serverCode: code,
      serverName: name,
    });
  }
  // Otherwise an error for no request of ours: nothing waits for it.
}
