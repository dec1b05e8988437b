// Nudges: `text/x-msnmsgr-datacast` with `ID: 1` in the body. Other datacast IDs (winks, voice
// clips, action messages) are kept as fields.
import { encodeMime, type MimeMessage } from "./mime.ts";
import { mimeBodyFields } from "./_content_read.ts";
import type { FieldMap } from "./field_map.ts";

/** Media type of datacast messages (nudges and relatives). */
export const DATACAST_TYPE = "text/x-msnmsgr-datacast";

/** A nudge ("buzz"): datacast `ID: 1`. */
export interface NudgeView {
  /** Discriminant. */
  kind: "nudge";
}

/** A datacast other than a nudge (2 wink, 3 voice clip, 4 action message, ...). */
export interface DatacastView {
  /** Discriminant. */
  kind: "datacast";
  /** `ID`, when it is a decimal number. */
  id?: number;
  /** The body's fields as sent. */
  fields: FieldMap;
}

const NUDGE_PAYLOAD: Uint8Array = encodeMime({
  headers: [["MIME-Version", "1.0"], ["Content-Type", DATACAST_TYPE]],
  body: new TextEncoder().encode("ID: 1\r\n\r\n"),
});

/**
 * The payload of a nudge.
 *
 * @example
 * ```ts
 * import { buildNudgeMessage } from "@msnp/client/codec";
 * new TextDecoder().decode(buildNudgeMessage());
 * // "MIME-Version: 1.0\r\nContent-Type: text/x-msnmsgr-datacast\r\n\r\nID: 1\r\n\r\n"
 * ```
 *
 * @returns A fresh copy of the payload bytes.
 */
export function buildNudgeMessage(): Uint8Array {
  return NUDGE_PAYLOAD.slice();
}

/**
 * Reads a datacast message: a nudge for `ID: 1`, otherwise a datacast view.
 * Never throws; a body that is not `Name: value` lines gives no fields.
 *
 * @param msg The parsed message.
 * @returns The view.
 */
export function readDatacast(msg: MimeMessage): NudgeView | DatacastView {
  const fields = mimeBodyFields(msg);
  const idText = fields.get("ID")?.trim();
  const id = idText !== undefined && /^\d{1,9}$/.test(idText) ? Number(idText) : undefined;
  if (id === 1) return { kind: "nudge" };
  return id === undefined ? { kind: "datacast", fields } : { kind: "datacast", id, fields };
}
