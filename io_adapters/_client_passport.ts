// The Client's Passport step: runs Passport for a session's `passport` output with the client's
// password and settings, and remembers the login URL so that signing in again skips the Nexus.

import { runPassport } from "./run_passport.ts";
import type { RunPassportFunction } from "./run_passport.ts";
import type { ClientOptions } from "./client_types.ts";

/** Passport for one client, across its sign-ins. */
export class ClientPassport {
  readonly #o: ClientOptions;
  #loginUrl: string | undefined;

  /** Starts with the login URL the options give, if any. */
  constructor(options: ClientOptions) {
    this.#o = options;
    this.#loginUrl = options.passport?.loginUrl;
  }

  /** Runs Passport for `request`; resolves with the ticket. (An arrow: it is handed around.) */
  readonly ticket = async (
    request: { account: string; challenge: string },
    signal: AbortSignal,
  ): Promise<string> => {
    const o = this.#o;
    const run = o.passport?.run ?? runPassport;
    let result: Awaited<ReturnType<RunPassportFunction>>;
    try {
      result = await run(
        {
          account: request.account,
          password: o.password,
          challenge: request.challenge,
          nexusUrl: o.passport?.nexusUrl,
          loginUrl: this.#loginUrl,
          allowInsecureLoopback: o.passport?.allowInsecureLoopback,
        },
        {
          fetch: o.passport?.fetch,
          signal: o.signal ? AbortSignal.any([o.signal, signal]) : signal,
        },
      );
    } catch (error) {
      // A cached login URL may be what failed (the server moved): the next try starts afresh.
      this.#loginUrl = o.passport?.loginUrl;
      throw error;
    }
    // The next sign-in (a reconnection) skips the Nexus.
    if (typeof result.loginUrl === "string") this.#loginUrl = result.loginUrl;
    return result.ticket;
  };
}
