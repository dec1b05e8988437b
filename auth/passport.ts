// The sans-IO Passport 1.4 ("Tweener") client. It never touches the network or a clock: the caller
// asks it for the next HTTP request, performs it however it likes and feeds the response back.
//
// Transition table (state -> response -> outcome):
//   ready  start()                                -> nexus (GET nexusUrl) | login (cached loginUrl)
//   nexus  2xx + PassportURLs DALogin=<url>       -> login (GET DALogin with Authorization)
//   nexus  anything else                          -> failed "protocol"
//   login  da-status=success, 2xx, from-PP='<t>'  -> done (ticket)
//   login  da-status=redir, 3xx, Location=<url>   -> login (same Authorization at Location), at most
//                                                    maxRedirects times, then "too-many-redirects"
//   login  da-status=failed | failed-noretry      -> failed "bad-credentials" (never retried)
//   login  5xx, no/garbled header, bad ticket     -> failed "protocol"
//   any URL that breaks the https policy          -> failed "insecure-url"
// After "failed", every call throws the same error.

import type { PassportHeaders } from "./_wire.ts";
import {
  checkUrl,
  decodeCbtxt,
  encodeCredential,
  headerValue,
  parseParams,
  quote,
  withScheme,
} from "./_wire.ts";
import { PassportError } from "./errors.ts";

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
  /** The challenge from `USR <trid> TWN S <challenge>`, passed on verbatim. */
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

/** The `OrgVerb`/`OrgURL` preamble the official client sends, byte for byte. */
const PREAMBLE = "Passport1.4 OrgVerb=GET,OrgURL=http%3A%2F%2Fmessenger%2Emsn%2Ecom";

const INSPECT_NODE = Symbol.for("nodejs.util.inspect.custom");
const INSPECT_DENO = Symbol.for("Deno.customInspect");

/**
 * A request that hides its `Authorization` from `JSON.stringify` and from Node/Deno/Bun inspection
 * (non-enumerable hooks on the request itself). `headers` stays a plain record: `fetch` in Node
 * rejects a header record that carries symbol keys, even non-enumerable ones.
 */
