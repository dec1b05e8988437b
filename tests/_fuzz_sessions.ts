// The session fuzz targets: NotificationSession and SwitchboardSession driven by mutated recorded
// traffic (tests/transcripts, the MSNP8 seed) plus generated server lines, with connects, closes,
// Passport answers, timeouts at random times and the application's intents with hostile
// arguments. Each input is one script run three times (each `data` op whole, in random pieces,
// one byte at a time) and the runs must agree exactly. Invariants: only SessionError/UsageError
// leave a method; no hang (bounded outputs and timeouts); pollTimeout() is after the time just
// handled; after a fatal error every intent throws that very error; nothing handed out (events,
// contact lists) changes later; no ticket, cookie or MSPAuth in any error or event rendering; on
// a switchboard every send has exactly one outcome and `ended` comes once, last.

import {
  NotificationSession,
  SessionError,
  type SessionOptions,
  SwitchboardSession,
  UsageError,
} from "../machine/mod.ts";
import { SEED_DISPATCH, SEED_NOTIFICATION, SEED_PROFILE } from "./fixtures/seed_msnp8.ts";
import {
  check,
  checkNoSecret,
  type FuzzTarget,
  FuzzViolation,
  randomText,
  Rng,
  utf8,
} from "./_fuzz.ts";
import {
  canon,
  type Chunking,
  dataBytes,
  HandedOut,
  mutateScript,
  type Op,
  pieces,
  type Script,
  secretToken,
  transcriptScripts,
} from "./_fuzz_script.ts";

/** What the runner needs of a session. */
interface Session {
  poll(): { type: string; event?: unknown } | undefined;
  pollTimeout(): number | undefined;
  start(now: number): void;
  handleConnected(now: number): void;
  handleData(bytes: Uint8Array, now: number): void;
  handleClosed(now: number): void;
  handleTimeout(now: number): void;
  readonly error: SessionError | undefined;
}

/** One input: a script, the session it runs on, and the secrets that must never show. */
interface Input<S extends Session> {
  create(): S;
  ops: Op[];
  secrets: string[];
  /** Further secrets that events may carry (a switchboard cookie) but no error may. */
  errorSecrets?: string[];
  /** Runs a `ticket`, `passportError` or `call` op. Returns a value to log (a send id). */
  apply(session: S, op: Op, now: number): unknown;
  /** Calls some intent: once the session failed, it must throw `session.error`. */
  probe(session: S, k: number): void;
  /** Extra checks on the whole run (events in order, the values `apply` returned). */
  finish?(events: { type: string }[], returned: unknown[]): void;
  /** Handed-out state to snapshot after each op (the contact list). */
  state?(session: S): unknown;
}

const MAX_OUTPUTS = 100_000;
const MAX_FINAL_TIMEOUTS = 64;

function typed(error: unknown): error is SessionError | UsageError {
  return error instanceof SessionError || error instanceof UsageError;
}

