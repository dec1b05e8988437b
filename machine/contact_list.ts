import type { ListName, PhoneProperty } from "../codec/mod.ts";

/**
 * One contact, as the server lists it. Contacts are immutable: the session
 * replaces a contact when it changes, so snapshots share them safely (a
 * 100 000-contact snapshot costs one array, not 100 000 copies). Do not
 * mutate one; build a new object instead.
 */
export interface Contact {
  /** Account name (e-mail address). */
  readonly passport: string;
  /** Friendly name, URL-decoded. */
  readonly friendlyName: string;
  /** Lists the contact is on, in FL, AL, BL, RL order. */
  readonly lists: readonly ListName[];
  /** Groups (on the forward list only). */
  readonly groupIds: readonly number[];
  /** Phone properties from `BPR` (`PHH`, `PHW`, `PHM`, `MOB`, `MBE`, `WWE`). */
  readonly phones: Readonly<Partial<Record<PhoneProperty, string>>>;
}

/** A contact group. */
export interface Group {
  /** Group id, 0 to 29. */
  id: number;
  /** Group name, URL-decoded. */
  name: string;
}

/**
 * The whole contact list as plain data: what a sync produces, what an
 * application persists, and what it passes back as the cache next time
 * (`SYN <version>` then only fetches a list newer than `version`).
 */
export interface ContactListSnapshot {
  /** List version the server reported. */
  version: number;
  /** Contacts in server order. */
  contacts: Contact[];
  /** Groups in server order. */
  groups: Group[];
  /** `BLP`: whether people on no list may see you (`AL`) or not (`BL`). */
  privacy?: "AL" | "BL";
  /** `GTC`: whether to be asked (`A`) or not (`N`) when someone adds you. */
  addPrompt?: "A" | "N";
  /** Your own phone properties (`PRP`). */
  phones: Partial<Record<PhoneProperty, string>>;
}

/**
 * The map key for a passport: lower case. Most passports already are, and
 * checking is cheaper than `toLowerCase()` on a 100 000-contact sync.
 */
export function passportKey(passport: string): string {
  for (let i = 0; i < passport.length; i++) {
    const c = passport.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c >= 128) return passport.toLowerCase();
  }
  return passport;
}

const LIST_ORDER: readonly ListName[] = ["FL", "AL", "BL", "RL"];
const BITS: Record<ListName, number> = { FL: 1, AL: 2, BL: 4, RL: 8 };

/** List names for `LST` list bits (FL=1 AL=2 BL=4 RL=8), as a new array. */
export function listsFromBits(bits: number): ListName[] {
  const out: ListName[] = [];
  for (const name of LIST_ORDER) if (bits & BITS[name]) out.push(name);
  return out;
}

/** List bits for list names. */
export function bitsFromLists(lists: readonly ListName[]): number {
  let bits = 0;
  for (const name of lists) bits |= BITS[name];
  return bits;
}

/** The 16 list combinations as shared frozen arrays, so a contact costs no array for them. */
const LISTS_BY_BITS: readonly (readonly ListName[])[] = Array.from(
  { length: 16 },
  (_, bits) => Object.freeze(listsFromBits(bits)),
);

/** Shared frozen list names for list bits. */
export function sharedLists(bits: number): readonly ListName[] {
  return LISTS_BY_BITS[bits & 15];
}

/** A contact the session is still building during a SYN, before anyone else can see it. */
export interface DraftContact {
  /** Account name. */
  passport: string;
  /** Friendly name. */
  friendlyName: string;
  /** Lists (a shared array). */
  lists: readonly ListName[];
  /** Groups. */
  groupIds: readonly number[];
  /** Phones; {@link NO_PHONES} until the first BPR. */
  phones: Record<string, string>;
}

/** The shared empty group list of contacts that have none. */
export const NO_GROUPS: readonly number[] = Object.freeze([]);
/** The shared empty phone record. */
export const NO_PHONES: Readonly<Partial<Record<PhoneProperty, string>>> = Object.freeze({});

/**
 * The store the session keeps beside its state machine, so a SYN of tens of
 * thousands of contacts costs one map insert per line rather than a machine
 * transition and a context copy. Contacts in it are never mutated: every
 * change stores a new object, which is what lets {@link snapshot} share them.
 */
export class ContactList {
  /** List version. */
  version = 0;
  /** Privacy mode (`BLP`). */
  privacy: "AL" | "BL" | undefined;
  /** Add prompt mode (`GTC`). */
  addPrompt: "A" | "N" | undefined;
  /** Own phone properties. */
  phones: Partial<Record<PhoneProperty, string>> = {};
  readonly #index = new Map<string, Contact>();
  // Contacts appended but not yet in #index; see append().
  #appended: Contact[] = [];
  readonly #groups = new Map<number, Group>();

  /**
   * Adds or replaces a contact, like {@link set}, but puts it in the index
   * only when the list is next read. A SYN appends 100 000 contacts, and
   * indexing them in one tight loop is a third cheaper than interleaving
   * each insert with parsing its line (cache misses). The object must not be
   * mutated afterwards.
   */
  append(contact: Contact): void {
    this.#appended.push(contact);
  }

