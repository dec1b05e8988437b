// `msnp send`: signs in, delivers one message, prints the replies that arrive within --wait,
// signs out. The exit status says whether the message was delivered.

import { ConversationError } from "../io_adapters/mod.ts";
import { type CliIo, EXIT_USAGE } from "./cli_decode.ts";
import { printEvent } from "./cli_events.ts";
import type { OptionSpec } from "./cli_args.ts";
import { type CliSession, CONNECTION_HELP, parseConnectionArgs, signIn } from "./cli_connect.ts";

/** Help text of the `send` subcommand. */
export const SEND_USAGE: string =
  `Usage: msnp send --server HOST:PORT --account EMAIL --to EMAIL --text TEXT
                 [--wait SECONDS] [--json] [connection options]

Signs in, opens a conversation with --to, sends --text (long text goes in
several messages), prints the replies received within --wait seconds (default
0), leaves and signs out. The password comes from the MSNP_PASSWORD
environment variable or a prompt, never from the command line.

  --to EMAIL                  who gets the message
  --text TEXT                 the message
  --wait SECONDS              print replies for this long after the message was delivered
  --json                      one JSON object per line: sent, message, error
${CONNECTION_HELP}
  -h, --help                  show this help

Exit status: 0 when the server took the message while the contact was in the
conversation, 1 when it was not delivered (the error names why: offline,
blocked, hidden, timeout, closed...), 2 on a bad command line.`;

/** Reports a failure as `{"event":"error",...}` (with --json) or on stderr; returns 1. */
export function failer(
  name: string,
  json: boolean,
  io: CliIo,
): (code: string, message: string) => number {
  return (code, message) => {
    if (json) io.stdout(JSON.stringify({ event: "error", code, message }));
    else io.stderr(`msnp ${name}: ${code}: ${message}`);
    return 1;
  };
}

/** Prints a command-line error and the hint; returns the exit code. */
export function usageError(name: string, message: string, io: CliIo): number {
  io.stderr(`msnp ${name}: ${message}`);
  io.stderr(`Run "msnp ${name} --help" for usage.`);
  return EXIT_USAGE;
}

/** A signed-in subcommand once its command line is read and the client is signed in. */
export interface Started {
  /** The parsed options. */
  options: Map<string, string>;
  /** Whether `--json` was given. */
  json: boolean;
  /** Reports a failure (see {@linkcode failer}). */
  fail: (code: string, message: string) => number;
  /** The signed-in client and its transcript. */
  session: CliSession;
}

/**
 * What `send` and `chat` both do first: read the command line (printing `--help`, reporting a
 * usage error), then sign in. Resolves to the started subcommand, or to the exit code.
 */
export async function startSignedIn(
  name: string,
  args: readonly string[],
  io: CliIo,
  command: { extra: Readonly<Record<string, OptionSpec>>; required: string[]; usage: string },
): Promise<Started | number> {
  const options = parseConnectionArgs(args, command.extra, command.required);
  if (options === "help") {
    for (const line of command.usage.split("\n")) io.stdout(line);
    return 0;
  }
  if (typeof options === "string") return usageError(name, options, io);
  const json = options.has("--json");
  const fail = failer(name, json, io);
  const session = await signIn(options, io, fail);
  return typeof session === "number" ? session : { options, json, fail, session };
}

/**
 * What `send` and `chat` both do last: sign out (a sign-out the client did not ask for is a
 * failure when nothing else failed) and write the transcript. Resolves to the exit code.
 */
export async function signOut(started: Started, exit: number): Promise<number> {
  const end = await started.session.client.close();
  if (end.reason !== "client" && exit === 0) {
    exit = started.fail(end.error?.code ?? "error", end.reason);
  }
  return await started.session.finish(exit);
}

/** Waits `seconds`, or less if `signal` fires. */
export function linger(seconds: number, signal: AbortSignal | undefined): Promise<void> {
  if (!(seconds > 0) || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, seconds * 1000);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Runs `msnp send`; resolves to the exit code. */
export async function runSend(args: readonly string[], io: CliIo): Promise<number> {
  const started = await startSignedIn("send", args, io, {
    extra: { to: { type: "string" }, text: { type: "string" }, wait: { type: "string" } },
    required: ["--to", "--text"],
    usage: SEND_USAGE,
  });
  if (typeof started === "number") return started;
  const { options, json, fail, session } = started;
  const { client } = session;
  const to = options.get("--to")!;
  // Replies may come before send() resolves: listen from the start, print them once delivered.
  const early: Parameters<typeof printEvent>[0][] = [];
  let delivered = false;
  client.on("message", (event) => {
    if (delivered) printEvent(event, json, io.stdout);
    else early.push(event);
  });
  let exit = 0;
  try {
    const chat = await client.openConversation(to, { signal: io.interrupt });
    await chat.send(options.get("--text")!, { signal: io.interrupt });
    delivered = true;
    if (json) io.stdout(JSON.stringify({ event: "sent", conversation: chat.id, to }));
    else io.stdout(`sent to ${to}`);
    for (const event of early.splice(0)) printEvent(event, json, io.stdout);
    await linger(Number(options.get("--wait") ?? 0), io.interrupt);
    await chat.leave();
  } catch (error) {
    exit = error instanceof ConversationError
      ? fail(error.code, error.message)
      : fail("error", String(error));
  }
  return await signOut(started, exit);
}