/** Runs the input once at a chunking; returns its canonical log and the typed errors thrown. */
function runOnce<S extends Session>(
  input: Input<S>,
  chunking: Chunking,
  chunkSeed: number,
): { log: string[]; typed: number } {
  const session = input.create();
  const chunks = new Rng(chunkSeed);
  const log: string[] = [];
  const events: { type: string }[] = [];
  const returned: unknown[] = [];
  const handed = new HandedOut();
  let errors = 0;
  let probes = 0;
  let now = 1000;
  const errorSecrets = [...input.secrets, ...input.errorSecrets ?? []];
  const attempt = (what: string, run: () => unknown): void => {
    try {
      const value = run();
      if (value !== undefined) {
        returned.push(value);
        log.push(`${what} -> ${canon(value)}`);
      }
    } catch (error) {
      if (!typed(error)) throw error;
      errors++;
      checkNoSecret(error, errorSecrets, `${what} threw`);
      log.push(`${what} threw ${canon(error)}`);
    }
  };
  const drain = () => {
    for (let n = 0;; n++) {
      check(n < MAX_OUTPUTS, () => `more than ${MAX_OUTPUTS} outputs in a row: a loop`);
      const out = session.poll();
      if (out === undefined) break;
      log.push(canon(out));
      if (out.type === "event") {
        const event = out.event as { type: string };
        events.push(event);
        handed.add(event);
        checkNoSecret(
          event,
          event.type === "warning" ? errorSecrets : input.secrets,
          `event ${event.type}`,
        );
      }
    }
  };
  const afterTimeout = (t: number) => {
    const next = session.pollTimeout();
    check(
      next === undefined || (Number.isFinite(next) && next > t),
      () => `pollTimeout() is ${next} after handleTimeout(${t})`,
    );
  };
  attempt("start", () => session.start(now));
  drain();
  for (const op of input.ops) {
    now += op.dt;
    switch (op.op) {
      case "connected":
        attempt("connected", () => session.handleConnected(now));
        break;
      case "closed":
        attempt("closed", () => session.handleClosed(now));
        break;
      case "data":
        for (const piece of pieces(op.bytes, chunking, chunks)) {
          attempt("data", () => session.handleData(piece, now));
          drain();
        }
        break;
      case "timeout": {
        const t = Math.max(now, op.due ? session.pollTimeout() ?? now : now);
        now = t;
        attempt("timeout", () => session.handleTimeout(t));
        afterTimeout(t);
        break;
      }
      default:
        attempt(op.op, () => input.apply(session, op, now));
    }
    drain();
    if (input.state) handed.add(input.state(session));
    const fatal = session.error;
    if (fatal !== undefined) {
      let thrown: unknown = undefined;
      try {
        input.probe(session, probes++);
      } catch (error) {
        thrown = error;
      }
      check(
        thrown === fatal,
        () => `after ${fatal.code} an intent threw ${String(thrown)}, not the session's error`,
      );
      checkNoSecret(fatal, errorSecrets, "session.error");
    }
  }
  // The end: the connection closes, then time runs out on whatever is still waiting.
  now += 1;
  attempt("closed", () => session.handleClosed(now));
  drain();
  for (let n = 0;; n++) {
    const t = session.pollTimeout();
    if (t === undefined) break;
    check(n < MAX_FINAL_TIMEOUTS, () => `still timed after ${n} timeouts: a loop`);
    now = Math.max(now, t);
    attempt("timeout", () => session.handleTimeout(now));
    afterTimeout(now);
    drain();
  }
  handed.verify();
  input.finish?.(events, returned);
  return { log, typed: errors };
}

/** Runs the input whole, in random pieces and (when small) one byte at a time; all must agree. */
function runAll<S extends Session>(rng: Rng, input: Input<S>): number {
  const chunkSeed = rng.next();
  const whole = runOnce(input, "whole", chunkSeed);
  const compare = (chunking: Chunking) => {
    const other = runOnce(input, chunking, chunkSeed);
    if (other.log.length === whole.log.length && other.log.every((l, i) => l === whole.log[i])) {
      return;
    }
    let i = 0;
    while (i < whole.log.length && other.log[i] === whole.log[i]) i++;
    throw new FuzzViolation(
      `chunking "${chunking}" changed output ${i}: ${whole.log[i]?.slice(0, 300)} vs ${
        other.log[i]?.slice(0, 300)
      }`,
    );
  };
  compare("random");
  if (dataBytes(input.ops) <= 2048) compare("bytes");
  return whole.typed;
}

// --- hostile arguments -------------------------------------------------------------------------

const PASSPORTS = ["bob@example.com", "carol@example.com", "BOB@Example.com", "me@example.com"];

function passport(rng: Rng): string {
  return rng.chance(0.7) ? rng.pick(PASSPORTS) : randomText(rng, 6);
}

function text(rng: Rng): string {
  return rng.chance(0.5) ? rng.pick(["Bob", "hello there", "x"]) : randomText(rng, 10);
}

function int(rng: Rng): number {
  return rng.pick([0, 1, 2, 7, 15, -1, 1.5, NaN, 2 ** 32]);
}

/** Now and then an argument of the wrong type: a JavaScript caller can pass anything. */
function odd(rng: Rng, value: unknown): unknown {
  return rng.chance(0.05) ? rng.pick([undefined, null, 42, {}, [], "x", Symbol("s")]) : value;
}

