/**
 * The `msnp` command-line tool: `msnp <subcommand> [options]` from the npm build,
 * `deno task cli <subcommand> [options]` from a checkout.
 *
 * Subcommands live in {@link SUBCOMMANDS}; adding one is one entry there. Each
 * parses its arguments with `parseCommandLine` (tools/cli_args.ts), takes a
 * {@link CliIo} and returns an exit code, so it runs without a process in
 * tests. This module touches no runtime API; `cli_bin.ts` wires it to the
 * process with `node:` modules, which Deno, Node and Bun all have.
 *
 * @example
 * ```sh
 * msnp decode --from=server capture.bin
 * msnp decode --chunk-size 1 < capture.bin
 * MSNP_PASSWORD=... msnp login --server 127.0.0.1:1863 --account me@example.com --json
 * MSNP_PASSWORD=... msnp send --server 127.0.0.1:1863 --account me@example.com --to bob@example.com --text hi --wait 5
 * MSNP_PASSWORD=... msnp chat --server 127.0.0.1:1863 --account me@example.com --with bob@example.com
 * msnp replay session.jsonl
 * ```
 *
 * @module
 */

import { type CliIo, DECODE_USAGE, EXIT_USAGE, runDecode } from "./cli_decode.ts";
import { LOGIN_USAGE, runLogin } from "./cli_login.ts";
import { REPLAY_USAGE, runReplay } from "./cli_replay.ts";
import { runSend, SEND_USAGE } from "./cli_send.ts";
import { CHAT_USAGE, runChat } from "./cli_chat.ts";

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

/** The version `msnp --version` prints; the npm build refuses to run if it differs from deno.json's. */
export const VERSION = "0.1.0";

/** Every subcommand, by name, in the order the help lists them. */
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
  send: {
    summary: "sign in, send one message, print the replies, sign out",
    usage: SEND_USAGE,
    run: runSend,
  },
  chat: {
    summary: "chat with a contact: each input line is a message",
    usage: CHAT_USAGE,
    run: runChat,
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
    "Usage: msnp <subcommand> [options]",
    "       msnp --version",
    "",
    "Subcommands:",
    ...names.map((n) => `  ${n.padEnd(width)}  ${SUBCOMMANDS[n].summary}`),
    "",
    'Run "msnp <subcommand> --help" (or "msnp help <subcommand>") for its options.',
    "Options take a value as --name VALUE or --name=VALUE.",
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
  if (name === "--version") {
    io.stdout(`msnp ${VERSION}`);
    return 0;
  }
  if (name === "help") {
    const topic = rest[0];
    const known = topic !== undefined && Object.hasOwn(SUBCOMMANDS, topic);
    if (topic !== undefined && !known) {
      io.stderr(`msnp help: unknown subcommand ${JSON.stringify(topic)}`);
      return EXIT_USAGE;
    }
    for (const line of (known ? SUBCOMMANDS[topic].usage : usage()).split("\n")) io.stdout(line);
    return 0;
  }
  if (name === undefined || !Object.hasOwn(SUBCOMMANDS, name)) {
    io.stderr(
      name === undefined
        ? "msnp: missing subcommand"
        : name.startsWith("-")
        ? `msnp: unknown option ${JSON.stringify(name)}`
        : `msnp: unknown subcommand ${JSON.stringify(name)}`,
    );
    for (const line of usage().split("\n")) io.stderr(line);
    return EXIT_USAGE;
  }
  return await SUBCOMMANDS[name].run(rest, io);
}
