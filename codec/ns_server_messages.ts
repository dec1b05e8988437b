// The notification server's typed views: what parseServerCommand (server_messages.ts) returns
// for a notification-server command.
import type { HostPort } from "./_args.ts";
import type { AnyStatus, ListName, PhoneProperty } from "./client_commands.ts";
import type { Command } from "./command.ts";

/**
 * A notification-server command with its arguments typed and names
 * URL-decoded. The `type` is the command name, refined where one name has
 * several forms (`USR` in its challenge and OK forms, `XFR` to NS or SB).
 */
export type NotificationServerMessage =
  | { type: "VER"; trid: number; versions: string[] }
  | {
    type: "CVR";
    trid: number;
    recommended: string;
    recommended2: string;
    minimum: string;
    downloadUrl: string;
    infoUrl: string;
  }
  | { type: "USR_TWN_S"; trid: number; challenge: string }
  | {
    type: "USR_OK";
    trid: number;
    passport: string;
    friendlyName: string;
    /** Whether the account's e-mail is verified (absent on a switchboard). */
    verified?: boolean;
    /** Whether the account is a restricted (kids) account (absent on a switchboard). */
    restricted?: boolean;
  }
  | {
    type: "XFR_NS";
    trid: number;
    /** The new notification server; absent in the forced-reset form `XFR 0 NS 0`. */
    address?: HostPort;
  }
  | { type: "XFR_SB"; trid: number; address: HostPort; authType: string; cookie: string }
  | { type: "SYN"; trid: number; version: number; contactCount?: number; groupCount?: number }
  | { type: "GTC"; trid: number | null; version?: number; mode: "A" | "N" }
  | { type: "BLP"; trid: number | null; version?: number; mode: "AL" | "BL" }
  | {
    type: "PRP";
    trid: number | null;
    version?: number;
    property: PhoneProperty | string;
    value: string;
  }
  | { type: "LSG"; groupId: number; name: string }
  | { type: "LST"; passport: string; friendlyName: string; lists: number; groupIds: number[] }
  | {
    type: "BPR";
    /** List version; present only outside a SYN reply. */
    version?: number;
    /** The contact; outside a SYN reply only (inside, it is the preceding `LST`). */
    passport?: string;
    property: PhoneProperty | string;
    value: string;
  }
  | { type: "CHG"; trid: number; status: AnyStatus; clientId?: number; msnObject?: string }
  | {
    type: "ILN";
    trid: number;
    status: AnyStatus;
    passport: string;
    friendlyName: string;
    clientId: number;
    msnObject?: string;
  }
  | {
    type: "NLN";
    status: AnyStatus;
    passport: string;
    friendlyName: string;
    clientId: number;
    msnObject?: string;
  }
  | { type: "FLN"; passport: string }
  | { type: "CHL"; trid: number; challenge: string }
  | { type: "QRY"; trid: number }
  | { type: "QNG"; seconds?: number }
  | { type: "OUT"; reason?: string }
  | {
    type: "ADD";
    trid: number;
    list: ListName;
    version: number;
    passport: string;
    friendlyName: string;
    groupId?: number;
  }
  | {
    type: "REM";
    trid: number;
    list: ListName;
    version: number;
    passport: string;
    groupId?: number;
  }
  | { type: "ADG"; trid: number; version: number; name: string; groupId: number }
  | { type: "RMG"; trid: number; version: number; groupId: number }
  | { type: "REG"; trid: number; version: number; groupId: number; name: string }
  | { type: "REA"; trid: number; version: number; passport: string; friendlyName: string }
  | {
    type: "RNG";
    sessionId: string;
    address: HostPort;
    authType: string;
    cookie: string;
    passport: string;
    friendlyName: string;
  }
  | {
    type: "MSG";
    /** Sender passport (`Hotmail` for notification-server messages). */
    sender: string;
    senderName: string;
    payload: Uint8Array;
  }
  | { type: "NOT"; payload: Uint8Array }
  | { type: "IPG"; payload: Uint8Array }
  | { type: "URL"; trid: number; rru: string; url: string; id?: string }
  | { type: "error"; trid: number; code: number; name: string; meaning: string }
  | { type: "unknown"; command: Command };