// --- the notification session ------------------------------------------------------------------

const NS_SCRIPTS: Script[] = [
  ...transcriptScripts([
    "msnp8_seed.jsonl",
    "msnp8_direct_full_sync.jsonl",
    "msnp9_echo_redirect.jsonl",
    "msnp9_presence.jsonl",
    "msnp9_sb_incoming.jsonl",
    "msnp9_sb_outgoing.jsonl",
  ], false),
  seedScript(),
];

/** The MSNP8 seed as a script: dispatch, redirect, notification server. */
function seedScript(): Script {
  const ops: Op[] = [{ op: "connected", dt: 1 }];
  for (const line of [...SEED_DISPATCH, ...SEED_NOTIFICATION]) {
    if (line.from !== "server") continue;
    ops.push({ op: "data", dt: 1, bytes: utf8(line.text) });
    if (line.text.startsWith("XFR 3 NS")) ops.push({ op: "connected", dt: 1 });
    if (line.text.startsWith("USR 6 TWN S")) {
      ops.push({ op: "ticket", dt: 1, ticket: "t=recorded&p=ticket" });
    }
  }
  return {
    session: { account: "example@hotmail.com", protocols: ["MSNP8"] },
    firstSend: "",
    ops,
  };
}

const NS_OTHERS = NS_SCRIPTS.flatMap((s) => s.ops.flatMap((o) => o.op === "data" ? [o.bytes] : []));

interface NsSecrets {
  ticket: string;
  mspAuth: string;
  cookie: string;
}

function nsLine(rng: Rng, secrets: NsSecrets): string {
  const mspAuth = secrets.mspAuth;
  const t = rng.int(12);
  const p = passport(rng);
  switch (rng.int(16)) {
    case 0:
      return `ILN ${t} NLN ${p} Bob%20B ${rng.int(2) ? "268435492" : "0"}\r\n`;
    case 1:
      return `NLN ${rng.pick(["BSY", "AWY", "IDL", "XYZ"])} ${p} ${text(rng) || "x"} 0\r\n`;
    case 2:
      return `FLN ${p}\r\n`;
    case 3:
      return `BPR ${rng.pick(["PHH", "MOB", "MBE"])} ${rng.pick(["123", "Y", "%ZZ"])}\r\n`;
    case 4:
      return `LST ${p} Bob ${rng.pick(["11", "13", "0", "x"])} ${rng.pick(["0", "0,1", ""])}\r\n`;
    case 5:
      return `ADD ${t} ${rng.pick(["FL", "RL", "AL"])} ${rng.int(100)} ${p} Bob${
        rng.chance(0.5) ? " 0" : ""
      }\r\n`;
    case 6:
      return `REM ${t} ${rng.pick(["FL", "RL", "BL"])} ${rng.int(100)} ${p}\r\n`;
    case 7:
      return `CHL 0 ${rng.pick(["15570131571988941333", "1\u0001", ""])}\r\n`;
    case 8:
      return `QNG ${rng.pick(["50", "0", "-1", ""])}\r\n`;
    case 9:
      return `XFR ${t} SB 10.0.0.9:1864 CKI ${rng.int(2) ? secrets.cookie : ""}\r\n`;
    case 10:
      return `RNG 11752013 10.0.0.9:1864 CKI ${rng.pick([secrets.cookie, "x y"])} ${p} Bob\r\n`;
    case 11:
      return `${rng.pick(["201", "205", "215", "500", "911", "913"])} ${t}\r\n`;
    case 12: {
      const profile = SEED_PROFILE.replace(
        /MSPAuth: [^\r]*/,
        `${rng.pick(["MSPAuth", "mspauth", "MSPAUTH"])}: ${mspAuth}`,
      );
      const body = rng.chance(0.5) ? profile : profile.replaceAll("\r\n", "\n");
      return `MSG Hotmail Hotmail ${utf8(body).length}\r\n${body}`;
    }
    case 13:
      return `SYN ${t} ${rng.int(20)} ${rng.int(3)} ${rng.int(3)}\r\n`;
    case 14:
      return `LSG ${rng.int(3)} Group%20${rng.int(9)} 0\r\n`;
    default:
      return `REA ${t} ${rng.int(50)} ${p} ${text(rng) || "x"}\r\n`;
  }
}

