// Handlers of our own status (CHG) and contacts' presence (ILN, NLN, FLN).

import type { ServerMessage } from "../codec/mod.ts";
import type { NsState } from "./_ns_state.ts";
import type { SessionEvent } from "./events.ts";
import { presenceEvent } from "./_fast_parse.ts";
import { passportKey } from "./contact_list.ts";

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

/** Phases whose dispatch row handles ILN, NLN and FLN (see _dispatch.ts). */
const SIGNED_IN: ReadonlySet<string> = new Set(["syncing", "online", "signingOut"]);

/**
 * The session's fast path for raw lines (see `ConnectionCore.drain`): the
 * SYN's LST/BPR while the sync receives, then canonical ILN/NLN/FLN lines,
 * handled as {@link onOnline}/{@link onOffline} would, with one contact lookup
 * and no command view. Anything else is left to the general path.
 */
export function nsFastPath(s: NsState): (bytes: Uint8Array, start: number, end: number) => boolean {
  const sync = s.sync.fastLine;
  return (bytes, start, end) => {
    if (sync(bytes, start, end)) return true;
    if (!SIGNED_IN.has(s.phase)) return false;
    const e = presenceEvent(bytes, start, end);
    if (e === undefined) return false;
    // As the general path does before any command but an in-SYN BPR.
    if (s.sync.snapshotDue) s.sync.flush();
    const key = passportKey(e.passport);
    if (e.friendlyName === undefined) {
      s.presence.delete(key);
    } else {
      const list = s.list;
      const contact = list.get(e.passport);
      // Only contacts' presence is kept, so a server cannot grow the map without bound.
      if (contact !== undefined) {
        if (contact.friendlyName !== e.friendlyName) {
          // What list.update() stores, without its spread and second lookup.
          list.set({
            passport: contact.passport,
            friendlyName: e.friendlyName,
            lists: contact.lists,
            groupIds: contact.groupIds,
            phones: contact.phones,
          });
        }
        s.presence.set(
          key,
          e.msnObject === undefined
            ? { status: e.status, clientId: e.clientId }
            : { status: e.status, clientId: e.clientId, msnObject: e.msnObject },
        );
      }
    }
    s.emit(e as SessionEvent);
    return true;
  };
}
