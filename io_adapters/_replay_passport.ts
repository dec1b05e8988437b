// How a replay answers Passport from a transcript's `passport` step: the recorded ticket, or a
// failure shaped like the real one (401, network error, no answer, 500).

import {
  PassportError,
  type PassportErrorCode,
  type PassportHttpRequest,
  type PassportHttpResponse,
} from "../auth/mod.ts";
import { quote } from "./_replay_text.ts";

const PASSPORT_CODES = new Set<PassportErrorCode>([
  "bad-credentials",
  "too-many-redirects",
  "insecure-url",
  "protocol",
  "timeout",
  "aborted",
  "network",
]);

export function header(request: PassportHttpRequest, lowerName: string): string | undefined {
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.toLowerCase() === lowerName) return value;
  }
  return undefined;
}

/**
 * The challenge at the end of a Passport 1.4 login `Authorization`:
 * `Passport1.4 OrgVerb=GET,OrgURL=...,sign-in=...,pwd=...,<challenge>` (the password is
 * URL-encoded, so it holds no comma).
 */
export function challengeOf(authorization: string): string {
  const pwd = authorization.indexOf(",pwd=");
  if (pwd < 0) return "";
  const comma = authorization.indexOf(",", pwd + 5);
  return comma < 0 ? "" : authorization.slice(comma + 1);
}

export function recordedFailure(code: string): PassportError {
  const known = PASSPORT_CODES.has(code as PassportErrorCode);
  return new PassportError(
    known ? code as PassportErrorCode : "protocol",
    `Cannot sign in: the transcript records a Passport failure ${quote(code)}`,
    code === "bad-credentials" ? { status: 401 } : {},
  );
}

export function passportResponse(
  recorded: { ticket?: string; error?: string },
  signal: AbortSignal,
): Promise<PassportHttpResponse> {
  if (recorded.error === undefined) {
    return Promise.resolve({
      status: 200,
      headers: {
        "authentication-info":
          `Passport1.4 da-status=success,tname=MSPAuth,tname=MSPProf,tname=MSPSec,from-PP='${recorded.ticket}',ru=http://messenger.msn.com`,
      },
    });
  }
  if (recorded.error === "bad-credentials") {
    return Promise.resolve({
      status: 401,
      headers: {
        "www-authenticate":
          "Passport1.4 da-status=failed,srealm=Passport.NET,ts=-1,prompt,cbtxt=Replayed%20failure",
      },
    });
  }
  if (recorded.error === "network") {
    return Promise.reject(new TypeError("replayed network failure"));
  }
  if (recorded.error === "timeout" || recorded.error === "aborted") {
    // No answer: the runner's timeout (or the caller's abort) ends the wait.
    return new Promise((_, reject) =>
      signal.addEventListener("abort", () => reject(signal.reason), { once: true })
    );
  }
  return Promise.resolve({ status: 500, headers: {} });
}