function nsIntent(rng: Rng): { method: string; args: unknown[] } {
  const list = rng.pick(["FL", "AL", "BL", "RL", "XL"]);
  const intents: [string, () => unknown[]][] = [
    ["setStatus", () => [
      rng.pick(["NLN", "BSY", "IDL", "FLN", "xyz"]),
      { clientId: int(rng), msnObject: rng.chance(0.5) ? text(rng) : undefined },
    ]],
    ["rename", () => [text(rng)]],
    ["renameContact", () => [passport(rng), text(rng)]],
    ["addContact", () => [passport(rng), { list, friendlyName: text(rng), groupId: int(rng) }]],
    ["removeContact", () => [passport(rng), { list, groupId: int(rng) }]],
    ["addGroup", () => [text(rng)]],
    ["removeGroup", () => [int(rng)]],
    ["renameGroup", () => [int(rng), text(rng)]],
    ["setPrivacy", () => [rng.pick(["AL", "BL", "XX"])]],
    ["setAddPrompt", () => [rng.pick(["A", "N", "Q"])]],
    ["setPhone", () => [rng.pick(["PHH", "PHW", "MOB", "MBE"]), text(rng)]],
    ["requestSwitchboard", () => []],
    ["signOut", () => []],
    ["presenceOf", () => [passport(rng)]],
  ];
  const [method, args] = rng.pick(intents);
  return { method, args: args().map((a) => odd(rng, a)) };
}

function ticketFor(rng: Rng, secret: string): string {
  return rng.chance(0.8)
    ? `t=${secret}&p=${secret}P`
    : rng.pick([`t=${secret} x`, `t=${secret}\r\n`, `${randomText(rng, 4)}${secret}`, ""]);
}

function nsExtra(rng: Rng, secrets: NsSecrets): Op {
  const dt = rng.pick([0, 1, 10, 1000]);
  switch (rng.int(8)) {
    case 0:
    case 1:
    case 2: {
      let lines = "";
      for (let n = 1 + rng.int(4); n > 0; n--) lines += nsLine(rng, secrets);
      return { op: "data", dt, bytes: utf8(lines) };
    }
    case 3:
      return { op: "timeout", dt: rng.pick([0, 1, 30_000, 200_000]), due: rng.chance(0.7) };
    case 4:
      return { op: "call", dt, ...nsIntent(rng) };
    case 5:
      return rng.chance(0.5)
        ? { op: "ticket", dt, ticket: ticketFor(rng, secrets.ticket) }
        : { op: "passportError", dt };
    case 6:
      return { op: "closed", dt };
    default:
      return { op: "connected", dt };
  }
}

function nsOne(rng: Rng): number {
  const script = rng.pick(NS_SCRIPTS);
  const secrets: NsSecrets = {
    ticket: secretToken(rng, "TkT"),
    mspAuth: secretToken(rng, "MsP"),
    cookie: secretToken(rng, "CkI"),
  };
  const ops = mutateScript(rng, script.ops, (r) => nsExtra(r, secrets), NS_OTHERS).map((o) =>
    // Recorded tickets are redacted: each input sends its own, so it can be looked for.
    o.op === "ticket" && o.ticket === "t=recorded&p=ticket"
      ? { ...o, ticket: ticketFor(rng, secrets.ticket) }
      : o.op === "data" && rng.chance(0.05)
      ? { ...o, bytes: utf8(nsLine(rng, secrets)) }
      : o
  );
  const options: SessionOptions = {
    account: String(script.session.account ?? "me@example.com"),
    protocols: (script.session.protocols as SessionOptions["protocols"]) ?? ["MSNP9", "MSNP8"],
    clientId: typeof script.session.clientId === "number" ? script.session.clientId : undefined,
  };
  if (rng.chance(0.2)) options.maxLineBytes = 64 + rng.int(200);
  if (rng.chance(0.2)) options.maxPayloadBytes = rng.int(600);
  if (rng.chance(0.2)) options.timeouts = { request: 10, pingInterval: 100, pong: 50, sync: 20 };
  return runAll(rng, {
    create: () => new NotificationSession(options),
    ops,
    secrets: [secrets.ticket, secrets.mspAuth],
    errorSecrets: [secrets.cookie],
    apply: (s, op, now) => {
      if (op.op === "ticket") return s.handlePassportTicket(op.ticket, now);
      if (op.op === "passportError") {
        return s.handlePassportError({ code: "bad-credentials", message: "refused" }, now);
      }
      if (op.op !== "call") return undefined;
      const method = (s as unknown as Record<string, (...a: unknown[]) => unknown>)[op.method];
      if (typeof method !== "function") return undefined;
      return method.apply(s, op.args);
    },
    probe: (s, k) => {
      const intents = [
        () => s.addGroup("Friends"),
        () => s.setStatus("BSY"),
        () => s.requestSwitchboard(),
        () => s.signOut(),
      ];
      intents[k % intents.length]();
    },
    state: (s) => s.contactList,
    finish: (events) => {
      const out = events.filter((e) => e.type === "signedOut").length;
      check(
        out <= 1 && (out === 0 || events[events.length - 1].type === "signedOut"),
        () => `signedOut ${out} times, last event ${events[events.length - 1]?.type}`,
      );
    },
  });
}

