// Randomized: random server lines, bytes, closes, timeouts, Passport answers
// and intents, in every phase. The session must only ever throw its own typed
// errors, and everything it transmits must be well-formed client commands.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DecodeError, Decoder, encodeCommand, urlDecode } from "../codec/mod.ts";
import {
  type NotificationSession,
  SessionError,
  type SessionOutput,
  UsageError,
} from "../machine/mod.ts";
import { replaySession, type TranscriptStep } from "../testing/mod.ts";
import { loginTo, type PrefixPhase, sessionOptions } from "./_machine_helpers.ts";

const PHASES: (PrefixPhase | "signingOut")[] = [
  "negotiating",
  "identifying",
  "requestingAuth",
  "authenticating",
  "authorizing",
  "syncing",
  "online",
  "signingOut",
];

const token = fc.oneof(
  fc.constantFrom(
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "11",
    "4294967295",
    "4294967296",
    "-1",
    "MSNP8",
    "MSNP9",
    "CVR0",
    "TWN",
    "S",
    "OK",
    "I",
    "NS",
    "SB",
    "CKI",
    "FL",
    "AL",
    "BL",
    "RL",
    "A",
    "N",
    "NLN",
    "HDN",
    "FLN",
    "XYZ",
    "PHH",
    "MOB",
    "OTH",
    "SSD",
    "me@example.com",
    "bob@example.com",
    "Bob%20B",
    "%",
    "%ZZ",
    "%C3",
    "%0D%0A",
    "10.0.0.1:1863",
    "host:99999",
    ":",
    "0,1",
    "1,,x",
    "268435492",
    "%3Cmsnobj%20Creator%3D%22b%22%2F%3E",
  ),
  fc.string({ unit: fc.constantFrom(..."abcXYZ019@.%:,-_~"), minLength: 1, maxLength: 12 }),
);

const NAMES = [
  "VER",
  "CVR",
  "USR",
  "XFR",
  "SYN",
  "CHG",
  "ADD",
  "REM",
  "ADG",
  "RMG",
  "REG",
  "REA",
  "BLP",
  "GTC",
  "PRP",
  "LSG",
  "LST",
  "BPR",
  "ILN",
  "NLN",
  "FLN",
  "CHL",
  "QRY",
  "QNG",
  "OUT",
  "RNG",
  "URL",
  "ZZZ",
  "911",
  "540",
  "715",
  "201",
];

const enc = new TextEncoder();
const eol = fc.constantFrom("\r\n", "\r\n", "\r\n", "\n");

// A command line of any known (or unknown) name with random arguments.
const randomLine = fc.tuple(fc.constantFrom(...NAMES), fc.array(token, { maxLength: 7 }), eol)
  .map(([name, args, end]) => enc.encode([name, ...args].join(" ") + end));

// Well-formed commands the login and sync paths look for, with random TrIDs.
const trid = fc.integer({ min: 0, max: 8 });
const plausibleLine = fc.oneof(
  trid.map((t) => `VER ${t} MSNP8`),
  trid.map((t) => `VER ${t} MSNP9 MSNP8 CVR0`),
  trid.map((t) => `VER ${t} 0`),
  trid.map((t) => `CVR ${t} 6.0 6.0 6.0 http://x http://y`),
  trid.map((t) => `USR ${t} TWN S lc=1033,id=507`),
  trid.map((t) => `USR ${t} OK me@example.com Me 1 0`),
  trid.map((t) => `XFR ${t} NS 10.0.0.2:1863 0 10.0.0.1:1863`),
  trid.map((t) => `XFR ${t} SB 10.0.0.2:1863 CKI 1.2.3`),
  fc.tuple(trid, fc.nat(3), fc.nat(2)).map(([t, c, g]) => `SYN ${t} 9 ${c} ${g}`),
  trid.map((t) => `SYN ${t} 0`),
  fc.constantFrom("GTC A", "BLP BL", "PRP PHH 1%202", "LSG 0 Other 0", "LSG 1 G 0"),
  fc.constantFrom("LST a@b.c A 11 0", "LST b@b.c B 3", "BPR MOB Y", "BPR 3 a@b.c PHW 5"),
  fc.constantFrom("ILN 6 NLN a@b.c A 0", "NLN BSY a@b.c A 268435492 %3Cmsnobj%2F%3E"),
  fc.constantFrom("FLN a@b.c", "CHL 0 15570131571988941333", "QNG", "QNG 50", "QNG 0"),
  fc.constantFrom("OUT", "OUT OTH", "OUT SSD", "ADD 0 RL 5 z@b.c Z", "REM 0 RL 6 z@b.c"),
  fc.constantFrom("RNG 1 10.0.0.3:1863 CKI 9.9 a@b.c A", "CHG 6 NLN 0", "CHG 0 FLN"),
  trid.map((t) => `ADG ${t} 12 G 3 0`),
  trid.map((t) => `RMG ${t} 13 1`),
  trid.map((t) => `REA ${t} 14 me@example.com New`),
  fc.tuple(fc.constantFrom("911", "540", "201", "715", "500"), trid).map(([c, t]) => `${c} ${t}`),
).map((line) => enc.encode(line + "\r\n"));

