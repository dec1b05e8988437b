/**
 * The client ID number sent with `CHG` and received in `ILN`/`NLN`: the high
 * four bits hold the MSNC version, the low bits capability flags.
 *
 * @module
 */

import { EncodeError, quote } from "./errors.ts";
import { PayloadError } from "./mime.ts";

/**
 * Capability bits of a client ID. Meanings of 0x02 and 0x100 are uncertain
 * (sources disagree).
 */
export const ClientCapability = {
  /** 0x01: running on a Windows Mobile device. */
  MOBILE_DEVICE: 0x01,
  /** 0x02: MSN 8 / MSN Explorer user (uncertain). */
  MSN8_USER: 0x02,
  /** 0x04: can view ink as GIF. */
  INK_GIF: 0x04,
  /** 0x08: can view and send ink as ISF. */
  INK_ISF: 0x08,
  /** 0x10: shares a webcam. */
  WEBCAM: 0x10,
  /** 0x20: supports multi-packet messages (always set by 6.0 and later). */
  MULTI_PACKET: 0x20,
  /** 0x40: has an MSN Mobile device to page. */
  MSN_MOBILE: 0x40,
  /** 0x80: has an MSN Direct (Web Watch) device. */
  MSN_DIRECT: 0x80,
  /** 0x100: unknown; Gaim calls it WEBMSGR, MSNPSharp "SupportsActivities". */
  WEB_MESSENGER: 0x100,
  /** 0x200: web-based client. */
  WEB_CLIENT: 0x200,
  /** 0x800: connected through a federated gateway. */
  FEDERATED_GATEWAY: 0x800,
  /** 0x1000: has an MSN Space. */
  HAS_SPACE: 0x1000,
  /** 0x2000: Windows Media Center. */
  MEDIA_CENTER: 0x2000,
  /** 0x4000: supports DirectIM. */
  DIRECT_IM: 0x4000,
  /** 0x8000: supports winks. */
  WINKS: 0x8000,
  /** 0x10000: supports shared search. */
  SHARED_SEARCH: 0x10000,
  /** 0x20000: is a bot. */
  BOT: 0x20000,
  /** 0x40000: supports voice clips. */
  VOICE_CLIPS: 0x40000,
} as const;

/** Name of a capability bit, such as `"INK_GIF"`. */
export type ClientCapabilityName = keyof typeof ClientCapability;

const CAPABILITY_NAMES = (Object.keys(ClientCapability) as ClientCapabilityName[])
  .sort((a, b) => ClientCapability[a] - ClientCapability[b]);

/** Multiplier of the MSNC version nibble: MSNC1 = 0x10000000 (MSN 6.0). */
export const MSNC_UNIT = 0x10000000;

const MAX_CLIENT_ID = 0xffffffff;

function checkClientId(clientId: number): void {
  if (!Number.isInteger(clientId) || clientId < 0 || clientId > MAX_CLIENT_ID) {
    throw new PayloadError(
      "INVALID_CLIENT_ID",
      `Cannot read client ID ${clientId}: not an integer in 0..4294967295`,
    );
  }
}

/**
 * Parses the decimal client ID text of a `CHG`, `ILN` or `NLN` argument.
 *
 * @example Reading a parameter
 * ```ts
 * import { parseClientId } from "@msnp/client/codec";
 *
 * parseClientId("268435492"); // 268435492
 * ```
 *
 * @param text Decimal digits.
 * @returns The client ID.
 * @throws {PayloadError} `INVALID_CLIENT_ID` when the text is not decimal
 * digits or exceeds 4294967295.
 */
export function parseClientId(text: string): number {
  const n = /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(n <= MAX_CLIENT_ID)) {
    throw new PayloadError(
      "INVALID_CLIENT_ID",
      `Cannot parse client ID ${JSON.stringify(text)}: not a decimal integer in 0..4294967295`,
    );
  }
  return n;
}

