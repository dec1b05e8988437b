// The one `fetch` call Passport needs: no redirects followed (the Passport core follows them
// itself, so every runtime must hand back the 3xx), header names lower-cased, the body cancelled
// unread so the connection is released. `runPassport`'s default and the CA-trusting Deno and Bun
// variants in ./https.ts all go through it.

import type { PassportFetch, PassportHttpRequest, PassportHttpResponse } from "../auth/mod.ts";

/** Response headers as a record with lower-cased names; repeated headers joined by ", ". */
function headerRecord(headers: Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    out[key] = key in out ? `${out[key]}, ${value}` : value;
  }
  return out;
}

/** One `fetch` without following redirects; `extra` adds runtime-specific `RequestInit` fields. */
export async function fetchOnce(
  request: PassportHttpRequest,
  signal: AbortSignal,
  extra: Record<string, unknown> = {},
): Promise<PassportHttpResponse> {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    redirect: "manual",
    signal,
    ...extra,
  } as RequestInit);
  await response.body?.cancel().catch(() => {});
  return { status: response.status, headers: headerRecord(response.headers) };
}

/** The default {@linkcode PassportFetch}: the runtime's `fetch` with `redirect: "manual"`. */
export const fetchWithoutRedirects: PassportFetch = (request, signal) => fetchOnce(request, signal);
