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
//   login  401 without da-status (bare 401)       -> failed "bad-credentials"
//   login  5xx, no/garbled header, bad ticket     -> failed "protocol"
//   any    status not an integer 100..599         -> failed "protocol"
//   any URL that breaks the https policy          -> failed "insecure-url"
// After "failed", every call throws the same error.

import {
  checkUrl,
  decodeCbtxt,
  encodeCredential,
  headerValue,
  parseParams,
  withScheme,
} from "./_wire.ts";
import { quote } from "../codec/errors.ts";
import { PassportError } from "./errors.ts";
import { redactor, secretRequest } from "./_redact.ts";
import {
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_NEXUS_URL,
  type PassportHttpRequest,
  type PassportHttpResponse,
  type PassportLoginOptions,
  type PassportLoginState,
  type PassportRequestStep,
  type PassportStep,
} from "./passport_types.ts";

/** The `OrgVerb`/`OrgURL` preamble the official client sends, byte for byte. */
const PREAMBLE = "Passport1.4 OrgVerb=GET,OrgURL=http%3A%2F%2Fmessenger%2Emsn%2Ecom";

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
  // Removes the password, in any spelling, from server text quoted in errors (a server may echo it).
  #redact: (text: string) => string;

  /**
   * Checks the options. Throws `TypeError`/`RangeError` for malformed caller input,
   * {@linkcode PassportError} `"insecure-url"` for a Nexus or cached login URL the policy refuses and
   * `"protocol"` for a challenge that cannot be sent (the server chose it).
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
      throw new PassportError(
        "protocol",
        "Cannot start Passport sign-in: the challenge is empty or holds a space, " +
          "a control or a non-ASCII character",
      );
    }
    const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    if (!Number.isInteger(maxRedirects) || maxRedirects < 0) {
      throw new RangeError(`Cannot use maxRedirects ${maxRedirects}: not a non-negative integer`);
    }
    this.#maxRedirects = maxRedirects;
    this.#redact = redactor([password]);
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
      checkResponse(response);
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
      return checkUrl(url, undefined, this.#allowInsecureLoopback, what, undefined, this.#redact);
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
      this.#redact,
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
    const params = parseParams(header ?? "");
    const rawStatus = params.get("da-status");
    const daStatus = rawStatus?.toLowerCase();
    // Some servers refuse a password with a bare 401: no header, no da-status.
    if (!daStatus && status === 401) {
      throw new PassportError(
        "bad-credentials",
        "Cannot sign in: Passport rejected the account or password (HTTP 401)",
        { status },
      );
    }
    if (header === undefined) {
      throw fail(`HTTP ${status} without an Authentication-Info or WWW-Authenticate header`);
    }
    if (!daStatus) throw fail(`HTTP ${status} without da-status`);

    if (daStatus === "failed" || daStatus === "failed-noretry") {
      const cbtxt = params.get("cbtxt");
      throw new PassportError(
        "bad-credentials",
        `Cannot sign in: Passport rejected the account or password (da-status=${daStatus})`,
        { status, cbtxt: cbtxt ? this.#redact(decodeCbtxt(cbtxt)) : undefined },
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
          this.#redact,
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
    // Quoted as sent: the redaction must see the server's spelling.
    throw fail(`unknown da-status ${quote(this.#redact(rawStatus as string), 40)}`);
  }
}

/** Refuses a response that is not one: no object, a status that is not an HTTP status, no headers. */
function checkResponse(response: PassportHttpResponse): void {
  const status = (response as Partial<PassportHttpResponse> | null)?.status;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599) {
    throw new PassportError(
      "protocol",
      `Cannot read response: status ${quote(String(status), 20)} is not an HTTP status`,
    );
  }
  if (typeof response.headers !== "object" || response.headers === null) {
    throw new PassportError("protocol", "Cannot read response: no headers", { status });
  }
}
