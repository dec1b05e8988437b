// `msnp replay FILE`: runs a recorded transcript through a NotificationSession, with no network, and
// prints the events. A recording made with `msnp login --record` holds only what crossed the
// transport, so the session's options are read back from what the client sent.

import { type Command, DecodeError, Decoder, type Status, urlDecode } from "../codec/mod.ts";
import type { SessionOptions } from "../machine/mod.ts";
import { parseTranscript, replaySession, stepBytes, type TranscriptStep } from "../testing/mod.ts";
import { type CliIo, EXIT_USAGE } from "./cli_decode.ts";
import { printEvent } from "./cli_events.ts";
import { parseCommandLine } from "./cli_args.ts";

/** Help text of the `replay` subcommand. */
export const REPLAY_USAGE: string = `Usage: msnp replay [--json] FILE

Runs a recorded transcript (JSON lines, as written by "msnp login --record")
through the notification session with no network, checks that the session
sends exactly the recorded bytes, and prints the events it emits.

  --json      one JSON object per line, as "msnp login --json" prints them
  -h, --help  show this help

Exit status: 0 if the session replays the recording exactly, 1 if it diverges,
2 on a bad command line.`;

/** The client commands of each `send` step, in order. */
function sentCommands(steps: readonly TranscriptStep[]): Command[][] {
  return steps.map((step) => {
    if (!("send" in step || "sendBase64" in step)) return [];
    const decoder = new Decoder({ from: "client" });
    decoder.push(stepBytes(step)!);
    decoder.end();
    const out: Command[] = [];
    for (
      let c = decoder.next();
      c !== undefined && !(c instanceof DecodeError);
      c = decoder.next()
    ) out.push(c);
    return out;
  });
}

/** Reads the session options back from a recording's client commands. */
export function optionsFromTranscript(steps: readonly TranscriptStep[]): SessionOptions {
  const connects = steps.filter((s): s is { connect: string } => "connect" in s);
  if (connects.length === 0) throw new Error("the transcript never connects");
  const first = connects[0].connect;
  const colon = first.lastIndexOf(":");
  const options: SessionOptions = {
    account: "",
    server: { host: first.slice(0, colon), port: Number(first.slice(colon + 1)) },
  };
  const vers: Command[] = [];
  for (const command of sentCommands(steps).flat()) {
    const { name, args } = command;
    if (name === "VER") vers.push(command);
    if (name === "VER" && options.protocols === undefined) {
      options.protocols = args.filter((a) => a !== "CVR0") as ("MSNP9" | "MSNP8")[];
    } else if (name === "CVR" && options.clientInfo === undefined && args.length >= 8) {
      const [localeId, osType, osVersion, architecture, clientName, clientVersion, clientId] = args;
      options.clientInfo = {
        localeId,
        osType,
        osVersion,
        architecture,
        clientName,
        clientVersion,
        clientId,
      };
    } else if (name === "USR" && args[0] === "TWN" && args[1] === "I") {
      options.account = args[2];
    } else if (name === "SYN" && options.contactListCache === undefined) {
      const version = Number(args[0]);
      if (version > 0) options.contactListCache = { version, contacts: [], groups: [], phones: {} };
    } else if (name === "CHG" && options.initialStatus === undefined) {
      options.initialStatus = args[0] as Status;
      if (args[1] !== undefined) options.clientId = Number(args[1]);
      if (args[2] !== undefined) options.msnObject = urlDecode(args[2]);
    }
  }
  // TrIDs restart after a redirect when the second connection's VER is TrID 1.
  options.restartTridsOnRedirect = vers.length < 2 || vers[1].trid === 1;
  return options;
}

/**
 * The steps to replay: the recorded ones, plus the application's part that a
 * transport cannot see. Sign-out is called before a recorded `OUT`, and the
 * clock is moved far ahead before each recorded `PNG` (recordings have no
 * clock; a keepalive is due whenever it was sent).
 */
export function stepsForReplay(steps: readonly TranscriptStep[]): TranscriptStep[] {
  const sent = sentCommands(steps);
  const out: TranscriptStep[] = [];
  let pings = 0;
  steps.forEach((step, i) => {
    const first = sent[i][0];
    if (first?.name === "OUT") out.push({ call: { method: "signOut" } });
    if (first?.name === "PNG") out.push({ time: ++pings * 1e12 });
    out.push(step);
  });
  return out;
}

/** Runs `msnp replay`; resolves to the exit code. */
export async function runReplay(args: readonly string[], io: CliIo): Promise<number> {
  const line = parseCommandLine(args, { json: { type: "boolean" } }, 1);
  if (typeof line !== "string" && line.help) {
    for (const text of REPLAY_USAGE.split("\n")) io.stdout(text);
    return 0;
  }
  if (typeof line === "string" || line.positionals.length !== 1) {
    io.stderr(`msnp replay: ${typeof line === "string" ? line : "expected one FILE"}`);
    io.stderr('Run "msnp replay --help" for usage.');
    return EXIT_USAGE;
  }
  const json = line.values.json === true;
  const files = line.positionals;
  let steps: TranscriptStep[];
  let options: SessionOptions;
  try {
    steps = parseTranscript(new TextDecoder().decode(await io.readFile(files[0])));
    options = optionsFromTranscript(steps);
  } catch (error) {
    io.stderr(
      `msnp replay: cannot read ${files[0]}: ${error instanceof Error ? error.message : error}`,
    );
    return 1;
  }
  try {
    const { events } = replaySession(stepsForReplay(steps), {
      session: options,
      strictEvents: false,
    });
    for (const event of events) printEvent(event, json, io.stdout);
    return 0;
  } catch (error) {
    io.stderr(`msnp replay: ${error instanceof Error ? error.message : error}`);
    return 1;
  }
}
