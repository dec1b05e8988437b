// Shared helpers for the notification-session tests: standard options, the
// login prefix as transcript steps, and a tiny direct driver for the cases a
// transcript cannot express (a connection that never opens).
import { readFileSync } from "node:fs";
import {
  NotificationSession,
  type SessionEvent,
  type SessionOptions,
  type SessionOutput,
} from "../machine/mod.ts";
import { parseTranscript, type TranscriptStep } from "../testing/mod.ts";

/** The server every test session dials. */
export const SERVER = { host: "127.0.0.1", port: 1863 };
export const ACCOUNT = "me@example.com";
export const CHALLENGE =
  "lc=1033,id=507,tw=40,ru=http%3A%2F%2Fmessenger%2Emsn%2Ecom,ct=1,kpp=1,kv=5";
export const TICKET = "t=ticket&p=profile";
export const CVR_LINE = `CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 6.0.0602 MSMSGS ${ACCOUNT}\r\n`;
export const CVR_REPLY =
  "CVR 2 6.0.0602 6.0.0602 6.0.0602 http://download.microsoft.com/x http://messenger.msn.com\r\n";

/** Session options for the test server; MSNP8 unless `protocols` says otherwise. */
export function sessionOptions(extra: Partial<SessionOptions> = {}): SessionOptions {
  return {
    account: ACCOUNT,
    server: SERVER,
    protocols: ["MSNP8"],
    clientInfo: {
      localeId: "0x0409",
      osType: "winnt",
      osVersion: "5.1",
      architecture: "i386",
      clientName: "MSNMSGR",
      clientVersion: "6.0.0602",
      clientId: "MSMSGS",
    },
    ...extra,
  };
}

/** Reads a transcript from tests/transcripts/. */
export function transcript(name: string): TranscriptStep[] {
  return parseTranscript(readFileSync(new URL(`./transcripts/${name}`, import.meta.url), "utf8"));
}

/** Phases reachable by {@link loginTo} (each is entered after the returned steps). */
export type PrefixPhase =
  | "negotiating"
  | "identifying"
  | "requestingAuth"
  | "authenticating"
  | "authorizing"
  | "syncing"
  | "online";

/**
 * Steps that take an MSNP8 session (no redirect, empty list) to `phase`.
 * Online means: synced (`SYN 5 0` -> `SYN 5 1 0 0`) and `CHG 6 NLN 0`
 * confirmed, so the next TrID is 7.
 */
export function loginTo(
  phase: PrefixPhase,
  version: "MSNP8" | "MSNP9" = "MSNP8",
): TranscriptStep[] {
  const offer = version === "MSNP9" ? "MSNP9 MSNP8" : "MSNP8";
  const steps: TranscriptStep[] = [
    { connect: `${SERVER.host}:${SERVER.port}` },
    { send: `VER 1 ${offer} CVR0\r\n` },
  ];
  if (phase === "negotiating") return steps;
  steps.push({ recv: `VER 1 ${version}\r\n` }, { send: CVR_LINE });
  if (phase === "identifying") return steps;
  steps.push({ recv: CVR_REPLY }, { send: `USR 3 TWN I ${ACCOUNT}\r\n` });
  if (phase === "requestingAuth") return steps;
  steps.push({ recv: `USR 3 TWN S ${CHALLENGE}\r\n` });
  if (phase === "authenticating") return [...steps, { passport: { challenge: CHALLENGE } }];
  steps.push({ passport: { challenge: CHALLENGE, ticket: TICKET } }, {
    send: `USR 4 TWN S ${TICKET}\r\n`,
  });
  if (phase === "authorizing") return steps;
  steps.push(
    { recv: `USR 4 OK ${ACCOUNT} Me 1 0\r\n` },
    { event: { type: "signedIn", passport: ACCOUNT, friendlyName: "Me", protocol: version } },
    { send: "SYN 5 0\r\n" },
  );
  if (phase === "syncing") return steps;
  steps.push(
    { recv: "SYN 5 1 0 0\r\n" },
    { send: "CHG 6 NLN 0\r\n" },
    { recv: "CHG 6 NLN 0\r\n" },
    { event: { type: "contactsSynced", fromCache: false } },
    { event: { type: "statusChanged", status: "NLN" } },
    { event: { type: "requestCompleted", requestId: 6 } },
  );
  return steps;
}

/** A session driven by hand, with its outputs collected. */
export class Driver {
  readonly session: NotificationSession;
  readonly outputs: SessionOutput[] = [];
  now = 0;
  constructor(options: SessionOptions) {
    this.session = new NotificationSession(options);
  }
  /** Collects every pending output. */
  pump(): SessionOutput[] {
    const fresh: SessionOutput[] = [];
    for (let o = this.session.poll(); o !== undefined; o = this.session.poll()) fresh.push(o);
    this.outputs.push(...fresh);
    return fresh;
  }
  /** Every event emitted so far. */
  get events(): SessionEvent[] {
    this.pump();
    return this.outputs.flatMap((o) => (o.type === "event" ? [o.event] : []));
  }
  /** Every byte sent so far, as text. */
  get sent(): string {
    this.pump();
    const d = new TextDecoder();
    return this.outputs.map((o) => (o.type === "transmit" ? d.decode(o.bytes) : "")).join("");
  }
  recv(text: string): void {
    this.session.handleData(new TextEncoder().encode(text), this.now);
    this.pump();
  }
  /** Advances the clock to `t`, firing every timeout due by then. */
  advance(t: number): void {
    this.now = t;
    for (let i = 0; i < 1000; i++) {
      const due = this.session.pollTimeout();
      if (due === undefined || due > t) break;
      this.session.handleTimeout(t);
    }
    this.pump();
  }
}
