// What a CAL error code means for the invitation, in one table.
import type { InviteFailure } from "./switchboard_events.ts";

const CAL_ERRORS: Readonly<
  Record<number, Exclude<InviteFailure, { serverCode?: never }>["reason"]>
> = {
  215: "already-present",
  216: "blocked",
  217: "offline",
  208: "invalid-address",
  713: "too-fast",
};

/** The typed failure of an invitation answered with error `code` (named `name`). */
export function inviteFailure(code: number, name: string): InviteFailure {
  return { reason: CAL_ERRORS[code] ?? "server-error", serverCode: code, serverName: name };
}
