import type { ListName, PhoneProperty } from "../codec/mod.ts";

/** One contact, as the server lists it. */
export interface Contact {
  /** Account name (e-mail address). */
  passport: string;
  /** Friendly name, URL-decoded. */
  friendlyName: string;
  /** Lists the contact is on, in FL, AL, BL, RL order. */
  lists: ListName[];
  /** Groups (on the forward list only). */
  groupIds: number[];
  /** Phone properties from `BPR` (`PHH`, `PHW`, `PHM`, `MOB`, `MBE`, `WWE`). */
  phones: Partial<Record<PhoneProperty, string>>;
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
function keyOf(passport: string): string {
  for (let i = 0; i < passport.length; i++) {
    const c = passport.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c >= 128) return passport.toLowerCase();
  }
  return passport;
}

function copyPhones(
  phones: Partial<Record<PhoneProperty, string>>,
): Partial<Record<PhoneProperty, string>> {
  for (const _ in phones) return { ...phones };
  return {};
}

const LIST_ORDER: readonly ListName[] = ["FL", "AL", "BL", "RL"];
const BITS: Record<ListName, number> = { FL: 1, AL: 2, BL: 4, RL: 8 };

/** List names for `LST` list bits (FL=1 AL=2 BL=4 RL=8). */
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

/**
 * The mutable store the session keeps beside its state machine, so a SYN of
 * tens of thousands of contacts costs one map insert per line rather than a
 * machine transition and a context copy.
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
  readonly #contacts = new Map<string, Contact>();
  readonly #groups = new Map<number, Group>();

  /** Number of contacts. */
  get size(): number {
    return this.#contacts.size;
  }

  /** A contact by passport (case-insensitive, as the server treats them). */
  get(passport: string): Contact | undefined {
    return this.#contacts.get(keyOf(passport));
  }

  /** Adds or replaces a contact. */
  set(contact: Contact): void {
    this.#contacts.set(keyOf(contact.passport), contact);
  }

  /** Removes a contact entirely. */
  delete(passport: string): void {
    this.#contacts.delete(keyOf(passport));
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
    for (const contact of [...this.#contacts.values()]) {
      const at = contact.groupIds.indexOf(id);
      if (at === -1) continue;
      contact.groupIds.splice(at, 1);
      if (contact.groupIds.length === 0 && contact.lists.includes("FL")) {
        leftFl.push(contact.passport);
        this.removeFromList(contact.passport, "FL");
      }
    }
    return leftFl;
  }

  /** Puts `passport` on `list` (creating the contact if needed). */
  addToList(passport: string, list: ListName, friendlyName?: string, groupId?: number): Contact {
    let contact = this.get(passport);
    if (!contact) {
      contact = {
        passport,
        friendlyName: friendlyName ?? passport,
        lists: [],
        groupIds: [],
        phones: {},
      };
      this.set(contact);
    } else if (friendlyName !== undefined) {
      contact.friendlyName = friendlyName;
    }
    if (!contact.lists.includes(list)) {
      contact.lists = listsFromBits(bitsFromLists([...contact.lists, list]));
    }
    if (groupId !== undefined && list === "FL" && !contact.groupIds.includes(groupId)) {
      contact.groupIds.push(groupId);
    }
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
      contact.groupIds = contact.groupIds.filter((g) => g !== groupId);
      return;
    }
    contact.lists = contact.lists.filter((l) => l !== list);
    if (list === "FL") contact.groupIds = [];
    if (contact.lists.length === 0) this.delete(passport);
  }

  /** Empties the list (before a full sync). */
  clear(): void {
    this.#contacts.clear();
    this.#groups.clear();
    this.phones = {};
    this.privacy = undefined;
    this.addPrompt = undefined;
  }

  /** A deep copy as plain data. */
  snapshot(): ContactListSnapshot {
    const contacts: Contact[] = new Array(this.#contacts.size);
    let i = 0;
    for (const c of this.#contacts.values()) {
      contacts[i++] = {
        passport: c.passport,
        friendlyName: c.friendlyName,
        lists: c.lists.slice(),
        groupIds: c.groupIds.slice(),
        phones: copyPhones(c.phones),
      };
    }
    const out: ContactListSnapshot = {
      version: this.version,
      contacts,
      groups: [...this.#groups.values()].map((g) => ({ ...g })),
      phones: { ...this.phones },
    };
    if (this.privacy !== undefined) out.privacy = this.privacy;
    if (this.addPrompt !== undefined) out.addPrompt = this.addPrompt;
    return out;
  }

  /** A store filled from a snapshot (the cache passed back by the application). */
  static from(snapshot: ContactListSnapshot): ContactList {
    const list = new ContactList();
    list.version = snapshot.version;
    list.privacy = snapshot.privacy;
    list.addPrompt = snapshot.addPrompt;
    list.phones = { ...snapshot.phones };
    for (const g of snapshot.groups) list.setGroup({ ...g });
    for (const c of snapshot.contacts) {
      list.set({ ...c, lists: [...c.lists], groupIds: [...c.groupIds], phones: { ...c.phones } });
    }
    return list;
  }
}
