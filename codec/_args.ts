// Positional argument readers shared by the notification-server and switchboard views: each
// failure is a non-fatal DecodeError naming the command, never the argument's secret value.
import { type AnyStatus, type ListName, STATUSES as SETTABLE_STATUSES } from "./client_commands.ts";
import type { Command } from "./command.ts";
import { DecodeError, quote } from "./errors.ts";
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
