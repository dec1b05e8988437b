// Removes a secret from text in every spelling it can take on the way through HTTP code: raw,
// percent-encoded with upper- or lower-case hex (each character encoded or not, as
// encodeURIComponent, encodeCredential and form encoders differ), `+` for a space, and
// JSON-escaped quotes and backslashes. Pure string work.

import type { PassportHttpRequest } from "./passport_types.ts";

const REDACTED = "[redacted]";

const utf8 = new TextEncoder();

/** A regex source matching one character `ch` in any of its spellings. */
function spellings(ch: string): string {
  const forms = new Set<string>([escapeRegExp(ch)]);
  // Percent-encoding of each UTF-8 byte, hex digits in either case.
  forms.add([...utf8.encode(ch)].map((b) => `%${hexDigit(b >> 4)}${hexDigit(b & 15)}`).join(""));
  if (ch === " ") forms.add("\\+");
  if (ch === '"' || ch === "\\") forms.add(escapeRegExp(`\\${ch}`));
  return forms.size === 1 ? [...forms][0] : `(?:${[...forms].join("|")})`;
}

function hexDigit(n: number): string {
  const d = n.toString(16);
  return n < 10 ? d : `[${d}${d.toUpperCase()}]`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

/**
 * A function that replaces every spelling of each non-empty secret in a text by `[redacted]`.
 * The regex is a plain sequence of
 * per-character alternatives of fixed strings, so a search costs at most the text's length times
 * the secret's; secrets with lone surrogates are matched by their raw form only.
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const patterns: RegExp[] = [];
  // Longest first, so that a secret containing another is replaced whole.
  for (const secret of [...new Set(secrets)].sort((a, b) => b.length - a.length)) {
    if (secret.length === 0) continue;
    const source = secret.isWellFormed()
      ? [...secret].map(spellings).join("")
      : escapeRegExp(secret);
    patterns.push(new RegExp(source, "g"));
  }
  return (text) => {
    let out = text;
    for (const pattern of patterns) out = out.replace(pattern, REDACTED);
    return out;
  };
}

const INSPECT_NODE = Symbol.for("nodejs.util.inspect.custom");
const INSPECT_DENO = Symbol.for("Deno.customInspect");

/**
 * A request that hides its `Authorization` from `JSON.stringify` and from Node/Deno/Bun inspection
 * (non-enumerable hooks on the request itself). `headers` stays a plain record: `fetch` in Node
 * rejects a header record that carries symbol keys, even non-enumerable ones.
 */
export function secretRequest(url: string, headers: Record<string, string>): PassportHttpRequest {
  const request: PassportHttpRequest = { method: "GET", url, headers };
  const redacted = () => {
    const copy = { ...headers };
    if ("Authorization" in copy) copy.Authorization = "Passport1.4 [redacted]";
    return { method: request.method, url, headers: copy };
  };
  Object.defineProperty(request, "toJSON", { value: redacted });
  Object.defineProperty(request, INSPECT_NODE, {
    value: (_depth: number, options: unknown, inspect: (v: unknown, o: unknown) => string) =>
      inspect(redacted(), options),
  });
  Object.defineProperty(request, INSPECT_DENO, {
    value: (inspect: (v: unknown, o: unknown) => string, options: unknown) =>
      inspect(redacted(), options),
  });
  return request;
}
