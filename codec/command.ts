// The command table: for each connection kind (notification server, switchboard) and direction,
// every command's TrID rule, payload rule, wire syntax, secret arguments and limits. The decoder,
// the encoder, the typed views and the recorder's redaction read their rules from here, so
// "where is X defined" has one answer: the row below.

/**
 * Who sent a command. Whether a command carries a TrID, and whether it is
 * followed by a payload, depends on the direction as well as the name.
 */
export type Direction = "server" | "client";

/** Which kind of server a connection goes to: a notification server or a switchboard. */
export type ConnectionKind = "ns" | "sb";

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

/**
 * Whether a command carries a TrID: `yes`, `no`, or `first-arg` when its
 * first parameter decides (GTC, BLP and PRP carry one when they answer a
 * client command, none inside a SYN reply).
 */
export type TridRule = "yes" | "no" | "first-arg";

/** One row of {@link COMMANDS}: the grammar of a command on one connection kind and direction. */
export interface CommandRule {
  /** Whether the first parameter is a TrID. */
  readonly trid: TridRule;
  /** Whether a payload follows, its byte length being the last argument. */
  readonly payload: boolean;
  /** The wire form, for people (`t` is the TrID). */
  readonly syntax: string;
  /**
   * Indexes into `args` (after the TrID) of arguments that are secrets
   * (tickets, cookies), decided from the arguments because one name can
   * have several forms. Absent when the command carries none.
   */
  readonly secrets?: (args: readonly string[]) => readonly number[];
  /** Largest payload a server accepts, in bytes, where one is known. */
  readonly maxPayloadBytes?: number;
}

/** Largest `MSG` payload a switchboard accepts: servers close the connection on more. */
export const MAX_SB_PAYLOAD_BYTES = 1664;

/** The rules of one connection kind and direction, by command name. */
export type CommandTable = Readonly<Record<string, CommandRule>>;

const yes = (syntax: string, extra: Partial<CommandRule> = {}): CommandRule =>
  Object.freeze({ trid: "yes", payload: false, syntax, ...extra });
const no = (syntax: string, extra: Partial<CommandRule> = {}): CommandRule =>
  Object.freeze({ trid: "no", payload: false, syntax, ...extra });
const byFirst = (syntax: string): CommandRule =>
  Object.freeze({ trid: "first-arg", payload: false, syntax });

// The cookie after `CKI` in `XFR t SB host:port CKI cookie` and `RNG ... CKI cookie ...`.
// The cookie is argument 3 whatever auth type argument 2 names: that is where the views read it.
const cookieAt3 = (args: readonly string[]): readonly number[] => args.length > 3 ? [3] : [];
const isAuthScheme = (arg: string | undefined): boolean => arg === "TWN" || arg === "MD5";

const NS_SERVER: CommandTable = {
  VER: yes("VER t version... (VER t 0: none supported)"),
  CVR: yes("CVR t recommended recommended2 minimum download-url info-url"),
  USR: yes("USR t TWN S challenge | USR t OK passport name verified restricted"),
  XFR: yes("XFR t NS host:port 0 current | XFR t SB host:port CKI cookie", {
    secrets: (a) => a[0] === "SB" ? cookieAt3(a) : [],
  }),
  SYN: yes("SYN t version [contacts groups]"),
  CHG: yes("CHG t status [client-id [msnobj]]"),
  ADD: yes("ADD t list version passport name [group]"),
  REM: yes("REM t list version passport [group]"),
  ADG: yes("ADG t version name group-id 0"),
  RMG: yes("RMG t version group-id"),
  REG: yes("REG t version group-id name 0"),
  REA: yes("REA t version passport name"),
  URL: yes("URL t rru url [id]"),
  SND: yes("SND t ..."),
  QRY: yes("QRY t"),
  ILN: yes("ILN t status passport name client-id [msnobj]"),
  CHL: yes("CHL 0 challenge"),
  FND: yes("FND t ..."),
  SDC: yes("SDC t ..."),
  PAG: yes("PAG t ..."),
  PGD: yes("PGD t ..."),
  GTC: byFirst("GTC t version A|N | GTC A|N (in SYN)"),
  BLP: byFirst("BLP t version AL|BL | BLP AL|BL (in SYN)"),
  PRP: byFirst("PRP t version property value | PRP property value (in SYN)"),
  NLN: no("NLN status passport name client-id [msnobj]"),
  FLN: no("FLN passport"),
  QNG: no("QNG [seconds]"),
  RNG: no("RNG session-id host:port CKI cookie inviter name", { secrets: cookieAt3 }),
  OUT: no("OUT [OTH|SSD]"),
  BPR: no("BPR property value (in SYN) | BPR version passport property [value]"),
  LSG: no("LSG group-id name 0"),
  LST: no("LST passport name lists [groups]"),
  MSG: no("MSG Hotmail Hotmail length + payload", { payload: true }),
  NOT: no("NOT length + payload", { payload: true }),
  IPG: no("IPG length + payload", { payload: true }),
};

