// `msnp login`: signs in to any MSNP8/9 server, prints the contact list and presence, signs out.

import {
  Client,
  createPassportFetch,
  defaultTransport,
  RecordingTransport,
  runPassport,
} from "../io_adapters/mod.ts";
import { type Status, STATUSES } from "../codec/mod.ts";
import { SessionError, type SessionEvent } from "../machine/mod.ts";
import { stringifyTranscript } from "../testing/mod.ts";
import { type CliIo, EXIT_USAGE } from "./cli_decode.ts";
import { printEvent } from "./cli_events.ts";
import { parseCommandLine } from "./cli_args.ts";

/** Help text of the `login` subcommand. */
export const LOGIN_USAGE: string =
  `Usage: msnp login --server HOST:PORT --account EMAIL [--nexus URL] [--protocol MSNP9|MSNP8]
                  [--status NLN] [--ca FILE] [--allow-insecure-loopback] [--wait SECONDS]
                  [--json] [--record FILE]

Signs in, prints the contact list and then presence events until --wait runs out
(default: until Ctrl-C), then signs out. The password comes from the
MSNP_PASSWORD environment variable or a prompt, never from the command line.

  --server HOST:PORT          dispatch or notification server
  --account EMAIL             the account (passport)
  --nexus URL                 Passport Nexus (default https://nexus.passport.com/rdr/pprdr.asp)
  --protocol MSNP9|MSNP8      offer only this version (default: both, MSNP9 first)
  --status STATUS             initial status: NLN BSY IDL BRB AWY PHN LUN HDN (default NLN)
  --ca FILE                   extra CA certificate (PEM) for the Passport server
  --allow-insecure-loopback   allow plain http: Passport on 127.0.0.1/localhost
  --wait SECONDS              stay signed in this long
  --json                      one JSON object per line: signedIn, contacts, presence,
                              signedOut, error
  --record FILE               write the session as a transcript (secrets redacted)
  -h, --help                  show this help

Every option also takes the form --name=VALUE.

Exit status: 0 after a clean sign-out, 1 on failure, 2 on a bad command line.`;

const SETTABLE: ReadonlySet<string> = new Set(STATUSES);

/** The options `login` takes (`--trace` and `--no-reconnect` are planned next to them). */
const LOGIN_OPTIONS = {
  server: { type: "string" },
  account: { type: "string" },
  nexus: { type: "string" },
  protocol: { type: "string" },
  status: { type: "string" },
  ca: { type: "string" },
  wait: { type: "string" },
  record: { type: "string" },
  "allow-insecure-loopback": { type: "boolean" },
  json: { type: "boolean" },
} as const;

/**
 * Parses `login` arguments into options keyed by flag (`--server` and so on; a boolean's value
 * is `""`); returns an error message naming the flag for a bad command line, or `"help"`.
 */
export function parseLoginArgs(args: readonly string[]): Map<string, string> | string {
  if (args.some((a) => a === "--password" || a.startsWith("--password="))) {
    return "--password is not accepted: set MSNP_PASSWORD or answer the prompt";
  }
  const line = parseCommandLine(args, LOGIN_OPTIONS, 0);
  if (typeof line === "string") return line;
  if (line.help) return "help";
  const options = new Map<string, string>();
  for (const [name, value] of Object.entries(line.values)) {
    options.set(`--${name}`, typeof value === "string" ? value : "");
  }
  if (!options.has("--server")) return "--server is required";
  if (!options.has("--account")) return "--account is required";
  const server = options.get("--server")!;
  if (!/^[^:\s]+:\d{1,5}$/.test(server)) {
    return `--server must be HOST:PORT, not ${JSON.stringify(server)}`;
  }
  const protocol = options.get("--protocol");
  if (protocol !== undefined && protocol !== "MSNP9" && protocol !== "MSNP8") {
    return `--protocol must be MSNP9 or MSNP8, not ${JSON.stringify(protocol)}`;
  }
  const status = options.get("--status");
  if (status !== undefined && !SETTABLE.has(status)) {
    return `--status must be one of ${STATUSES.join(" ")}, not ${JSON.stringify(status)}`;
  }
  const wait = options.get("--wait");
  if (wait !== undefined && !/^\d+(\.\d+)?$/.test(wait)) {
    return `--wait must be a number of seconds, not ${JSON.stringify(wait)}`;
  }
  return options;
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

  const password = io.env?.("MSNP_PASSWORD") ?? await io.promptSecret?.("Password: ");
  if (password === undefined || password === "") {
    return fail("no-password", "no password: set MSNP_PASSWORD");
  }

  let caCert: string | undefined;
  if (options.has("--ca")) {
    try {
      caCert = new TextDecoder().decode(await io.readFile(options.get("--ca")!));
    } catch {
      return fail("ca", `cannot read ${options.get("--ca")}`);
    }
  }
  const [host, port] = options.get("--server")!.split(":");
  const recorder = options.has("--record") ? new RecordingTransport(defaultTransport()) : undefined;
  const protocol = options.get("--protocol") as "MSNP9" | "MSNP8" | undefined;

  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  io.interrupt?.addEventListener("abort", onInterrupt, { once: true });
  let exit = 0;
  try {
    const client = await Client.connect({
      account: options.get("--account")!,
      password,
      server: { host, port: Number(port) },
      protocols: protocol ? [protocol] : ["MSNP9", "MSNP8"],
      initialStatus: (options.get("--status") ?? "NLN") as Status,
      transport: recorder ?? defaultTransport(),
      passport: {
        nexusUrl: options.get("--nexus"),
        allowInsecureLoopback: options.has("--allow-insecure-loopback"),
        fetch: caCert === undefined ? undefined : createPassportFetch({ caCert }),
        run: recorder?.wrapRunPassport(runPassport),
      },
      signal: stop.signal,
    });
    // Once online, --wait and Ctrl-C sign out gracefully: OUT, then the server's OUT.
    const signOut = () => void client.close();
    io.interrupt?.removeEventListener("abort", onInterrupt);
    if (io.interrupt?.aborted) signOut();
    io.interrupt?.addEventListener("abort", signOut, { once: true });
    const wait = options.get("--wait");
    const timer = wait === undefined ? undefined : setTimeout(signOut, Number(wait) * 1000);
    for await (const event of client.events) {
      printEvent(event as SessionEvent, json, io.stdout); // client-only events print nothing yet
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
    if (timer !== undefined) clearTimeout(timer);
    io.interrupt?.removeEventListener("abort", signOut);
  } catch (error) {
    exit = error instanceof SessionError
      ? fail(error.code, error.message)
      : fail("error", String(error));
  } finally {
    io.interrupt?.removeEventListener("abort", onInterrupt);
  }
  if (recorder) {
    try {
      await io.writeFile?.(options.get("--record")!, stringifyTranscript(recorder.steps));
    } catch {
      return fail("record", `cannot write ${options.get("--record")}`);
    }
  }
  return exit;
}
