// When and how soon the Client signs in again after losing its session. Pure: the delay comes
// from the attempt number and one random draw, so tests pin the schedule exactly.

import type { SessionError, SignedOutEvent } from "../machine/mod.ts";

/** Settings of the Client's automatic reconnection. */
export interface ReconnectOptions {
  /** Delay before the first attempt, in ms. Default 1 000. */
  initialDelayMs?: number;
  /** Longest delay between attempts, in ms. Default 60 000. */
  maxDelayMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Share of each delay drawn at random, 0..1: the delay lies in `[d·(1-jitter), d]`. Default 0.5. */
  jitter?: number;
  /** Attempts before giving up (the client then ends). Default `Infinity`. */
  maxAttempts?: number;
}

/** {@linkcode ReconnectOptions} with every default applied. */
export type ReconnectPolicy = Required<ReconnectOptions>;

/** Applies defaults and checks ranges; throws `RangeError` on nonsense. */
export function reconnectPolicy(options: ReconnectOptions = {}): ReconnectPolicy {
  const policy: ReconnectPolicy = {
    initialDelayMs: options.initialDelayMs ?? 1_000,
    maxDelayMs: options.maxDelayMs ?? 60_000,
    factor: options.factor ?? 2,
    jitter: options.jitter ?? 0.5,
    maxAttempts: options.maxAttempts ?? Infinity,
  };
  if (
    !(policy.initialDelayMs >= 0) || !(policy.maxDelayMs >= policy.initialDelayMs) ||
    !(policy.factor >= 1) || !(policy.jitter >= 0 && policy.jitter <= 1) ||
    !(policy.maxAttempts >= 0)
  ) {
    throw new RangeError("Cannot use reconnect options: a delay, factor or jitter is out of range");
  }
  return policy;
}

/**
 * The delay before attempt `attempt` (1-based): `initialDelayMs · factor^(attempt-1)`, capped at
 * `maxDelayMs`, then reduced by up to `jitter` of itself using `random()` in [0, 1).
 */
export function backoffDelay(policy: ReconnectPolicy, attempt: number, random: number): number {
  const base = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * Math.pow(policy.factor, Math.max(0, attempt - 1)),
  );
  return Math.round(base * (1 - policy.jitter * random));
}

// Passport failures that another try cannot fix.
const FINAL_PASSPORT = new Set(["bad-credentials", "insecure-url", "too-many-redirects"]);

/**
 * Whether a session that ended this way may be signed in again. Never after our own sign-out,
 * `OUT OTH` (signed in elsewhere: coming back would kick the other session, in a loop), bad
 * credentials, `911` (authentication failed), a refused protocol version or an abort.
 */
export function mayReconnect(end: SignedOutEvent): boolean {
  switch (end.reason) {
    case "client":
    case "otherLocation":
      return false;
    case "serverShutdown":
    case "serverClosed":
    case "connectionLost":
      return true;
    default:
      return end.error ? retryable(end.error) : false;
  }
}

const BUSY = new Set([910, 912, 914, 915, 916, 921]);

function retryable(error: SessionError): boolean {
  switch (error.code) {
    case "connection-lost":
    case "timeout":
      return true;
    case "passport-failed":
      return !FINAL_PASSPORT.has(error.passportCode ?? "");
    case "server-error":
      // 5xx/6xx: the server failed; the listed 9xx: busy or unavailable. Everything else (911
      // authentication failed, 2xx/7xx about what we sent, 923/924 account state) is final.
      return error.serverCode !== undefined &&
        ((error.serverCode >= 500 && error.serverCode < 700) || BUSY.has(error.serverCode));
    default:
      return false;
  }
}
