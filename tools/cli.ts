/**
 * The msnp command-line tool: `deno task cli <subcommand> [options]`.
 *
 * Subcommands live in {@link SUBCOMMANDS}; adding one is one entry there. Each
 * takes its arguments and a {@link CliIo} and returns an exit code, so it runs
 * without Deno in tests. Only the `import.meta.main` block below touches
 * `Deno.*`.
 *
 * @example
 * ```sh
 * deno task cli decode --from server capture.bin
 * deno task cli decode --chunk-size 1 < capture.bin
 * MSNP_PASSWORD=... deno task cli login --server 127.0.0.1:1863 --account me@example.com --json
 * deno task cli replay session.jsonl
 * ```
 *
 * @module
 */

import { type CliIo, DECODE_USAGE, EXIT_USAGE, runDecode } from "./cli_decode.ts";
import { LOGIN_USAGE, runLogin } from "./cli_login.ts";
import { REPLAY_USAGE, runReplay } from "./cli_replay.ts";

export type { CliIo } from "./cli_decode.ts";

/** One subcommand of the tool. */
export interface Subcommand {
  /** One line for the tool's help. */
  summary: string;
  /** Full help text, printed for `help <name>`. */
  usage: string;
  /** Runs with the arguments after the subcommand's name; resolves to the exit code. */
  run: (args: readonly string[], io: CliIo) => Promise<number>;
}

/** Every subcommand, by name. */
export const SUBCOMMANDS: Record<string, Subcommand> = {
  decode: {
    summary: "decode a raw MSNP byte stream into JSON lines",
    usage: DECODE_USAGE,
    run: runDecode,
  },
  login: {
    summary: "sign in to a server, print contacts and presence, sign out",
    usage: LOGIN_USAGE,
    run: runLogin,
  },
  replay: {
    summary: "replay a recorded transcript through the session and print its events",
    usage: REPLAY_USAGE,
    run: runReplay,
  },
};

/** The tool's help text. */
export function usage(): string {
  const names = Object.keys(SUBCOMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  return [
    "Usage: cli <subcommand> [options]",
    "",
    "Subcommands:",
    ...names.map((n) => `  ${n.padEnd(width)}  ${SUBCOMMANDS[n].summary}`),
    "",
    'Run "cli <subcommand> --help" for its options.',
  ].join("\n");
}

/**
 * Runs the tool with its command-line arguments; resolves to the exit code
 * (2 for an unknown or missing subcommand).
 *
 * @example
 * ```ts
 * import { runCli } from "./cli.ts";
 * const code = await runCli(["decode", "--help"], {
 *   stdin: [],
 *   stdout: (line) => console.log(line),
 *   stderr: (line) => console.error(line),
 *   readFile: () => Promise.reject(new Error("no files")),
 * });
 * ```
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === "-h" || name === "--help") {
    for (const line of usage().split("\n")) io.stdout(line);
    return 0;
  }
  if (name === "help") {
    const topic = rest[0];
    const text = topic !== undefined && Object.hasOwn(SUBCOMMANDS, topic)
      ? SUBCOMMANDS[topic].usage
      : usage();
    for (const line of text.split("\n")) io.stdout(line);
    return 0;
  }
  if (name === undefined || !Object.hasOwn(SUBCOMMANDS, name)) {
    io.stderr(
      name === undefined
        ? "cli: missing subcommand"
        : `cli: unknown subcommand ${JSON.stringify(name)}`,
    );
    for (const line of usage().split("\n")) io.stderr(line);
    return EXIT_USAGE;
  }
  return await SUBCOMMANDS[name].run(rest, io);
}

/** Collects lines and writes them to a Deno file in large blocks. */
function lineWriter(file: { writeSync(p: Uint8Array): number }): {
  write: (line: string) => void;
  flush: () => void;
} {
  const encoder = new TextEncoder();
  let parts: string[] = [];
  let size = 0;
  const flush = () => {
    if (parts.length === 0) return;
    let data = encoder.encode(parts.join(""));
    parts = [];
    size = 0;
    while (data.length > 0) data = data.subarray(file.writeSync(data));
  };
  return {
    write(line) {
      parts.push(line, "\n");
      size += line.length + 1;
      if (size >= 65536) flush();
    },
    flush,
  };
}

/** Reads a line from the terminal without echoing it. */
async function promptSecret(message: string): Promise<string | undefined> {
  if (!Deno.stdin.isTerminal()) return undefined;
  const encoder = new TextEncoder();
  Deno.stderr.writeSync(encoder.encode(message));
  Deno.stdin.setRaw(true);
  const bytes: number[] = [];
  const buffer = new Uint8Array(1);
  try {
    while (true) {
      const n = await Deno.stdin.read(buffer);
      if (n === null || buffer[0] === 13 || buffer[0] === 10) break;
      if (buffer[0] === 3) return undefined; // Ctrl-C
      if (buffer[0] === 127 || buffer[0] === 8) bytes.pop();
      else bytes.push(buffer[0]);
    }
  } finally {
    Deno.stdin.setRaw(false);
    Deno.stderr.writeSync(encoder.encode("\n"));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

if (import.meta.main) {
  const out = lineWriter(Deno.stdout);
  const err = lineWriter(Deno.stderr);
  const interrupt = new AbortController();
  Deno.addSignalListener("SIGINT", () => interrupt.abort());
  let code: number;
  try {
    code = await runCli(Deno.args, {
      writeFile: (path, text) => Deno.writeTextFile(path, text),
      env: (name) => Deno.env.get(name),
      promptSecret,
      interrupt: interrupt.signal,
      stdin: Deno.stdin.readable,
      stdout: (line) => {
        out.write(line);
        // Interactive subcommands print as events happen.
        if (Deno.args[0] !== "decode") out.flush();
      },
      stderr: (line) => {
        out.flush();
        err.write(line);
        err.flush();
      },
      readFile: (path) => Deno.readFile(path),
    });
    out.flush();
  } catch (e) {
    // A reader that went away (`cli decode big.bin | head`) is not an error.
    if (e instanceof Deno.errors.BrokenPipe) Deno.exit(0);
    throw e;
  }
  Deno.exit(code);
}
