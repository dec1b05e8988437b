// How a replay answers Passport from a transcript's `passport` step: the recorded ticket, or a
// failure shaped like the real one (401, network error, no answer, 500).

import {
  PassportError,
  type PassportErrorCode,
  type PassportFetch,
  type PassportHttpRequest,
  type PassportHttpResponse,
} from "../auth/mod.ts";
import { quote } from "./_replay_text.ts";
import type { RunPassportFunction } from "./run_passport.ts";

/** The login-server URL a replayed Passport sign-in reports (and its fake Nexus names). */
export const REPLAY_LOGIN_URL = "https://login.replay.invalid/login2.srf";

/** A transcript's `passport` step as the replay plays it. */
type Recorded = { ticket?: string; error?: string };
/** Plays the `passport` step for a challenge (throws the mismatch when it is not next). */
type Play = (challenge: string) => Recorded;
/** The replay's first mismatch, if any: every later request fails with it. */
type Failed = () => Error | undefined;

/** `ReplayTransport.runPassport`: the recorded ticket or failure, no HTTP at all. */
export function replayRunPassport(play: Play, failed: Failed): RunPassportFunction {
  return (login, options = {}) => {
    const error = failed();
    if (error) return Promise.reject(error);
    if (options.signal?.aborted) {
      return Promise.reject(new PassportError("aborted", "Cannot sign in: sign-in was aborted"));
    }
    try {
      const recorded = play(login.challenge);
      if (recorded.error !== undefined) return Promise.reject(recordedFailure(recorded.error));
      return Promise.resolve({
        ticket: recorded.ticket ?? "",
        loginUrl: login.loginUrl ?? REPLAY_LOGIN_URL,
      });
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/** `ReplayTransport.passportFetch`: a Nexus, then the login server answering from the transcript. */
export function replayPassportFetch(play: Play, failed: Failed): PassportFetch {
  return (request, signal) => {
    const error = failed();
    if (error) return Promise.reject(error);
    const authorization = header(request, "authorization");
    if (authorization === undefined) {
      return Promise.resolve({
        status: 200,
        headers: {
          passporturls: `DARealm=Passport.Net,DALogin=${REPLAY_LOGIN_URL},ConfigVersion=15`,
        },
      });
    }
    let recorded: Recorded;
    try {
      recorded = play(challengeOf(authorization));
    } catch (error) {
      return Promise.reject(error);
    }
    return passportResponse(recorded, signal);
  };
}

const PASSPORT_CODES = new Set<PassportErrorCode>([
  "bad-credentials",
  "too-many-redirects",
  "insecure-url",
  "protocol",
  "timeout",
  "aborted",
  "network",
]);

function header(request: PassportHttpRequest, lowerName: string): string | undefined {
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
function challengeOf(authorization: string): string {
  const pwd = authorization.indexOf(",pwd=");
  if (pwd < 0) return "";
  const comma = authorization.indexOf(",", pwd + 5);
  return comma < 0 ? "" : authorization.slice(comma + 1);
}

function recordedFailure(code: string): PassportError {
  const known = PASSPORT_CODES.has(code as PassportErrorCode);
  return new PassportError(
    known ? code as PassportErrorCode : "protocol",
    `Cannot sign in: the transcript records a Passport failure ${quote(code)}`,
    code === "bad-credentials" ? { status: 401 } : {},
  );
}

function passportResponse(
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
