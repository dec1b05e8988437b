import type { Command } from "./command.ts";
import { checkArgument } from "./encoder.ts";
import { EncodeError } from "./errors.ts";
import { encodeUtf8 } from "./mime.ts";
import { urlEncode } from "./url_encoding.ts";

/**
 * Builders for every command a client sends in MSNP8/9. Each returns a
 * {@link Command} to pass to `encodeCommand`; TrIDs come from the caller.
 * Names are URL-encoded here, and lengths are checked against the limits in
 * PROTOCOL.md sec. 1 (servers disconnect on longer ones).
 */

/** A list a contact can be on: forward, allow, block, reverse. */
export type ListName = "FL" | "AL" | "BL" | "RL";
/** A presence status a client can set. `FLN` is not one: servers answer it with 201. */
export type Status = "NLN" | "BSY" | "IDL" | "BRB" | "AWY" | "PHN" | "LUN" | "HDN";
/** Every presence status, including offline, as seen from the server. */
export type AnyStatus = Status | "FLN";
/** A phone/profile property (`WWE` is MSNP9 only). */
export type PhoneProperty = "PHH" | "PHW" | "PHM" | "MOB" | "MBE" | "WWE";
/** Message acknowledgement mode of a switchboard `MSG`. */
export type AckMode = "U" | "N" | "A" | "D";

/** List bit values in `LST`: FL=1, AL=2, BL=4, RL=8. */
export const LIST_BITS: Readonly<Record<ListName, number>> = Object.freeze({
  FL: 1,
  AL: 2,
  BL: 4,
  RL: 8,
});

/** Longest passport (account name) in bytes. */
export const MAX_PASSPORT_BYTES = 129;
/** Longest URL-encoded friendly name in bytes (each `%XX` counts 3). */
export const MAX_FRIENDLY_NAME_BYTES = 387;
/** Longest URL-encoded group name in bytes (PROTOCOL.md: 61; one source says 127). */
export const MAX_GROUP_NAME_BYTES = 61;
/** Longest URL-encoded phone property value in bytes. */
export const MAX_PHONE_BYTES = 95;

/** Every status a client can set, in the order clients list them. */
export const STATUSES: readonly Status[] = ["NLN", "BSY", "IDL", "BRB", "AWY", "PHN", "LUN", "HDN"];
const SETTABLE: ReadonlySet<string> = new Set(STATUSES);
const PHONE_PROPERTIES: ReadonlySet<string> = new Set(["PHH", "PHW", "PHM", "MOB", "MBE", "WWE"]);

function limited(kind: string, encoded: string, max: number): string {
  if (encoded.length > max) {
    throw new EncodeError(
      "too-long",
      `Cannot encode ${kind}: ${encoded.length} bytes encoded, limit ${max}`,
    );
  }
  if (encoded.length === 0) {
    throw new EncodeError("invalid-argument", `Cannot encode ${kind}: it is empty`);
  }
  return encoded;
}

/** A passport argument, checked for framing and length. */
export function passportArg(name: string, passport: string): string {
  checkArgument(name, passport, 0);
  if (encodeUtf8(passport, "passport").length > MAX_PASSPORT_BYTES) {
    throw new EncodeError(
      "too-long",
      `Cannot encode "${name}": passport is over ${MAX_PASSPORT_BYTES} bytes`,
    );
  }
  return passport;
}

/** `value` when `allowed` has it; an `invalid-argument` EncodeError otherwise. */
export function oneOf<T extends string>(
  name: string,
  what: string,
  value: string,
  allowed: ReadonlySet<string>,
): T {
  if (!allowed.has(value)) {
    throw new EncodeError("invalid-argument", `Cannot encode "${name}": invalid ${what}`);
  }
  return value as T;
}

function groupIdArg(name: string, id: number): string {
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) {
    throw new EncodeError(
      "invalid-argument",
      `Cannot encode "${name}": group id must be a non-negative integer`,
    );
  }
  return String(id);
}

/** URL-encodes a friendly name and checks its length. */
export function encodeFriendlyName(friendlyName: string): string {
  return limited("friendly name", urlEncode(friendlyName), MAX_FRIENDLY_NAME_BYTES);
}

/** URL-encodes a group name and checks its length. */
export function encodeGroupName(groupName: string): string {
  return limited("group name", urlEncode(groupName), MAX_GROUP_NAME_BYTES);
}

/**
 * `VER trid MSNP9 MSNP8 CVR0`: offers protocol versions, most preferred first.
 * `CVR0` is appended because MSNP8 requires it.
 *
 * @example
 * ```ts
 * import { ver, encodeCommand } from "@msnp/client/codec";
 * encodeCommand(ver(1, ["MSNP9", "MSNP8"])); // "VER 1 MSNP9 MSNP8 CVR0\r\n"
 * ```
 */
