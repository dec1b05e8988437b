/**
 * Who sent a command. Whether a command carries a TrID, and whether it is
 * followed by a payload, depends on the direction as well as the name.
 */
export type Direction = "server" | "client";

/**
 * One protocol command as it is on the wire.
 *
 * `args` are the parameters after the TrID exactly as sent (still
 * URL-encoded); for payload commands the last argument is the payload length
 * in bytes and `payload` holds exactly that many bytes.
 */
export interface Command {
  /** Three upper-case letters (`"MSG"`), or a three-digit error code (`"911"`). */
  name: string;
  /** Transaction ID, or `null` for commands that carry none on this direction. */
  trid: number | null;
  /** Parameters after the TrID, as on the wire. */
  args: string[];
  /** Payload bytes of a payload command (`MSG`, `NOT`, `IPG`, `QRY`, ...). */
  payload?: Uint8Array;
}

/** The largest TrID the protocol allows (an unsigned 32-bit integer). */
export const MAX_TRID = 4294967295;

// Server commands that echo a TrID (PROTOCOL.md sec. 1). CHL, "ADD 0 RL",
// "XFR 0 NS 0" and "CHG 0 FLN" use TrID 0, which is still a TrID.
const SERVER_WITH_TRID = new Set([
  "VER",
  "CVR",
  "USR",
  "XFR",
  "SYN",
  "CHG",
  "ADD",
  "REM",
  "ADG",
  "RMG",
  "REG",
  "REA",
  "URL",
  "SND",
  "QRY",
  "ILN",
  "CHL",
  "FND",
  "SDC",
  "PAG",
  "PGD",
  "ANS",
  "IRO",
  "CAL",
  "ACK",
  "NAK",
]);

// GTC, BLP and PRP carry a TrID when they answer a client command, but not
// inside a SYN reply. The two forms are told apart by their first argument,
// which inside SYN is a mode or property name and never a number.
const SERVER_TRID_UNLESS_FIRST: Record<string, (first: string | undefined) => boolean> = {
  GTC: (first) => first === "A" || first === "N",
  BLP: (first) => first === "AL" || first === "BL",
  PRP: (first) => first !== undefined && /^[A-Z]{3}$/.test(first),
};

const CLIENT_WITHOUT_TRID = new Set(["PNG", "OUT"]);

/** The commands followed by a payload, per direction (not exported from the codec's mod.ts). */
export const PAYLOAD_COMMANDS: Readonly<Record<Direction, readonly string[]>> = {
  server: ["MSG", "NOT", "IPG"],
  client: ["MSG", "QRY", "SDC", "PAG", "PGD"],
};
const SERVER_PAYLOAD = new Set(PAYLOAD_COMMANDS.server);
const CLIENT_PAYLOAD = new Set(PAYLOAD_COMMANDS.client);

/** Whether `name` is a three-digit error code. */
export function isErrorCode(name: string): boolean {
  return name.length === 3 && name >= "000" && name <= "999" && /^\d{3}$/.test(name);
}

/**
 * Whether a command with this name, sent in this direction, is followed by a
 * payload whose byte length is its last argument.
 *
 * @example
 * ```ts
 * import { hasPayload } from "@msnp/client/codec";
 * hasPayload("QRY", "client"); // true
 * hasPayload("QRY", "server"); // false
 * ```
 */
export function hasPayload(name: string, from: Direction): boolean {
  return (from === "server" ? SERVER_PAYLOAD : CLIENT_PAYLOAD).has(name);
}

/**
 * Whether the first parameter of this command is a TrID. Decided from a
 * per-command table, never by looking at whether the parameter is numeric
 * (`RNG 17342299 …` and `QNG 48` start with numbers that are not TrIDs).
 *
 * `firstArg` is the first parameter after the name; only `GTC`, `BLP` and
 * `PRP` from the server look at it.
 *
 * Returns `true` (required), `false` (absent), or `undefined` for an unknown
 * server command, whose parameters are then all kept as arguments.
 */
export function hasTrid(
  name: string,
  from: Direction,
  firstArg?: string,
): boolean | undefined {
  if (from === "client") return !CLIENT_WITHOUT_TRID.has(name);
  if (SERVER_WITH_TRID.has(name) || isErrorCode(name)) return true;
  if (Object.hasOwn(SERVER_TRID_UNLESS_FIRST, name)) {
    return !SERVER_TRID_UNLESS_FIRST[name](firstArg);
  }
  return KNOWN_SERVER_WITHOUT_TRID.has(name) ? false : undefined;
}

const KNOWN_SERVER_WITHOUT_TRID = new Set([
  "NLN",
  "FLN",
  "MSG",
  "NOT",
  "IPG",
  "QNG",
  "RNG",
  "OUT",
  "BPR",
  "LSG",
  "LST",
  "JOI",
  "BYE",
]);

/** Whether `text` is a valid TrID: decimal digits, no sign, at most 2^32-1. */
export function parseTrid(text: string): number | undefined {
  if (text.length === 0 || text.length > 10) return undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const n = Number(text);
  return n <= MAX_TRID ? n : undefined;
}
