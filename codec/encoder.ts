import {
  type Command,
  type Direction,
  hasPayload,
  hasTrid,
  isErrorCode,
  MAX_TRID,
} from "./command.ts";
import { EncodeError, quote } from "./errors.ts";

/** Options for {@link encodeCommand}. */
export interface EncodeOptions {
  /** Who sends the command; decides whether a TrID and a payload are expected. Default `"client"`. */
  from?: Direction;
  /** Longest line allowed, in bytes, CRLF excluded. Default 8192. */
  maxLineBytes?: number;
}

const utf8 = new TextEncoder();

/**
 * Encodes one command to the bytes sent on the wire: the line, CRLF, then the
 * payload if any.
 *
 * Refuses (with {@link EncodeError}) anything that would change the framing:
 * an argument containing a space, CR, LF or NUL, an empty argument, a TrID
 * that is missing, present where none belongs or out of range, a payload
 * length argument that is not the payload's byte length, a line over the
 * limit.
 *
 * @example
 * ```ts
 * import { encodeCommand } from "@msnp/client/codec";
 * const bytes = encodeCommand({ name: "VER", trid: 1, args: ["MSNP8", "CVR0"] });
 * new TextDecoder().decode(bytes); // "VER 1 MSNP8 CVR0\r\n"
 * ```
 */
export function encodeCommand(command: Command, options: EncodeOptions = {}): Uint8Array {
  const from = options.from ?? "client";
  const { name, trid, args, payload } = command;
  if (!Array.isArray(args) || (payload !== undefined && !(payload instanceof Uint8Array))) {
    throw new EncodeError(
      "invalid-argument",
      `Cannot encode ${quote(String(name))}: args must be an array, payload a Uint8Array`,
    );
  }
  if (typeof name !== "string" || !(/^[A-Z]{3}$/.test(name) || isErrorCode(name))) {
    throw new EncodeError(
      "invalid-name",
      `Cannot encode command ${quote(String(name))}: invalid name`,
    );
  }
  // GTC/BLP/PRP from the server are told apart by the first token on the wire, the TrID if any.
  const wantsTrid = hasTrid(name, from, trid === null ? args[0] : String(trid));
  if (trid !== null) {
    if (!Number.isInteger(trid) || trid < 0 || trid > MAX_TRID) {
      throw new EncodeError(
        "invalid-trid",
        `Cannot encode "${name}": TrID ${trid} is out of range`,
      );
    }
    if (wantsTrid === false) {
      throw new EncodeError("invalid-trid", `Cannot encode "${name}": it takes no TrID`);
    }
  } else if (wantsTrid === true) {
    throw new EncodeError("invalid-trid", `Cannot encode "${name}": a TrID is required`);
  }
  let line = trid === null ? name : `${name} ${trid}`;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    checkArgument(name, arg, i);
    line += " " + arg;
  }
  const payloadExpected = hasPayload(name, from);
  if (payloadExpected !== (payload !== undefined)) {
    throw new EncodeError(
      "payload-length-mismatch",
      `Cannot encode "${name}": ${
        payloadExpected ? "a payload is required" : "it takes no payload"
      }`,
    );
  }
  if (payload !== undefined && args[args.length - 1] !== String(payload.byteLength)) {
    throw new EncodeError(
      "payload-length-mismatch",
      `Cannot encode "${name}": last argument must be the payload length ${payload.byteLength}`,
    );
  }
  const lineBytes = utf8.encode(line + "\r\n");
  const max = options.maxLineBytes ?? 8192;
  if (lineBytes.length - 2 > max) {
    throw new EncodeError("too-long", `Cannot encode "${name}": line is longer than ${max} bytes`);
  }
  if (payload === undefined || payload.length === 0) return lineBytes;
  const out = new Uint8Array(lineBytes.length + payload.length);
  out.set(lineBytes);
  out.set(payload, lineBytes.length);
  return out;
}

/** Throws unless `arg` is a non-empty string free of space, CR, LF, TAB and NUL. */
export function checkArgument(name: string, arg: unknown, index: number): void {
  if (typeof arg !== "string" || arg.length === 0) {
    throw new EncodeError(
      "invalid-argument",
      `Cannot encode "${name}": argument ${index + 1} must be a non-empty string`,
    );
  }
  for (let i = 0; i < arg.length; i++) {
    const c = arg.charCodeAt(i);
    if (c === 32 || c === 13 || c === 10 || c === 0 || c === 9) {
      throw new EncodeError(
        "invalid-argument",
        `Cannot encode "${name}": argument ${index + 1} contains a space, tab, CR, LF or NUL`,
      );
    }
  }
  // A lone surrogate would silently become U+FFFD on the wire.
  if (!arg.isWellFormed()) {
    throw new EncodeError(
      "invalid-argument",
      `Cannot encode "${name}": argument ${index + 1} is not well-formed UTF-16`,
    );
  }
}
