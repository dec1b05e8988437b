// The one transport contract the client is written against. Each runtime adapter (deno.ts,
// node.ts, bun.ts), the replay transport and the recording wrapper implement it; the client takes
// one as an argument and never picks a runtime itself.

import type { ConnectionKind } from "../codec/mod.ts";

export { TransportError, type TransportErrorCode } from "./errors.ts";

/** Options for one {@linkcode Transport.connect} call. */
export interface ConnectOptions {
  /**
   * Cancels the connection attempt; `connect` then rejects with `TransportError` code `"aborted"`.
   * It governs only the attempt: an open connection is ended with {@linkcode Connection.close}.
   */
  signal?: AbortSignal;
  /** Longest wait for the connection, in ms; then `connect` rejects with code `"timeout"`. */
  timeoutMs?: number;
  /**
   * Which kind of server this connection is for: `"ns"` (notification server, including an
   * `XFR NS` redirect) or `"sb"` (a switchboard). The client always passes it; plain TCP
   * transports ignore it, the recording and replay transports use it to name and match the
   * connection, and a gateway can use it to route.
   */
  kind?: ConnectionKind;
}

/**
 * Opens TCP connections. Implementations: `DenoTransport`, `NodeTransport`, `BunTransport`
 * (pick one with `defaultTransport()`), `ReplayTransport` for tests and `RecordingTransport`
 * to record transcripts.
 *
 * @example Connect, send a line, read the answer
 * ```ts
 * import { defaultTransport } from "@msnp/client/io_adapters";
 *
 * const connection = await defaultTransport().connect("messenger.hotmail.com", 1863, {
 *   timeoutMs: 10_000,
 * });
 * await connection.write(new TextEncoder().encode("VER 1 MSNP8 CVR0\r\n"));
 * for await (const chunk of connection.readable) {
 *   console.log(new TextDecoder().decode(chunk));
 *   break;
 * }
 * connection.close();
 * ```
 */
export interface Transport {
  /**
   * Opens a connection to `host:port`. Rejects with `TransportError` code `"connect-failed"`,
   * `"timeout"` or `"aborted"`.
   */
  connect(host: string, port: number, options?: ConnectOptions): Promise<Connection>;
}

/** One open TCP connection. */
export interface Connection {
  /**
   * Chunks as they arrive, each safe to keep. Iteration ends when the peer closes or after
   * {@linkcode Connection.close}, and throws `TransportError` code `"reset"` when the connection
   * breaks. Single consumer: iterate it once.
   */
  readonly readable: AsyncIterable<Uint8Array>;
  /**
   * Resolves when the bytes are handed to the OS, waiting out backpressure; await it before
   * writing more. Rejects with `TransportError` code `"closed"` after close (or once the peer
   * ended the connection) and `"reset"` when the connection broke. Do not modify `bytes` until it
   * settles.
   */
  write(bytes: Uint8Array): Promise<void>;
  /**
   * Closes the connection now; bytes whose `write` has not resolved may be lost. Idempotent, and
   * safe after the peer closed.
   */
  close(): void;
  /** The host and port passed to `connect`. */
  readonly remote: { readonly host: string; readonly port: number };
}
