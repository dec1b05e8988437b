// Handlers of what the server sends on its own or in answer to a non-list
// request: the CHL challenge and its QRY, QNG, MSG notifications and
// profile, RNG invitations and XFR SB replies.

import {
  challengeAnswer,
  interpretMessage,
  parseMime,
  PayloadError,
  qry,
  type ServerMessage,
} from "../codec/mod.ts";
import type { NsState } from "./_ns_state.ts";

type Msg<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

/**
 * `CHL`: answer the challenge (`QRY`). A challenge that cannot be answered
 * throws a `PayloadError`, which the error boundary reports as a warning:
 * the server decides what an unanswered challenge costs.
 */
export function onChl(s: NsState, m: Msg<"CHL">): void {
  const answer = challengeAnswer(m.challenge, s.config.product.key);
  const trid = s.core.nextTrid();
  s.core.transmit(qry(trid, s.config.product.id, answer));
  s.core.track(trid, "QRY", s.config.timeouts.request);
}

/** `QRY`: the challenge answer was accepted. */
export function onQry(s: NsState, m: Msg<"QRY">): void {
  s.core.settle(m.trid);
}

/** `QNG`: the keepalive's answer (the chart schedules the next `PNG`). */
export function onQng(s: NsState, m: Msg<"QNG">): void {
  s.dispatch({ type: "QNG", ...(m.seconds !== undefined ? { seconds: m.seconds } : {}) });
}

/** `MSG` from Hotmail: the profile or a notification. */
export function onMsg(s: NsState, m: Msg<"MSG">): void {
  let view;
  try {
    view = interpretMessage(parseMime(m.payload));
  } catch (e) {
    // A payload that is not MIME is the server's mistake, not ours: report and go on,
    // even during sign-in (the profile may come before USR OK).
    if (!(e instanceof PayloadError)) throw e;
    s.emit({ type: "warning", error: e });
    return;
  }
  if (view.kind === "profile") s.emit({ type: "profile", profile: view.profile });
  else s.emit({ type: "notification", message: view });
}

/** `XFR … SB`: the switchboard we asked for. */
export function onXfrSb(s: NsState, m: Msg<"XFR_SB">): void {
  if (!s.core.isPending(m.trid)) return;
  s.emit({ type: "switchboard", requestId: m.trid, address: m.address, cookie: m.cookie });
  s.complete(m.trid, m);
}

/** `RNG`: someone invites us to a switchboard. */
export function onRng(s: NsState, m: Msg<"RNG">): void {
  s.emit({
    type: "invitation",
    sessionId: m.sessionId,
    address: m.address,
    cookie: m.cookie,
    passport: m.passport,
    friendlyName: m.friendlyName,
  });
}
