// The parts of replaySession that are not the step loop: describing outputs, the default
// switchboard session, and the buffer of bytes sent but not yet matched.

import { SwitchboardSession, type SwitchboardSettings } from "../machine/mod.ts";
import type { ReplayMismatchCode } from "../io_adapters/errors.ts";
import type { ReplayOutput, ReplaySessionFactory } from "./replay_session.ts";

export function effectCode(output: ReplayOutput): ReplayMismatchCode {
  return output.type === "connect"
    ? "unexpected-connect"
    : output.type === "close"
    ? "unexpected-close"
    : "unexpected-passport";
}

export function describeOutput(output: ReplayOutput): string {
  if (output.type === "connect") {
    return `connect to ${output.host}:${output.port}${output.kind ? ` (${output.kind})` : ""}`;
  }
  if (output.type === "passport") return `passport for ${JSON.stringify(output.challenge)}`;
  return output.type === "close" ? "close by the client" : output.type;
}

export function splitHostPort(where: string): [string, number] {
  const colon = where.lastIndexOf(":");
  return [where.slice(0, colon), Number(where.slice(colon + 1))];
}

/**
 * The default switchboard factory: a {@link SwitchboardSession} entered the way the notification
 * session's event says (`switchboard`: call; `invitation`: answer), started at once.
 */
export function switchboardFactory(
  account: string,
  settings: SwitchboardSettings,
): ReplaySessionFactory {
  return ({ trigger, now }) => {
    const entry = trigger!.type === "switchboard"
      ? { mode: "call" as const, address: trigger!.address, cookie: trigger!.cookie, account }
      : {
        mode: "answer" as const,
        address: trigger!.address,
        cookie: trigger!.cookie,
        sessionId: trigger!.sessionId,
        account,
      };
    const sb = new SwitchboardSession({ ...settings, ...entry });
    sb.start(now);
    return sb;
  };
}

/** Bytes a session sent and the transcript has not matched yet; appends are amortized O(1). */
export class Outbox {
  #buf = new Uint8Array(256);
  #start = 0;
  #end = 0;

  get length(): number {
    return this.#end - this.#start;
  }

  view(): Uint8Array {
    return this.#buf.subarray(this.#start, this.#end);
  }

  push(bytes: Uint8Array): void {
    if (this.#end + bytes.length > this.#buf.length) {
      const grown = new Uint8Array(Math.max(256, 2 * (this.length + bytes.length)));
      grown.set(this.view());
      this.#end = this.length;
      this.#start = 0;
      this.#buf = grown;
    }
    this.#buf.set(bytes, this.#end);
    this.#end += bytes.length;
  }

  startsWith(expected: Uint8Array): boolean {
    if (this.length < expected.length) return false;
    for (let i = 0; i < expected.length; i++) {
      if (this.#buf[this.#start + i] !== expected[i]) return false;
    }
    return true;
  }

  consume(n: number): void {
    this.#start += n;
    if (this.#start === this.#end) this.#start = this.#end = 0;
  }
}
