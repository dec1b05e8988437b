// Runs the sans-IO PassportLogin over an HTTP function the caller passes in (default: the
// runtime's fetch), with abort and a per-request timeout. It lives in io_adapters/ because it does
// I/O and reads timers; it is written only against auth/'s public API, so that API is proven
// sufficient.

import {
  PassportError,
  type PassportFetch,
  type PassportHttpRequest,
  type PassportHttpResponse,
  PassportLogin,
  type PassportLoginOptions,
  type PassportResult,
  type PassportStep,
} from "../auth/mod.ts";
// Only for scrubbing the password, in any spelling, out of foreign error messages.
import { redactor } from "../auth/_redact.ts";
import { fetchWithoutRedirects } from "./_fetch.ts";

/** How {@linkcode runPassport} performs the requests. */
export interface PassportRunOptions {
  /**
   * The HTTP function. Default: the runtime's `fetch` with `redirect: "manual"` (Deno, Node and
   * Bun then all return the 302 itself), the body cancelled unread.
   */
  fetch?: PassportFetch;
  /** Cancels the whole sign-in; it then fails with code `"aborted"`. */
  signal?: AbortSignal;
  /** Longest wait for each single response, in ms. Default 30 000. */
  timeoutMs?: number;
}

/**
 * The signature of `runPassport`, which `ReplayTransport.runPassport` implements and
 * `RecordingTransport.wrapRunPassport` wraps.
 */
export type RunPassportFunction = (
  login: PassportLoginOptions,
  options?: PassportRunOptions,
) => Promise<PassportResult>;

/** Default per-request timeout of {@linkcode runPassport}. */
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Signs in to Passport 1.4: runs {@linkcode PassportLogin} step by step over `options.fetch` and
 * resolves with the ticket and the login URL to cache. Rejects with {@linkcode PassportError}
 * (nothing secret is in it), or with `TypeError`/`RangeError` for malformed options.
 *
 * @example Get a ticket for `USR <trid> TWN S`
 * ```ts
 * import { runPassport } from "@msnp/client/io_adapters";
 *
 * const { ticket, loginUrl } = await runPassport(
 *   { account: "alice@example.com", password: "secret", challenge: "lc=1033,id=507" },
 *   { timeoutMs: 15_000 },
 * );
 * // send `USR 4 TWN S ${ticket}`; store loginUrl and pass it as `loginUrl` next time
 * ```
 */
export async function runPassport(
  login: PassportLoginOptions,
  options: PassportRunOptions = {},
): Promise<PassportResult> {
  const send = options.fetch ?? fetchWithoutRedirects;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new RangeError(`Cannot use timeoutMs ${timeoutMs}: not positive`);
  const machine = new PassportLogin(login);
  const redact = redactor([login.password]);
  let step: PassportStep = machine.start();
  while (step.type === "request") {
    const response = await exchange(send, step.request, options.signal, timeoutMs, redact);
    step = machine.receive(response);
  }
  return { ticket: step.ticket, loginUrl: step.loginUrl };
}

function scrub(text: string, redact: (text: string) => string): string {
  return redact(text.replace(/Passport1\.4 OrgVerb=[^\r\n]*/g, "[redacted]"));
}

/** Name, message and Node's `cause.code` of a foreign error, as text (the object is not kept). */
function describe(error: unknown): string {
  // A foreign value may throw from a getter or toString; that must not replace the typed error.
  try {
    if (!(error instanceof Error)) return String(error);
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    return `${error.name}: ${error.message}${typeof code === "string" ? ` (${code})` : ""}`;
  } catch {
    return "unknown error";
  }
}

async function exchange(
  send: PassportFetch,
  request: PassportHttpRequest,
  callerSignal: AbortSignal | undefined,
  timeoutMs: number,
  redact: (text: string) => string,
): Promise<PassportHttpResponse> {
  const where = new URL(request.url).origin;
  const aborted = () => new PassportError("aborted", `Cannot reach ${where}: sign-in was aborted`);
  if (callerSignal?.aborted) throw aborted();
  const controller = new AbortController();
  let timedOut = false;
  // A plain timer, cleared in `finally`, rather than AbortSignal.timeout: nothing is left pending.
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  callerSignal?.addEventListener("abort", onAbort, { once: true });
  // Stop waiting on abort even if `send` ignores its signal: a hung server cannot hang us.
  let stopWaiting: (reason: unknown) => void = () => {};
  const stopped = new Promise<never>((_, reject) => (stopWaiting = reject));
  controller.signal.addEventListener("abort", () => stopWaiting(controller.signal.reason), {
    once: true,
  });
  try {
    return await Promise.race([send(request, controller.signal), stopped]);
  } catch (error) {
    if (timedOut) {
      throw new PassportError("timeout", `Cannot reach ${where}: no response in ${timeoutMs} ms`);
    }
    if (callerSignal?.aborted) throw aborted();
    throw new PassportError(
      "network",
      `Cannot reach ${where}: ${scrub(describe(error), redact)}`,
    );
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener("abort", onAbort);
  }
}
