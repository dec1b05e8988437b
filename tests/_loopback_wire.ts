// Test helper: a raw MSNP client over a real socket, for the loopback server's tests. It writes
// commands built by the codec (one write each) or text lines, and reads server commands back with
// the codec's decoder as wire lines without CRLF. Every wait has a timeout.

import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { clearTimeout, setTimeout } from "node:timers";
import { type Command, DecodeError, Decoder, encodeCommand } from "../codec/mod.ts";
import type { LoopbackAddress, LoopbackServer } from "../testing/loopback_server.ts";

/** A raw client connection. */
export class Wire {
  readonly socket: Socket;
  readonly #decoder = new Decoder({ from: "server" });
  readonly #queue: Command[] = [];
  #wake: (() => void) | undefined;
  #ended = false;
  /** Payload of the last payload command returned by `line()`. */
  payload: Uint8Array | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Uint8Array) => {
      this.#decoder.push(chunk);
      for (let c = this.#decoder.next(); c !== undefined; c = this.#decoder.next()) {
        if (c instanceof DecodeError) throw c;
        this.#queue.push(c);
      }
      this.#wake?.();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.#ended = true;
      this.#wake?.();
    });
  }

  /** Connects to `address`. */
  static open(address: LoopbackAddress): Promise<Wire> {
    return new Promise((resolve, reject) => {
      const socket = connect(address.port, address.host, () => resolve(new Wire(socket)));
      socket.once("error", reject);
    });
  }

  /** Writes a text line and CRLF. */
  send(line: string): void {
    this.socket.write(line + "\r\n");
  }

  /** Writes a command encoded by the codec, in one write. */
  command(c: Command): void {
    this.socket.write(encodeCommand(c, { from: "client" }));
  }

  async #wait(what: () => boolean, label: string, ms = 3000): Promise<void> {
    while (!what()) {
      if (this.#ended) throw new Error(`connection closed while waiting for ${label}`);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.#wake = undefined;
          reject(new Error(`timed out waiting for ${label}`));
        }, ms);
        this.#wake = () => {
          clearTimeout(timer);
          this.#wake = undefined;
          resolve();
        };
      });
    }
  }

  /** The next command as its wire line without CRLF (a payload goes to `payload`). */
  async line(ms?: number): Promise<string> {
    await this.#wait(() => this.#queue.length > 0, "a line", ms);
    const c = this.#queue.shift() as Command;
    // A plain copy: socket chunks are Buffers, which strict deep equality tells apart.
    this.payload = c.payload && new Uint8Array(c.payload);
    return [c.name, ...(c.trid === null ? [] : [String(c.trid)]), ...c.args].join(" ");
  }

  /** The next `n` lines. */
  async lines(n: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await this.line());
    return out;
  }

  /** Resolves when the server has closed the connection and every line was read. */
  async closed(ms?: number): Promise<void> {
    await this.#wait(() => this.#ended, "the close", ms);
    assert.deepEqual(this.#queue.map((c) => c.name), [], "no unread lines");
  }

  /** Asserts nothing more arrives on a notification connection (a PNG/QNG round trip). */
  async quiet(): Promise<void> {
    this.send("PNG");
    assert.match(await this.line(), /^QNG/);
  }

  /** Asserts nothing arrives within `ms` (for switchboard connections, which have no PNG). */
  async silent(ms = 100): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    assert.deepEqual(this.#queue.map((c) => c.name), [], "nothing received");
    assert.equal(this.#ended, false, "still open");
  }

  /** Destroys the socket. */
  end(): void {
    this.socket.destroy();
  }
}

/** Signs in directly at the notification server with a ticket issued without HTTP. */
export async function signIn(
  server: LoopbackServer,
  passport: string,
  version = "MSNP9",
): Promise<Wire> {
  const ns = await Wire.open(server.notificationAddress);
  ns.send(`VER 1 ${version} CVR0`);
  assert.equal(await ns.line(), `VER 1 ${version}`);
  ns.send(`CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 6.0.0602 MSMSGS ${passport}`);
  await ns.line();
  ns.send(`USR 3 TWN I ${passport}`);
  assert.match(await ns.line(), /^USR 3 TWN S lc=1033,/);
  ns.send(`USR 4 TWN S ${server.issueTicket(passport)}`);
  assert.match(await ns.line(), new RegExp(`^USR 4 OK ${passport} \\S+ 1 0$`));
  assert.match(await ns.line(), /^MSG Hotmail Hotmail \d+$/);
  return ns;
}
