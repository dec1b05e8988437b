/**
 * `msnp decode`: turns a raw MSNP byte stream into one JSON object per
 * command, one per line. Runtime-neutral: all I/O goes through {@link CliIo},
 * so tests call {@link runDecode} directly.
 *
 * Output lines, with keys always in this order:
 *
 * - a command: `{"name":"MSG","trid":null,"args":["Hotmail","Hotmail","1441"],"payload":"MIME-Version: 1.0\r\n…"}`.
 *   `name` is as on the wire; `trid` is a number or `null` (decided by the
 *   per-command table in the codec, never by whether the token is numeric);
 *   `args` are the parameters after the TrID exactly as on the wire (still
 *   URL-encoded), a payload command's byte length included as the last one.
 *   `payload` is the payload as UTF-8 text and is absent for commands without
 *   one. A payload that is not valid UTF-8 is printed as
 *   `"payloadBase64":"…"` (standard base64 with padding) instead; a BOM at
 *   its start is kept, so the text is exactly the bytes.
 * - a decode error: `{"error":"line-too-long","message":"…","offset":N}`,
 *   `offset` being the byte offset of the bad line in the stream. After a
 *   recoverable error decoding goes on with the next line; after a fatal one
 *   (framing lost, or the stream ended inside a command) nothing more is
 *   printed and the exit code is 1. Fatal messages end in `; framing lost`.
 *
 * The output is the same whatever `--chunk-size` is.
 *
 * @module
 */

import { type Command, DecodeError, Decoder, type Direction } from "../codec/mod.ts";
import { parseCommandLine, stringOption } from "./cli_args.ts";

/**
 * Where a subcommand reads and writes. `stdout` and `stderr` receive one line
 * at a time, without its line end.
 */
export interface CliIo {
  /** Standard input as byte chunks. */
  stdin: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  /** Writes one line of output. */
  stdout: (line: string) => void;
  /** Writes one line of diagnostics. */
  stderr: (line: string) => void;
  /** Reads a whole file. */
  readFile: (path: string) => Promise<Uint8Array>;
  /** Writes a whole text file (`login --record`). */
  writeFile?: (path: string, text: string) => Promise<void>;
  /** Reads an environment variable (`MSNP_PASSWORD`). */
  env?: (name: string) => string | undefined;
  /** Asks for a secret without echoing it; `undefined` when there is no terminal. */
  promptSecret?: (message: string) => Promise<string | undefined>;
  /** Aborts on Ctrl-C. */
  interrupt?: AbortSignal;
}

/** Exit code for a bad command line. */
export const EXIT_USAGE = 2;

/** Help text of the `decode` subcommand. */
export const DECODE_USAGE: string =
  `Usage: msnp decode [--from server|client] [--chunk-size N] [FILE]

Decodes a raw MSNP8/9 byte stream (FILE, or standard input when FILE is
absent or "-") and prints one JSON object per command, one per line:

  {"name":"MSG","trid":null,"args":["Hotmail","Hotmail","448"],"payload":"MIME-Version: 1.0\\r\\n..."}

  name     the command name as on the wire
  trid     the TrID as a number, or null for commands that carry none
  args     the parameters after the TrID as on the wire (not URL-decoded);
           for payload commands the last one is the payload length
  payload  the payload as UTF-8 text (absent for commands without one);
           printed as "payloadBase64" instead when it is not valid UTF-8

A malformed line prints {"error":"<code>","message":"...","offset":N} and
decoding goes on with the next line. When framing is lost (or the input ends
inside a command) the error is printed and decoding stops with exit code 1.

Options:
  --from=server|client  who sent the bytes (default: server)
  --chunk-size=N        feed the decoder N bytes at a time (default: as read);
                        the output is the same for every N
  -h, --help            show this help

Exit codes: 0 decoded to the end, 1 fatal decode error or unreadable input,
2 bad command line.`;

interface DecodeOptions {
  from: Direction;
  chunkSize: number | undefined;
  file: string | undefined;
}

/** The options `decode` takes. */
const DECODE_OPTIONS = {
  from: { type: "string" },
  "chunk-size": { type: "string" },
} as const;

/** Parses `decode`'s arguments; returns an error message for a bad command line. */
function parseDecodeArgs(args: readonly string[]): DecodeOptions | "help" | { usage: string } {
  const line = parseCommandLine(args, DECODE_OPTIONS, 1);
  if (typeof line === "string") return { usage: line };
  if (line.help) return "help";
  const from = stringOption(line, "from") ?? "server";
  if (from !== "server" && from !== "client") {
    return { usage: `--from must be "server" or "client", not ${JSON.stringify(from)}` };
  }
  const size = stringOption(line, "chunk-size");
  if (size !== undefined && !/^[1-9]\d{0,8}$/.test(size)) {
    return { usage: `--chunk-size must be a positive integer, not ${JSON.stringify(size)}` };
  }
  return {
    from,
    chunkSize: size === undefined ? undefined : Number(size),
    file: line.positionals[0],
  };
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Standard base64 of `bytes`. */
function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(
      null,
      bytes.subarray(i, i + 0x8000) as unknown as number[],
    );
  }
  return btoa(binary);
}

