// The contact-list sync: the SYN reply, its LSG/LST/BPR lines (the hot path,
// also taken straight from the decoder's raw lines, see ConnectionCore.drain), checking the advertised
// counts, and handing the list to the application exactly once.
//
// Rules a server can break, and what it gets:
// - LST/LSG outside `syncing.receiving` (before the SYN reply, or after the
//   sync): ignored, with a `warning` (SessionError `protocol`).
// - A contact (any letter case) or group listed twice: the later line
//   replaces the earlier and does not count towards the advertised total;
//   the sync ends only when that many distinct contacts and groups arrived,
//   with one `warning`. So a completed sync always holds exactly the
//   advertised counts.
// - Fewer lines than advertised: the sync's time limit fails the session.
//
// Contacts are immutable once the application can see them: an LST's
// contact is changed in place by its BPRs only while it is a private draft
// (no snapshot has been taken since); after that every change copies.

import type { ServerMessage } from "../codec/mod.ts";
import {
  ContactList,
  type DraftContact,
  NO_GROUPS,
  NO_PHONES,
  sharedLists,
} from "./contact_list.ts";
import { SessionError } from "./errors.ts";
import { applySynBpr, lstContact, setDraftPhone } from "./_fast_parse.ts";
import type { NsState } from "./_ns_state.ts";

type Msg<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

/** Sync progress of one session. */
export class SyncState {
  readonly #s: NsState;
  /** The SYN's TrID. */
  trid = -1;
  /** Whether the list was handed over (`contactsSynced` sent or due). */
  synced = false;
  #contactsAdvertised = 0;
  #groupsAdvertised = 0;
  #contactsLeft = 0;
  #groupsLeft = 0;
  // Between the SYN reply with counts and the last LST/LSG: the fast path is on.
  #receiving = false;
  // The last LST's contact while still private: BPRs change it in place.
  #draft: DraftContact | undefined;
  #lastListed: string | undefined;
  // Set between the last LST (by count) and the first command that is not one of its BPRs.
  #snapshotDue: { fromCache: boolean } | undefined;
  #warnedDuplicates = false;
  // `#contactsLeft` at which the next `syncProgress` is due; -1: none (see #progress).
  #progressAt = -1;

  constructor(state: NsState) {
    this.#s = state;
  }

  /** The SYN fast path for a raw line (see `ConnectionCore.drain`), on only while receiving. */
  readonly fastLine = (bytes: Uint8Array, start: number, end: number): boolean =>
    this.#receiving && this.#line(bytes, start, end);

  /** Whether `contactsSynced` waits for the last contact's BPRs. */
  get snapshotDue(): boolean {
    return this.#snapshotDue !== undefined;
  }

  /** The application is about to see the list: the draft stops being private. */
  seal(): void {
    this.#draft = undefined;
  }

  /** The SYN reply: the cache is current, or counts of what follows. */
  onSyn(m: Msg<"SYN">): void {
    const s = this.#s;
    if (m.trid !== this.trid || this.synced || !s.matches({ syncing: "requested" })) return;
    if (m.contactCount === undefined) {
      // Up to date: the cache is the list (with none, the list is empty). A reply naming
      // another version than the cache's is the server's mistake; keeping the cache and its
      // version makes the next SYN ask for whatever changed, instead of persisting an empty list.
      if (s.config.cache) s.list = ContactList.from(s.config.cache);
      return this.#done(true);
    }
    s.list.clear();
    s.list.version = m.version;
    this.#contactsAdvertised = this.#contactsLeft = m.contactCount;
    this.#groupsAdvertised = this.#groupsLeft = m.groupCount ?? 0;
    s.dispatch({ type: "SYN_LIST" });
    this.#receiving = true;
    this.#progressAt = -1;
    if (m.contactCount > 0) this.#progress();
    this.#check();
  }

  /** `LSG`: a group of the sync. */
  onLsg(m: Msg<"LSG">): void {
    if (!this.#receiving) return this.#outOfPlace("LSG");
    this.#s.list.setGroup({ id: m.groupId, name: m.name });
    this.#groupsLeft--;
    this.#check();
  }

  /** `LST`: a contact of the sync (the general path; canonical lines take {@link fastLine}). */
  onLst(m: Msg<"LST">): void {
    if (!this.#receiving) return this.#outOfPlace("LST");
    this.#listed({
      passport: m.passport,
      friendlyName: m.friendlyName,
      lists: sharedLists(m.lists),
      groupIds: m.lists & 1 && m.groupIds.length > 0 ? m.groupIds : NO_GROUPS,
      phones: NO_PHONES as Record<string, string>,
    });
    this.#check();
  }