// --- the switchboard session -------------------------------------------------------------------

const SB_SCRIPTS: Script[] = transcriptScripts(
  ["msnp9_sb_incoming.jsonl", "msnp9_sb_outgoing.jsonl"],
  true,
);
const SB_OTHERS = SB_SCRIPTS.flatMap((s) => s.ops.flatMap((o) => o.op === "data" ? [o.bytes] : []));
const SB_PAYLOADS = [
  "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n" +
  "X-MMS-IM-Format: FN=Arial; EF=B; CO=ff; CS=0; PF=22\r\n\r\nHi!",
  "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\nTypingUser: bob@example.com\r\n\r\n\r\n",
  "MIME-Version: 1.0\r\nContent-Type: text/x-msnmsgr-datacast\r\n\r\nID: 1\r\n\r\n",
  "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite; charset=UTF-8\r\n\r\n" +
  "Application-Name: File Transfer\r\nInvitation-Command: INVITE\r\nInvitation-Cookie: 7\r\n",
  "MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\nP2P-Dest: me@example.com\r\n\r\n" +
  "\0".repeat(48),
];

function sbLine(rng: Rng): string {
  const t = rng.int(10);
  const p = passport(rng);
  switch (rng.int(11)) {
    case 0:
      return `JOI ${p} Bob${rng.chance(0.3) ? " 268435492" : ""}\r\n`;
    case 1:
      return `IRO ${t} ${1 + rng.int(3)} ${1 + rng.int(3)} ${p} Bob\r\n`;
    case 2:
      return `BYE ${p}${rng.chance(0.3) ? " 1" : ""}\r\n`;
    case 3:
      return `ACK ${t}\r\n`;
    case 4:
      return `NAK ${t}\r\n`;
    case 5:
      return `${
        rng.pick(["208", "215", "216", "217", "280", "282", "500", "713", "911"])
      } ${t}\r\n`;
    case 6: {
      const body = rng.chance(0.8) ? rng.pick(SB_PAYLOADS) : randomText(rng, 30);
      return `MSG ${p} Bob ${utf8(body).length}\r\n${body}`;
    }
    case 7:
      return `CAL ${t} RINGING ${rng.pick(["17342299", "0", "x"])}\r\n`;
    case 8:
      return `USR ${t} OK me@example.com Me\r\n`;
    case 9:
      return `ANS ${t} OK\r\n`;
    default:
      return "OUT\r\n";
  }
}

const FORMATS: unknown[] = [
  undefined,
  { font: "Arial", effects: ["B"], color: "ff" },
  { font: "\uD83D", color: "zz" },
  { font: "Lucida Sans;%", effects: ["X"], charset: "\r\n", pitchFamily: "22 " },
];

