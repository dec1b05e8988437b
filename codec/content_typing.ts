// Typing notifications: a control message (`text/x-msmsgscontrol`) carrying `TypingUser`.
import { dropUndefined } from "./_content_read.ts";
import { EncodeError } from "./errors.ts";
import { encodeMime, getHeader, type MimeMessage } from "./mime.ts";

/** Media type of control messages (typing notifications). */
export const CONTROL_TYPE = "text/x-msmsgscontrol";

const CRLF = new TextEncoder().encode("\r\n");

/** `text/x-msmsgscontrol`, normally a typing notification. */
export interface TypingView {
  /** Discriminant. */
  kind: "typing";
  /** `TypingUser`, or `undefined` for a control message without it. */
  user?: string;
}

// deno-lint-ignore no-control-regex
const PASSPORT_BAD = /[\s\0-\x1f\x7f]/;

/**
 * Builds the payload of a typing notification
 * (`text/x-msmsgscontrol` with `TypingUser`), body `\r\n`.
 *
 * @example The 89-byte documentation example
 * ```ts
 * import { buildTypingMessage } from "@msnp/client/codec";
 *
 * buildTypingMessage("bob@passport.com").length; // 89
 * ```
 *
 * @param passport The typing user's passport (your own when sending).
 * @returns The payload bytes.
 * @throws {EncodeError} `invalid-argument` when the passport is empty, not
 * well-formed or holds whitespace or control characters.
 */
export function buildTypingMessage(passport: string): Uint8Array {
  if (
    typeof passport !== "string" || passport.length === 0 || PASSPORT_BAD.test(passport) ||
    !passport.isWellFormed()
  ) {
    throw new EncodeError(
      "invalid-argument",
      "Cannot build typing message: passport is empty, not well-formed " +
        "or contains whitespace or control characters",
    );
  }
  return encodeMime({
    headers: [
      ["MIME-Version", "1.0"],
      ["Content-Type", CONTROL_TYPE],
      ["TypingUser", passport],
    ],
    body: CRLF.slice(),
  });
}

/**
 * Reads a control message as a typing notification. Never throws.
 *
 * @param msg The parsed message.
 * @returns The view.
 */
export function readTyping(msg: MimeMessage): TypingView {
  return dropUndefined<TypingView>({ kind: "typing", user: getHeader(msg, "TypingUser") });
}
