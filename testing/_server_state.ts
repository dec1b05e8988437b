// Private to testing/: the loopback server's shared state (accounts, contact lists, online
// sessions, tickets, cookies). No protocol logic beyond list bookkeeping lives here; the socket
// wrapper every listener uses is in _server_link.ts.

import type { Socket } from "node:net";
import { MSMSGS_PRODUCT, type ProductKey } from "../codec/mod.ts";
import type { Link } from "./_server_link.ts";
import type {
  LoopbackAccount,
  LoopbackList,
  LoopbackPhone,
  LoopbackServerOptions,
} from "./_server_types.ts";
import { LoopbackServerError } from "./_server_errors.ts";

/** Phone properties in the order they are sent in `PRP`/`BPR` lines. */
export const PHONE_ORDER: readonly LoopbackPhone[] = ["PHH", "PHW", "PHM", "MOB", "MBE", "WWE"];

/** One entry of an account's contact list. */
export interface ContactState {
  passport: string;
  friendlyName: string;
  lists: Set<LoopbackList>;
  groupIds: number[];
  phones: Map<LoopbackPhone, string>;
}

/** An account with its mutable contact list. */
export interface AccountState {
  /** Lower-cased passport: the map key. */
  key: string;
  passport: string;
  password: string;
  friendlyName: string;
  verified: boolean;
  groups: Map<number, string>;
  contacts: Map<string, ContactState>;
  blp: "AL" | "BL";
  gtc: "A" | "N";
  phones: Map<LoopbackPhone, string>;
  listVersion: number;
}

/** What a session on the notification server exposes to the rest of the server. */
export interface OnlineSession {
  readonly account: AccountState;
  /** Negotiated protocol (`MSNP8`, `MSNP9`). */
  readonly version: string;
  /** `FLN` until the first `CHG`. */
  readonly status: string;
  readonly clientId: string;
  readonly msnObject: string | undefined;
  readonly link: SessionLink;
  /** Re-evaluates what this session was told about `targetKey`; sends NLN/ILN/FLN if it changed. */
  sync(targetKey: string, ilnTrid?: number): void;
  /** Sends `CHL 0 <challenge>` and remembers it. */
  challenge(value: string): void;
  /** Present on a scripted peer: it is invited into a switchboard session (instead of `RNG`). */
  invited?(sessionId: string, inviter: string, inviterName: string): void;
}

/**
 * What the rest of the server does to a session's connection. {@linkcode Link} is one; a scripted
 * peer, which has no socket, is another.
 */
export interface SessionLink {
  readonly closed: boolean;
  paused: boolean;
  send(name: string, trid: number | null, args: string[], payload?: Uint8Array): void;
  raw(text: string | Uint8Array): void;
  close(): void;
  destroy(): void;
}

/** A switchboard invitation or handoff cookie. */
export interface SbTicket {
  kind: "xfr" | "ring";
  key: string;
  sessionId?: string;
  /** `Date.now()` after which the cookie is refused. */
  expires: number;
}

/** Switchboard options after defaults (see `LoopbackSwitchboardOptions`). */
export interface ResolvedSwitchboardOptions {
  cookieLifetimeMs: number;
  authTimeoutMs: number;
  idleTimeoutMs: number;
  nak: boolean;
}

/** Options after defaults. */
export interface ResolvedOptions {
  dispatch: boolean;
  protocols: string[];
  echoVersions: boolean;
  challengeIntervalMs: number;
  product: ProductKey;
  qngSeconds: number;
  switchboard: ResolvedSwitchboardOptions | undefined;
}

/** Everything the listeners share. */
export class Hub {
  readonly options: ResolvedOptions;
  readonly accounts = new Map<string, AccountState>();
  readonly sessions = new Map<string, OnlineSession>();
  /** Ticket -> account key, for tickets the Passport endpoint issued. */
  readonly tickets = new Map<string, string>();
  readonly sbTickets = new Map<string, SbTicket>();
  readonly sockets = new Set<Socket>();
  readonly links = new Set<Link>();
  /** Run by `close()`: ends what has no socket (scripted peers). */
  readonly closers = new Set<() => void>();
  host = "127.0.0.1";
  nsPort = 0;
  dsPort = 0;
  sbPort = 0;
  closed = false;

  constructor(options: LoopbackServerOptions) {
    const interval = options.challengeIntervalMs ?? 0;
    if (!(interval >= 0)) {
      throw new LoopbackServerError(
        "invalid-options",
        `Cannot start loopback server: challengeIntervalMs ${interval} is negative`,
      );
    }
    this.options = {
      dispatch: options.dispatch ?? true,
      protocols: options.protocols ?? ["MSNP9", "MSNP8"],
      echoVersions: options.echoVersions ?? false,
      challengeIntervalMs: interval,
      product: options.product ?? MSMSGS_PRODUCT,
      qngSeconds: options.qngSeconds ?? 50,
      switchboard: switchboardOptions(options.switchboard),
    };
    for (const account of options.accounts) this.#addAccount(account);
    // Reverse lists follow forward lists: whoever has B on FL is on B's RL.
    for (const owner of this.accounts.values()) {
      for (const contact of owner.contacts.values()) {
        const target = this.accounts.get(contact.passport.toLowerCase());
        if (target && contact.lists.has("FL")) addReverse(target, owner);
      }
    }
  }

