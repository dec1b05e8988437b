/** Name and meaning of a server error code. */
export interface ErrorCodeInfo {
  /** Stable upper-case name, e.g. `AUTHENTICATION_FAILED`. */
  readonly name: string;
  /** Short readable meaning. */
  readonly meaning: string;
}

/**
 * Server error codes of MSNP8/9 (PROTOCOL.md sec. 9). Several codes share a
 * meaning; their names carry the number so every name stays unique.
 */
export const ERROR_CODES: Readonly<Record<number, ErrorCodeInfo>> = Object.freeze({
  200: { name: "SYNTAX_ERROR", meaning: "Syntax error" },
  201: { name: "INVALID_PARAMETER", meaning: "Invalid parameter" },
  205: { name: "INVALID_USER", meaning: "Invalid user" },
  206: { name: "DOMAIN_MISSING", meaning: "Domain name missing" },
  207: { name: "ALREADY_LOGGED_IN", meaning: "Already logged in" },
  208: { name: "INVALID_USERNAME", meaning: "Invalid username" },
  209: { name: "INVALID_FRIENDLY_NAME", meaning: "Friendly name not allowed" },
  210: { name: "LIST_FULL", meaning: "List full" },
  213: { name: "INVALID_RENAME", meaning: "Invalid rename request" },
  215: { name: "ALREADY_IN_LIST", meaning: "Already in list or switchboard" },
  216: { name: "NOT_ON_LIST", meaning: "Not on list" },
  217: { name: "USER_OFFLINE", meaning: "User offline or not accepting instant messages" },
  218: { name: "ALREADY_IN_MODE", meaning: "Already in that mode" },
  219: { name: "IN_OPPOSITE_LIST", meaning: "User is in the opposite list" },
  220: { name: "NOT_ACCEPTING_PAGES", meaning: "Not accepting pages" },
  223: { name: "TOO_MANY_GROUPS", meaning: "Too many groups" },
  224: { name: "INVALID_GROUP", meaning: "Invalid group" },
  225: { name: "NOT_IN_GROUP", meaning: "User not in group" },
  229: { name: "GROUP_NAME_TOO_LONG", meaning: "Group name too long" },
  230: { name: "CANNOT_REMOVE_GROUP_ZERO", meaning: "Cannot remove group 0" },
  231: { name: "GROUP_DOES_NOT_EXIST", meaning: "Group does not exist" },
  280: { name: "SWITCHBOARD_FAILED", meaning: "Switchboard failed" },
  281: { name: "TRANSFER_FAILED", meaning: "Transfer to notification server failed" },
  282: { name: "BAD_P2P_MESSAGE", meaning: "Malformed P2P (ack type D) message" },
  300: { name: "REQUIRED_FIELDS_MISSING", meaning: "Required fields missing" },
  301: { name: "TOO_MANY_HITS", meaning: "Too many FND hits" },
  302: { name: "NOT_LOGGED_IN", meaning: "Not logged in" },
  500: { name: "INTERNAL_ERROR", meaning: "Internal server error" },
  501: { name: "DATABASE_ERROR", meaning: "Database server error" },
  502: { name: "COMMAND_DISABLED", meaning: "Command disabled" },
  510: { name: "FILE_OPERATION_FAILED", meaning: "File operation failed" },
  520: { name: "MEMORY_ALLOCATION_FAILED", meaning: "Memory allocation failed" },
  540: { name: "CHALLENGE_FAILED", meaning: "Challenge response failed" },
  600: { name: "SERVER_BUSY", meaning: "Server is busy" },
  601: { name: "SERVER_UNAVAILABLE", meaning: "Server is unavailable" },
  602: { name: "PEER_NS_DOWN", meaning: "Peer notification server down" },
  603: { name: "DATABASE_CONNECT_FAILED", meaning: "Database connection failed" },
  604: { name: "SERVER_GOING_DOWN", meaning: "Server is going down" },
  605: { name: "SERVER_UNAVAILABLE_605", meaning: "Server unavailable" },
  707: { name: "CONNECTION_FAILED", meaning: "Could not create connection" },
  710: { name: "INVALID_CVR_PARAMETERS", meaning: "Bad CVR parameters" },
  711: { name: "WRITE_BLOCKING", meaning: "Write is blocking" },
  712: { name: "SESSION_OVERLOAD", meaning: "Session is overloaded" },
  713: { name: "TOO_ACTIVE", meaning: "Calling too rapidly" },
  714: { name: "TOO_MANY_SESSIONS", meaning: "Too many open sessions" },
  715: { name: "NOT_EXPECTED", meaning: "Command not expected now" },
  717: { name: "BAD_FRIEND_FILE", meaning: "Bad friend file" },
  731: { name: "NOT_EXPECTED_731", meaning: "Command not expected" },
  800: { name: "TOO_RAPID", meaning: "Changing too rapidly" },
  910: { name: "SERVER_TOO_BUSY", meaning: "Server too busy" },
  911: { name: "AUTHENTICATION_FAILED", meaning: "Authentication failed" },
  912: { name: "SERVER_TOO_BUSY_912", meaning: "Server too busy" },
  913: { name: "NOT_ALLOWED_WHEN_OFFLINE", meaning: "Not allowed while hidden or offline" },
  914: { name: "SERVER_UNAVAILABLE_914", meaning: "Server unavailable" },
  915: { name: "SERVER_UNAVAILABLE_915", meaning: "Server unavailable" },
  916: { name: "SERVER_UNAVAILABLE_916", meaning: "Server unavailable" },
  917: { name: "AUTHENTICATION_FAILED_917", meaning: "Invalid domain or authentication failed" },
  918: { name: "SERVER_TOO_BUSY_918", meaning: "Server too busy" },
  919: { name: "SERVER_TOO_BUSY_919", meaning: "Server too busy" },
  920: { name: "NOT_ACCEPTING_NEW_USERS", meaning: "Not accepting new users" },
  921: { name: "SERVER_TOO_BUSY_921", meaning: "Server too busy" },
  922: { name: "SERVER_TOO_BUSY_922", meaning: "Server too busy" },
  923: { name: "KIDS_PASSPORT_WITHOUT_CONSENT", meaning: "Kids Passport without parental consent" },
  924: { name: "PASSPORT_NOT_VERIFIED", meaning: "Passport account not verified" },
  928: { name: "BAD_TICKET", meaning: "Bad ticket or password" },
  931: { name: "WRONG_SERVER", meaning: "Account not on this server" },
});

/**
 * Describes a server error code; unknown codes get `UNKNOWN_ERROR`.
 *
 * @example
 * ```ts
 * import { describeErrorCode } from "@msnp/client/codec";
 * describeErrorCode(911); // { name: "AUTHENTICATION_FAILED", meaning: "Authentication failed" }
 * ```
 */
export function describeErrorCode(code: number): ErrorCodeInfo {
  return ERROR_CODES[code] ?? { name: "UNKNOWN_ERROR", meaning: `Unknown error ${code}` };
}