/**
 * The MSNC version: the high four bits (the ID divided by 0x10000000, rounded
 * down).
 *
 * @example MSN 6.2
 * ```ts
 * import { msncVersion } from "@msnp/client/codec";
 *
 * msncVersion(805306404); // 3
 * ```
 *
 * @param clientId A client ID, 0..4294967295.
 * @returns 0..15.
 * @throws {PayloadError} `INVALID_CLIENT_ID` when `clientId` is out of range.
 */
export function msncVersion(clientId: number): number {
  checkClientId(clientId);
  return Math.floor(clientId / MSNC_UNIT);
}

/**
 * Whether a client ID has a capability bit set.
 *
 * @example Ink support
 * ```ts
 * import { ClientCapability, hasCapability } from "@msnp/client/codec";
 *
 * hasCapability(268435492, ClientCapability.INK_GIF); // true
 * ```
 *
 * @param clientId A client ID, 0..4294967295.
 * @param capability One bit from {@linkcode ClientCapability}.
 * @returns `true` when the bit is set.
 * @throws {PayloadError} `INVALID_CLIENT_ID` when `clientId` is out of range.
 */
export function hasCapability(clientId: number, capability: number): boolean {
  checkClientId(clientId);
  return ((clientId % MSNC_UNIT) & capability) !== 0;
}

/** A client ID split into its parts. */
export interface ClientIdDescription {
  /** MSNC version, 0..15. */
  msnc: number;
  /** Names of the known capability bits set, lowest bit first. */
  flags: ClientCapabilityName[];
  /** Capability bits set that have no name here (0 normally). */
  unknownBits: number;
}

/**
 * Splits a client ID into its MSNC version and named capability bits.
 *
 * @example The hypothetic.org example
 * ```ts
 * import { describeClientId } from "@msnp/client/codec";
 *
 * describeClientId(268435492);
 * // { msnc: 1, flags: ["INK_GIF", "MULTI_PACKET"], unknownBits: 0 }
 * ```
 *
 * @param clientId A client ID, 0..4294967295.
 * @returns Version, flag names and leftover bits.
 * @throws {PayloadError} `INVALID_CLIENT_ID` when `clientId` is out of range.
 */
export function describeClientId(clientId: number): ClientIdDescription {
  const msnc = msncVersion(clientId);
  const bits = clientId % MSNC_UNIT;
  const flags = CAPABILITY_NAMES.filter((name) => (bits & ClientCapability[name]) !== 0);
  const known = flags.reduce((acc, name) => acc | ClientCapability[name], 0);
  return { msnc, flags, unknownBits: bits & ~known };
}

/**
 * Builds a client ID from an MSNC version and capability names.
 *
 * @example MSNC1 with ink and multi-packet
 * ```ts
 * import { makeClientId } from "@msnp/client/codec";
 *
 * makeClientId(1, ["INK_GIF", "MULTI_PACKET"]); // 268435492
 * ```
 *
 * @param msnc MSNC version, 0..15.
 * @param flags Capability names; duplicates are harmless.
 * @returns The client ID.
 * @throws {EncodeError} `invalid-argument` when `msnc` is not an integer in 0..15 or a name
 * is unknown.
 */
export function makeClientId(msnc: number, flags: readonly ClientCapabilityName[]): number {
  if (!Number.isInteger(msnc) || msnc < 0 || msnc > 15) {
    throw new EncodeError(
      "invalid-argument",
      `Cannot make client ID with MSNC version ${msnc}: not in 0..15`,
    );
  }
  let bits = 0;
  for (const name of flags) {
    if (!Object.hasOwn(ClientCapability, name)) {
      throw new EncodeError(
        "invalid-argument",
        `Cannot make client ID with capability ${quote(String(name))}: unknown`,
      );
    }
    bits |= ClientCapability[name];
  }
  return msnc * MSNC_UNIT + bits;
}
