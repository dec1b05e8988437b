// Application invitations (`text/x-msmsgsinvite`): file transfer, NetMeeting and the like in the
// old MSNP invitation scheme. The fields live in the body as `Name: value` lines. A client that
// does not support one must answer with a CANCEL, not silence.
import { EncodeError } from "./errors.ts";
import { encodeMime, type MimeMessage } from "./mime.ts";
import { mimeBodyFields } from "./_content_read.ts";
import type { FieldMap } from "./field_map.ts";

/** Media type of application invitations. */
export const INVITE_TYPE = "text/x-msmsgsinvite";

/** `text/x-msmsgsinvite`: an invitation, its acceptance or its cancellation. */
export interface InvitationView {
  /** Discriminant. */
  kind: "invitation";
  /** `Invitation-Command`: `INVITE`, `ACCEPT` or `CANCEL`. */
  command?: string;
  /** `Invitation-Cookie`: ties the answers to the invitation. */
  cookie?: string;
  /** `Application-Name`, such as `File Transfer`. */
  applicationName?: string;
  /** `Application-GUID`. */
  applicationGuid?: string;
  /** `Cancel-Code` of a CANCEL. */
  cancelCode?: string;
  /** Every field of the body, case-insensitive. */
  fields: FieldMap;
}

/**
 * Reads an invitation message. Never throws; a body that is not
 * `Name: value` lines gives no fields.
 *
 * @param msg The parsed message.
 * @returns The view.
 */
export function readInvitation(msg: MimeMessage): InvitationView {
  const fields = mimeBodyFields(msg);
  const view: InvitationView = { kind: "invitation", fields };
  const set = (key: keyof InvitationView, name: string) => {
    const v = fields.get(name);
    if (v !== undefined) (view as unknown as Record<string, string>)[key] = v;
  };
  set("command", "Invitation-Command");
  set("cookie", "Invitation-Cookie");
  set("applicationName", "Application-Name");
  set("applicationGuid", "Application-GUID");
  set("cancelCode", "Cancel-Code");
  return view;
}

const TOKEN = /^[\x21-\x7e]+$/;

/**
 * Builds the CANCEL answer to an invitation this client does not support.
 *
 * @example
 * ```ts
 * import { buildInvitationCancel } from "@msnp/client/codec";
 * new TextDecoder().decode(buildInvitationCancel("42"));
 * // "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite; charset=UTF-8\r\n\r\n" +
 * // "Invitation-Command: CANCEL\r\nInvitation-Cookie: 42\r\nCancel-Code: REJECT_NOT_INSTALLED\r\n\r\n"
 * ```
 *
 * @param cookie The invitation's `Invitation-Cookie`.
 * @param cancelCode Why; default `REJECT_NOT_INSTALLED` (the application is not available).
 * @returns The payload bytes.
 * @throws {EncodeError} `invalid-argument` when the cookie or code is empty or not printable ASCII.
 */
export function buildInvitationCancel(
  cookie: string,
  cancelCode = "REJECT_NOT_INSTALLED",
): Uint8Array {
  if (!TOKEN.test(cookie) || !TOKEN.test(cancelCode)) {
    throw new EncodeError(
      "invalid-argument",
      "Cannot build invitation cancel: cookie and code must be printable ASCII without spaces",
    );
  }
  return encodeMime({
    headers: [["MIME-Version", "1.0"], ["Content-Type", `${INVITE_TYPE}; charset=UTF-8`]],
    body: new TextEncoder().encode(
      `Invitation-Command: CANCEL\r\nInvitation-Cookie: ${cookie}\r\n` +
        `Cancel-Code: ${cancelCode}\r\n\r\n`,
    ),
  });
}
