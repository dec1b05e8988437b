// MSNC P2P messages (`application/x-msnmsgrp2p`): a binary body (48-byte header, data, 4-byte
// footer) addressed with `P2P-Dest`. Kept as bytes here; the P2P layer reads them.
import { EncodeError } from "./errors.ts";
import { encodeMime, type MimeMessage } from "./mime.ts";
import { getHeader } from "./mime.ts";

/** Media type of P2P messages; they are sent with ack mode `D`. */
export const P2P_TYPE = "application/x-msnmsgrp2p";

/** `application/x-msnmsgrp2p`: a binary P2P message, body untouched. */
export interface P2pView {
  /** Discriminant. */
  kind: "p2p";
  /** `P2P-Dest`: the passport it is addressed to. */
  destination?: string;
  /** The binary body, exactly as received. */
  body: Uint8Array;
}

/**
 * Reads a P2P message. Never throws.
 *
 * @param msg The parsed message.
 * @returns The view.
 */
export function readP2p(msg: MimeMessage): P2pView {
  const destination = getHeader(msg, "P2P-Dest");
  return destination === undefined
    ? { kind: "p2p", body: msg.body }
    : { kind: "p2p", destination, body: msg.body };
}

/**
 * Builds a P2P message for `destination` around a binary body.
 *
 * @example
 * ```ts
 * import { buildP2pMessage } from "@msnp/client/codec";
 * buildP2pMessage("bob@x.com", new Uint8Array(52)).length; // 135
 * ```
 *
 * @param destination The recipient's passport.
 * @param body The binary P2P packet.
 * @returns The payload bytes.
 * @throws {EncodeError} `invalid-argument` for an empty passport or one with
 * whitespace or control characters.
 */
export function buildP2pMessage(destination: string, body: Uint8Array): Uint8Array {
  // deno-lint-ignore no-control-regex
  if (destination === "" || /[\s\0-\x1f\x7f]/.test(destination)) {
    throw new EncodeError(
      "invalid-argument",
      "Cannot build P2P message: destination is empty or holds whitespace or controls",
    );
  }
  return encodeMime({
    headers: [["MIME-Version", "1.0"], ["Content-Type", P2P_TYPE], ["P2P-Dest", destination]],
    body,
  });
}