// Payload commands with right, short or wrong lengths.
const payloadCommand = fc.tuple(
  fc.constantFrom("MSG Hotmail Hotmail", "NOT", "IPG", "MSG a@b.c A"),
  fc.oneof(
    fc.constant("MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile\r\nKid: 0\r\n\r\n"),
    fc.constant("Content-Type: text/x-msmsgssystemmessage\r\n\r\nType: 1\r\nArg1: 5\r\n"),
    fc.constant("no header here\r\n\r\n"),
    fc.string({ maxLength: 40 }),
  ),
  fc.integer({ min: -3, max: 3 }),
).map(([head, body, skew]) => {
  const b = enc.encode(body);
  return enc.encode(`${head} ${Math.max(0, b.length + skew)}\r\n${body}`);
});

const serverBytes = fc.oneof(
  { weight: 4, arbitrary: plausibleLine },
  { weight: 3, arbitrary: randomLine },
  { weight: 1, arbitrary: payloadCommand },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }) },
);

const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom("a b", "x\r\nOUT", "line\n", "100%", "é☃", "", " ", "\u0000", "\ud800"),
  fc.string({ minLength: 300, maxLength: 500 }),
);
const passport = fc.oneof(
  fc.constantFrom("bob@example.com", "BOB@example.com", "a b@c", "x\r\n@y", ""),
  text,
);
const smallInt = fc.oneof(fc.integer({ min: -2, max: 31 }), fc.constant(1.5), fc.constant(2 ** 40));

type Action =
  | { kind: "data"; bytes: Uint8Array; chunk: number }
  | { kind: "close" }
  | { kind: "connected" }
  | { kind: "time"; ms: number }
  | { kind: "ticket"; ticket: string }
  | { kind: "passportError" }
  | { kind: "intent"; name: string; args: unknown[] };

const intent = fc.oneof(
  fc.tuple(fc.constantFrom("NLN", "BSY", "HDN", "FLN", "nln"), smallInt).map((
    [s, id],
  ) => ["setStatus", [s, { clientId: id, msnObject: "<msnobj/>" }]] as const),
  text.map((t) => ["rename", [t]] as const),
  fc.tuple(passport, text).map(([p, t]) => ["renameContact", [p, t]] as const),
  fc.tuple(passport, fc.constantFrom("FL", "AL", "BL", "RL"), text, smallInt).map((
    [p, list, name, g],
  ) => ["addContact", [p, { list, friendlyName: name, groupId: g }]] as const),
  fc.tuple(passport, fc.constantFrom("FL", "AL", "BL"), fc.option(smallInt)).map((
    [p, list, g],
  ) => ["removeContact", [p, { list, groupId: g ?? undefined }]] as const),
  text.map((t) => ["addGroup", [t]] as const),
  smallInt.map((g) => ["removeGroup", [g]] as const),
  fc.tuple(smallInt, text).map(([g, t]) => ["renameGroup", [g, t]] as const),
  fc.constantFrom("AL", "BL", "XX").map((m) => ["setPrivacy", [m]] as const),
  fc.constantFrom("A", "N", "Y").map((m) => ["setAddPrompt", [m]] as const),
  fc.tuple(fc.constantFrom("PHH", "MOB", "WWE", "BAD"), text).map((
    [p, v],
  ) => ["setPhone", [p, v]] as const),
  fc.constant(["requestSwitchboard", []] as const),
  fc.constant(["signOut", []] as const),
).map(([name, args]): Action => ({ kind: "intent", name, args: [...args] }));

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.tuple(serverBytes, fc.integer({ min: 1, max: 64 })).map(([bytes, chunk]) => ({
      kind: "data" as const,
      bytes,
      chunk,
    })),
  },
  { weight: 1, arbitrary: fc.constant<Action>({ kind: "close" }) },
  { weight: 1, arbitrary: fc.constant<Action>({ kind: "connected" }) },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 0, max: 90_000 }).map((ms): Action => ({ kind: "time", ms })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom("t=a&p=b", "t=a b", "x\r\ny", "").map((ticket): Action => ({
      kind: "ticket",
      ticket,
    })),
  },
  { weight: 1, arbitrary: fc.constant<Action>({ kind: "passportError" }) },
  { weight: 3, arbitrary: intent },
);

