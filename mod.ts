/**
 * msnp: the client side of the MSN Messenger protocol, versions 8 and 9
 * (MSNP8/MSNP9), with Passport 1.4 sign-in, as a sans-IO core.
 *
 * This entry point is the core in one import: the two sessions
 * ({@link NotificationSession}, {@link SwitchboardSession}) with their options, events and
 * errors, Passport's state machine ({@link PassportLogin}), and the codec's main entry points
 * ({@link Decoder}, {@link encodeCommand}, the typed views of server commands and of `MSG`
 * payloads). The folders' entries hold the rest: every command builder, the command and
 * content-type tables, MIME, CHL/QRY, capabilities and MSNObjects in `@msnp/client/codec`;
 * the lifecycle charts in `@msnp/client/machine`. Sockets, `fetch` and timers live in
 * `@msnp/client/io_adapters` (the `Client`); transcripts and a loopback server for tests in
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
export * from "./machine/mod.ts";
export {
  Decoder,
  type DecoderOptions,
  type Direction,
  encodeCommand,
  EncodeError,
  type EncodeErrorCode,
  type EncodeOptions,
  interpretMessage,
  interpretSwitchboardPayload,
  parseServerCommand,
  parseSwitchboardCommand,
  type RawLine,
} from "./codec/mod.ts";
export {
  type PassportFetch,
  type PassportHeaders,
  type PassportHttpRequest,
  type PassportHttpResponse,
  PassportLogin,
  type PassportLoginOptions,
  type PassportLoginState,
  type PassportRequestStep,
  type PassportResult,
  type PassportStep,
  type PassportTicketStep,
} from "./auth/mod.ts";
export { PassportError, type PassportErrorCode, type PassportErrorDetails } from "./auth/mod.ts";
