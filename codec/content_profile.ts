// The profile the notification server sends right after `USR ... OK` (`text/x-msmsgsprofile`):
// account facts, the address the server sees, and `MSPAuth`, which stays out of printing.
import { dropUndefined, nonEmpty, toFlag, toInt } from "./_content_read.ts";
import { FieldMap } from "./field_map.ts";
import { type MimeMessage, PayloadError } from "./mime.ts";

/** Media type of the login profile. */
export const PROFILE_TYPE = "text/x-msmsgsprofile";

/** `text/x-msmsgsprofile`. */
export interface ProfileView {
  /** Discriminant. */
  kind: "profile";
  /** The profile fields. */
  profile: Profile;
}

/**
 * Undoes the server's byte swap of `ClientPort`:
 * `((x & 0xff) << 8) | ((x & 0xff00) >> 8)`. Computed with bit operations, so
 * the result does not depend on the host's byte order.
 *
 * @param wire The `ClientPort` value as sent, 0..65535.
 * @returns The real port.
 * @throws {PayloadError} `INVALID_CLIENT_PORT` when `wire` is not an integer in 0..65535.
 */
export function unswapClientPort(wire: number): number {
  if (!Number.isInteger(wire) || wire < 0 || wire > 0xffff) {
    throw new PayloadError(
      "INVALID_CLIENT_PORT",
      `Cannot unswap client port ${wire}: not an integer in 0..65535`,
    );
  }
  return ((wire & 0xff) << 8) | ((wire & 0xff00) >> 8);
}

/**
 * The `text/x-msmsgsprofile` message. Typed fields are `undefined` when the
 * field is missing, empty or not of the expected form; {@linkcode Profile.fields}
 * keeps every field as sent.
 *
 * `mspAuth` is a credential. It is a non-enumerable property, so
 * `console.log` and `JSON.stringify` leave it out; do not log it yourself.
 */
export interface Profile {
  /** Every field as sent, case-insensitive lookup; values are hidden from printing. */
  readonly fields: FieldMap;
  /** `LoginTime`, Unix seconds (absent in later MSNP8 servers). */
  readonly loginTime?: number;
  /** `EmailEnabled` (`1`/`0`). */
  readonly emailEnabled?: boolean;
  /** `MemberIdHigh`. */
  readonly memberIdHigh?: number;
  /** `MemberIdLow`. */
  readonly memberIdLow?: number;
  /** `lang_preference`, a Windows LCID such as 1033. */
  readonly langPreference?: number;
  /** `preferredEmail`. */
  readonly preferredEmail?: string;
  /** `country`, such as `US`. */
  readonly country?: string;
  /** `PostalCode`. */
  readonly postalCode?: string;
  /** `Gender`. */
  readonly gender?: string;
  /** `Kid` (`1`/`0`). */
  readonly kid?: boolean;
  /** `Age`. */
  readonly age?: number;
  /** `Birthday`. */
  readonly birthday?: string;
  /** `Flags`. */
  readonly flags?: number;
  /** `sid`. */
  readonly sid?: string;
  /** `kv`. */
  readonly kv?: string;
  /** `MSPAuth`, a secret ticket (non-enumerable). */
  readonly mspAuth?: string;
  /** `ClientIP`: the address the server sees. */
  readonly clientIp?: string;
  /** `ClientPort` as sent (byte-swapped). */
  readonly clientPortRaw?: number;
  /** The real source port the server sees (`ClientPort` unswapped). */
  readonly clientPort?: number;
}

/**
 * Reads a `text/x-msmsgsprofile` message. Never throws.
 *
 * @param msg The parsed message.
 * @returns The view.
 */
export function readProfile(msg: MimeMessage): ProfileView {
  return { kind: "profile", profile: buildProfile(msg) };
}

function buildProfile(msg: MimeMessage): Profile {
  const fields = new FieldMap(msg.headers);
  const text = (name: string) => nonEmpty(fields.get(name));
  const raw = toInt(fields.get("ClientPort"));
  const portRaw = raw !== undefined && raw <= 0xffff ? raw : undefined;
  const profile: { -readonly [K in keyof Profile]: Profile[K] } = {
    fields,
    loginTime: toInt(fields.get("LoginTime")),
    emailEnabled: toFlag(fields.get("EmailEnabled")),
    memberIdHigh: toInt(fields.get("MemberIdHigh")),
    memberIdLow: toInt(fields.get("MemberIdLow")),
    langPreference: toInt(fields.get("lang_preference")),
    preferredEmail: text("preferredEmail"),
    country: text("country"),
    postalCode: text("PostalCode"),
    gender: text("Gender"),
    kid: toFlag(fields.get("Kid")),
    age: toInt(fields.get("Age")),
    birthday: text("Birthday"),
    flags: toInt(fields.get("Flags")),
    sid: text("sid"),
    kv: text("kv"),
    clientIp: text("ClientIP"),
    clientPortRaw: portRaw,
    clientPort: portRaw === undefined ? undefined : unswapClientPort(portRaw),
  };
  dropUndefined(profile);
  const mspAuth = text("MSPAuth");
  if (mspAuth !== undefined) {
    Object.defineProperty(profile, "mspAuth", { value: mspAuth, enumerable: false });
  }
  return profile;
}