function secretRequest(url: string, headers: Record<string, string>): PassportHttpRequest {
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

/**
 * The Passport 1.4 client as a pure state machine: `start()` gives the first request, `receive()`
 * takes each response and gives the next request or the ticket. Failures throw
 * {@linkcode PassportError}; after one, every call throws that same error.
 *
 * @example Drive it with canned responses
 * ```ts
 * import { PassportLogin, type PassportStep } from "@msnp/client/auth";
 *
 * const login = new PassportLogin({
 *   account: "alice@example.com",
 *   password: "secret",
 *   challenge: "lc=1033,id=507,tw=40,ct=1062764229",
 * });
 * let step: PassportStep = login.start(); // GET the Nexus
 * step = login.receive({
 *   status: 200,
 *   headers: { PassportURLs: "DARealm=Passport.Net,DALogin=login.example.com/login2.srf" },
 * });
 * // step.request.url === "https://login.example.com/login2.srf"
 * step = login.receive({
 *   status: 200,
 *   headers: { "Authentication-Info": "Passport1.4 da-status=success,from-PP='t=abc&p=def'" },
 * });
 * if (step.type === "ticket") console.log(step.ticket.length, step.loginUrl);
 * ```
 */
export class PassportLogin {
  // The password itself is not kept: only the header built from it.
  #authorization: string;
  #nexusUrl: string;
  #loginUrl: string | undefined;
  #currentUrl = "";
  #maxRedirects: number;
  #allowInsecureLoopback: boolean;
  #redirects = 0;
  #state: PassportLoginState = "ready";
  #error: PassportError | undefined;

  /**
   * Checks the options. Throws `TypeError`/`RangeError` for malformed input and
   * {@linkcode PassportError} `"insecure-url"` for a Nexus or cached login URL the policy refuses.
   */
  constructor(options: PassportLoginOptions) {
    const { account, password, challenge } = options;
    if (typeof account !== "string" || account === "") {
      throw new TypeError("Cannot start Passport sign-in: account is empty");
    }
    if (typeof password !== "string") {
      throw new TypeError("Cannot start Passport sign-in: password is not a string");
    }
    if (typeof challenge !== "string" || !/^[\x21-\x7e]+$/.test(challenge)) {
      throw new TypeError(
        "Cannot start Passport sign-in: challenge must be printable ASCII without spaces",
      );
    }
    const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    if (!Number.isInteger(maxRedirects) || maxRedirects < 0) {
      throw new RangeError(`Cannot use maxRedirects ${maxRedirects}: not a non-negative integer`);
    }
    this.#maxRedirects = maxRedirects;
    this.#allowInsecureLoopback = options.allowInsecureLoopback === true;
    this.#authorization = `${PREAMBLE},sign-in=${encodeCredential(account, "account")},pwd=${
      encodeCredential(password, "password")
    },${challenge}`;
    this.#nexusUrl = this.#checkCallerUrl(options.nexusUrl ?? DEFAULT_NEXUS_URL, "Nexus URL");
    if (options.loginUrl !== undefined) {
      this.#loginUrl = this.#checkCallerUrl(withScheme(options.loginUrl), "login URL");
    }
  }

  /** Current state: `ready` before `start()`, then `nexus`/`login`, finally `done` or `failed`. */
  get state(): PassportLoginState {
    return this.#state;
  }

  /** The `DALogin` URL once known (cached or from the Nexus), even if the sign-in later fails. */
  get loginUrl(): string | undefined {
    return this.#loginUrl;
  }

  /** The first request: the Nexus, or the login server directly when `loginUrl` was given. */
  start(): PassportRequestStep {
    if (this.#state !== "ready") throw new Error("Cannot call start(): sign-in already started");
    if (this.#loginUrl !== undefined) return this.#login(this.#loginUrl);
    this.#state = "nexus";
    return { type: "request", request: this.#request(this.#nexusUrl, {}) };
  }

  /**
   * Feeds the response to the last request; returns the next request or the ticket.
   * Throws {@linkcode PassportError} when the sign-in cannot go on.
   */
  receive(response: PassportHttpResponse): PassportStep {
    if (this.#state === "failed") throw this.#error;
    if (this.#state !== "nexus" && this.#state !== "login") {
      throw new Error(`Cannot call receive() in state "${this.#state}"`);
    }
    try {
      return this.#state === "nexus" ? this.#onNexus(response) : this.#onLogin(response);
    } catch (error) {
      if (error instanceof PassportError) {
        this.#state = "failed";
        this.#error = error;
      }
      throw error;
    }
  }

  #checkCallerUrl(url: string, what: string): string {
    try {
      return checkUrl(url, undefined, this.#allowInsecureLoopback, what);
    } catch (error) {
      if (error instanceof PassportError && error.code === "protocol") {
        throw new TypeError(error.message);
      }
      throw error;
    }
  }

  #request(url: string, headers: Record<string, string>): PassportHttpRequest {
    this.#currentUrl = url;
    return secretRequest(url, headers);
  }

  #login(url: string): PassportRequestStep {
    this.#state = "login";
    const headers = {
      Authorization: this.#authorization,
      "User-Agent": "MSMSGS",
      "Cache-Control": "no-cache",
    };
    return { type: "request", request: this.#request(url, headers) };
  }

  #onNexus(response: PassportHttpResponse): PassportStep {
    const { status } = response;
    if (status < 200 || status > 299) {
      throw new PassportError("protocol", `Cannot read Nexus response: HTTP ${status}`, { status });
    }
    const urls = headerValue(response.headers, "passporturls");
    if (urls === undefined) {
      throw new PassportError("protocol", "Cannot read Nexus response: no PassportURLs header", {
        status,
      });
    }
    const daLogin = parseParams(urls).get("dalogin");
    if (!daLogin) {
      throw new PassportError(
        "protocol",
        "Cannot read Nexus response: PassportURLs has no DALogin",
        {
          status,
        },
      );
    }
    this.#loginUrl = checkUrl(
      withScheme(daLogin),
      undefined,
      this.#allowInsecureLoopback,
      "DALogin",
      status,
    );
    return this.#login(this.#loginUrl);
  }

  #onLogin(response: PassportHttpResponse): PassportStep {
    const { status } = response;
    const fail = (message: string): PassportError =>
      new PassportError("protocol", `Cannot read login response: ${message}`, { status });
    if (status < 200 || status > 499) throw fail(`HTTP ${status}`);
    // "It's safest to assume that the two header names are interchangeable" [HYP:MSNP8].
    const header = headerValue(response.headers, "authentication-info") ??
      headerValue(response.headers, "www-authenticate");
    if (header === undefined) {
      throw fail(`HTTP ${status} without an Authentication-Info or WWW-Authenticate header`);
    }
    const params = parseParams(header);
    const daStatus = params.get("da-status")?.toLowerCase();
    if (!daStatus) throw fail(`HTTP ${status} without da-status`);

    if (daStatus === "failed" || daStatus === "failed-noretry") {
      const cbtxt = params.get("cbtxt");
      throw new PassportError(
        "bad-credentials",
        `Cannot sign in: Passport rejected the account or password (da-status=${daStatus})`,
        { status, cbtxt: cbtxt ? decodeCbtxt(cbtxt) : undefined },
      );
    }
    if (daStatus === "redir") {
      if (status < 300 || status > 399) throw fail(`da-status=redir with HTTP ${status}`);
      const location = headerValue(response.headers, "location");
      if (!location) throw fail("da-status=redir without a Location header");
      if (this.#redirects >= this.#maxRedirects) {
        throw new PassportError(
          "too-many-redirects",
          `Cannot sign in: more than ${this.#maxRedirects} Passport redirects`,
          { status },
        );
      }
      this.#redirects++;
      return this.#login(
        checkUrl(
          location.trim(),
          this.#currentUrl,
          this.#allowInsecureLoopback,
          "redirect",
          status,
        ),
      );
    }
    if (daStatus === "success") {
      if (status < 200 || status > 299) throw fail(`da-status=success with HTTP ${status}`);
      // Never echo the ticket, even a broken one, into a message.
      const ticket = params.get("from-pp");
      if (ticket === undefined) throw fail("da-status=success without a from-PP ticket");
      if (ticket === null) throw fail("from-PP ticket has no closing quote");
      if (ticket === "") throw fail("from-PP ticket is empty");
      if (!/^[\x21-\x7e]+$/.test(ticket)) {
        throw fail("from-PP ticket holds spaces, control or non-ASCII characters");
      }
      this.#state = "done";
      // #loginUrl is set before any login request is made.
      return { type: "ticket", ticket, loginUrl: this.#loginUrl as string };
    }
    throw fail(`unknown da-status ${quote(daStatus, 40)}`);
  }
}

/**
 * Performs one HTTP request without following redirects and resolves with its status and headers.
 * It should stop when `signal` aborts; the runner stops waiting then either way. Adapters implement
 * this to add, say, an extra CA certificate.
 */
export type PassportFetch = (
  request: PassportHttpRequest,
  signal: AbortSignal,
) => Promise<PassportHttpResponse>;