/** Checks one transmit output: exactly one client command, CRLF only at the line end. */
function checkTransmit(bytes: Uint8Array): void {
  const lf = bytes.indexOf(10);
  assert.ok(lf > 0 && bytes[lf - 1] === 13, "a transmitted line ends in CRLF");
  for (let i = 0; i < lf - 1; i++) {
    assert.ok(bytes[i] !== 10 && bytes[i] !== 13, "no CR or LF inside a transmitted line");
  }
  for (let i = lf + 1; i < bytes.length; i++) {
    assert.ok(bytes[i] !== 10 && bytes[i] !== 13, "no CR or LF inside a transmitted payload");
  }
  const decoder = new Decoder({ from: "client" });
  decoder.push(bytes);
  const command = decoder.next();
  assert.ok(command !== undefined && !(command instanceof DecodeError), "decodes as a command");
  assert.equal(decoder.next(), undefined, "exactly one command");
  assert.equal(decoder.bufferedBytes, 0);
  assert.deepEqual(encodeCommand(command), bytes, "re-encodes identically");
}

function prefix(phase: PrefixPhase | "signingOut", version: "MSNP8" | "MSNP9"): TranscriptStep[] {
  if (phase !== "signingOut") return loginTo(phase, version);
  return [...loginTo("online", version), { call: { method: "signOut" } }, { send: "OUT\r\n" }];
}

function run(
  phase: PrefixPhase | "signingOut",
  version: "MSNP8" | "MSNP9",
  actions: Action[],
): void {
  const { session } = replaySession(prefix(phase, version), {
    session: sessionOptions({ protocols: version === "MSNP9" ? ["MSNP9", "MSNP8"] : ["MSNP8"] }),
  });
  let now = 0;
  let signedOut = 0;
  const drain = (s: NotificationSession) => {
    for (let o: SessionOutput | undefined = s.poll(); o !== undefined; o = s.poll()) {
      assert.equal(signedOut, 0, "nothing after signedOut");
      if (o.type === "transmit") checkTransmit(o.bytes);
      if (o.type === "event" && o.event.type === "signedOut") {
        signedOut++;
        if (o.event.reason === "error") assert.ok(o.event.error instanceof SessionError);
      }
    }
  };
  for (const a of actions) {
    try {
      switch (a.kind) {
        case "data":
          for (let i = 0; i < a.bytes.length; i += a.chunk) {
            session.handleData(a.bytes.subarray(i, i + a.chunk), now);
          }
          break;
        case "close":
          session.handleClosed(now);
          break;
        case "time":
          now += a.ms;
          session.handleTimeout(now);
          break;
        case "connected":
          try {
            session.handleConnected(now);
          } catch (e) {
            assert.ok(e instanceof UsageError, `handleConnected threw ${e}`);
          }
          break;
        case "ticket":
          try {
            session.handlePassportTicket(a.ticket, now);
          } catch (e) {
            assert.ok(
              e instanceof UsageError || e instanceof SessionError,
              `handlePassportTicket threw ${e}`,
            );
          }
          break;
        case "passportError":
          try {
            session.handlePassportError({ code: "bad-credentials", message: "no" }, now);
          } catch (e) {
            assert.ok(e instanceof UsageError || e instanceof SessionError);
          }
          break;
        case "intent": {
          const method = (session as unknown as Record<string, (...x: unknown[]) => unknown>)[
            a.name
          ];
          try {
            method.apply(session, a.args);
          } catch (e) {
            assert.ok(
              e instanceof UsageError || e instanceof SessionError,
              `${a.name} threw ${e}`,
            );
            if (e instanceof SessionError) assert.equal(e, session.error);
          }
          break;
        }
      }
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      throw new Error(`${a.kind} in ${session.phase} threw ${e}`, { cause: e });
    }
    drain(session);
    if (session.phase === "closed" || session.phase === "failed") {
      assert.equal(session.pollTimeout(), undefined);
      assert.equal(signedOut, 1);
    }
  }
}

test("random server input, closes, timeouts and intents in every phase only raise typed errors and send well-formed commands", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...PHASES),
      fc.constantFrom("MSNP8" as const, "MSNP9" as const),
      fc.array(action, { minLength: 1, maxLength: 25 }),
      run,
    ),
    { numRuns: 1500, seed: 20261123 },
  );
});

test("random server input with a fresh seed each run", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...PHASES),
      fc.constantFrom("MSNP8" as const, "MSNP9" as const),
      fc.array(action, { minLength: 1, maxLength: 25 }),
      run,
    ),
    { numRuns: 500 },
  );
});

test("urlDecode never throws and agrees with the built-in decoder wherever that accepts the text", () => {
  const escaped = fc.string({
    unit: fc.oneof(
      fc.constantFrom("%", "%2", "%20", "%C3", "%A9", "%E2%98%83", "%ED%A0%80", "%FF", "%zz", "a"),
      fc.string({ maxLength: 2 }),
    ),
    maxLength: 12,
  });
  fc.assert(
    fc.property(escaped, (text) => {
      const decoded = urlDecode(text);
      let strict: string | undefined;
      try {
        strict = decodeURIComponent(text);
      } catch {
        // Malformed: the lenient path decides; it must still not throw.
      }
      if (strict !== undefined) assert.equal(decoded, strict);
    }),
    { numRuns: 5000 },
  );
});