  /** The index, with every appended contact in it, in order. */
  #contacts(): Map<string, Contact> {
    const appended = this.#appended;
    if (appended.length > 0) {
      this.#appended = [];
      for (const contact of appended) this.#index.set(passportKey(contact.passport), contact);
    }
    return this.#index;
  }

  /** Number of contacts. */
  get size(): number {
    return this.#contacts().size;
  }

  /** A contact by passport (case-insensitive, as the server treats them). */
  get(passport: string): Contact | undefined {
    return this.#contacts().get(passportKey(passport));
  }

  /** Adds or replaces a contact. The object must not be mutated afterwards. */
  set(contact: Contact): void {
    this.#contacts().set(passportKey(contact.passport), contact);
  }

  /** Removes a contact entirely. */
  delete(passport: string): void {
    this.#contacts().delete(passportKey(passport));
  }

  /** Replaces a contact with a changed copy; returns the new one (or `undefined` if unknown). */
  update(passport: string, change: Partial<Contact>): Contact | undefined {
    const contact = this.get(passport);
    if (!contact) return undefined;
    const next = { ...contact, ...change };
    this.set(next);
    return next;
  }

  /** Sets (or with `""` removes) one phone property of a contact. */
  setPhone(passport: string, property: string, value: string): Contact | undefined {
    const contact = this.get(passport);
    if (!contact) return undefined;
    const phones: Record<string, string> = { ...contact.phones };
    if (value === "") delete phones[property];
    else phones[property] = value;
    return this.update(passport, { phones });
  }

  /** Number of groups. */
  get groupCount(): number {
    return this.#groups.size;
  }

  /** A group by id. */
  group(id: number): Group | undefined {
    return this.#groups.get(id);
  }

  /** Adds or renames a group. */
  setGroup(group: Group): void {
    this.#groups.set(group.id, group);
  }

  /**
   * Removes a group and takes it off every contact. Contacts that were only
   * in that group leave the forward list, as the server does; their
   * passports are returned.
   */
  deleteGroup(id: number): string[] {
    this.#groups.delete(id);
    const leftFl: string[] = [];
    for (const contact of [...this.#contacts().values()]) {
      if (!contact.groupIds.includes(id)) continue;
      const groupIds = contact.groupIds.filter((g) => g !== id);
      this.update(contact.passport, { groupIds: groupIds.length === 0 ? NO_GROUPS : groupIds });
      if (groupIds.length === 0 && contact.lists.includes("FL")) {
        leftFl.push(contact.passport);
        this.removeFromList(contact.passport, "FL");
      }
    }
    return leftFl;
  }

  /** Puts `passport` on `list` (creating the contact if needed). */
  addToList(passport: string, list: ListName, friendlyName?: string, groupId?: number): Contact {
    const old = this.get(passport);
    const lists = sharedLists(bitsFromLists(old ? [...old.lists, list] : [list]));
    let groupIds = old?.groupIds ?? NO_GROUPS;
    if (groupId !== undefined && list === "FL" && !groupIds.includes(groupId)) {
      groupIds = [...groupIds, groupId];
    }
    const contact: Contact = {
      passport: old?.passport ?? passport,
      friendlyName: friendlyName ?? old?.friendlyName ?? passport,
      lists,
      groupIds,
      phones: old?.phones ?? NO_PHONES,
    };
    this.set(contact);
    return contact;
  }

  /**
   * Takes `passport` off `list`, or only out of `groupId` on FL. A contact on
   * no list any more is dropped.
   */
  removeFromList(passport: string, list: ListName, groupId?: number): void {
    const contact = this.get(passport);
    if (!contact) return;
    if (list === "FL" && groupId !== undefined) {
      const groupIds = contact.groupIds.filter((g) => g !== groupId);
      this.update(passport, { groupIds: groupIds.length === 0 ? NO_GROUPS : groupIds });
      return;
    }
    const lists = sharedLists(bitsFromLists(contact.lists) & ~BITS[list]);
    if (lists.length === 0) {
      this.delete(passport);
      return;
    }
    this.update(passport, { lists, ...(list === "FL" ? { groupIds: NO_GROUPS } : {}) });
  }

  /** Empties the list (before a full sync). */
  clear(): void {
    this.#appended = [];
    this.#index.clear();
    this.#groups.clear();
    this.phones = {};
    this.privacy = undefined;
    this.addPrompt = undefined;
  }

  /** The list as plain data. Contacts are shared, not copied: they are immutable. */
  snapshot(): ContactListSnapshot {
    const out: ContactListSnapshot = {
      version: this.version,
      contacts: [...this.#contacts().values()],
      groups: [...this.#groups.values()].map((g) => ({ ...g })),
      phones: { ...this.phones },
    };
    if (this.privacy !== undefined) out.privacy = this.privacy;
    if (this.addPrompt !== undefined) out.addPrompt = this.addPrompt;
    return out;
  }

  /** A store filled from a snapshot (the cache passed back by the application), copied. */
  static from(snapshot: ContactListSnapshot): ContactList {
    const list = new ContactList();
    list.version = snapshot.version;
    list.privacy = snapshot.privacy;
    list.addPrompt = snapshot.addPrompt;
    list.phones = { ...snapshot.phones };
    for (const g of snapshot.groups) list.setGroup({ ...g });
    for (const c of snapshot.contacts) {
      list.set({
        passport: c.passport,
        friendlyName: c.friendlyName,
        lists: sharedLists(bitsFromLists(c.lists)),
        groupIds: c.groupIds.length === 0 ? NO_GROUPS : [...c.groupIds],
        phones: { ...c.phones },
      });
    }
    return list;
  }
}
