// Picks the transport for the runtime this code runs in. deno.ts and bun.ts touch their globals only
// when connecting and node.ts imports only node:net (available in all three), so importing this
// module is safe everywhere.

import { BunTransport } from "./bun.ts";
import { DenoTransport } from "./deno.ts";
import { NodeTransport } from "./node.ts";
import type { Transport } from "./transport.ts";

/** Which runtime {@linkcode defaultTransport} detected. */
export type RuntimeName = "bun" | "deno" | "node";

/**
 * The runtime this code runs in: `"bun"` if `globalThis.Bun` exists, else `"deno"` if
 * `globalThis.Deno` exists, else `"node"`.
 *
 * @example
 * ```ts
 * import { detectRuntime } from "@msnp/client/io_adapters";
 * console.log(detectRuntime()); // "deno" under Deno
 * ```
 */
export function detectRuntime(): RuntimeName {
  const g = globalThis as { Bun?: unknown; Deno?: unknown };
  if (typeof g.Bun === "object" && g.Bun !== null) return "bun";
  if (typeof g.Deno === "object" && g.Deno !== null) return "deno";
  return "node";
}

/**
 * The native transport of the current runtime: {@linkcode BunTransport} under Bun,
 * {@linkcode DenoTransport} under Deno, {@linkcode NodeTransport} otherwise.
 *
 * @example Connect with whatever runtime this is
 * ```ts
 * import { defaultTransport } from "@msnp/client/io_adapters";
 *
 * const connection = await defaultTransport().connect("messenger.hotmail.com", 1863);
 * connection.close();
 * ```
 */
export function defaultTransport(): Transport {
  const runtime = detectRuntime();
  if (runtime === "bun") return new BunTransport();
  if (runtime === "deno") return new DenoTransport();
  return new NodeTransport();
}
