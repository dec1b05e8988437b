/**
 * msnp: the client side of the MSN Messenger protocol, versions 8 and 9
 * (MSNP8/MSNP9), with Passport 1.4 sign-in, as a sans-IO core.
 *
 * This entry point re-exports the pure parts: the codec (`./codec`),
 * Passport (`./auth`) and the notification session (`./machine`). Sockets, `fetch` and timers live in
 * `@msnp/client/io_adapters`; transcripts and a loopback server for tests in
 * `@msnp/client/testing`.
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
export * from "./auth/mod.ts";
export * from "./machine/mod.ts";