export function ver(trid: number, versions: readonly string[]): Command {
  // CVR0 is not a protocol version: a VER offering only CVR0 offers nothing.
  const args = Array.isArray(versions) ? versions.filter((v) => v !== "CVR0") : [];
  if (args.length === 0) {
    throw new EncodeError("invalid-argument", `Cannot encode "VER": no protocol version`);
  }
  args.forEach((v, i) => checkArgument("VER", v, i));
  return { name: "VER", trid, args: [...args, "CVR0"] };
}

/** Client identification sent with `CVR`. */
export interface ClientInfo {
  /** Locale id, e.g. `0x0409`. */
  localeId: string;
  /** Operating system type, e.g. `winnt`. */
  osType: string;
  /** Operating system version, e.g. `5.1`. */
  osVersion: string;
  /** CPU architecture, e.g. `i386`. */
  architecture: string;
  /** Client name, e.g. `MSNMSGR`. */
  clientName: string;
  /** Client version, e.g. `6.0.0602`. */
  clientVersion: string;
  /** Always `MSMSGS` for the official client. */
  clientId: string;
}

/** The identification MSN Messenger 6.0 sent; servers accept it for MSNP8 and MSNP9. */
export const DEFAULT_CLIENT_INFO: Readonly<ClientInfo> = Object.freeze({
  localeId: "0x0409",
  osType: "winnt",
  osVersion: "5.1",
  architecture: "i386",
  clientName: "MSNMSGR",
  clientVersion: "6.0.0602",
  clientId: "MSMSGS",
});

/** `CVR trid <lcid> <os> <osver> <arch> <client> <ver> MSMSGS <passport>`. */
export function cvr(
  trid: number,
  passport: string,
  info: ClientInfo = DEFAULT_CLIENT_INFO,
): Command {
  const args = [
    info.localeId,
    info.osType,
    info.osVersion,
    info.architecture,
    info.clientName,
    info.clientVersion,
    info.clientId,
    passportArg("CVR", passport),
  ];
  args.forEach((a, i) => checkArgument("CVR", a, i));
  return { name: "CVR", trid, args };
}

/** `USR trid TWN I <passport>`: starts Tweener authentication. */
export function usrTwnInitial(trid: number, passport: string): Command {
  return { name: "USR", trid, args: ["TWN", "I", passportArg("USR", passport)] };
}

/** `USR trid TWN S <ticket>`: answers the challenge with the Passport ticket. */
export function usrTwnSubsequent(trid: number, ticket: string): Command {
  checkArgument("USR", ticket, 2);
  return { name: "USR", trid, args: ["TWN", "S", ticket] };
}

/** `XFR trid SB`: asks for a switchboard. */
export function xfrSb(trid: number): Command {
  return { name: "XFR", trid, args: ["SB"] };
}

/** `SYN trid <version>`: asks for the contact list if newer than `version` (0: always). */
export function syn(trid: number, version: number): Command {
  if (!Number.isInteger(version) || version < 0) {
    throw new EncodeError(
      "invalid-argument",
      `Cannot encode "SYN": version must be a non-negative integer`,
    );
  }
  return { name: "SYN", trid, args: [String(version)] };
}

/**
 * `CHG trid <status> [<clientId> [<msnobj>]]`. The MSNObject (MSNP9) is the
 * raw XML and is URL-encoded here.
 */
export function chg(
  trid: number,
  status: Status,
  options: { clientId?: number; msnObject?: string } = {},
): Command {
  const args: string[] = [oneOf<Status>("CHG", "status", status, SETTABLE)];
  if (options.clientId !== undefined || options.msnObject !== undefined) {
    const id = options.clientId ?? 0;
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) {
      throw new EncodeError(
        "invalid-argument",
        `Cannot encode "CHG": client id must be a 32-bit unsigned integer`,
      );
    }
    args.push(String(id));
  }
  if (options.msnObject !== undefined) {
    args.push(limited("MSNObject", urlEncode(options.msnObject), 4096));
  }
  return { name: "CHG", trid, args };
}

/** `ADD trid <list> <passport> <name> [<group>]`: adds a contact to a list. */
export function add(
  trid: number,
  list: Exclude<ListName, "RL">,
  passport: string,
  options: { friendlyName?: string; groupId?: number } = {},
): Command {
  const args = [
    oneOf<ListName>("ADD", "list", list, new Set(["FL", "AL", "BL"])),
    passportArg("ADD", passport),
    encodeFriendlyName(options.friendlyName ?? passport),
  ];
  if (options.groupId !== undefined) args.push(groupIdArg("ADD", options.groupId));
  return { name: "ADD", trid, args };
}

