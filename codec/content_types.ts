// The switchboard content-type table: each row names a media type, the view kind it reads into
// and the ack mode a client sends it with. P2P is one row; a new kind is one more row.
import type { AckMode } from "./client_commands.ts";
import { DATACAST_TYPE, type DatacastView, type NudgeView, readDatacast } from "./content_nudge.ts";
import { EMOTICON_TYPE, type EmoticonsView, readEmoticons } from "./content_emoticon.ts";
import { type InvitationView, INVITE_TYPE, readInvitation } from "./content_invite.ts";
import { P2P_TYPE, type P2pView, readP2p } from "./content_p2p.ts";
import { type MimeMessage, parseMime } from "./mime.ts";
import {
  ContentType,
  interpretMessage,
  mediaTypeOf,
  type TextView,
  type TypingView,
} from "./message_types.ts";

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
export type ContentKind = "text" | "typing" | "nudge" | "emoticons" | "invitation" | "p2p";

/** One row of {@link SB_CONTENT_TYPES}. */
export interface ContentTypeRow {
  /** The kind it reads into (a datacast other than a nudge reads as `datacast`). */
  readonly kind: ContentKind;
  /** Media type, lower case, without parameters. */
  readonly mediaType: string;
  /**
   * Ack mode a client sends it with: `A` for text (the sender wants to know
   * the server took it), `U` for typing (sent every few seconds, no answer
   * wanted), `N` for nudges, emoticons and invitations (only failures
   * matter), `D` for P2P (servers close the switchboard for P2P with any
   * other mode).
   */
  readonly ack: AckMode;
  /** Reads a parsed message of this type. Never throws. */
  readonly read: (msg: MimeMessage) => SwitchboardContent;
}

const readText = (msg: MimeMessage) => interpretMessage(msg) as TextView;
const readTyping = (msg: MimeMessage) => interpretMessage(msg) as TypingView;

/**
 * The switchboard content types, one row each.
 *
 * @example Which ack mode does a typing notification use?
 * ```ts
 * import { SB_CONTENT_TYPES } from "@msnp/client/codec";
 * SB_CONTENT_TYPES.find((row) => row.kind === "typing")?.ack; // "U"
 * ```
 */
export const SB_CONTENT_TYPES: readonly ContentTypeRow[] = Object.freeze([
  { kind: "text", mediaType: ContentType.TEXT, ack: "A", read: readText },
  { kind: "typing", mediaType: ContentType.CONTROL, ack: "U", read: readTyping },
  { kind: "nudge", mediaType: DATACAST_TYPE, ack: "N", read: readDatacast },
  { kind: "emoticons", mediaType: EMOTICON_TYPE, ack: "N", read: readEmoticons },
  { kind: "invitation", mediaType: INVITE_TYPE, ack: "N", read: readInvitation },
  { kind: "p2p", mediaType: P2P_TYPE, ack: "D", read: readP2p },
].map((row) => Object.freeze(row as ContentTypeRow)));

const BY_TYPE: ReadonlyMap<string, ContentTypeRow> = new Map(
  SB_CONTENT_TYPES.map((row) => [row.mediaType, row]),
);

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
  for (const row of SB_CONTENT_TYPES) if (row.kind === kind) return row.ack;
  throw new RangeError(`Cannot find ack mode: unknown content kind ${JSON.stringify(kind)}`);
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
  const row = mediaType === undefined ? undefined : BY_TYPE.get(mediaType);
  if (row !== undefined) return row.read(msg);
  return mediaType === undefined ? { kind: "unknown", payload } : {
    kind: "unknown",
    mediaType,
    payload,
  };
}
