// Typed views over switchboard server commands (the rows of COMMANDS.sb.server).
import { Args, sharedView } from "./_args.ts";
import type { Command } from "./command.ts";

/**
 * A switchboard server command with its arguments typed and names
 * URL-decoded. `type` is the command name, refined where one name has
 * several forms (`USR_OK`, `ANS_OK`).
 */
export type SwitchboardServerMessage =
  /** `USR t OK passport name`: our cookie was accepted (outgoing conversation). */
  | { type: "USR_OK"; trid: number; passport: string; friendlyName: string }
  /** `CAL t RINGING sessid`: the invitation went out; the invitee is in only at `JOI`. */
  | { type: "CAL"; trid: number; status: string; sessionId: string }
  /** `JOI passport name`: someone joined. */
  | { type: "JOI"; passport: string; friendlyName: string }
  /** `IRO t index total passport name`: one participant already there (incoming conversation). */
  | {
    type: "IRO";
    trid: number;
    index: number;
    total: number;
    passport: string;
    friendlyName: string;
  }
  /** `ANS t OK`: the roster (`IRO`s) is complete. */
  | { type: "ANS_OK"; trid: number }
  /** `BYE passport [1]`: someone left; `timedOut` for `BYE passport 1` (idle timeout). */
  | { type: "BYE"; passport: string; timedOut: boolean }
  /** `ACK t`: the server took the message with that TrID. */
  | { type: "ACK"; trid: number }
  /** `NAK t`: the message with that TrID was not delivered. */
  | { type: "NAK"; trid: number }
  /** `OUT`: the server ends the switchboard. */
  | { type: "OUT"; reason?: string }
  /** `MSG passport name length` + payload: a message from a participant. */
  | {
    type: "MSG";
    /** Sender passport. */
    sender: string;
    /** Sender's friendly name, URL-decoded. */
    senderName: string;
    /** The payload bytes (a MIME message). */
    payload: Uint8Array;
  }
  /** An error reply such as `217 t` (see `codec/error_codes.ts`). */
  | { type: "error"; trid: number; code: number; name: string; meaning: string }
  /** A command the switchboard table does not know, kept as decoded. */
  | { type: "unknown"; command: Command };

/** Server command names that exist only on a switchboard. */
export const SWITCHBOARD_ONLY: ReadonlySet<string> = new Set([
  "ANS",
  "IRO",
  "CAL",
  "JOI",
  "BYE",
  "ACK",
  "NAK",
]);

/**
 * Reads a decoded switchboard server command into a typed
 * {@link SwitchboardServerMessage}. Unknown commands come back as
 * `{ type: "unknown" }`; known commands with missing or malformed arguments
 * throw a non-fatal `DecodeError` with code `invalid-arguments`.
 *
 * @example
 * ```ts
 * import { parseSwitchboardCommand } from "@msnp/client/codec";
 * parseSwitchboardCommand({ name: "JOI", trid: null, args: ["bob@x.com", "Bob%20B"] });
 * // { type: "JOI", passport: "bob@x.com", friendlyName: "Bob B" }
 * ```
 */
export function parseSwitchboardCommand(command: Command): SwitchboardServerMessage {
  const shared = sharedView(command);
  if (shared !== undefined) return shared;
  const { name, trid, args } = command;
  const t = trid ?? 0;
  switch (name) {
    case "USR": {
      const a = new Args(command, 2);
      if (a.str(0) !== "OK") return { type: "unknown", command };
      return {
        type: "USR_OK",
        trid: t,
        passport: a.str(1),
        friendlyName: a.nameOr(2, 1),
      };
    }
    case "CAL": {
      const a = new Args(command, 2);
      return { type: "CAL", trid: t, status: a.str(0), sessionId: a.str(1) };
    }
    case "JOI": {
      const a = new Args(command, 1);
      return {
        type: "JOI",
        passport: a.str(0),
        friendlyName: a.nameOr(1, 0),
      };
    }
    case "IRO": {
      const a = new Args(command, 4);
      return {
        type: "IRO",
        trid: t,
        index: a.int(0),
        total: a.int(1),
        passport: a.str(2),
        friendlyName: a.name(3),
      };
    }
    case "ANS":
      if (args[0] === "OK") return { type: "ANS_OK", trid: t };
      return { type: "unknown", command };
    case "BYE": {
      const a = new Args(command, 1);
      return { type: "BYE", passport: a.str(0), timedOut: a.opt(1) === "1" };
    }
    case "ACK":
    case "NAK":
      return { type: name, trid: t };
    default:
      return { type: "unknown", command };
  }
}
