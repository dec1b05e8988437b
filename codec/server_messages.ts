// Reading server commands into typed views. The notification server's union is in
// ns_server_messages.ts, the switchboard's (and its parser) in sb_server_messages.ts;
// parseServerCommand hands the switchboard-only names to the latter.
import { Args, type HostPort, sharedView } from "./_args.ts";
import type { Command } from "./command.ts";
import type { NotificationServerMessage } from "./ns_server_messages.ts";
import { quote } from "./errors.ts";
import {
  parseSwitchboardCommand,
  SWITCHBOARD_ONLY,
  type SwitchboardServerMessage,
} from "./sb_server_messages.ts";

export type { HostPort, NotificationServerMessage };

/**
 * What {@link parseServerCommand} returns: a {@link NotificationServerMessage},
 * or one of the switchboard-only views of {@link SwitchboardServerMessage}.
 */
export type ServerMessage =
  | NotificationServerMessage
  | Extract<
    SwitchboardServerMessage,
    { type: "CAL" | "JOI" | "IRO" | "ANS_OK" | "BYE" | "ACK" | "NAK" }
  >;

/**
 * Reads a decoded server command into a typed {@link ServerMessage}:
 * notification-server commands as {@link NotificationServerMessage}, the
 * switchboard-only ones (`ANS`, `IRO`, `CAL`, `JOI`, `BYE`, `ACK`, `NAK`) as
 * {@link SwitchboardServerMessage}. On a switchboard connection use
 * {@link parseSwitchboardCommand}, which reads `USR` in its switchboard form.
 * Commands it does not know come back as `{ type: "unknown" }`; known
 * commands with missing or malformed arguments throw a non-fatal
 * {@link DecodeError} with code `invalid-arguments`.
 *
 * @example
 * ```ts
 * import { parseServerCommand } from "@msnp/client/codec";
 * parseServerCommand({ name: "LST", trid: null, args: ["a@b.c", "A%20B", "11", "0"] });
 * // { type: "LST", passport: "a@b.c", friendlyName: "A B", lists: 11, groupIds: [0] }
 * ```
 */
