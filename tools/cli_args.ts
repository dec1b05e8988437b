// The one command-line parser of every `msnp` subcommand: `node:util`'s `parseArgs` (the same on
// Deno, Node and Bun), run leniently so that every error is ours and names the flag as typed.

import { parseArgs } from "node:util";

/** One option of a subcommand: `--name VALUE` / `--name=VALUE` (string) or `--name` (boolean). */
export interface OptionSpec {
  /** `"string"` takes a value; `"boolean"` takes none. */
  type: "string" | "boolean";
  /** One-letter alias, without the dash. */
  short?: string;
}

/** A parsed command line: option values by long name, then the positional arguments. */
export interface CommandLine {
  /** Each option given, by long name: its value, or `true` for a boolean. The last one given wins. */
  values: Record<string, string | boolean | undefined>;
  /** Arguments that are not options (everything after `--` included). */
  positionals: string[];
  /** `-h` or `--help` was given. */
  help: boolean;
}

/**
 * Parses `args` against `options` (`--help`/`-h` is always accepted). Returns a message naming
 * the offending argument as the user typed it for an unknown option, a missing value, a value
 * given to a boolean, or more than `maxPositionals` positional arguments.
 *
 * @example
 * ```ts
 * import { parseCommandLine } from "./cli_args.ts";
 * parseCommandLine(["--from=client", "x.bin"], { from: { type: "string" } }, 1);
 * // { values: { from: "client" }, positionals: ["x.bin"], help: false }
 * parseCommandLine(["--form", "client"], { from: { type: "string" } }, 1);
 * // 'unknown option "--form"'
 * ```
 */
export function parseCommandLine(
  args: readonly string[],
  options: Readonly<Record<string, OptionSpec>>,
  maxPositionals: number,
): CommandLine | string {
  const all: Record<string, OptionSpec> = { ...options, help: { type: "boolean", short: "h" } };
  const { tokens } = parseArgs({
    args: [...args],
    options: all,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const line: CommandLine = { values: {}, positionals: [], help: false };
  for (const token of tokens) {
    if (token.kind === "positional") {
      line.positionals.push(token.value);
      if (line.positionals.length > maxPositionals) {
        return `unexpected argument ${JSON.stringify(token.value)}`;
      }
    } else if (token.kind === "option") {
      const spec = Object.hasOwn(all, token.name) ? all[token.name] : undefined;
      if (spec === undefined) return `unknown option ${JSON.stringify(token.rawName)}`;
      if (spec.type === "string" && token.value === undefined) {
        return `${token.rawName} needs a value`;
      }
      if (spec.type === "boolean" && token.value !== undefined) {
        return `${token.rawName} takes no value`;
      }
      if (token.name === "help") line.help = true;
      else line.values[token.name] = token.value ?? true;
    }
  }
  return line;
}

/** The value of a string option, if it was given. */
export function stringOption(line: CommandLine, name: string): string | undefined {
  const value = line.values[name];
  return typeof value === "string" ? value : undefined;
}