const NS_CLIENT: CommandTable = {
  VER: yes("VER t version... CVR0"),
  CVR: yes("CVR t lcid os os-version arch client client-version MSMSGS passport"),
  USR: yes("USR t TWN I passport | USR t TWN S ticket", {
    secrets: (a) => isAuthScheme(a[0]) && a[1] === "S" && a.length >= 3 ? [2] : [],
  }),
  XFR: yes("XFR t SB"),
  SYN: yes("SYN t version"),
  CHG: yes("CHG t status [client-id [msnobj]]"),
  ADD: yes("ADD t list passport name [group]"),
  REM: yes("REM t list passport [group]"),
  ADG: yes("ADG t name 0"),
  RMG: yes("RMG t group-id"),
  REG: yes("REG t group-id name 0"),
  REA: yes("REA t passport name"),
  BLP: yes("BLP t AL|BL"),
  GTC: yes("GTC t A|N"),
  PRP: yes("PRP t property value"),
  URL: yes("URL t service [param]"),
  SND: yes("SND t ..."),
  FND: yes("FND t ..."),
  QRY: yes("QRY t product-id 32 + payload", { payload: true }),
  SDC: yes("SDC t ... length + payload", { payload: true }),
  PAG: yes("PAG t ... length + payload (MSNP8)", { payload: true }),
  PGD: yes("PGD t ... length + payload (MSNP9)", { payload: true }),
  PNG: no("PNG"),
  OUT: no("OUT"),
};

const SB_SERVER: CommandTable = {
  USR: yes("USR t OK passport name"),
  CAL: yes("CAL t RINGING session-id"),
  ANS: yes("ANS t OK"),
  IRO: yes("IRO t index total passport name"),
  ACK: yes("ACK t"),
  NAK: yes("NAK t"),
  JOI: no("JOI passport name"),
  BYE: no("BYE passport [1] (1: idle timeout)"),
  OUT: no("OUT"),
  MSG: no("MSG passport name length + payload", { payload: true }),
};

const SB_CLIENT: CommandTable = {
  // An SB USR starts with a passport, never TWN/MD5: the guard keeps the rule
  // right when the connection kind is not known.
  USR: yes("USR t passport cookie", {
    secrets: (a) => a.length >= 2 && !isAuthScheme(a[0]) ? [1] : [],
  }),
  ANS: yes("ANS t passport cookie session-id", { secrets: (a) => a.length >= 2 ? [1] : [] }),
  CAL: yes("CAL t passport"),
  MSG: yes("MSG t U|N|A|D length + payload", {
    payload: true,
    maxPayloadBytes: MAX_SB_PAYLOAD_BYTES,
  }),
  OUT: no("OUT"),
};

/**
 * The command table: per connection kind and direction, each known command's
 * {@link CommandRule}. Error codes (`911 t`) are not listed: they always carry
 * a TrID and never a payload.
 *
 * @example Where is `CAL` defined?
 * ```ts
 * import { COMMANDS } from "@msnp/client/codec";
 * COMMANDS.sb.server.CAL.syntax; // "CAL t RINGING session-id"
 * ```
 */
export const COMMANDS: Readonly<Record<ConnectionKind, Readonly<Record<Direction, CommandTable>>>> =
  Object
    .freeze({
      ns: Object.freeze({ server: Object.freeze(NS_SERVER), client: Object.freeze(NS_CLIENT) }),
      sb: Object.freeze({ server: Object.freeze(SB_SERVER), client: Object.freeze(SB_CLIENT) }),
    });

