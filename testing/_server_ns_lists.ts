// Private to testing/: the loopback notification server's list management (ADD, REM, ADG, RMG,
// REG, REA, BLP, GTC, PRP) for one signed-in connection, as plain functions over the narrow view
// of it below. Limits are the codec's: the server refuses exactly what the builders refuse to send.
import { type Command, DecodeError, urlEncode } from "../codec/mod.ts";
import { type ClientListCommand, parseClientListCommand } from "../codec/_client_views.ts";
import {
  MAX_FRIENDLY_NAME_BYTES as MAX_NAME,
  MAX_GROUP_NAME_BYTES as MAX_GROUP_NAME,
  MAX_PHONE_BYTES as MAX_PHONE,
} from "../codec/client_commands.ts";
import type { LoopbackList, LoopbackPhone } from "./_server_types.ts";
import {
  type AccountState,
  addReverse,
  type Hub,
  PHONE_ORDER,
  removeReverse,
} from "./_server_state.ts";
import type { Link } from "./_server_link.ts";

const USER_LISTS = new Set(["FL", "AL", "BL"]);
const MAX_GROUPS = 30;

/** What list management needs of a signed-in notification connection. */
export interface ListSession {
  readonly link: Link;
  readonly account: AccountState;
  readonly hub: Hub;
  readonly version: string;
  /** Bumps `account`'s list version (this session's by default) and returns it. */
  bump(account?: AccountState): string;
  /** Tells this session about `targetKey`'s presence as it now stands. */
  sync(targetKey: string, ilnTrid?: number): void;
  /** Forgets what this session was told about `key` (it left the forward list). */
  forget(key: string): void;
}

/**
 * Handles a list-management command; `false` when `c` is not one. The codec's view reads the
 * arguments; one it cannot read gets 201, as from a real server.
 */
export function handleListCommand(s: ListSession, c: Command, t: number): boolean {
  let v: ClientListCommand | undefined;
  try {
    v = parseClientListCommand(c);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    s.link.error(201, t);
    return true;
  }
  if (v === undefined) return false;
  switch (v.type) {
    case "ADD":
      add(s, v, t);
      break;
    case "REM":
      rem(s, v, t);
      break;
    case "ADG":
      adg(s, v, t);
      break;
    case "RMG":
      rmg(s, v, t);
      break;
    case "REG":
      reg(s, v, t);
      break;
    case "REA":
      rea(s, v, t);
      break;
    case "BLP":
    case "GTC":
      mode(s, v, t);
      break;
    case "PRP":
      prp(s, v, t);
      break;
  }
  return true;
}

type View<T extends ClientListCommand["type"]> = Extract<ClientListCommand, { type: T }>;

function add(s: ListSession, v: View<"ADD">, t: number): void {
  const { list, passport, name } = v;
  if (list === "RL") return s.link.close();
  if (!/^[^\s@]+@[^\s@]+$/.test(passport)) return s.link.error(201, t);
  const hub = s.hub;
  const account = s.account;
  const key = passport.toLowerCase();
  const target = hub.accounts.get(key);
  if (!target) return s.link.error(205, t);
  if (urlEncode(name).length > MAX_NAME) return s.link.error(201, t);
  const groupId = v.groupId;
  if (groupId !== undefined) {
    if (list !== "FL") return s.link.error(201, t);
    if (!account.groups.has(groupId)) return s.link.error(224, t);
  }
  let entry = account.contacts.get(key);
  const reply = (version: string) => {
    const args = [list, version, passport, urlEncode(name)];
    if (groupId !== undefined) args.push(String(groupId));
    s.link.send("ADD", t, args);
  };
  if (list === "FL" && entry?.lists.has("FL")) {
    if (groupId === undefined || entry.groupIds.includes(groupId)) return s.link.error(215, t);
    entry.groupIds.push(groupId);
    return reply(s.bump());
  }
  if (entry?.lists.has(list as LoopbackList)) return s.link.error(215, t);
  if (list !== "FL" && entry?.lists.has(list === "AL" ? "BL" : "AL")) {
    return s.link.error(219, t);
  }
  if (!entry) {
    entry = {
      passport: target.passport,
      friendlyName: name,
      lists: new Set(),
      groupIds: [],
      phones: new Map(),
    };
    account.contacts.set(key, entry);
  }
  entry.lists.add(list as LoopbackList);
  if (list === "FL") {
    entry.friendlyName = name;
    entry.groupIds = groupId !== undefined ? [groupId] : account.groups.has(0) ? [0] : [];
  }
  reply(s.bump());
  if (list === "FL") {
    reverseChanged(s, target, addReverse(target, account), "ADD");
    s.sync(key, t);
  } else {
    hub.syncAll(account.key);
  }
}

/** Tells `target` (if online) that this account added or removed them. */
function reverseChanged(
  s: ListSession,
  target: AccountState,
  changed: boolean,
  how: "ADD" | "REM",
): void {
  if (!changed) return;
  const version = s.bump(target);
  const account = s.account;
  const session = s.hub.sessions.get(target.key);
  if (!session) return;
  if (how === "ADD") {
    session.link.send("ADD", 0, [
      "RL",
      version,
      account.passport,
      urlEncode(account.friendlyName),
    ]);
  } else {
    session.link.send("REM", 0, ["RL", version, account.passport]);
  }
}

