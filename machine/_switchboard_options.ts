// Checks a switchboard's options before anything is sent: a bad cookie, passport or address is
// the caller's mistake (a UsageError now), not something to discover mid-handshake.
import { ans, cal, EncodeError, sbUsr } from "../codec/mod.ts";
import { UsageError } from "./errors.ts";
import {
  DEFAULT_SWITCHBOARD_TIMEOUTS,
  type SwitchboardOptions,
  type SwitchboardTimeouts,
} from "./switchboard_events.ts";

/** Validates `options` and returns the time limits with defaults filled in. */
export function checkSwitchboardOptions(options: SwitchboardOptions): SwitchboardTimeouts {
  const refuse = (why: string, cause?: unknown): never => {
    throw new UsageError("invalid-argument", `Cannot create switchboard: ${why}`, { cause });
  };
  if (options.mode !== "call" && options.mode !== "answer") {
    refuse('mode must be "call" or "answer"');
  }
  const { address } = options;
  if (
    typeof address?.host !== "string" || address.host === "" || !Number.isInteger(address.port) ||
    address.port < 1 || address.port > 65535
  ) {
    refuse("invalid address");
  }
  try {
    if (options.mode === "call") {
      sbUsr(1, options.account, options.cookie);
      for (const p of options.invitees ?? []) cal(1, p);
    } else ans(1, options.account, options.cookie, options.sessionId);
  } catch (e) {
    if (!(e instanceof EncodeError)) throw e;
    refuse(e.message, e);
  }
  const timeouts = { ...DEFAULT_SWITCHBOARD_TIMEOUTS, ...options.timeouts };
  for (const [name, ms] of Object.entries(timeouts)) {
    if (typeof ms !== "number" || !(ms >= 0) || !Number.isFinite(ms)) {
      refuse(`timeouts.${name} must be a finite number of milliseconds`);
    }
  }
  return timeouts;
}
