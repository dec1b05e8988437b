// Shared pieces of the session fuzz targets: recorded transcripts cut into per-connection scripts
// of operations (bytes arriving, connects, closes, time passing, the application's calls), script
// mutations (steps removed, duplicated, reordered, inserted; bytes mutated), the chunkings a
// script is replayed at, and a canonical rendering of outputs so that runs compare structurally.

import { readFileSync } from "node:fs";
import { check, mutateBytes, type Rng, utf8 } from "./_fuzz.ts";

/** One thing that happens to a session. `dt` is the time that passes before it (ms). */
export type Op =
  | { op: "connected"; dt: number }
  | { op: "closed"; dt: number }
  | { op: "data"; dt: number; bytes: Uint8Array }
  | { op: "timeout"; dt: number; due: boolean }
  | { op: "ticket"; dt: number; ticket: string }
  | { op: "passportError"; dt: number }
  | { op: "call"; dt: number; method: string; args: unknown[] };

/** One connection's steps from a recorded transcript, with the header's session options. */
export interface Script {
  /** `header.session` of the transcript (the notification session's options), if any. */
  session: Record<string, unknown>;
  /** The first line the client sent on this connection (USR or ANS on a switchboard). */
  firstSend: string;
  /** The steps as operations. */
  ops: Op[];
}

/** A transcript's steps for one connection kind, as operations. */
export function transcriptScripts(names: readonly string[], sb: boolean): Script[] {
  const out: Script[] = [];
  for (const name of names) {
    let text = "";
    try {
      text = readFileSync(new URL(`./transcripts/${name}`, import.meta.url), "utf8");
    } catch {
      continue; // a transcript renamed by another change: the other seeds still run
    }
    const byConn = new Map<string, Script>();
    let session: Record<string, unknown> = {};
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      const step = JSON.parse(line) as Record<string, unknown>;
      const header = step.header as { session?: Record<string, unknown> } | undefined;
      if (header?.session) session = header.session;
      const conn = typeof step.conn === "string" ? step.conn : "ns";
      if ((conn !== "ns") !== sb) continue;
      const script = byConn.get(conn) ?? { session, firstSend: "", ops: [] };
      byConn.set(conn, script);
      const ops = script.ops;
      if (typeof step.send === "string" && script.firstSend === "") script.firstSend = step.send;
      if (typeof step.connect === "string") {
        if (ops.length > 0) ops.push({ op: "closed", dt: 0 });
        ops.push({ op: "connected", dt: 1 });
      } else if (typeof step.recv === "string") {
        ops.push({ op: "data", dt: 1, bytes: utf8(step.recv) });
      } else if (step.close === "server") ops.push({ op: "closed", dt: 1 });
      else if (typeof step.time === "number") ops.push({ op: "timeout", dt: 1, due: true });
      else if (typeof step.passport === "object") {
        ops.push({ op: "ticket", dt: 1, ticket: "t=recorded&p=ticket" });
      } else if (typeof step.call === "object" && step.call !== null) {
        const call = step.call as { method: string; args?: unknown[] };
        ops.push({ op: "call", dt: 1, method: call.method, args: call.args ?? [] });
      }
    }
    for (const script of byConn.values()) if (script.ops.length > 0) out.push(script);
  }
  return out;
}

/** Mutates a script: ops removed, duplicated, swapped, inserted (by `extra`), bytes mutated. */
export function mutateScript(
  rng: Rng,
  script: readonly Op[],
  extra: (rng: Rng) => Op,
  others: readonly Uint8Array[],
): Op[] {
  const ops = script.slice();
  for (let m = rng.int(6); m > 0; m--) {
    const at = rng.int(ops.length + 1);
    switch (rng.int(5)) {
      case 0:
        if (ops.length > 1) ops.splice(Math.min(at, ops.length - 1), 1);
        break;
      case 1:
        if (at < ops.length) ops.splice(at, 0, ops[at]);
        break;
      case 2: {
        const b = rng.int(ops.length);
        if (at < ops.length) [ops[at], ops[b]] = [ops[b], ops[at]];
        break;
      }
      default:
        ops.splice(at, 0, extra(rng));
    }
  }
  return ops.map((o) => {
    const dt = rng.chance(0.2) ? rng.pick([0, 1, 999, 5_000, 31_000, 121_000]) : o.dt;
    if (o.op === "data" && rng.chance(0.3)) {
      return { ...o, dt, bytes: mutateBytes(rng, o.bytes, others) };
    }
    return { ...o, dt };
  });
}

/** How a run cuts each `data` op: whole, random pieces, or one byte at a time. */
export type Chunking = "whole" | "random" | "bytes";

/** The pieces of `bytes` for a chunking (random pieces come from their own seed, so reproducible). */
export function pieces(bytes: Uint8Array, chunking: Chunking, rng: Rng): Uint8Array[] {
  if (chunking === "whole") return [bytes];
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const n = chunking === "bytes" ? 1 : 1 + rng.int(rng.chance(0.5) ? 6 : 200);
    out.push(bytes.slice(at, at + n));
    at += n;
  }
  if (out.length === 0) out.push(bytes);
  return out;
}

/** Total bytes of the script's data ops (one byte at a time only for small scripts). */
export function dataBytes(script: readonly Op[]): number {
  let n = 0;
  for (const o of script) if (o.op === "data") n += o.bytes.length;
  return n;
}

/**
 * A canonical text of any output value: Uint8Array as text, errors with name, message, code and
 * their other own fields (not the stack, which names call sites), objects with their keys.
 */
export function canon(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) {
      return `bytes:${Array.from(v, (b) => String.fromCharCode(b)).join("")}`;
    }
    if (v instanceof Error) {
      const fields: Record<string, unknown> = { name: v.name, message: v.message };
      for (const [k, x] of Object.entries(v)) if (k !== "stack") fields[k] = x;
      if (v.cause !== undefined) fields.cause = v.cause;
      return fields;
    }
    if (typeof v === "number" && !Number.isFinite(v)) return `number:${v}`;
    if (typeof v === "bigint") return `bigint:${v}`;
    if (v === undefined) return "undefined";
    return v;
  });
}

/** Remembers objects handed to the application and checks later that none of them changed. */
export class HandedOut {
  readonly #items: [unknown, string][] = [];

  /** Records `value` as it is now. */
  add(value: unknown): void {
    this.#items.push([value, canon(value)]);
  }

  /** Throws a violation if any recorded value changed since it was recorded. */
  verify(): void {
    for (const [value, before] of this.#items) {
      const after = canon(value);
      check(after === before, () => `an object handed out changed later: ${before} -> ${after}`);
    }
  }
}

/** A random string that cannot occur by chance: a ticket, cookie or MSPAuth to look for later. */
export function secretToken(rng: Rng, prefix: string): string {
  let out = prefix;
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  for (let i = 0; i < 16; i++) out += alphabet[rng.int(alphabet.length)];
  return out;
}
