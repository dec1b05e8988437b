// Handlers of contact-list changes outside the sync: replies to our list
// requests and the server's own (RL) changes. Each updates the list (copying
// any contact it changes), reports a `listChanged` once synced, and completes
// the request.

import type { PhoneProperty, ServerMessage } from "../codec/mod.ts";
import type { NsState } from "./_ns_state.ts";

type Msg<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

/** `GTC`: the add-prompt mode (in a SYN, or the reply to ours). */
export function onGtc(s: NsState, m: Msg<"GTC">): void {
  s.list.addPrompt = m.mode;
  if (m.trid !== null && m.version !== undefined) {
    s.changed({ kind: "addPromptChanged", addPrompt: m.mode }, m.version);
    s.complete(m.trid, m);
  }
}

/** `BLP`: the privacy mode (in a SYN, or the reply to ours). */
export function onBlp(s: NsState, m: Msg<"BLP">): void {
  s.list.privacy = m.mode;
  if (m.trid !== null && m.version !== undefined) {
    s.changed({ kind: "privacyChanged", privacy: m.mode }, m.version);
    s.complete(m.trid, m);
  }
}

/** `PRP`: one of our phone numbers (in a SYN, or the reply to ours). */
export function onPrp(s: NsState, m: Msg<"PRP">): void {
  const phones = s.list.phones;
  if (m.value === "") delete phones[m.property as PhoneProperty];
  else phones[m.property as PhoneProperty] = m.value;
  if (m.trid !== null) {
    s.changed({ kind: "phoneChanged", property: m.property, value: m.value }, m.version);
    s.complete(m.trid, m);
  }
}

/** `ADD`: a contact put on a list, by us or (RL, TrID 0) by someone adding us. */
export function onAdd(s: NsState, m: Msg<"ADD">): void {
  s.list.addToList(m.passport, m.list, m.friendlyName, m.groupId);
  s.changed(
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
    s.emit({ type: "addedBy", passport: m.passport, friendlyName: m.friendlyName });
  } else {
    s.complete(m.trid, m);
  }
}

/** `REM`: a contact taken off a list (or a group), by us or (RL, TrID 0) by them. */
export function onRem(s: NsState, m: Msg<"REM">): void {
  s.list.removeFromList(m.passport, m.list, m.groupId);
  if (m.list === "FL" && m.groupId === undefined) s.presence.delete(m.passport.toLowerCase());
  s.changed(
    {
      kind: "contactRemoved",
      passport: m.passport,
      list: m.list,
      ...(m.groupId !== undefined ? { groupId: m.groupId } : {}),
    },
    m.version,
  );
  if (m.trid === 0 && m.list === "RL") s.emit({ type: "removedBy", passport: m.passport });
  else s.complete(m.trid, m);
}

/** `ADG`: a group created. */
export function onAdg(s: NsState, m: Msg<"ADG">): void {
  s.list.setGroup({ id: m.groupId, name: m.name });
  s.changed({ kind: "groupAdded", groupId: m.groupId, name: m.name }, m.version);
  s.complete(m.trid, m);
}

/** `RMG`: a group removed; contacts only in it leave the forward list. */
export function onRmg(s: NsState, m: Msg<"RMG">): void {
  const leftFl = s.list.deleteGroup(m.groupId);
  s.changed({ kind: "groupRemoved", groupId: m.groupId }, m.version);
  for (const passport of leftFl) {
    s.presence.delete(passport.toLowerCase());
    s.changed({ kind: "contactRemoved", passport, list: "FL" });
  }
  s.complete(m.trid, m);
}

/** `REG`: a group renamed. */
export function onReg(s: NsState, m: Msg<"REG">): void {
  s.list.setGroup({ id: m.groupId, name: m.name });
  s.changed({ kind: "groupRenamed", groupId: m.groupId, name: m.name }, m.version);
  s.complete(m.trid, m);
}

/** `REA`: our own friendly name, or a contact's stored name, changed. */
export function onRea(s: NsState, m: Msg<"REA">): void {
  if (m.passport.toLowerCase() === s.config.account.toLowerCase()) {
    s.friendlyName = m.friendlyName;
    s.list.version = m.version;
    s.emit({ type: "renamed", friendlyName: m.friendlyName });
  } else {
    s.list.update(m.passport, { friendlyName: m.friendlyName });
    s.changed(
      { kind: "contactRenamed", passport: m.passport, friendlyName: m.friendlyName },
      m.version,
    );
  }
  s.complete(m.trid, m);
}
