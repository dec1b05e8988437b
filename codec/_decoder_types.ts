/**
 * The `Decoder`'s option and raw-line types (re-exported by decoder.ts).
 *
 * @module
 */

import type { Direction } from "./command.ts";

/** Options for `Decoder`. */
export interface DecoderOptions {
  /** Who sends the bytes being decoded. Default `"server"`. */
  from?: Direction;
  /** Longest command line accepted, in bytes, line end excluded. Default 8192. */
  maxLineBytes?: number;
  /** Largest payload accepted, in bytes. Default 65536. */
  maxPayloadBytes?: number;
}

/**
 * A complete line not decoded yet, as `Decoder.peekLine` shows it:
 * `bytes[start, end)`, line end excluded. Valid until the next call on the
 * decoder; the decoder reuses this object.
 */
export interface RawLine {
  /** The decoder's buffer (do not write to it). */
  readonly bytes: Uint8Array;
  /** Index of the line's first byte. */
  readonly start: number;
  /** Index just past its last byte (before the CR LF or LF). */
  readonly end: number;
}
