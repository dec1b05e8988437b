// Private to testing/: the socket wrapper every loopback listener uses.
import type { Socket } from "node:net";
import { type Command, DecodeError, Decoder, encodeCommand } from "../codec/mod.ts";
import type { Hub, SessionLink } from "./_server_state.ts";

/**
 * One TCP connection: decodes client commands, encodes server replies. A malformed line, or a
 * handler that throws, destroys the connection; nothing escapes to the process.
 */
export class Link implements SessionLink {
  readonly socket: Socket;
  readonly #hub: Hub;
  readonly #decoder = new Decoder({ from: "client" });
  #closed = false;
  #onClose: (() => void) | undefined;
  /** While set, nothing is read or written. */
  paused = false;

  constructor(hub: Hub, socket: Socket, handle: (command: Command) => void, onClose: () => void) {
    this.socket = socket;
    this.#hub = hub;
    this.#onClose = onClose;
    hub.sockets.add(socket);
    hub.links.add(this);
    socket.setNoDelay(true);
    socket.on("error", () => {});
    socket.on("close", () => {
      hub.sockets.delete(socket);
      this.#finish();
    });
    socket.on("data", (chunk: Uint8Array) => {
      if (this.#closed || this.paused) return;
      this.#decoder.push(chunk);
      for (let c = this.#decoder.next(); c !== undefined; c = this.#decoder.next()) {
        if (this.#closed || this.paused) return;
        if (c instanceof DecodeError) {
          this.destroy();
          return;
        }
        try {
          handle(c);
        } catch {
          this.destroy();
          return;
        }
      }
    });
  }

  /** Whether the connection is closed or closing. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Remote address without an IPv4-mapped prefix. */
  get remoteAddress(): string {
    return (this.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, "");
  }

  /** Sends one server command. */
  send(name: string, trid: number | null, args: string[], payload?: Uint8Array): void {
    if (this.#closed || this.paused) return;
    const command: Command = payload === undefined
      ? { name, trid, args }
      : { name, trid, args: [...args, String(payload.length)], payload };
    let bytes: Uint8Array;
    try {
      bytes = encodeCommand(command, { from: "server" });
    } catch {
      // Data that cannot go on the wire (an empty name, say) ends this connection only, never
      // the handler of another connection that caused the send.
      this.destroy();
      return;
    }
    this.socket.write(bytes);
  }

  /** Sends an error reply `<code> <trid>`. */
  error(code: number, trid: number | null): void {
    this.send(String(code), trid ?? 0, []);
  }

  /** Writes bytes as they are. */
  raw(text: string | Uint8Array): void {
    if (this.#closed) return;
    this.socket.write(text);
  }

  /** Flushes what was sent, then closes. The close handler runs now. */
  close(): void {
    if (this.#closed) return;
    this.#finish();
    this.socket.end(() => this.socket.destroy());
  }

  /** Closes at once, without flushing (a dropped connection). */
  destroy(): void {
    this.#finish();
    this.socket.destroy();
  }

  #finish(): void {
    this.#closed = true;
    this.#hub.links.delete(this);
    const onClose = this.#onClose;
    this.#onClose = undefined;
    onClose?.();
  }
}
