// What every signed-in subcommand (`login`, `send`, `chat`) shares: the connection flags, the
// password from MSNP_PASSWORD or the prompt, the Client options they make (trace, reconnection,
// recording), progress lines on stderr, and the transcript written at the end.

import {
  Client,
  type ClientEvent,
  createPassportFetch,
  defaultTransport,
  RecordingTransport,
  runPassport,
  type RunPassportFunction,
  type TraceEntry,
  type Transport,
} from "../io_adapters/mod.ts";
import { type Status, STATUSES } from "../codec/mod.ts";
import { stringifyTranscript } from "../testing/mod.ts";
import type { CliIo } from "./cli_decode.ts";
import { type OptionSpec, parseCommandLine } from "./cli_args.ts";

/** The help lines of the connection flags, shared by `login`, `send` and `chat`. */
export const CONNECTION_HELP = `  --server HOST:PORT          dispatch or notification server
  --account EMAIL             the account (passport)
  --nexus URL                 Passport Nexus (default https://nexus.passport.com/rdr/pprdr.asp)
  --protocol MSNP9|MSNP8      offer only this version (default: both, MSNP9 first)
  --status STATUS             initial status: NLN BSY IDL BRB AWY PHN LUN HDN (default NLN)
  --ca FILE                   extra CA certificate (PEM) for the Passport server
  --allow-insecure-loopback   allow plain http: Passport on 127.0.0.1/localhost
  --no-reconnect              end when the connection is lost instead of signing in again
  --trace                     print every command line sent (>>) and received (<<) to
                              stderr, secrets redacted
  --record FILE               write the session as a transcript (secrets redacted)`;

/** The connection flags every signed-in subcommand takes. */
const CONNECTION_OPTIONS: Record<string, OptionSpec> = {
  server: { type: "string" },
  account: { type: "string" },
  nexus: { type: "string" },
  protocol: { type: "string" },
  status: { type: "string" },
  ca: { type: "string" },
  record: { type: "string" },
  "allow-insecure-loopback": { type: "boolean" },
  "no-reconnect": { type: "boolean" },
  trace: { type: "boolean" },
  json: { type: "boolean" },
};

const SETTABLE: ReadonlySet<string> = new Set(STATUSES);

/**
 * Parses a signed-in subcommand's arguments: the connection flags plus `extra`, into options
 * keyed by flag (`--server`...; a boolean's value is `""`). Returns an error message naming the
 * flag for a bad command line, or `"help"`.
 */
export function parseConnectionArgs(
  args: readonly string[],
  extra: Readonly<Record<string, OptionSpec>>,
  required: readonly string[] = [],
): Map<string, string> | string {
  if (args.some((a) => a === "--password" || a.startsWith("--password="))) {
    return "--password is not accepted: set MSNP_PASSWORD or answer the prompt";
  }
  const line = parseCommandLine(args, { ...CONNECTION_OPTIONS, ...extra }, 0);
  if (typeof line === "string") return line;
  if (line.help) return "help";
  const options = new Map<string, string>();
  for (const [name, value] of Object.entries(line.values)) {
    options.set(`--${name}`, typeof value === "string" ? value : "");
  }
  for (const flag of ["--server", "--account", ...required]) {
    if (!options.has(flag)) return `${flag} is required`;
  }
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

/** One trace entry as a stderr line: `>> [ns#1] USR 4 TWN S [REDACTED]`, payload as a size. */
export function traceLine(entry: TraceEntry): string {
  const arrow = entry.direction === "send" ? ">>" : "<<";
  const payload = entry.payload === undefined ? "" : ` (+${entry.payload.length} bytes)`;
  return `${arrow} [${entry.kind}#${entry.connection}] ${entry.line}${payload}`;
}

/**
 * Progress lines on stderr, one each, so a slow server is visible: `connecting to host:port` for
 * every connection, `Passport…` for every Passport run, and `syncing n of m contacts` for each
 * `syncProgress` event (0, then every tenth) while the list arrives.
 */
export class Progress {
  readonly #print: (line: string) => void;

  /** Prints with `print`. */
  constructor(print: (line: string) => void) {
    this.#print = print;
  }

  /** Wraps a transport to announce each connection. */
  transport(inner: Transport): Transport {
    return {
      connect: (host, port, options) => {
        this.#print(`connecting to ${host}:${port}`);
        return inner.connect(host, port, options);
      },
    };
  }

  /** Wraps the Passport sign-in to announce it. */
  passport(run: RunPassportFunction): RunPassportFunction {
    return (login, options) => {
      this.#print("Passport…");
      return run(login, options);
    };
  }

  /** Reads one client event (`ClientOptions.onEvent`) for the sync's progress. */
  readonly event = (event: ClientEvent): void => {
    if (event.type === "syncProgress") {
      this.#print(`syncing ${event.received} of ${event.total} contacts`);
    }
  };
}

/** A signed-in subcommand's session: how it reports failures, and how it ends. */
export interface CliSession {
  /** The signed-in client. */
  client: Client;
  /** Writes the transcript (`--record`); resolves to an exit code (1 if it cannot be written). */
  finish(exit: number): Promise<number>;
}

/**
 * Reads the password, signs in with the flags in `options` and prints progress to stderr.
 * Resolves with the session, or with the exit code after printing why it failed (`fail`).
 */
export async function signIn(
  options: Map<string, string>,
  io: CliIo,
  fail: (code: string, message: string) => number,
): Promise<CliSession | number> {
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
  const finish = async (exit: number): Promise<number> => {
    if (!recorder) return exit;
    try {
      await io.writeFile?.(options.get("--record")!, stringifyTranscript(recorder.steps));
    } catch {
      return fail("record", `cannot write ${options.get("--record")}`);
    }
    return exit;
  };

  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  io.interrupt?.addEventListener("abort", onInterrupt, { once: true });
  const progress = new Progress(io.stderr);
  try {
    const client = await Client.connect({
      account: options.get("--account")!,
      password,
      server: { host, port: Number(port) },
      protocols: protocol ? [protocol] : ["MSNP9", "MSNP8"],
      initialStatus: (options.get("--status") ?? "NLN") as Status,
      transport: progress.transport(recorder ?? defaultTransport()),
      passport: {
        nexusUrl: options.get("--nexus"),
        allowInsecureLoopback: options.has("--allow-insecure-loopback"),
        fetch: caCert === undefined ? undefined : createPassportFetch({ caCert }),
        run: progress.passport(recorder?.wrapRunPassport(runPassport) ?? runPassport),
      },
      reconnect: !options.has("--no-reconnect"),
      // Only with --trace: tracing makes the client redact and decode every line.
      trace: options.has("--trace") ? (entry) => io.stderr(traceLine(entry)) : undefined,
      onEvent: progress.event,
      signal: stop.signal,
    });
    const synced = client.contactList.contacts.length;
    io.stderr(`synced ${synced} contact${synced === 1 ? "" : "s"}`);
    return { client, finish };
  } catch (error) {
    // Every library error (SessionError, ConnectionError...) has a stable string `code`.
    const code = (error as { code?: unknown })?.code;
    const exit = error instanceof Error && typeof code === "string"
      ? fail(code, error.message)
      : fail("error", String(error));
    return await finish(exit);
  } finally {
    io.interrupt?.removeEventListener("abort", onInterrupt);
  }
}
