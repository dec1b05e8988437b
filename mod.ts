/**
 * msnp: the client side of the MSN Messenger protocol, versions 8 and 9
 * (MSNP8/MSNP9), with Passport 1.4 sign-in, as a sans-IO core.
 *
 * @example Decode server bytes
 * ```ts
 * import { Decoder } from "@msnp/client";
 * const decoder = new Decoder();
 * decoder.push(new TextEncoder().encode("QNG 50\r\n"));
 * console.log(decoder.next()); // { name: "QNG", trid: null, args: ["50"] }
 * ```
 *
 * @module
 */
export * from "./codec/mod.ts";