  /**
   * `BPR`: to `passport`, or without one (inside SYN) to the last LST's
   * contact. A draft is changed in place; a contact others may hold is
   * replaced, and the change is an event once synced.
   */
  onBpr(m: Msg<"BPR">): void {
    const s = this.#s;
    const draft = this.#draft;
    if (m.passport === undefined && draft !== undefined) {
      setDraftPhone(draft, m.property, m.value);
      return;
    }
    const target = m.passport ?? this.#lastListed;
    if (target === undefined) return;
    const contact = s.list.setPhone(target, m.property, m.value);
    if (!contact) return;
    s.changed(
      { kind: "phoneChanged", passport: contact.passport, property: m.property, value: m.value },
      m.version,
    );
  }

  /** Emits the deferred `contactsSynced`; from here on contacts are shared with the application. */
  flush(): void {
    const due = this.#snapshotDue;
    if (due === undefined) return;
    this.#snapshotDue = undefined;
    this.#draft = undefined;
    this.#s.emit({
      type: "contactsSynced",
      contactList: this.#s.list.snapshot(),
      fromCache: due.fromCache,
    });
  }

  /** The fast path: a canonical LST or in-SYN BPR, or `false`. */
  #line(bytes: Uint8Array, start: number, end: number): boolean {
    const contact = lstContact(bytes, start, end);
    if (contact !== undefined) {
      this.#listed(contact);
      this.#check();
      return true;
    }
    const draft = this.#draft;
    return draft !== undefined && applySynBpr(draft, bytes, start, end);
  }

  #listed(contact: DraftContact): void {
    this.#s.list.append(contact);
    this.#draft = contact;
    this.#lastListed = contact.passport;
    // The only cost of progress on the fast path: one compare per contact.
    if (--this.#contactsLeft === this.#progressAt) this.#progress();
  }

  /**
   * Emits `syncProgress` and sets when the next one is due: on the first contact that brings the
   * count into the next tenth of the total, unless that is the last contact.
   */
  #progress(): void {
    const total = this.#contactsAdvertised;
    const received = total - this.#contactsLeft;
    // -1 can be reached by a surplus LST (after the count, while groups are still due).
    if (received < 0 || received >= total) return;
    this.#s.emit({ type: "syncProgress", received, total });
    const tenth = Math.floor((received * 10) / total) + 1;
    const next = Math.floor((tenth * total + 9) / 10);
    this.#progressAt = next < total ? total - next : -1;
  }

  #check(): void {
    if (this.#contactsLeft <= 0 && this.#groupsLeft <= 0 && this.#complete()) this.#done(false);
  }

  /**
   * The advertised number of lines has arrived: complete when that many
   * distinct contacts and groups did. Duplicates replaced earlier lines, so
   * as many more are awaited (one warning per sync).
   */
  #complete(): boolean {
    const list = this.#s.list;
    this.#contactsLeft = this.#contactsAdvertised - list.size;
    this.#groupsLeft = this.#groupsAdvertised - list.groupCount;
    if (this.#contactsLeft <= 0 && this.#groupsLeft <= 0) return true;
    if (!this.#warnedDuplicates) {
      this.#warnedDuplicates = true;
      this.#s.emit({
        type: "warning",
        error: new SessionError(
          "protocol",
          "The contact list named a contact or group twice; waiting for the advertised count",
          { phase: "syncing" },
        ),
      });
    }
    return false;
  }

  #outOfPlace(name: string): void {
    const s = this.#s;
    s.emit({
      type: "warning",
      error: new SessionError("protocol", `${name} outside a contact-list sync was ignored`, {
        phase: s.phase,
      }),
    });
  }

  #done(fromCache: boolean): void {
    this.#receiving = false;
    this.synced = true;
    // The last contact's BPRs may still follow its LST; the snapshot waits for them (see
    // flush), but the initial CHG goes out now: the server sends nothing until it gets it.
    this.#snapshotDue = { fromCache };
    this.#s.dispatch({ type: "SYNC_DONE" });
  }
}
