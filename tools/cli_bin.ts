#!/usr/bin/env node
/**
 * The `msnp` executable: wires {@link runCli} to the process. It uses only `node:` modules, which
 * Deno, Node and Bun all provide, so the same file is `deno task cli`, the npm build's `msnp` bin
 * (compiled to plain JavaScript for Node 20) and `bun tools/cli_bin.ts`.
 *
 * @module
 */

import { readFile, writeFile } from "node:fs/promises";
import process from "node:process";
import { runCli } from "./cli.ts";

/** Collects lines and writes them in large blocks (decode prints millions of short lines). */
function lineWriter(stream: NodeJS.WriteStream): {
  write: (line: string) => void;
  flush: () => void;
} {
  let parts: string[] = [];
  let size = 0;
  const flush = () => {
    if (parts.length === 0) return;
    const text = parts.join("");
    parts = [];
    size = 0;
    try {
      stream.write(text);
    } catch (error) {
      brokenPipe(error);
    }
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

/** A reader that went away (`msnp decode big.bin | head`) is not an error: exit quietly. */
function brokenPipe(error: unknown): void {
  const e = error as { code?: string; name?: string };
  if (e?.code === "EPIPE" || e?.name === "BrokenPipe") process.exit(0);
  throw error;
}

/** Reads a line from the terminal without echoing it; `undefined` without a terminal or on Ctrl-C. */
function promptSecret(message: string): Promise<string | undefined> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return Promise.resolve(undefined);
  process.stderr.write(message);
  stdin.setRawMode(true);
  stdin.resume();
  const bytes: number[] = [];
  return new Promise((resolve) => {
    const finish = (value: string | undefined) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      resolve(value);
    };
    const onData = (chunk: Uint8Array) => {
      for (const byte of chunk) {
        if (byte === 13 || byte === 10) {
          return finish(new TextDecoder().decode(Uint8Array.from(bytes)));
        }
        if (byte === 3) return finish(undefined); // Ctrl-C
        if (byte === 127 || byte === 8) bytes.pop();
        else bytes.push(byte);
      }
    };
    stdin.on("data", onData);
  });
}

const args = process.argv.slice(2);
const out = lineWriter(process.stdout);
const err = lineWriter(process.stderr);
process.stdout.on("error", brokenPipe);
const interrupt = new AbortController();
const onSigint = () => interrupt.abort();
process.on("SIGINT", onSigint);
const code = await runCli(args, {
  // Standard input is opened only when a subcommand reads it.
  stdin: {
    async *[Symbol.asyncIterator]() {
      yield* process.stdin as AsyncIterable<Uint8Array>;
    },
  },
  stdout: (line) => {
    out.write(line);
    // Interactive subcommands print as events happen.
    if (args[0] !== "decode") out.flush();
  },
  stderr: (line) => {
    out.flush();
    err.write(line);
    err.flush();
  },
  readFile: (path) => readFile(path),
  writeFile: (path, text) => writeFile(path, text),
  env: (name) => process.env[name],
  promptSecret,
  interrupt: interrupt.signal,
});
out.flush();
process.off("SIGINT", onSigint);
// Exit once what was written has left, without waiting for sockets or timers left behind.
process.stdout.write("", () => process.exit(code));
