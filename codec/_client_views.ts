// Typed views over the client's list-management commands, read as a server reads them (the rows
// of COMMANDS.ns.client, the grammar the builders in client_commands.ts write). The loopback
// server in testing/ reads its clients through these instead of by position. Arguments a server
// cannot read throw a non-fatal `invalid-arguments` DecodeError, which a server answers with 201.
import { Args } from "./_args.ts";
import type { ListName } from "./client_commands.ts";
import type { Command } from "./command.ts";

/** A client's list-management command (`ADD` … `PRP`), arguments typed and names URL-decoded. */
export type ClientListCommand =
  | { type: "ADD"; trid: number; list: ListName; passport: string; name: string; groupId?: number }
  | { type: "REM"; trid: number; list: ListName; passport: string; groupId?: number }
  | { type: "ADG"; trid: number; name: string }
  | { type: "RMG"; trid: number; groupId: number }
  | { type: "REG"; trid: number; groupId: number; name: string }
  | { type: "REA"; trid: number; passport: string; name: string }
  /** `mode` as sent (empty when missing); the server judges it. */
  | { type: "BLP" | "GTC"; trid: number; mode: string }
  /** `property` as sent (empty when missing); an empty `value` clears the property. */
  | { type: "PRP"; trid: number; property: string; value: string };

/**
 * Reads a client's list-management command; `undefined` for any other command.
 *
 * @throws {DecodeError} `invalid-arguments` (non-fatal) when an argument is missing or malformed.
 */
export function parseClientListCommand(command: Command): ClientListCommand | undefined {
  const trid = command.trid ?? 0;
  const group = (a: Args, i: number) => a.opt(i) === undefined ? {} : { groupId: a.int(i) };
  switch (command.name) {
    case "ADD": {
      const a = new Args(command, 3);
      const [list, passport, name] = [a.list(0), a.str(1), a.name(2)];
      return { type: "ADD", trid, list, passport, name, ...group(a, 3) };
    }
    case "REM": {
      const a = new Args(command, 2);
      return { type: "REM", trid, list: a.list(0), passport: a.str(1), ...group(a, 2) };
    }
    case "ADG":
      return { type: "ADG", trid, name: new Args(command, 1).name(0) };
    case "RMG":
      return { type: "RMG", trid, groupId: new Args(command, 1).int(0) };
    case "REG": {
      const a = new Args(command, 2);
      return { type: "REG", trid, groupId: a.int(0), name: a.name(1) };
    }
    case "REA": {
      const a = new Args(command, 2);
      return { type: "REA", trid, passport: a.str(0), name: a.name(1) };
    }
    case "BLP":
    case "GTC":
      return { type: command.name, trid, mode: command.args[0] ?? "" };
    case "PRP": {
      const a = new Args(command, 0);
      const value = a.opt(1) === undefined ? "" : a.name(1);
      return { type: "PRP", trid, property: a.opt(0) ?? "", value };
    }
  }
  return undefined;
}