/** `REM trid <list> <passport> [<group>]`: removes a contact from a list or one group. */
export function rem(
  trid: number,
  list: Exclude<ListName, "RL">,
  passport: string,
  options: { groupId?: number } = {},
): Command {
  const args = [
    oneOf<ListName>("REM", "list", list, new Set(["FL", "AL", "BL"])),
    passportArg("REM", passport),
  ];
  if (options.groupId !== undefined) args.push(groupIdArg("REM", options.groupId));
  return { name: "REM", trid, args };
}

/** `ADG trid <name> 0`: creates a group. */
export function adg(trid: number, groupName: string): Command {
  return { name: "ADG", trid, args: [encodeGroupName(groupName), "0"] };
}

/** `RMG trid <id>`: removes a group. */
export function rmg(trid: number, groupId: number): Command {
  return { name: "RMG", trid, args: [groupIdArg("RMG", groupId)] };
}

/** `REG trid <id> <name> 0`: renames a group. */
export function reg(trid: number, groupId: number, groupName: string): Command {
  return { name: "REG", trid, args: [groupIdArg("REG", groupId), encodeGroupName(groupName), "0"] };
}

/** `REA trid <passport> <name>`: renames yourself (your own passport) or a contact. */
export function rea(trid: number, passport: string, friendlyName: string): Command {
  return {
    name: "REA",
    trid,
    args: [passportArg("REA", passport), encodeFriendlyName(friendlyName)],
  };
}

/** `BLP trid AL|BL`: whether people not on any list may see you (AL) or not (BL). */
export function blp(trid: number, mode: "AL" | "BL"): Command {
  return { name: "BLP", trid, args: [oneOf("BLP", "mode", mode, new Set(["AL", "BL"]))] };
}

/** `GTC trid A|N`: whether to be asked (A) or not (N) when someone adds you. */
export function gtc(trid: number, mode: "A" | "N"): Command {
  return { name: "GTC", trid, args: [oneOf("GTC", "mode", mode, new Set(["A", "N"]))] };
}

/** `PRP trid <prop> <value>`: sets one of your phone numbers (empty value clears it). */
export function prp(trid: number, property: PhoneProperty, value: string): Command {
  const args: string[] = [oneOf<PhoneProperty>("PRP", "property", property, PHONE_PROPERTIES)];
  if (value !== "") {
    const encoded = urlEncode(value);
    if (encoded.length > MAX_PHONE_BYTES) {
      throw new EncodeError(
        "too-long",
        `Cannot encode "PRP": value is over ${MAX_PHONE_BYTES} bytes`,
      );
    }
    args.push(encoded);
  }
  return { name: "PRP", trid, args };
}

/** `QRY trid <product-id> 32` + the 32-character challenge answer. */
export function qry(trid: number, productId: string, answer: string): Command {
  checkArgument("QRY", productId, 0);
  if (!/^[0-9a-f]{32}$/.test(answer)) {
    throw new EncodeError(
      "invalid-argument",
      `Cannot encode "QRY": answer must be 32 lowercase hex digits`,
    );
  }
  return { name: "QRY", trid, args: [productId, "32"], payload: new TextEncoder().encode(answer) };
}

/** `PNG`: keepalive; the server answers `QNG`. */
export function png(): Command {
  return { name: "PNG", trid: null, args: [] };
}

/** `OUT`: signs out (notification server) or leaves (switchboard). */
export function out(): Command {
  return { name: "OUT", trid: null, args: [] };
}

/** `URL trid <service> [<param>]`: asks for a Hotmail/profile URL (`INBOX`, `COMPOSE`, `PROFILE`, ...). */
export function url(trid: number, service: string, param?: string): Command {
  checkArgument("URL", service, 0);
  const args = [service];
  if (param !== undefined) {
    checkArgument("URL", param, 1);
    args.push(param);
  }
  return { name: "URL", trid, args };
}

/**
 * `SDC trid <passport> <lcid> MSMSGS WindowsMessenger X X <name> <len>` +
 * body: sends an e-mail invitation to `passport`.
 */
export function sdc(
  trid: number,
  passport: string,
  options: { friendlyName: string; body: string; localeId?: string },
): Command {
  const payload = encodeUtf8(options.body, '"SDC" body');
  const localeId = options.localeId ?? "0x0409";
  checkArgument("SDC", localeId, 1);
  return {
    name: "SDC",
    trid,
    args: [
      passportArg("SDC", passport),
      localeId,
      "MSMSGS",
      "WindowsMessenger",
      "X",
      "X",
      encodeFriendlyName(options.friendlyName),
      String(payload.length),
    ],
    payload,
  };
}
