// The content-type table: each row names a media type, the connections it arrives on, the view
// kind it reads into and (for switchboard content) the ack mode a client sends it with.
// `interpretMessage` and `interpretSwitchboardPayload` both read through it; a new kind of
// content is one more row and one more module.
import { mediaTypeOf, withoutSecretFields } from "./_content_read.ts";
import type { AckMode } from "./client_commands.ts";
import type { ConnectionKind } from "./command.ts";
import { EMOTICON_TYPE, type EmoticonsView, readEmoticons } from "./content_emoticon.ts";
import { type InvitationView, INVITE_TYPE, readInvitation } from "./content_invite.ts";
import {
  ACTIVE_MAIL_TYPE,
  type ActiveMailView,
  EMAIL_TYPE,
  type EmailNotificationView,
  INITIAL_EMAIL_TYPE,
  type InitialEmailView,
  readActiveMail,
  readEmail,
  readInitialEmail,
  readSystem,
  SYSTEM_TYPE,
  type SystemView,
} from "./content_notices.ts";
import { DATACAST_TYPE, type DatacastView, type NudgeView, readDatacast } from "./content_nudge.ts";
import { P2P_TYPE, type P2pView, readP2p } from "./content_p2p.ts";
import { PROFILE_TYPE, type ProfileView, readProfile } from "./content_profile.ts";
import { readText, TEXT_TYPE, type TextView } from "./content_text.ts";
import { CONTROL_TYPE, readTyping, type TypingView } from "./content_typing.ts";
import { type MimeMessage, parseMime } from "./mime.ts";

/** Any other content type; the message is kept as parsed, less secret headers (`MSPAuth`, `MSPProf`). */
export interface UnknownView {
  /** Discriminant. */
  kind: "unknown";
  /** Media type (lower case, no parameters), or `undefined` without `Content-Type`. */
  mediaType?: string;
  /** The message as parsed. */
  message: MimeMessage;
}

/** Result of {@linkcode interpretMessage}, discriminated by `kind`. */
export type MessageView =
  | ProfileView
  | TextView
  | TypingView
  | SystemView
  | InitialEmailView
  | EmailNotificationView
  | ActiveMailView
  | UnknownView;

/** A switchboard message whose content type is not in the table (or that is not MIME): bytes intact. */
export interface UnknownContentView {
  /** Discriminant. */
  kind: "unknown";
  /** Media type (lower case, no parameters), when the payload has a `Content-Type`. */
  mediaType?: string;
  /** The whole payload, exactly as received. */
  payload: Uint8Array;
}

/** A switchboard message read by its content type, discriminated by `kind`. */
export type SwitchboardContent =
  | TextView
  | TypingView
  | NudgeView
  | DatacastView
  | EmoticonsView
  | InvitationView
  | P2pView
  | UnknownContentView;

/** The kinds of content the table knows. */
export type ContentKind =
  | "profile"
  | "text"
  | "typing"
  | "system"
  | "initialEmail"
  | "emailNotification"
  | "activeMail"
  | "nudge"
  | "emoticons"
  | "invitation"
  | "p2p";

/** One row of {@link CONTENT_TYPES}. */
export interface ContentTypeRow {
  /** The kind it reads into (a datacast other than a nudge reads as `datacast`). */
  readonly kind: ContentKind;
  /** Media type, lower case, without parameters. */
  readonly mediaType: string;
  /** The connections it arrives on: `ns` rows are read by {@link interpretMessage}, `sb` rows by {@link interpretSwitchboardPayload}. */
  readonly connections: readonly ConnectionKind[];
  /**
   * Ack mode a client sends it with on a switchboard: `A` for text (the sender wants to know
   * the server took it), `U` for typing (sent every few seconds, no answer
   * wanted), `N` for nudges, emoticons and invitations (only failures
   * matter), `D` for P2P (servers close the switchboard for P2P with any
   * other mode). Absent for what only the notification server sends.
   */
  readonly ack?: AckMode;
  /** Whether the type is also recognised with the other of the `text/` and `application/` prefixes. */
  readonly eitherPrefix?: boolean;
  /** Reads a parsed message of this type. Never throws. */
  readonly read: (msg: MimeMessage) => MessageView | SwitchboardContent;
}

const NS: readonly ConnectionKind[] = Object.freeze(["ns"]);
const SB: readonly ConnectionKind[] = Object.freeze(["sb"]);
const BOTH: readonly ConnectionKind[] = Object.freeze(["ns", "sb"]);

/**
 * Every content type, one row each.
 *
 * @example Which ack mode does a typing notification use?
 * ```ts
 * import { CONTENT_TYPES } from "@msnp/client/codec";
 * CONTENT_TYPES.find((row) => row.kind === "typing")?.ack; // "U"
 * ```
 */
