// `msnp chat`: an interactive conversation. Each line of standard input is a message; what the
// others say (and their typing) is printed as it arrives. End of input or Ctrl-C leaves.

import { type ClientEvent, ConversationError } from "../io_adapters/mod.ts";
import type { CliIo } from "./cli_decode.ts";
import { printEvent } from "./cli_events.ts";
import { CONNECTION_HELP } from "./cli_connect.ts";
import { linger, signOut, startSignedIn } from "./cli_send.ts";

/** Help text of the `chat` subcommand. */
export const CHAT_USAGE: string = `Usage: msnp chat --server HOST:PORT --account EMAIL --with EMAIL
                 [--wait SECONDS] [--json] [connection options]

Signs in and opens a conversation with --with. Each line typed (or piped) is
sent as a message; messages, typing and nudges from others are printed as they
arrive. At the end of input (Ctrl-D) the conversation stays open --wait seconds
more (default 0); then, or on Ctrl-C, it leaves and signs out.

  --with EMAIL                who to chat with
  --wait SECONDS              keep printing this long after the end of input
  --json                      one JSON object per line: message, typing, nudge,
                              joined, left, error
${CONNECTION_HELP}
  -h, --help                  show this help

Exit status: 0 when every line was delivered, 1 otherwise, 2 on a bad command line.`;

const SHOWN: ReadonlySet<string> = new Set(["message", "typing", "nudge", "joined", "left"]);

/** Lines of `stdin` (UTF-8, LF or CR LF), ending early when `signal` fires. */
async function* lines(stdin: CliIo["stdin"], signal?: AbortSignal): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const iterator =
    (Symbol.asyncIterator in stdin
      ? (stdin as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
      : (stdin as Iterable<Uint8Array>)[Symbol.iterator]()) as
        | AsyncIterator<Uint8Array>
        | Iterator<Uint8Array>;
  const stopped = new Promise<IteratorResult<Uint8Array>>((resolve) => {
    if (signal?.aborted) resolve({ done: true, value: undefined });
    signal?.addEventListener("abort", () => resolve({ done: true, value: undefined }), {
      once: true,
    });
  });
  let rest = "";
  try {
    while (true) {
      const next = await Promise.race([iterator.next(), stopped]);
      if (next.done) break;
      rest += decoder.decode(next.value, { stream: true });
      const parts = rest.split("\n");
      rest = parts.pop()!;
      for (const part of parts) yield part.replace(/\r$/, "");
    }
    rest += decoder.decode();
    if (rest !== "" && !signal?.aborted) yield rest.replace(/\r$/, "");
  } finally {
    void iterator.return?.();
  }
}

/** Runs `msnp chat`; resolves to the exit code. */
export async function runChat(args: readonly string[], io: CliIo): Promise<number> {
  const started = await startSignedIn("chat", args, io, {
    extra: { with: { type: "string" }, wait: { type: "string" } },
    required: ["--with"],
    usage: CHAT_USAGE,
  });
  if (typeof started === "number") return started;
  const { options, json, fail, session } = started;
  const { client } = session;
  client.on("*", (event: ClientEvent) => {
    if (SHOWN.has(event.type)) printEvent(event, json, io.stdout);
  });
  let exit = 0;
  try {
    const chat = await client.openConversation(options.get("--with")!, { signal: io.interrupt });
    for await (const line of lines(io.stdin, io.interrupt)) {
      if (line === "") continue;
      try {
        await chat.send(line, { signal: io.interrupt });
      } catch (error) {
        if (!(error instanceof ConversationError)) throw error;
        exit = fail(error.code, error.message);
        if (error.code === "aborted") break;
      }
    }
    await linger(Number(options.get("--wait") ?? 0), io.interrupt);
    await chat.leave();
  } catch (error) {
    exit = error instanceof ConversationError
      ? fail(error.code, error.message)
      : fail("error", String(error));
  }
  return await signOut(started, exit);
}
