// Handlers of the sign-in replies (VER, CVR, XFR NS, USR), of OUT and of
// error replies. Each turns a server reply into a chart event or a failure.

import { describeErrorCode, type ServerMessage } from "../codec/mod.ts";
import { LOGIN_PHASES, type NsState } from "./_ns_state.ts";

type Msg<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

// A challenge goes verbatim into a Passport header: one token of printable
// characters, never a space or control byte (which could split the header).
// deno-lint-ignore no-control-regex
const NOT_A_TOKEN = /[\x00-\x20\x7f]/;

/** `VER`: the server's choice among the offered versions. */
export function onVer(s: NsState, m: Msg<"VER">): void {
  const chosen = m.versions[0];
  const offered = s.config.protocols;
  if (chosen === undefined || chosen === "0") {
    s.fail("version-rejected", `The server supports none of ${offered.join(", ")}`);
  } else if (!offered.includes(chosen)) {
    s.fail("protocol", `The server chose ${chosen}, which was not offered`);
  } else {
    s.dispatch({ type: "VER_OK", version: chosen });
  }
}

/** `CVR`: the client version was accepted. */
export function onCvr(s: NsState): void {
  s.dispatch({ type: "CVR_OK" });
}

/** `XFR … NS`: go to another server (the chart's guard enforces the redirect limit). */
export function onXfrNs(s: NsState, m: Msg<"XFR_NS">): void {
  if (m.address) s.dispatch({ type: "XFR_NS", host: m.address.host, port: m.address.port });
}

/** `USR … TWN S`: the Passport challenge; one that cannot be a header value is a protocol error. */
export function onChallenge(s: NsState, m: Msg<"USR_TWN_S">): void {
  if (m.challenge.length === 0 || NOT_A_TOKEN.test(m.challenge)) {
    s.fail("protocol", "The server's Passport challenge is empty or holds a space or control byte");
    return;
  }
  s.dispatch({ type: "CHALLENGE", challenge: m.challenge });
}

/** `USR … OK`: signed in. */
export function onUsrOk(s: NsState, m: Msg<"USR_OK">): void {
  s.friendlyName = m.friendlyName;
  s.emit({
    type: "signedIn",
    passport: m.passport,
    friendlyName: m.friendlyName,
    verified: m.verified ?? true,
    protocol: s.snapshot.context.version ?? "",
  });
  s.dispatch({ type: "USR_OK" });
}

/** `OUT`: the server ends the session. */
export function onOut(s: NsState, m: Msg<"OUT">): void {
  const reason = m.reason === "OTH"
    ? "otherLocation"
    : m.reason === "SSD"
    ? "serverShutdown"
    : "serverClosed";
  s.dispatch({ type: "SERVER_OUT", reason });
}

/** An error reply: a request's failure, or (during sign-in or sync, or 540) the session's. */
export function onError(s: NsState, m: Msg<"error">): void {
  const { trid, code } = m;
  const info = describeErrorCode(code);
  const pending = s.core.settle(trid);
  if (pending) {
    if (pending.kind === "QRY") {
      s.fail("server-error", `Challenge answer refused: ${code} ${info.meaning}`, {
        serverCode: code,
        serverName: info.name,
      });
      return;
    }
    s.emit({
      type: "requestFailed",
      requestId: trid,
      failure: {
        reason: "server-error",
        serverCode: code,
        serverName: info.name,
        meaning: info.meaning,
      },
    });
    return;
  }
  if (LOGIN_PHASES.has(s.phase) || s.phase === "syncing" || code === 540) {
    s.fail("server-error", `Server error ${code} ${info.name}: ${info.meaning}`, {
      serverCode: code,
      serverName: info.name,
    });
  }
  // Other stray errors (for a request already timed out) carry no news.
}