function rem(s: ListSession, v: View<"REM">, t: number): void {
  const { list, passport, groupId } = v;
  if (!USER_LISTS.has(list)) return s.link.error(201, t);
  const account = s.account;
  const key = passport.toLowerCase();
  const entry = account.contacts.get(key);
  if (groupId !== undefined) {
    if (list !== "FL") return s.link.error(201, t);
    if (!account.groups.has(groupId)) return s.link.error(224, t);
    if (!entry?.lists.has("FL")) return s.link.error(216, t);
    if (!entry.groupIds.includes(groupId)) return s.link.error(225, t);
    entry.groupIds = entry.groupIds.filter((g) => g !== groupId);
    return s.link.send("REM", t, ["FL", s.bump(), passport, String(groupId)]);
  }
  if (!entry?.lists.has(list as LoopbackList)) return s.link.error(216, t);
  dropFromList(s, key, list as LoopbackList);
  s.link.send("REM", t, [list, s.bump(), passport]);
  if (list === "FL") {
    const target = s.hub.accounts.get(key);
    if (target) reverseChanged(s, target, removeReverse(target, account), "REM");
  } else {
    s.hub.syncAll(account.key);
  }
}

function dropFromList(s: ListSession, key: string, list: LoopbackList): void {
  const account = s.account;
  const entry = account.contacts.get(key);
  if (!entry) return;
  entry.lists.delete(list);
  if (list === "FL") {
    entry.groupIds = [];
    s.forget(key);
  }
  if (entry.lists.size === 0) account.contacts.delete(key);
}

function adg(s: ListSession, { name }: View<"ADG">, t: number): void {
  const canonical = urlEncode(name);
  if (canonical.length > MAX_GROUP_NAME) return s.link.error(229, t);
  const groups = s.account.groups;
  if (groups.size >= MAX_GROUPS) return s.link.error(223, t);
  let id = 0;
  while (groups.has(id)) id++;
  groups.set(id, name);
  s.link.send("ADG", t, [s.bump(), canonical, String(id), "0"]);
}

function rmg(s: ListSession, { groupId: id }: View<"RMG">, t: number): void {
  if (id === 0) return s.link.error(230, t);
  const account = s.account;
  if (!account.groups.has(id)) return s.link.error(224, t);
  account.groups.delete(id);
  const orphans: string[] = [];
  for (const [key, entry] of account.contacts) {
    if (!entry.groupIds.includes(id)) continue;
    entry.groupIds = entry.groupIds.filter((g) => g !== id);
    if (entry.groupIds.length === 0 && entry.lists.has("FL")) orphans.push(key);
  }
  // Contacts that were only in this group leave the forward list.
  for (const key of orphans) dropFromList(s, key, "FL");
  s.link.send("RMG", t, [s.bump(), String(id)]);
  for (const key of orphans) {
    const target = s.hub.accounts.get(key);
    if (target) reverseChanged(s, target, removeReverse(target, account), "REM");
  }
}

function reg(s: ListSession, { groupId: id, name }: View<"REG">, t: number): void {
  const groups = s.account.groups;
  if (!groups.has(id)) return s.link.error(224, t);
  const canonical = urlEncode(name);
  if (canonical.length > MAX_GROUP_NAME) return s.link.error(229, t);
  groups.set(id, name);
  s.link.send("REG", t, [s.bump(), String(id), canonical, "0"]);
}

function rea(s: ListSession, { passport, name }: View<"REA">, t: number): void {
  const canonical = urlEncode(name);
  if (canonical.length > MAX_NAME) return s.link.error(209, t);
  const account = s.account;
  const key = passport.toLowerCase();
  if (key === account.key) {
    account.friendlyName = name;
    s.link.send("REA", t, [s.bump(), passport, canonical]);
    s.hub.syncAll(account.key);
    return;
  }
  const entry = account.contacts.get(key);
  if (!entry) return s.link.error(216, t);
  entry.friendlyName = name;
  s.link.send("REA", t, [s.bump(), passport, canonical]);
}

function mode(s: ListSession, v: View<"BLP" | "GTC">, t: number): void {
  const mode = v.mode;
  const account = s.account;
  if (v.type === "BLP") {
    if (mode !== "AL" && mode !== "BL") return s.link.error(201, t);
    if (account.blp === mode) return s.link.error(218, t);
    account.blp = mode;
    s.link.send("BLP", t, [s.bump(), mode]);
    s.hub.syncAll(account.key);
    return;
  }
  if (mode !== "A" && mode !== "N") return s.link.error(201, t);
  if (account.gtc === mode) return s.link.error(218, t);
  account.gtc = mode;
  s.link.send("GTC", t, [s.bump(), mode]);
}

function prp(s: ListSession, { property: prop, value }: View<"PRP">, t: number): void {
  const known = PHONE_ORDER.includes(prop as LoopbackPhone) &&
    (prop !== "WWE" || s.version !== "MSNP8");
  if (!known) return s.link.error(715, t);
  const phone = prop as LoopbackPhone;
  const account = s.account;
  if (value === "") {
    account.phones.delete(phone);
    return s.link.send("PRP", t, [s.bump(), phone]);
  }
  const canonical = urlEncode(value);
  if (canonical.length > MAX_PHONE) return s.link.error(201, t);
  // Keep PHONE_ORDER when the map is listed in SYN.
  account.phones.set(phone, value);
  const sorted = PHONE_ORDER.filter((p) => account.phones.has(p))
    .map((p): [LoopbackPhone, string] => [p, account.phones.get(p) as string]);
  account.phones.clear();
  for (const [p, v] of sorted) account.phones.set(p, v);
  s.link.send("PRP", t, [s.bump(), phone, canonical]);
}
