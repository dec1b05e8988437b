// Positional argument readers shared by the notification-server and switchboard views: each
// failure is a non-fatal DecodeError naming the command, never the argument's secret value.
import { type AnyStatus, type ListName, STATUSES as SETTABLE_STATUSES } from "./client_commands.ts";
import { type Command, isErrorCode } from "./command.ts";
import { DecodeError, quote } from "./errors.ts";
import { describeErrorCode } from "./error_codes.ts";
import { urlDecode } from "./url_encoding.ts";

/** A `host:port` pair from `XFR` or `RNG`. */
export interface HostPort {
  /** Host name or IP address. */
  host: string;
  /** TCP port. */
  port: number;
}

const LISTS: ReadonlySet<string> = new Set(["FL", "AL", "BL", "RL"]);
const STATUSES: ReadonlySet<string> = new Set([...SETTABLE_STATUSES, "FLN"]);

/** Reads a command's arguments by position; throws a non-fatal `invalid-arguments` DecodeError. */
export class Args {
  readonly #c: Command;
  constructor(c: Command, min: number) {
    this.#c = c;
    if (c.args.length < min) this.fail(`expected at least ${min} arguments, got ${c.args.length}`);
  }
  fail(why: string): never {
    throw new DecodeError("invalid-arguments", `Cannot read "${this.#c.name}": ${why}`, -1, false);
  }
  str(i: number): string {
    return this.#c.args[i];
  }
  opt(i: number): string | undefined {
    return this.#c.args[i];
  }
  name(i: number): string {
    return urlDecode(this.#c.args[i]);
  }
  /** The friendly name at `i`, or the passport at `passport` when the server left the name out. */
  nameOr(i: number, passport: number): string {
    return this.#c.args[i] === undefined ? this.str(passport) : this.name(i);
  }
  int(i: number): number {
    const s = this.#c.args[i];
    if (s === undefined || !/^\d{1,10}$/.test(s) || Number(s) > 0xffffffff) {
      this.fail(`argument ${i + 1} must be a non-negative integer, got ${quote(s ?? "")}`);
    }
    return Number(s);
  }
  optInt(i: number): number | undefined {
    return this.#c.args[i] === undefined ? undefined : this.int(i);
  }
  list(i: number): ListName {
    const s = this.#c.args[i];
    if (!LISTS.has(s)) this.fail(`argument ${i + 1} must be FL, AL, BL or RL`);
    return s as ListName;
  }
  status(i: number): AnyStatus {
    const s = this.#c.args[i];
    if (!STATUSES.has(s)) this.fail(`unknown status ${quote(s)}`);
    return s as AnyStatus;
  }
  address(i: number): HostPort {
    const s = this.#c.args[i];
    const colon = s.lastIndexOf(":");
    const port = colon > 0 ? s.slice(colon + 1) : "";
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) this.fail(`invalid host:port ${quote(s)}`);
    return { host: s.slice(0, colon), port: Number(port) };
  }
  groups(i: number): number[] {
    const s = this.#c.args[i];
    if (s === undefined) return [];
    return s.split(",").filter((g) => g !== "").map((g) => {
      if (!/^\d{1,10}$/.test(g)) this.fail(`invalid group list ${quote(s)}`);
      return Number(g);
    });
  }
}

/** The views the notification server and a switchboard share: error replies, `OUT` and `MSG`. */
export type SharedView =
  | { type: "error"; trid: number; code: number; name: string; meaning: string }
  | { type: "OUT"; reason?: string }
  | { type: "MSG"; sender: string; senderName: string; payload: Uint8Array };

/**
 * Reads the commands both connections read alike, so the two views cannot drift apart;
 * `undefined` for any other command.
 */
export function sharedView(command: Command): SharedView | undefined {
  const { name, trid, args } = command;
  if (isErrorCode(name)) {
    const code = Number(name);
    return { type: "error", trid: trid ?? 0, code, ...describeErrorCode(code) };
  }
  if (name === "OUT") return { type: "OUT", ...(args.length > 0 ? { reason: args[0] } : {}) };
  if (name === "MSG") {
    const a = new Args(command, 3);
    return {
      type: "MSG",
      sender: a.str(0),
      senderName: a.name(1),
      payload: command.payload ?? new Uint8Array(),
    };
  }
  return undefined;
}
