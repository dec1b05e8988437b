// `msnp login`: signs in to any MSNP8/9 server, prints the contact list, presence and incoming
// messages, signs out.

import { type CliIo, EXIT_USAGE } from "./cli_decode.ts";
import { printEvent } from "./cli_events.ts";
import { CONNECTION_HELP, parseConnectionArgs, signIn } from "./cli_connect.ts";

/** Help text of the `login` subcommand. */
export const LOGIN_USAGE: string =
  `Usage: msnp login --server HOST:PORT --account EMAIL [--nexus URL] [--protocol MSNP9|MSNP8]
                  [--status NLN] [--ca FILE] [--allow-insecure-loopback] [--wait SECONDS]
                  [--json] [--trace] [--no-reconnect] [--record FILE]

Signs in, prints the contact list, then presence events and the messages of
conversations others open with you, until --wait runs out (default: until
Ctrl-C), then signs out. A lost connection is signed in again (with backoff)
unless --no-reconnect is given. Progress (connecting, Passport, syncing) goes
to stderr. The password comes from the MSNP_PASSWORD environment variable or a
prompt, never from the command line.

${CONNECTION_HELP}
  --wait SECONDS              stay signed in this long
  --json                      one JSON object per line: signedIn, contacts, presence,
                              message, typing, reconnecting, reconnected, signedOut, error
  -h, --help                  show this help

Every option also takes the form --name=VALUE.

Exit status: 0 after a clean sign-out, 1 on failure, 2 on a bad command line.`;

/**
 * Parses `login` arguments into options keyed by flag (`--server` and so on; a boolean's value
 * is `""`); returns an error message naming the flag for a bad command line, or `"help"`.
 */
export function parseLoginArgs(args: readonly string[]): Map<string, string> | string {
  return parseConnectionArgs(args, { wait: { type: "string" } });
}

/** Runs `msnp login`; resolves to the exit code. */
export async function runLogin(args: readonly string[], io: CliIo): Promise<number> {
  const options = parseLoginArgs(args);
  if (options === "help") {
    for (const line of LOGIN_USAGE.split("\n")) io.stdout(line);
    return 0;
  }
  if (typeof options === "string") {
    io.stderr(`msnp login: ${options}`);
    io.stderr('Run "msnp login --help" for usage.');
    return EXIT_USAGE;
  }
  const json = options.has("--json");
  const fail = (code: string, message: string): number => {
    if (json) io.stdout(JSON.stringify({ event: "error", code, message }));
    else io.stderr(`msnp login: ${message}`);
    return 1;
  };

  const session = await signIn(options, io, fail);
  if (typeof session === "number") return session;
  const { client } = session;
  let exit = 0;
  // Once online, --wait and Ctrl-C sign out gracefully: OUT, then the server's OUT.
  const signOut = () => void client.close();
  if (io.interrupt?.aborted) signOut();
  io.interrupt?.addEventListener("abort", signOut, { once: true });
  const wait = options.get("--wait");
  const timer = wait === undefined ? undefined : setTimeout(signOut, Number(wait) * 1000);
  try {
    for await (const event of client.events) {
      printEvent(event, json, io.stdout);
      if (event.type === "signedOut" && event.reason !== "client") {
        exit = 1;
        if (json && event.error) {
          io.stdout(
            JSON.stringify({
              event: "error",
              code: event.error.code,
              message: event.error.message,
            }),
          );
        }
      }
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    io.interrupt?.removeEventListener("abort", signOut);
  }
  return await session.finish(exit);
}
