// The data a Passport sign-in takes and gives: options, the HTTP requests the core asks for, the
// responses it reads and its steps. PassportLogin (passport.ts) is the machine over them.
import type { PassportHeaders } from "./_wire.ts";

export type { PassportHeaders };

/** The historical Passport Nexus, which names the login server in its `PassportURLs` header. */
export const DEFAULT_NEXUS_URL = "https://nexus.passport.com/rdr/pprdr.asp";

/** How many `da-status=redir` hops are followed by default before giving up. */
export const DEFAULT_MAX_REDIRECTS = 5;

/** What a Passport sign-in needs. */
export interface PassportLoginOptions {
  /** The Passport sign-in name, e.g. `alice@hotmail.com`. Sent URL-encoded. */
  account: string;
  /** The password. Sent URL-encoded as UTF-8; never put in an error, `toString` or log. */
  password: string;
  /**
   * The challenge from `USR <trid> TWN S <challenge>`, passed on verbatim. The server chose it, so
   * one that is empty or holds a space, a control or a non-ASCII character is a
   * {@linkcode PassportError} `"protocol"`.
   */
  challenge: string;
  /** Where to ask for the login server. Defaults to {@linkcode DEFAULT_NEXUS_URL}. */
  nexusUrl?: string;
  /** A login-server URL cached from an earlier sign-in; when given, the Nexus is skipped. */
  loginUrl?: string;
  /** Most `da-status=redir` hops to follow. Defaults to {@linkcode DEFAULT_MAX_REDIRECTS}. */
  maxRedirects?: number;
  /**
   * Allow plain `http:` to loopback hosts (`localhost`, `127.0.0.0/8`, `[::1]`) for local test
   * servers. Every other `http:` URL is refused regardless. Defaults to `false`.
   */
  allowInsecureLoopback?: boolean;
}

/**
 * One HTTP request to perform. The login request's `Authorization` header holds the password:
 * requests made by {@linkcode PassportLogin} redact it from `JSON.stringify` and from Node/Deno/Bun
 * inspection of the request, but `headers` itself is a plain record; never log it.
 *
 * `Host` and `Connection: Keep-Alive` of the historical request are left out on purpose: every
 * HTTP client derives `Host` from the URL and manages `Connection` itself (`fetch` forbids both).
 */
export interface PassportHttpRequest {
  /** Always `"GET"`. */
  method: "GET";
  /** Absolute URL; `https:` unless loopback `http:` was allowed. */
  url: string;
  /** Headers in the order the official client sends them. */
  headers: Record<string, string>;
}

/** The parts of an HTTP response the core reads. The body is never needed. */
export interface PassportHttpResponse {
  /** HTTP status code. */
  status: number;
  /** Response headers; names are matched case-insensitively. */
  headers: PassportHeaders;
}

/** A successful sign-in. */
export interface PassportResult {
  /** The ticket (`from-PP`) to send as `USR <trid> TWN S <ticket>`. Secret. */
  ticket: string;
  /** The `DALogin` URL used (from the Nexus or the cache); cache it and pass it as `loginUrl`. */
  loginUrl: string;
}

/** The core asks for this request to be made and its response passed to `receive`. */
export interface PassportRequestStep {
  /** Discriminant. */
  type: "request";
  /** What to send. */
  request: PassportHttpRequest;
}

/** The sign-in is complete. */
export interface PassportTicketStep extends PassportResult {
  /** Discriminant. */
  type: "ticket";
}

/** What the core wants next. */
export type PassportStep = PassportRequestStep | PassportTicketStep;

/** Where a {@linkcode PassportLogin} is: readable state, h11-style. */
export type PassportLoginState = "ready" | "nexus" | "login" | "done" | "failed";

/**
 * Performs one HTTP request without following redirects and resolves with its status and headers.
 * It should stop when `signal` aborts; the runner stops waiting then either way. Adapters implement
 * this to add, say, an extra CA certificate.
 */
export type PassportFetch = (
  request: PassportHttpRequest,
  signal: AbortSignal,
) => Promise<PassportHttpResponse>;
