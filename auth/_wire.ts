// Private helpers for auth/passport.ts: header lookup, the Passport parameter grammar, credential
// encoding and the URL policy. Pure string work; no I/O.

import { quote } from "../codec/errors.ts";
import { PassportError } from "./errors.ts";

/**
 * Response headers as the sans-IO core accepts them: a `Headers` object (or anything with a
 * case-insensitive `get`), or a plain record such as Node's `IncomingHttpHeaders`.
 */
export type PassportHeaders =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Value of header `lowerName`, matched case-insensitively; repeated headers are joined by ", ". */
export function headerValue(headers: PassportHeaders, lowerName: string): string | undefined {
  if (typeof headers.get === "function") {
    const value: unknown = (headers as { get(name: string): string | null }).get(lowerName);
    return typeof value === "string" ? value : undefined;
  }
  const found: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== lowerName) continue;
    // Anything but a string or an array of strings is not a header value: ignored.
    if (typeof value === "string") found.push(value);
    else if (Array.isArray(value)) {
      for (const v of value) if (typeof v === "string") found.push(v);
    }
  }
  return found.length > 0 ? found.join(", ") : undefined;
}

/**
 * Parses `[Passport1.4 ]key=value,key='quoted, value',flag` into lower-cased keys (first one wins).
 * A quoted value (`'` or `"`) runs to the next same quote (the `from-PP` ticket contains `=` and
 * `&`); an unterminated quote gives `null` for that key and ends the parse. A key without `=` maps
 * to "".
 */
export function parseParams(text: string): Map<string, string | null> {
  const params = new Map<string, string | null>();
  const s = text.trim().replace(/^Passport1\.4\s+/i, "");
  let i = 0;
  while (i < s.length) {
    while (i < s.length && (s[i] === "," || s[i] === " " || s[i] === "\t")) i++;
    const keyStart = i;
    while (i < s.length && s[i] !== "," && s[i] !== "=") i++;
    const key = s.slice(keyStart, i).trim().toLowerCase();
    let value: string | null = "";
    if (s[i] === "=") {
      i++;
      while (s[i] === " ") i++;
      if (s[i] === "'" || s[i] === '"') {
        const close = s.indexOf(s[i], i + 1);
        if (close < 0) {
          value = null;
          i = s.length;
        } else {
          value = s.slice(i + 1, close);
          i = close + 1;
          while (i < s.length && s[i] !== ",") i++;
        }
      } else {
        const comma = s.indexOf(",", i);
        const end = comma < 0 ? s.length : comma;
        value = s.slice(i, end).trim();
        i = end;
      }
    }
    if (key !== "" && !params.has(key)) params.set(key, value);
  }
  return params;
}

/**
 * URL-encodes a sign-in name or password as UTF-8 `%XX`, leaving only RFC 3986 unreserved characters
 * (`A-Z a-z 0-9 - . _ ~`) as they are. Everything the Authorization header gives meaning to
 * (`,` `=` `%` `'` space) is escaped, as MS-PASS 2.2.7 requires; escaping `!*'()` too (which
 * `encodeURIComponent` leaves alone) costs nothing because the server URL-decodes either form.
 * Throws `TypeError` (without echoing the text) for lone UTF-16 surrogates.
 */
export function encodeCredential(text: string, what: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(text);
  } catch {
    throw new TypeError(`Cannot encode ${what}: it is not well-formed Unicode`);
  }
  return encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Decodes a `cbtxt` value (`+` or `%20` for spaces); returns it raw if its escapes are broken. */
export function decodeCbtxt(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

function isLoopbackHost(hostname: string): boolean {
  // URL parsing canonicalises IPv4 ("127.1" -> "127.0.0.1") and brackets IPv6 ("[::1]").
  return hostname === "localhost" || hostname === "[::1]" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * Applies the URL policy and returns the normalised `href`: `https:` always; `http:` only to a
 * loopback host and only with `allowInsecureLoopback`; nothing else. `what` names the URL's origin in
 * messages (e.g. `redirect`); `status` is the response that named it; `show` cleans server text
 * before it is quoted (the caller's redaction). An unparseable URL is a `"protocol"` error: the
 * server sent garbage.
 */
export function checkUrl(
  raw: string,
  base: string | undefined,
  allowInsecureLoopback: boolean,
  what: string,
  status?: number,
  show: (text: string) => string = (text) => text,
): string {
  const details = { status };
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw new PassportError(
      "protocol",
      `Cannot use ${what} ${quote(show(raw), 200)}: not a valid URL`,
      details,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw new PassportError(
      "insecure-url",
      `Cannot use ${what} on host ${quote(show(url.host), 200)}: URLs with credentials are refused`,
      details,
    );
  }
  if (url.protocol === "https:") return url.href;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) {
    if (allowInsecureLoopback) return url.href;
    throw new PassportError(
      "insecure-url",
      `Cannot use ${what} ${
        quote(show(url.href), 200)
      }: http: to a loopback host needs allowInsecureLoopback`,
      details,
    );
  }
  throw new PassportError(
    "insecure-url",
    `Cannot use ${what} ${quote(show(url.href), 200)}: only https: URLs are allowed`,
    details,
  );
}

/** Turns a `DALogin` value into a URL string: `host/path` (historical) gets `https://`, once. */
export function withScheme(daLogin: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(daLogin)) return daLogin;
  if (daLogin.startsWith("//")) return `https:${daLogin}`;
  return `https://${daLogin}`;
}
