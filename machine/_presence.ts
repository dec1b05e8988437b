// Handlers of our own status (CHG) and contacts' presence (ILN, NLN, FLN).

import type { ServerMessage } from "../codec/mod.ts";
import type { NsState } from "./_ns_state.ts";

type Msg<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

/** `CHG`: our status as the server confirms it. */
export function onChg(s: NsState, m: Msg<"CHG">): void {
  s.status = m.status;
  s.emit({
    type: "statusChanged",
    status: m.status,
    ...(m.clientId !== undefined ? { clientId: m.clientId } : {}),
    ...(m.msnObject !== undefined ? { msnObject: m.msnObject } : {}),
  });
  if (m.trid !== 0) s.complete(m.trid, m);
}

/** `ILN` (initial) or `NLN`: a contact is online, or changed status or name. */
export function onOnline(s: NsState, m: Msg<"ILN" | "NLN">): void {
  const list = s.list;
  if (list.get(m.passport)?.friendlyName !== m.friendlyName) {
    list.update(m.passport, { friendlyName: m.friendlyName });
  }
  // Only contacts' presence is kept, so a server cannot grow the map without bound.
  if (list.get(m.passport)) {
    s.presence.set(m.passport.toLowerCase(), {
      status: m.status,
      clientId: m.clientId,
      ...(m.msnObject ? { msnObject: m.msnObject } : {}),
    });
  }
  s.emit({
    type: "presence",
    passport: m.passport,
    status: m.status,
    friendlyName: m.friendlyName,
    clientId: m.clientId,
    ...(m.msnObject !== undefined ? { msnObject: m.msnObject } : {}),
    initial: m.type === "ILN",
  });
}

/** `FLN`: a contact went offline. */
export function onOffline(s: NsState, m: Msg<"FLN">): void {
  s.presence.delete(m.passport.toLowerCase());
  s.emit({ type: "presence", passport: m.passport, status: "FLN", initial: false });
}
