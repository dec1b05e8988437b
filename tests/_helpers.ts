// Shared test helpers: chunking a byte stream every way a network could.
import assert from "node:assert/strict";
import { type Command, DecodeError, Decoder, type DecoderOptions } from "../codec/mod.ts";

/** Text to UTF-8 bytes. */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A comparable record of one decoder output. */
export type Decoded = Command | { error: string; fatal: boolean; offset: number };

/** Feeds `chunks` to a fresh decoder, then ends it, and returns everything it produced. */
export function decodeChunks(
  chunks: Uint8Array[],
  options?: DecoderOptions,
  end = true,
): Decoded[] {
  const decoder = new Decoder(options);
  const out: Decoded[] = [];
  const drain = () => {
    for (let item = decoder.next(); item !== undefined; item = decoder.next()) {
      if (item instanceof DecodeError) {
        out.push({ error: item.code, fatal: item.fatal, offset: item.offset });
        if (item.fatal) return;
      } else {
        out.push(item);
      }
    }
  };
  for (const chunk of chunks) {
    // Copy, then scribble over the copy after pushing: the decoder must not keep references.
    const copy = chunk.slice();
    decoder.push(copy);
    copy.fill(0x58);
    drain();
    if (
      out.length > 0 && "fatal" in out[out.length - 1] &&
      (out[out.length - 1] as { fatal: boolean }).fatal
    ) {
      return out;
    }
  }
  if (end) decoder.end();
  drain();
  return out;
}

/** Every way of feeding `data` used by the codec tests: whole, byte by byte, and split at each offset. */
export function* chunkings(data: Uint8Array): Generator<{ label: string; chunks: Uint8Array[] }> {
  yield { label: "whole", chunks: [data] };
  const ones: Uint8Array[] = [];
  for (let i = 0; i < data.length; i++) ones.push(data.subarray(i, i + 1));
  yield { label: "one byte at a time", chunks: ones };
  for (let k = 1; k < data.length; k++) {
    yield { label: `split at ${k}`, chunks: [data.subarray(0, k), data.subarray(k)] };
  }
}

/**
 * Asserts that `data` decodes to `expected` however it is chunked: whole,
 * one byte at a time, and split in two at every byte boundary.
 */
export function assertDecodes(
  data: Uint8Array | string,
  expected: Decoded[],
  options?: DecoderOptions,
  end = true,
): void {
  const input = typeof data === "string" ? bytes(data) : data;
  for (const { label, chunks } of chunkings(input)) {
    assert.deepStrictEqual(decodeChunks(chunks, options, end), expected, `decoding ${label}`);
  }
}

/** Shorthand for a command without payload. */
export function cmd(name: string, trid: number | null, ...args: string[]): Command {
  return { name, trid, args };
}

/** Shorthand for a payload command; the length argument is appended. */
export function pcmd(
  name: string,
  trid: number | null,
  args: string[],
  payload: string | Uint8Array,
): Command {
  const body = typeof payload === "string" ? bytes(payload) : payload;
  return { name, trid, args: [...args, String(body.length)], payload: body };
}
