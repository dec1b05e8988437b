/**
 * I/O adapters: everything that touches a socket, `fetch` or a timer. The
 * pure core (`codec`, `auth`, `machine`) never imports these.
 *
 * - {@link Client}: a signed-in session over real sockets, the same in Deno, Node and Bun.
 * - Transports: `DenoTransport`, `NodeTransport`, `BunTransport`, picked by {@link defaultTransport}.
 * - {@link runPassport}: Passport 1.4 over `fetch` (or any `PassportFetch`).
 *
 * @example
 * ```ts
 * import { Client } from "@msnp/client/io_adapters";
 * const client = await Client.connect({ account: "me@example.com", password: "secret" });
 * await client.close();
 * ```
 *
 * @module
 */
export { Client, type ClientOptions, RequestError } from "./client.ts";
export {
  type Connection,
  type ConnectOptions,
  type Transport,
  TransportError,
  type TransportErrorCode,
} from "./transport.ts";
export { defaultTransport, detectRuntime, type RuntimeName } from "./auto.ts";
export { NodeTransport, type NodeTransportOptions } from "./node.ts";
export { DenoTransport, type DenoTransportOptions } from "./deno.ts";
export { BunTransport, type BunTransportOptions } from "./bun.ts";
export {
  DEFAULT_TIMEOUT_MS,
  fetchPassport,
  type PassportRunOptions,
  runPassport,
} from "./run_passport.ts";