export const CONTENT_TYPES: readonly ContentTypeRow[] = Object.freeze(
  ([
    { kind: "profile", mediaType: PROFILE_TYPE, connections: NS, read: readProfile },
    { kind: "text", mediaType: TEXT_TYPE, connections: BOTH, ack: "A", read: readText },
    { kind: "typing", mediaType: CONTROL_TYPE, connections: BOTH, ack: "U", read: readTyping },
    {
      kind: "system",
      mediaType: SYSTEM_TYPE,
      connections: NS,
      eitherPrefix: true,
      read: readSystem,
    },
    {
      kind: "initialEmail",
      mediaType: INITIAL_EMAIL_TYPE,
      connections: NS,
      eitherPrefix: true,
      read: readInitialEmail,
    },
    {
      kind: "emailNotification",
      mediaType: EMAIL_TYPE,
      connections: NS,
      eitherPrefix: true,
      read: readEmail,
    },
    {
      kind: "activeMail",
      mediaType: ACTIVE_MAIL_TYPE,
      connections: NS,
      eitherPrefix: true,
      read: readActiveMail,
    },
    { kind: "nudge", mediaType: DATACAST_TYPE, connections: SB, ack: "N", read: readDatacast },
    { kind: "emoticons", mediaType: EMOTICON_TYPE, connections: SB, ack: "N", read: readEmoticons },
    { kind: "invitation", mediaType: INVITE_TYPE, connections: SB, ack: "N", read: readInvitation },
    { kind: "p2p", mediaType: P2P_TYPE, connections: SB, ack: "D", read: readP2p },
  ] satisfies ContentTypeRow[]).map((row) => Object.freeze(row as ContentTypeRow)),
);

/**
 * The rows for switchboard content (those with an ack mode), in table order.
 *
 * @example
 * ```ts
 * import { SB_CONTENT_TYPES } from "@msnp/client/codec";
 * SB_CONTENT_TYPES.map((row) => row.kind); // ["text", "typing", "nudge", ...]
 * ```
 */
export const SB_CONTENT_TYPES: readonly ContentTypeRow[] = Object.freeze(
  CONTENT_TYPES.filter((row) => row.connections.includes("sb")),
);

/** Media type (and, for `eitherPrefix` rows, its other-prefix twin) -> row, per connection. */
function indexFor(kind: ConnectionKind): ReadonlyMap<string, ContentTypeRow> {
  const index = new Map<string, ContentTypeRow>();
  for (const row of CONTENT_TYPES) {
    if (!row.connections.includes(kind)) continue;
    index.set(row.mediaType, row);
    if (row.eitherPrefix) {
      const slash = row.mediaType.indexOf("/");
      const sub = row.mediaType.slice(slash + 1);
      const other = row.mediaType.startsWith("text/") ? "application/" : "text/";
      index.set(other + sub, row);
    }
  }
  return index;
}

const NS_INDEX = indexFor("ns");
const SB_INDEX = indexFor("sb");

/**
 * The ack mode a client sends a kind of content with (see {@link ContentTypeRow.ack}).
 *
 * @example
 * ```ts
 * import { ackModeOf } from "@msnp/client/codec";
 * ackModeOf("p2p"); // "D"
 * ```
 */
export function ackModeOf(kind: ContentKind): AckMode {
  for (const row of CONTENT_TYPES) if (row.kind === kind && row.ack !== undefined) return row.ack;
  throw new RangeError(`Cannot find ack mode: unknown content kind ${JSON.stringify(kind)}`);
}

/**
 * Interprets a parsed message by its media type (the `Content-Type` before
 * `;`, compared without regard to case). The mail and system notices are
 * also recognised with the other of the `text/` and `application/` prefixes.
 * Never throws; missing fields are `undefined`.
 *
 * @example Reading a text message
 * ```ts
 * import { parseMime } from "@msnp/client/codec";
 * import { interpretMessage } from "@msnp/client/codec";
 *
 * const view = interpretMessage(parseMime(new TextEncoder().encode(
 *   "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nHi",
 * )));
 * if (view.kind === "text") view.text; // "Hi"
 * ```
 *
 * @param msg A parsed message.
 * @returns The typed view.
 */
export function interpretMessage(msg: MimeMessage): MessageView {
  const mediaType = mediaTypeOf(msg);
  const row = mediaType === undefined ? undefined : NS_INDEX.get(mediaType);
  if (row !== undefined) return row.read(msg) as MessageView;
  // A credential header (MSPAuth of a profile whose Content-Type was lost) is not handed on.
  const headers = withoutSecretFields(msg.headers);
  const message = headers === msg.headers ? msg : { ...msg, headers };
  return mediaType === undefined
    ? { kind: "unknown", message }
    : { kind: "unknown", mediaType, message };
}

/**
 * Reads a switchboard `MSG` payload by its content type (compared without
 * regard to case, parameters ignored). A payload that is not MIME, has no
 * `Content-Type` or one the table does not know comes back as
 * `{ kind: "unknown", payload }` with the bytes intact. Never throws.
 *
 * @example
 * ```ts
 * import { interpretSwitchboardPayload } from "@msnp/client/codec";
 * const view = interpretSwitchboardPayload(new TextEncoder().encode(
 *   "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nHi",
 * ));
 * if (view.kind === "text") view.text; // "Hi"
 * ```
 *
 * @param payload The payload bytes of a switchboard `MSG`.
 * @returns The typed view.
 */
export function interpretSwitchboardPayload(payload: Uint8Array): SwitchboardContent {
  let msg: MimeMessage;
  try {
    msg = parseMime(payload);
  } catch {
    return { kind: "unknown", payload };
  }
  const mediaType = mediaTypeOf(msg);
  const row = mediaType === undefined ? undefined : SB_INDEX.get(mediaType);
  if (row !== undefined) return row.read(msg) as SwitchboardContent;
  return mediaType === undefined ? { kind: "unknown", payload } : {
    kind: "unknown",
    mediaType,
    payload,
  };
}
