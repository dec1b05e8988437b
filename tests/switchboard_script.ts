// A step-list driver for SwitchboardSession tests: the script is run with the server's bytes
// whole, one byte at a time, and split in two at every byte of each run of server bytes, and
// must produce exactly the expected outputs each time.
import assert from "node:assert/strict";
import {
  type SwitchboardEvent,
  type SwitchboardOptions,
  type SwitchboardOutput,
  SwitchboardSession,
} from "../machine/mod.ts";

export const SB = { host: "127.0.0.1", port: 1864 };
export const ME = "me@example.com";
export const COOKIE = "17262740.1050826919.32308";

/** Options for an outgoing switchboard. */
export function callOptions(extra: Partial<SwitchboardOptions> = {}): SwitchboardOptions {
  return { mode: "call", address: SB, cookie: COOKIE, account: ME, ...extra } as SwitchboardOptions;
}

/** Options for answering an `RNG`. */
export function answerOptions(extra: Partial<SwitchboardOptions> = {}): SwitchboardOptions {
  return {
    mode: "answer",
    address: SB,
    cookie: COOKIE,
    sessionId: "17342299",
    account: ME,
    ...extra,
  } as SwitchboardOptions;
}

/** One step of a script. */
export type Step =
  /** An input: start, the connection opened, the server closed it. */
  | { input: "start" | "connected" | "closed" }
  /** Bytes from the server. */
  | { recv: string | Uint8Array }
  /** The clock moves to `at` (handleTimeout). */
  | { tick: number }
  /** An intent; `returns` is checked when given. */
  | { intent: (sb: SwitchboardSession, now: number) => unknown; returns?: unknown }
  /** Expected outputs, in order. */
  | { send: string | Uint8Array }
  | { connect: true }
  | { close: true }
  | { event: SwitchboardEvent };

type Seen =
  | { send: string }
  | { connect: { host: string; port: number; kind: string } }
  | { close: true }
  | { event: SwitchboardEvent };

const fatal = new TextDecoder("utf-8", { fatal: true });
const enc = new TextEncoder();

function show(bytes: Uint8Array): string {
  try {
    return fatal.decode(bytes);
  } catch {
    return `hex:${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
  }
}

function seen(o: SwitchboardOutput): Seen {
  switch (o.type) {
    case "transmit":
      return { send: show(o.bytes) };
    case "connect":
      return { connect: { host: o.host, port: o.port, kind: o.kind } };
    case "close":
      return { close: true };
    case "event":
      return { event: plainFields(o.event) };
  }
}

/** FieldMap values are private (they may hold secrets): compare their entries instead. */
function plainFields(event: SwitchboardEvent): SwitchboardEvent {
  if (event.type !== "message" || !("fields" in event.content)) return event;
  const content = { ...event.content, fields: event.content.fields.entries() };
  return { ...event, content } as unknown as SwitchboardEvent;
}

function expected(steps: readonly Step[]): Seen[] {
  const out: Seen[] = [];
  for (const s of steps) {
    if ("send" in s) out.push({ send: typeof s.send === "string" ? s.send : show(s.send) });
    else if ("connect" in s) out.push({ connect: { ...SB, kind: "sb" } });
    else if ("close" in s) out.push({ close: true });
    else if ("event" in s) out.push({ event: s.event });
  }
  return out;
}

/** Runs the script once with each run of `recv` bytes cut into `chunks(runIndex, bytes)`. */
function runOnce(
  options: SwitchboardOptions,
  steps: readonly Step[],
  cut: (run: number, bytes: Uint8Array) => Uint8Array[],
): { outputs: Seen[]; session: SwitchboardSession } {
  const sb = new SwitchboardSession(options);
  const outputs: Seen[] = [];
  let now = 0;
  let run = 0;
  const drain = () => {
    for (let o = sb.poll(); o !== undefined; o = sb.poll()) outputs.push(seen(o));
  };
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    if ("input" in s) {
      if (s.input === "start") sb.start(now);
      else if (s.input === "connected") sb.handleConnected(now);
      else sb.handleClosed(now);
    } else if ("recv" in s) {
      // Consecutive recv steps form one run of bytes.
      const parts: Uint8Array[] = [];
      let j = i;
      for (; j < steps.length && "recv" in steps[j]; j++) {
        const r = (steps[j] as { recv: string | Uint8Array }).recv;
        parts.push(typeof r === "string" ? enc.encode(r) : r);
      }
      i = j - 1;
      const total = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        total.set(p, at);
        at += p.length;
      }
      for (const chunk of cut(run++, total)) {
        const copy = chunk.slice();
        sb.handleData(copy, now);
        copy.fill(0x58); // the session must not keep the chunk
      }
    } else if ("tick" in s) {
      now = s.tick;
      sb.handleTimeout(now);
    } else if ("intent" in s) {
      const value = s.intent(sb, now);
      if ("returns" in s) assert.deepStrictEqual(value, s.returns);
    }
    drain();
  }
  return { outputs, session: sb };
}

/**
 * Runs `steps` whole, one byte at a time, and with each run of server bytes
 * split in two at every offset, asserting the exact outputs each time.
 * Returns the session of the whole-chunk run for further checks.
 */
export function runScript(options: SwitchboardOptions, steps: readonly Step[]): SwitchboardSession {
  const want = expected(steps);
  const whole = runOnce(options, steps, (_, b) => [b]);
  assert.deepStrictEqual(whole.outputs, want, "whole chunks");
  const ones = runOnce(options, steps, (_, b) => [...b].map((_, k) => b.subarray(k, k + 1)));
  assert.deepStrictEqual(ones.outputs, want, "one byte at a time");
  const runs = steps.filter((s, i) => "recv" in s && !(i > 0 && "recv" in steps[i - 1])).length;
  for (let r = 0; r < runs; r++) {
    let length = 0;
    runOnce(options, steps, (run, b) => {
      if (run === r) length = b.length;
      return [b];
    });
    for (let k = 1; k < length; k++) {
      const split = runOnce(
        options,
        steps,
        (run, b) => run === r ? [b.subarray(0, k), b.subarray(k)] : [b],
      );
      assert.deepStrictEqual(split.outputs, want, `run ${r} split at ${k}`);
    }
  }
  return whole.session;
}

/** The MIME payload of a plain text message. */
export function textPayload(text: string, format = ""): string {
  const head = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n";
  return head + (format ? `X-MMS-IM-Format: ${format}\r\n` : "") + "\r\n" + text;
}

/** A server `MSG` from `from` carrying `payload`. */
export function incoming(from: string, name: string, payload: string | Uint8Array): Uint8Array {
  const body = typeof payload === "string" ? enc.encode(payload) : payload;
  const head = enc.encode(`MSG ${from} ${name} ${body.length}\r\n`);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** A client `MSG t ack` carrying `payload`, as the session must send it. */
export function outgoing(trid: number, ack: string, payload: string | Uint8Array): string {
  const body = typeof payload === "string" ? enc.encode(payload) : payload;
  return `MSG ${trid} ${ack} ${body.length}\r\n${show(body)}`;
}

/** The steps that take an outgoing switchboard to `open` with nobody else there. */
export function callOpen(): Step[] {
  return [
    { input: "start" },
    { connect: true },
    { input: "connected" },
    { send: `USR 1 ${ME} ${COOKIE}\r\n` },
    { recv: `USR 1 OK ${ME} Me\r\n` },
    { event: { type: "ready", participants: [] } },
  ];
}
