/**
 * Passport 1.4 ("Tweener") sign-in for MSNP8/MSNP9.
 *
 * {@linkcode PassportLogin} is a sans-IO state machine: it hands out each HTTP request to make
 * (Nexus, then login server, then any `da-status=redir` hops) and reads each response until it
 * yields the ticket for `USR <trid> TWN S <ticket>` or throws a typed {@linkcode PassportError}.
 * It has no I/O and no clock. `runPassport` in `@msnp/client/io_adapters` drives it over `fetch`
 * (or any {@linkcode PassportFetch}) with abort and a per-request timeout.
 *
 * Only `https:` URLs are followed (plain `http:` only to loopback hosts with
 * `allowInsecureLoopback`), redirects are capped, and the password, the `Authorization` header and
 * the ticket never appear in an error.
 *
 * @example Sign in with the default fetch
 * ```ts
 * import { PassportError } from "@msnp/client/auth";
 * import { runPassport } from "@msnp/client/io_adapters";
 *
 * try {
 *   const { ticket, loginUrl } = await runPassport({
 *     account: "alice@example.com",
 *     password: "secret",
 *     challenge: "lc=1033,id=507,tw=40,ct=1062764229",
 *   });
 *   console.log("send USR 4 TWN S <ticket>", ticket.length, "cache", loginUrl);
 * } catch (err) {
 *   if (err instanceof PassportError && err.code === "bad-credentials") console.log(err.cbtxt);
 * }
 * ```
 *
 * @module
 */

export {
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_NEXUS_URL,
  type PassportFetch,
  type PassportHeaders,
  type PassportHttpRequest,
  type PassportHttpResponse,
  type PassportLoginOptions,
  type PassportLoginState,
  type PassportRequestStep,
  type PassportResult,
  type PassportStep,
  type PassportTicketStep,
} from "./passport_types.ts";
export { PassportLogin } from "./passport.ts";
export { PassportError, type PassportErrorCode, type PassportErrorDetails } from "./errors.ts";