  #addAccount(account: LoopbackAccount): void {
    const key = account.passport.toLowerCase();
    if (!/^[^\s@]+@[^\s@]+$/.test(account.passport)) {
      throw new LoopbackServerError(
        "invalid-options",
        `Cannot start loopback server: invalid passport ${JSON.stringify(account.passport)}`,
      );
    }
    if (this.accounts.has(key)) {
      throw new LoopbackServerError(
        "invalid-options",
        `Cannot start loopback server: account ${account.passport} is given twice`,
      );
    }
    const groups = new Map<number, string>();
    for (const g of account.groups ?? [{ id: 0, name: "Other Contacts" }]) {
      if (!Number.isInteger(g.id) || g.id < 0 || g.name === "") {
        throw new LoopbackServerError(
          "invalid-options",
          `Cannot start loopback server: invalid group ${g.id} for ${account.passport}`,
        );
      }
      groups.set(g.id, g.name);
    }
    const contacts = new Map<string, ContactState>();
    for (const c of account.contacts ?? []) {
      contacts.set(c.passport.toLowerCase(), {
        passport: c.passport,
        friendlyName: c.friendlyName || c.passport,
        lists: new Set(c.lists),
        groupIds: c.lists.includes("FL") ? [...(c.groupIds ?? (groups.has(0) ? [0] : []))] : [],
        phones: phoneMap(c.phones),
      });
    }
    this.accounts.set(key, {
      key,
      passport: account.passport,
      password: account.password,
      friendlyName: account.friendlyName || account.passport,
      verified: account.verified ?? true,
      groups,
      contacts,
      blp: account.privacy?.blp ?? "AL",
      gtc: account.privacy?.gtc ?? "A",
      phones: phoneMap(account.phones),
      listVersion: account.listVersion ?? 1,
    });
  }

  /**
   * Issues a single-use switchboard cookie. Cookies are issued with one lifetime, so the map is in
   * expiry order: expired ones are dropped from its head, which keeps it bounded.
   */
  issueSbCookie(ticket: Omit<SbTicket, "expires">): string {
    const now = Date.now();
    for (const [cookie, old] of this.sbTickets) {
      if (old.expires > now) break;
      this.sbTickets.delete(cookie);
    }
    let cookie = `${randomDigits(10)}.${randomDigits(5)}`;
    while (this.sbTickets.has(cookie)) cookie = `${randomDigits(10)}.${randomDigits(5)}`;
    const lifetime = this.options.switchboard?.cookieLifetimeMs ?? 0;
    this.sbTickets.set(cookie, { ...ticket, expires: now + lifetime });
    return cookie;
  }

  /** Takes a cookie out of circulation; returns it only if it was still valid. */
  redeemSbCookie(cookie: string | undefined): SbTicket | undefined {
    if (cookie === undefined) return undefined;
    const ticket = this.sbTickets.get(cookie);
    if (!ticket) return undefined;
    this.sbTickets.delete(cookie);
    return ticket.expires > Date.now() ? ticket : undefined;
  }

  /** Asks every online session to re-evaluate what it knows about `targetKey`. */
  syncAll(targetKey: string): void {
    for (const session of this.sessions.values()) {
      if (session.account.key !== targetKey) session.sync(targetKey);
    }
  }

  /** The online session of `passport`, or an error naming the hook. */
  online(passport: string, hook: string): OnlineSession {
    const session = this.sessions.get(passport.toLowerCase());
    if (!session) {
      throw new LoopbackServerError(
        "not-online",
        `Cannot ${hook}: ${passport} is not signed in`,
      );
    }
    return session;
  }
}

function switchboardOptions(
  given: LoopbackServerOptions["switchboard"],
): ResolvedSwitchboardOptions | undefined {
  if (given === false) return undefined;
  const o = given === true || given === undefined ? {} : given;
  const resolved = {
    cookieLifetimeMs: o.cookieLifetimeMs ?? 120_000,
    authTimeoutMs: o.authTimeoutMs ?? 60_000,
    idleTimeoutMs: o.idleTimeoutMs ?? 0,
    nak: o.nak ?? false,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (typeof value === "number" && !(value >= 0 && Number.isFinite(value))) {
      throw new LoopbackServerError(
        "invalid-options",
        `Cannot start loopback server: switchboard.${name} ${value} is not a non-negative number`,
      );
    }
  }
  return resolved;
}

function phoneMap(
  phones: Partial<Record<LoopbackPhone, string>> | undefined,
): Map<LoopbackPhone, string> {
  const out = new Map<LoopbackPhone, string>();
  for (const prop of PHONE_ORDER) {
    const value = phones?.[prop];
    if (value !== undefined && value !== "") out.set(prop, value);
  }
  return out;
}

/** Puts `owner` on `target`'s RL; returns whether it changed. Does not bump the version. */
export function addReverse(target: AccountState, owner: AccountState): boolean {
  let entry = target.contacts.get(owner.key);
  if (entry?.lists.has("RL")) return false;
  if (!entry) {
    entry = {
      passport: owner.passport,
      friendlyName: owner.friendlyName,
      lists: new Set(),
      groupIds: [],
      phones: new Map(),
    };
    target.contacts.set(owner.key, entry);
  }
  entry.lists.add("RL");
  return true;
}

/** Takes `owner` off `target`'s RL; returns whether it changed. Does not bump the version. */
export function removeReverse(target: AccountState, owner: AccountState): boolean {
  const entry = target.contacts.get(owner.key);
  if (!entry?.lists.has("RL")) return false;
  entry.lists.delete("RL");
  if (entry.lists.size === 0) target.contacts.delete(owner.key);
  return true;
}

/** Whether `owner` lets `viewerKey` see their presence (AL/BL lists, then the BLP default). */
export function allows(owner: AccountState, viewerKey: string): boolean {
  const entry = owner.contacts.get(viewerKey);
  if (entry?.lists.has("BL")) return false;
  if (entry?.lists.has("AL")) return true;
  return owner.blp === "AL";
}

/** Random decimal digits. */
export function randomDigits(n: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  let out = "";
  for (const b of bytes) out += String(b % 10);
  return out;
}

/** Random characters from `alphabet`. */
export function randomString(n: number, alphabet: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}
