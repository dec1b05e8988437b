// The (phase, command) dispatch table: which handler a server command gets
// in which phase. Commands not in a phase's row are ignored there.

import { type Command, DecodeError, parseServerCommand, type ServerMessage } from "../codec/mod.ts";
import type { SessionPhase } from "./errors.ts";
import type { NsState } from "./_ns_state.ts";
import { onChallenge, onCvr, onError, onOut, onUsrOk, onVer, onXfrNs } from "./_login.ts";
import { onAdd, onAdg, onBlp, onGtc, onPrp, onRea, onReg, onRem, onRmg } from "./_lists.ts";
import { onChg, onOffline, onOnline } from "./_presence.ts";
import { onChl, onMsg, onQng, onQry, onRng, onXfrSb } from "./_notices.ts";

type Type = ServerMessage["type"];
type Handler = (s: NsState, m: never) => void;
type Row = Partial<Record<Type, Handler>>;

/** In every phase that has a connection. */
const ALWAYS: Row = { error: onError, OUT: onOut };

/** Signed in: the sync and everything after it. */
const SIGNED_IN: Row = {
  ...ALWAYS,
  MSG: onMsg,
  SYN: (s, m: Extract<ServerMessage, { type: "SYN" }>) => s.sync.onSyn(m),
  LSG: (s, m: Extract<ServerMessage, { type: "LSG" }>) => s.sync.onLsg(m),
  LST: (s, m: Extract<ServerMessage, { type: "LST" }>) => s.sync.onLst(m),
  BPR: (s, m: Extract<ServerMessage, { type: "BPR" }>) => s.sync.onBpr(m),
  GTC: onGtc,
  BLP: onBlp,
  PRP: onPrp,
  CHG: onChg,
  ILN: onOnline,
  NLN: onOnline,
  FLN: onOffline,
  CHL: onChl,
  QRY: onQry,
  QNG: onQng,
  ADD: onAdd,
  REM: onRem,
  ADG: onAdg,
  RMG: onRmg,
  REG: onReg,
  REA: onRea,
  XFR_SB: onXfrSb,
  RNG: onRng,
};

/** The dispatch table. */
export const DISPATCH: Readonly<Record<SessionPhase, Row>> = {
  idle: {},
  connecting: {},
  negotiating: { ...ALWAYS, VER: onVer },
  identifying: { ...ALWAYS, CVR: onCvr },
  requestingAuth: { ...ALWAYS, XFR_NS: onXfrNs, USR_TWN_S: onChallenge },
  authenticating: ALWAYS,
  // The profile normally follows USR OK; a server that sends it first is still heard.
  authorizing: { ...ALWAYS, MSG: onMsg, USR_OK: onUsrOk },
  syncing: SIGNED_IN,
  online: SIGNED_IN,
  signingOut: SIGNED_IN,
  closed: {},
  failed: {},
};

/** An in-SYN `BPR <prop> [value]` (the other form is `BPR <version> <passport> <prop> [value]`). */
function isSynFormBpr(command: Command): boolean {
  return command.name === "BPR" && !(command.args.length >= 3 && /^\d+$/.test(command.args[0]));
}

/**
 * Handles one item from the decoder. `closing`: the stream ended, so a
 * command cut off by the close is part of the connection loss.
 */
export function handleItem(s: NsState, item: Command | DecodeError, closing: boolean): void {
  if (item instanceof DecodeError) {
    if (closing && item.code === "truncated") return;
    if (item.fatal) s.fail("protocol", item.message, { cause: item });
    else s.emit({ type: "warning", error: item });
    return;
  }
  if (s.sync.snapshotDue && !isSynFormBpr(item)) s.sync.flush();
  // A command whose arguments do not parse throws a DecodeError: the error boundary's case.
  const message = parseServerCommand(item);
  const handler = DISPATCH[s.phase][message.type] as
    | ((s: NsState, m: ServerMessage) => void)
    | undefined;
  handler?.(s, message);
}