/**
 * One command as the JSON line `decode` prints, keys in the documented order.
 *
 * @example
 * ```ts
 * import { commandToJson } from "./cli_decode.ts";
 * commandToJson({ name: "QNG", trid: null, args: ["50"] });
 * // '{"name":"QNG","trid":null,"args":["50"]}'
 * ```
 */
export function commandToJson(command: Command): string {
  const head = `{"name":${JSON.stringify(command.name)},"trid":${
    command.trid === null ? "null" : String(command.trid)
  },"args":${JSON.stringify(command.args)}`;
  if (command.payload === undefined) return head + "}";
  let text: string;
  try {
    text = utf8.decode(command.payload);
  } catch {
    return `${head},"payloadBase64":${JSON.stringify(base64(command.payload))}}`;
  }
  return `${head},"payload":${JSON.stringify(text)}}`;
}

/** One decode error as the JSON line `decode` prints. */
export function decodeErrorToJson(error: DecodeError): string {
  return `{"error":${JSON.stringify(error.code)},"message":${
    JSON.stringify(error.message)
  },"offset":${error.offset}}`;
}

/** Yields the chunks of `source`, re-cut to exactly `size` bytes (the last may be shorter). */
async function* rechunk(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  size: number | undefined,
): AsyncGenerator<Uint8Array> {
  if (size === undefined) {
    yield* source;
    return;
  }
  const buffer = new Uint8Array(size);
  let filled = 0;
  for await (const chunk of source) {
    let at = 0;
    while (at < chunk.length) {
      if (filled === 0 && chunk.length - at >= size) {
        yield chunk.subarray(at, at + size);
        at += size;
        continue;
      }
      const n = Math.min(size - filled, chunk.length - at);
      buffer.set(chunk.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === size) {
        yield buffer;
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}

/** Standard input as something `for await` reads, whether or not the stream is async-iterable. */
function chunksOf(stream: CliIo["stdin"]): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
  if (Symbol.asyncIterator in stream || Symbol.iterator in stream) {
    return stream as AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  }
  const reader = (stream as ReadableStream<Uint8Array>).getReader();
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      } finally {
        reader.releaseLock();
      }
    },
  };
}

/**
 * Runs `decode` with its command-line arguments (those after `decode`) and
 * returns the exit code: 0 when the whole input decoded (recoverable errors
 * included), 1 after a fatal decode error or when the input cannot be read,
 * 2 for a bad command line.
 *
 * @example Decode bytes held in memory
 * ```ts
 * import { runDecode } from "./cli_decode.ts";
 * const lines: string[] = [];
 * const code = await runDecode(["--chunk-size", "3"], {
 *   stdin: [new TextEncoder().encode("QNG 50\r\n")],
 *   stdout: (line) => lines.push(line),
 *   stderr: (line) => console.error(line),
 *   readFile: () => Promise.reject(new Error("no files")),
 * });
 * // code === 0, lines == ['{"name":"QNG","trid":null,"args":["50"]}']
 * ```
 */
export async function runDecode(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseDecodeArgs(args);
  if (parsed === "help") {
    for (const line of DECODE_USAGE.split("\n")) io.stdout(line);
    return 0;
  }
  if ("usage" in parsed) {
    io.stderr(`msnp decode: ${parsed.usage}`);
    io.stderr('Run "msnp decode --help" for usage.');
    return EXIT_USAGE;
  }
  let source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  if (parsed.file === undefined || parsed.file === "-") {
    source = chunksOf(io.stdin);
  } else {
    let data: Uint8Array;
    try {
      data = await io.readFile(parsed.file);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      io.stderr(`msnp decode: cannot read ${JSON.stringify(parsed.file)}: ${reason}`);
      return 1;
    }
    source = [data];
  }

  const decoder = new Decoder({ from: parsed.from });
  /** Prints what the decoder has; returns false after a fatal error. */
  const drain = (): boolean => {
    for (let item = decoder.next(); item !== undefined; item = decoder.next()) {
      if (item instanceof DecodeError) {
        io.stdout(decodeErrorToJson(item));
        if (item.fatal) return false;
      } else {
        io.stdout(commandToJson(item));
      }
    }
    return true;
  };
  for await (const chunk of rechunk(source, parsed.chunkSize)) {
    decoder.push(chunk);
    if (!drain()) return 1;
  }
  decoder.end();
  return drain() ? 0 : 1;
}