const KINDS: readonly ConnectionKind[] = ["ns", "sb"];

/**
 * The rule for a command, or `undefined` when the table does not list it.
 * Without `kind`, the notification-server row wins and the switchboard row is
 * the fallback (the two never disagree on TrID or payload).
 *
 * @example
 * ```ts
 * import { commandRule } from "@msnp/client/codec";
 * commandRule("JOI", "server")?.trid; // "no"
 * ```
 */
export function commandRule(
  name: string,
  from: Direction,
  kind?: ConnectionKind,
): CommandRule | undefined {
  for (const k of kind === undefined ? KINDS : [kind]) {
    const table = COMMANDS[k][from];
    if (Object.hasOwn(table, name)) return table[name];
  }
  return undefined;
}

/** The commands followed by a payload, per direction, on either connection kind. */
export const PAYLOAD_COMMANDS: Readonly<Record<Direction, readonly string[]>> = Object.freeze({
  server: payloadNames("server"),
  client: payloadNames("client"),
});

function payloadNames(from: Direction): readonly string[] {
  const names = new Set<string>();
  for (const k of KINDS) {
    for (const [name, rule] of Object.entries(COMMANDS[k][from])) if (rule.payload) names.add(name);
  }
  return Object.freeze([...names]);
}

/** Whether `name` is a three-digit error code. */
export function isErrorCode(name: string): boolean {
  return name.length === 3 && name >= "000" && name <= "999" && /^\d{3}$/.test(name);
}

/**
 * Whether a command with this name, sent in this direction, is followed by a
 * payload whose byte length is its last argument.
 */
export function hasPayload(name: string, from: Direction, kind?: ConnectionKind): boolean {
  return commandRule(name, from, kind)?.payload ?? false;
}

// GTC, BLP and PRP from the server: the two forms are told apart by the first
// argument, which inside SYN is a mode or property name and never a number.
const TRID_UNLESS_FIRST: Readonly<Record<string, (first: string | undefined) => boolean>> = {
  GTC: (first) => first === "A" || first === "N",
  BLP: (first) => first === "AL" || first === "BL",
  PRP: (first) => first !== undefined && /^[A-Z]{3}$/.test(first),
};

/**
 * Whether the first parameter of this command is a TrID. Decided from the
 * command table, never by looking at whether the parameter is numeric
 * (`RNG 17342299 …` and `QNG 48` start with numbers that are not TrIDs).
 *
 * `firstArg` is the first parameter after the name; only `GTC`, `BLP` and
 * `PRP` from the server look at it.
 *
 * Returns `true` (required), `false` (absent), or `undefined` for an unknown
 * server command, whose parameters are then all kept as arguments. Unknown
 * client commands carry a TrID.
 */
export function hasTrid(
  name: string,
  from: Direction,
  firstArg?: string,
  kind?: ConnectionKind,
): boolean | undefined {
  if (isErrorCode(name)) return true;
  const rule = commandRule(name, from, kind);
  if (rule === undefined) return from === "client" ? true : undefined;
  if (rule.trid === "first-arg") return !TRID_UNLESS_FIRST[name](firstArg);
  return rule.trid === "yes";
}

/**
 * Indexes into `args` (the parameters after the TrID) of the arguments of
 * this command that are secrets: the Passport ticket in `USR t TWN S`, the
 * switchboard cookie in `XFR … CKI`, `RNG … CKI`, `USR t me cookie` and
 * `ANS t me cookie sessid`. A recorder replaces exactly these; anything that
 * would read one as a secret derives it from here.
 *
 * Without `kind`, the rules of both connection kinds apply (they never mark
 * a non-secret argument of the other kind).
 */
export function secretArgIndexes(
  name: string,
  from: Direction,
  args: readonly string[],
  kind?: ConnectionKind,
): number[] {
  const out = new Set<number>();
  for (const k of kind === undefined ? KINDS : [kind]) {
    const table = COMMANDS[k][from];
    if (!Object.hasOwn(table, name)) continue;
    for (const i of table[name].secrets?.(args) ?? []) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * Names of MIME payload headers that hold secrets (`MSPAuth` and `MSPProf` in
 * the notification server's profile message), lower case.
 */
export const SECRET_PAYLOAD_HEADERS: readonly string[] = Object.freeze(["mspauth", "mspprof"]);

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