export function parseServerCommand(command: Command): ServerMessage {
  const { name, trid, args } = command;
  if (SWITCHBOARD_ONLY.has(name)) return parseSwitchboardCommand(command);
  const shared = sharedView(command);
  if (shared !== undefined) return shared;
  const t = trid ?? 0;
  switch (name) {
    case "VER":
      return { type: "VER", trid: t, versions: [...args] };
    case "CVR": {
      const a = new Args(command, 3);
      return {
        type: "CVR",
        trid: t,
        recommended: a.str(0),
        recommended2: a.str(1),
        minimum: a.str(2),
        downloadUrl: a.opt(3) ?? "",
        infoUrl: a.opt(4) ?? "",
      };
    }
    case "USR": {
      const a = new Args(command, 2);
      if (a.str(0) === "TWN" && a.str(1) === "S") {
        if (args.length < 3) a.fail("missing challenge");
        // The challenge is handed to Passport verbatim, so it is not decoded.
        return { type: "USR_TWN_S", trid: t, challenge: args.slice(2).join(" ") };
      }
      if (a.str(0) === "OK") {
        const verified = a.opt(3);
        const restricted = a.opt(4);
        return {
          type: "USR_OK",
          trid: t,
          passport: a.str(1),
          friendlyName: a.nameOr(2, 1),
          ...(verified === undefined ? {} : { verified: verified === "1" }),
          ...(restricted === undefined ? {} : { restricted: restricted === "1" }),
        };
      }
      return { type: "unknown", command };
    }
    case "XFR": {
      const a = new Args(command, 2);
      if (a.str(0) === "NS") {
        if (a.str(1) === "0") return { type: "XFR_NS", trid: t };
        return { type: "XFR_NS", trid: t, address: a.address(1) };
      }
      if (a.str(0) === "SB") {
        new Args(command, 4);
        return {
          type: "XFR_SB",
          trid: t,
          address: a.address(1),
          authType: a.str(2),
          cookie: a.str(3),
        };
      }
      return { type: "unknown", command };
    }
    case "SYN": {
      const a = new Args(command, 1);
      if (args.length >= 3) {
        return {
          type: "SYN",
          trid: t,
          version: a.int(0),
          contactCount: a.int(1),
          groupCount: a.int(2),
        };
      }
      return { type: "SYN", trid: t, version: a.int(0) };
    }
    case "GTC":
    case "BLP": {
      const a = new Args(command, 1);
      const mode = trid === null ? a.str(0) : a.str(args.length - 1);
      const modes = name === "GTC" ? ["A", "N"] : ["AL", "BL"];
      if (!modes.includes(mode)) a.fail(`invalid mode ${quote(mode)}`);
      const version = trid === null || args.length < 2 ? undefined : a.int(0);
      return name === "GTC"
        ? { type: "GTC", trid, version, mode: mode as "A" | "N" }
        : { type: "BLP", trid, version, mode: mode as "AL" | "BL" };
    }
    case "PRP": {
      if (trid === null) {
        const a = new Args(command, 1);
        return {
          type: "PRP",
          trid,
          property: a.str(0),
          value: a.opt(1) === undefined ? "" : a.name(1),
        };
      }
      const a = new Args(command, 2);
      return {
        type: "PRP",
        trid,
        version: a.int(0),
        property: a.str(1),
        value: a.opt(2) === undefined ? "" : a.name(2),
      };
    }
    case "LSG": {
      const a = new Args(command, 2);
      return { type: "LSG", groupId: a.int(0), name: a.name(1) };
    }
    case "LST": {
      const a = new Args(command, 3);
      return {
        type: "LST",
        passport: a.str(0),
        friendlyName: a.name(1),
        lists: a.int(2),
        groupIds: a.groups(3),
      };
    }
    case "BPR": {
      // Outside SYN: "BPR <ver> <passport> <prop> [value]"; a property name
      // is never numeric, so the first argument tells the forms apart.
      const a = new Args(command, 1);
      if (/^\d+$/.test(a.str(0)) && args.length >= 3) {
        return {
          type: "BPR",
          version: a.int(0),
          passport: a.str(1),
          property: a.str(2),
          value: a.opt(3) === undefined ? "" : a.name(3),
        };
      }
      return { type: "BPR", property: a.str(0), value: a.opt(1) === undefined ? "" : a.name(1) };
    }
    case "CHG": {
      const a = new Args(command, 1);
      return {
        type: "CHG",
        trid: t,
        status: a.status(0),
        ...(args.length > 1 ? { clientId: a.int(1) } : {}),
        ...(args.length > 2 ? { msnObject: a.name(2) } : {}),
      };
    }
    case "ILN": {
      const a = new Args(command, 3);
      return {
        type: "ILN",
        trid: t,
        status: a.status(0),
        passport: a.str(1),
        friendlyName: a.name(2),
        clientId: a.optInt(3) ?? 0,
        ...(args.length > 4 ? { msnObject: a.name(4) } : {}),
      };
    }
    case "NLN": {
      const a = new Args(command, 3);
      return {
        type: "NLN",
        status: a.status(0),
        passport: a.str(1),
        friendlyName: a.name(2),
        clientId: a.optInt(3) ?? 0,
        ...(args.length > 4 ? { msnObject: a.name(4) } : {}),
      };
    }
    case "FLN":
      return { type: "FLN", passport: new Args(command, 1).str(0) };
    case "CHL":
      return { type: "CHL", trid: t, challenge: new Args(command, 1).str(0) };
    case "QRY":
      return { type: "QRY", trid: t };
    case "QNG":
      return { type: "QNG", ...(args.length > 0 ? { seconds: new Args(command, 1).int(0) } : {}) };
    case "ADD": {
      const a = new Args(command, 4);
      return {
        type: "ADD",
        trid: t,
        list: a.list(0),
        version: a.int(1),
        passport: a.str(2),
        friendlyName: a.nameOr(3, 2),
        ...(args.length > 4 ? { groupId: a.int(4) } : {}),
      };
    }
    case "REM": {
      const a = new Args(command, 3);
      return {
        type: "REM",
        trid: t,
        list: a.list(0),
        version: a.int(1),
        passport: a.str(2),
        ...(args.length > 3 ? { groupId: a.int(3) } : {}),
      };
    }
    case "ADG": {
      const a = new Args(command, 3);
      return { type: "ADG", trid: t, version: a.int(0), name: a.name(1), groupId: a.int(2) };
    }
    case "RMG": {
      const a = new Args(command, 2);
      return { type: "RMG", trid: t, version: a.int(0), groupId: a.int(1) };
    }
    case "REG": {
      const a = new Args(command, 3);
      return { type: "REG", trid: t, version: a.int(0), groupId: a.int(1), name: a.name(2) };
    }
    case "REA": {
      const a = new Args(command, 3);
      return {
        type: "REA",
        trid: t,
        version: a.int(0),
        passport: a.str(1),
        friendlyName: a.name(2),
      };
    }
    case "RNG": {
      const a = new Args(command, 5);
      return {
        type: "RNG",
        sessionId: a.str(0),
        address: a.address(1),
        authType: a.str(2),
        cookie: a.str(3),
        passport: a.str(4),
        friendlyName: a.nameOr(5, 4),
      };
    }
    case "NOT":
    case "IPG":
      return { type: name, payload: command.payload ?? new Uint8Array() };
    case "URL": {
      const a = new Args(command, 2);
      return {
        type: "URL",
        trid: t,
        rru: a.str(0),
        url: a.str(1),
        ...(args.length > 2 ? { id: a.str(2) } : {}),
      };
    }
    default:
      return { type: "unknown", command };
  }
}
