/**
 * Answers to the notification server's `CHL` challenge, sent back in `QRY`.
 *
 * The answer is the lower-case hex MD5 of the challenge followed by the
 * product key; `QRY <trid> <product-id> 32` carries it as a 32-byte payload.
 *
 * @module
 */

import { md5 } from "@noble/hashes/legacy.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { quote } from "./errors.ts";
import { PayloadError } from "./mime.ts";

/** A product ID (sent in `QRY`) and the key hashed with the challenge. */
export interface ProductKey {
  /** Product ID, the third token of `QRY`. */
  readonly id: string;
  /** Product key appended to the challenge before hashing. */
  readonly key: string;
}

const product = (id: string, key: string): ProductKey => Object.freeze({ id, key });

/** The MSN Messenger pair accepted for MSNP6 to MSNP10. */
export const MSMSGS_PRODUCT: ProductKey = product("msmsgs@msnmsgr.com", "Q1P7W2E4J9R8U3S5");

/** `PROD0038W!61ZTF9`, the pair the 2006 Gaim MSNP9 plugin sends. */
export const PROD0038_PRODUCT: ProductKey = product("PROD0038W!61ZTF9", "VT6PX?UQTM4WM%YR");

/** `PROD0058#7IL2{QD`, listed for MSNP6 to MSNP10 by Escargot. */
export const PROD0058_PRODUCT: ProductKey = product("PROD0058#7IL2{QD", "QHDCY@7R1TB6W?5B");

/** `PROD0061VRRZH@4F`, listed for MSNP6 to MSNP10 by Escargot. */
export const PROD0061_PRODUCT: ProductKey = product("PROD0061VRRZH@4F", "JXQ6J@TUOGYV@N0M");

/** `PROD00504RLUG%WL`, listed for MSNP6 to MSNP10 by Escargot. */
export const PROD0050_PRODUCT: ProductKey = product("PROD00504RLUG%WL", "I2EBK%PYNLZL5_J4");

/** `PROD0076ENE8*@AW`, listed for MSNP6 to MSNP10 by Escargot. */
export const PROD0076_PRODUCT: ProductKey = product("PROD0076ENE8*@AW", "CEQJ8}OE0!WTSWII");

/** Every known pair, {@linkcode MSMSGS_PRODUCT} first. */
export const KNOWN_PRODUCTS: readonly ProductKey[] = Object.freeze([
  MSMSGS_PRODUCT,
  PROD0038_PRODUCT,
  PROD0058_PRODUCT,
  PROD0061_PRODUCT,
  PROD0050_PRODUCT,
  PROD0076_PRODUCT,
]);

// Space, the C0 controls (CR, LF, NUL, tab...) and DEL.
const NOT_A_TOKEN = /[\0-\x20\x7f]/;

const utf8Encoder = new TextEncoder();

function isToken(text: string): boolean {
  // A lone surrogate would be hashed as U+FFFD.
  return typeof text === "string" && text.length > 0 && !NOT_A_TOKEN.test(text) &&
    text.isWellFormed();
}

/**
 * Computes the `QRY` answer: lower-case hex `MD5(challenge + productKey)` over
 * the UTF-8 bytes.
 *
 * @example The known vector
 * ```ts
 * import { challengeAnswer, MSMSGS_PRODUCT } from "@msnp/client/codec";
 *
 * challengeAnswer("15570131571988941333", MSMSGS_PRODUCT.key);
 * // "8f2f5a91b72102cd28355e9fc9000d6e"
 * ```
 *
 * @param challenge The string after `CHL 0 `.
 * @param productKey The product key matching the product ID sent in `QRY`.
 * @returns 32 lower-case hex digits.
 * @throws {PayloadError} `INVALID_CHALLENGE` when the challenge or the key is
 * empty or holds a space, CR, LF, NUL, another control character or a lone
 * surrogate.
 */
export function challengeAnswer(challenge: string, productKey: string): string {
  if (!isToken(challenge)) {
    throw new PayloadError(
      "INVALID_CHALLENGE",
      `Cannot answer challenge ${quote(String(challenge))}: ` +
        "empty or contains a space or control character",
    );
  }
  if (!isToken(productKey)) {
    throw new PayloadError(
      "INVALID_CHALLENGE",
      "Cannot answer challenge: product key is empty or contains a space or control character",
    );
  }
  return bytesToHex(md5(utf8Encoder.encode(challenge + productKey)));
}