function sbIntent(rng: Rng): { method: string; args: unknown[] } {
  const intents: [string, () => unknown[]][] = [
    ["invite", () => [passport(rng)]],
    ["sendText", () => [
      rng.chance(0.1) ? "x".repeat(rng.int(4000)) : text(rng),
      { format: rng.pick(FORMATS) },
    ]],
    ["sendTyping", () => []],
    ["sendNudge", () => []],
    ["sendRaw", () => [
      utf8(rng.chance(0.8) ? rng.pick(SB_PAYLOADS) : randomText(rng, 20)),
      rng.pick(["U", "N", "A", "D", "X"]),
    ]],
    ["leave", () => []],
  ];
  const [method, args] = rng.pick(intents);
  return { method, args: args().map((a) => odd(rng, a)) };
}

function sbExtra(rng: Rng): Op {
  const dt = rng.pick([0, 1, 10, 1000]);
  switch (rng.int(6)) {
    case 0:
    case 1: {
      let lines = "";
      for (let n = 1 + rng.int(4); n > 0; n--) lines += sbLine(rng);
      return { op: "data", dt, bytes: utf8(lines) };
    }
    case 2:
      return { op: "timeout", dt: rng.pick([0, 1, 30_000, 200_000]), due: rng.chance(0.7) };
    case 3:
    case 4:
      return { op: "call", dt, ...sbIntent(rng) };
    default:
      return rng.chance(0.7) ? { op: "closed", dt } : { op: "connected", dt };
  }
}

const SEND_METHODS = new Set(["sendText", "sendTyping", "sendNudge", "sendRaw"]);

function sbOne(rng: Rng): number {
  const script = rng.pick(SB_SCRIPTS);
  const cookie = secretToken(rng, "CkI");
  const ops = mutateScript(rng, script.ops, sbExtra, SB_OTHERS);
  const answer = rng.chance(0.2)
    ? !script.firstSend.startsWith("ANS")
    : script.firstSend.startsWith("ANS");
  const address = { host: "127.0.0.1", port: 1864 };
  const account = "me@example.com";
  const settings = rng.chance(0.2) ? { timeouts: { call: 10, ack: 20, leave: 5 } } : {};
  const sessionId = rng.pick(["17342299", "11752013"]);
  const make = () =>
    answer
      ? new SwitchboardSession({ mode: "answer", address, cookie, sessionId, account, ...settings })
      : new SwitchboardSession({ mode: "call", address, cookie, account, ...settings });
  return runAll(rng, {
    create: make,
    ops,
    secrets: [cookie],
    apply: (s, op) => {
      if (op.op !== "call") return undefined;
      const method = (s as unknown as Record<string, (...a: unknown[]) => unknown>)[op.method];
      if (typeof method !== "function") return undefined;
      const value = method.apply(s, op.args);
      return SEND_METHODS.has(op.method) ? { sendId: value } : undefined;
    },
    probe: (s, k) => {
      const intents = [
        () => s.sendTyping(),
        () => s.sendText("hi"),
        () => s.invite("bob@example.com"),
        () => s.leave(),
      ];
      intents[k % intents.length]();
    },
    finish: (events, returned) => {
      const ended = events.filter((e) => e.type === "ended").length;
      check(
        ended === 1 && events[events.length - 1].type === "ended",
        () => `ended ${ended} times, last event ${events[events.length - 1]?.type}`,
      );
      const outcomes = new Map<number, number>();
      for (const e of events as { type: string; sendId?: number }[]) {
        if (e.type === "sendCompleted" || e.type === "sendFailed") {
          outcomes.set(e.sendId!, (outcomes.get(e.sendId!) ?? 0) + 1);
        }
      }
      for (const r of returned as { sendId?: number }[]) {
        if (r?.sendId === undefined) continue;
        const n = outcomes.get(r.sendId) ?? 0;
        check(n === 1, () => `send ${r.sendId} has ${n} outcomes`);
        outcomes.delete(r.sendId);
      }
      check(outcomes.size === 0, () => `outcomes for unknown sends ${[...outcomes.keys()]}`);
    },
  });
}

/** The NotificationSession target. */
export const NS_TARGET: FuzzTarget = { name: "ns-session", one: nsOne, weight: 0.08 };
/** The SwitchboardSession target. */
export const SB_TARGET: FuzzTarget = { name: "sb-session", one: sbOne, weight: 0.1 };
