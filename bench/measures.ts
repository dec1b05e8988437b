/**
 * The measured loops, all fed the same pre-cut chunks: a bare line splitter
 * (the baseline), the `Decoder`, and a `NotificationSession` driven the way
 * a driver drives it (data in, outputs polled after each read). Also the
 * untimed part: signing a session in with canned server replies.
 *
 * @module
 */

import { DecodeError, Decoder } from "../codec/mod.ts";
import { NotificationSession, type SessionOutput } from "../machine/mod.ts";
import { ByteWriter, Rng, writeSyn } from "./fixtures.ts";

/** Cuts `bytes` into `size`-byte views (the last may be shorter), as reads from a socket. */
export function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

const lineDecoder = new TextDecoder();

/** What {@link splitLines} saw. */
export interface SplitResult {
  /** LF-terminated lines. */
  lines: number;
  /** UTF-16 code units in them (line ends excluded). */
  chars: number;
}

/**
 * The baseline: the least a line reader fed socket reads can do. Finds each
 * LF with `indexOf`, drops a CR before it, and makes one string per line
 * with one `TextDecoder.decode` call (non-fatal UTF-8); a line cut by a read
 * boundary is carried over in one growing buffer. No tokens, TrIDs, payload
 * framing (payload lines are just lines), limits or errors.
 */
export function splitLines(chunks: readonly Uint8Array[]): SplitResult {
  let carry: Uint8Array = new Uint8Array(4096);
  let carried = 0;
  let lines = 0;
  let chars = 0;
  for (const chunk of chunks) {
    let start = 0;
    let lf = chunk.indexOf(10);
    if (carried > 0 && lf !== -1) {
      if (carried + lf > carry.length) carry = grow(carry, carried, carried + lf);
      carry.set(chunk.subarray(0, lf), carried);
      carried += lf;
      const end = carry[carried - 1] === 13 ? carried - 1 : carried;
      chars += lineDecoder.decode(carry.subarray(0, end)).length;
      lines++;
      carried = 0;
      start = lf + 1;
      lf = chunk.indexOf(10, start);
    }
    for (; lf !== -1; lf = chunk.indexOf(10, start)) {
      const end = lf > start && chunk[lf - 1] === 13 ? lf - 1 : lf;
      chars += lineDecoder.decode(chunk.subarray(start, end)).length;
      lines++;
      start = lf + 1;
    }
    const rest = chunk.length - start;
    if (rest > 0) {
      if (carried + rest > carry.length) carry = grow(carry, carried, carried + rest);
      carry.set(chunk.subarray(start), carried);
      carried += rest;
    }
  }
  return { lines, chars };
}

function grow(buffer: Uint8Array, used: number, need: number): Uint8Array {
  const grown = new Uint8Array(Math.max(need, buffer.length * 2));
  grown.set(buffer.subarray(0, used));
  return grown;
}

/** What {@link decodeAll} saw. */
export interface Decoded {
  /** Commands decoded. */
  commands: number;
  /** Decode errors, fatal or not. */
  errors: number;
}

/**
 * A fresh `Decoder` fed `chunks`, drained with `next()` after each push, as a
 * driver does. Counts commands and errors; stops at a fatal error.
 */
export function decodeAll(chunks: readonly Uint8Array[]): Decoded {
  const decoder = new Decoder({ from: "server" });
  let commands = 0;
  let errors = 0;
  for (const chunk of chunks) {
    decoder.push(chunk);
    for (let item = decoder.next(); item !== undefined; item = decoder.next()) {
      if (item instanceof DecodeError) {
        errors++;
        if (item.fatal) return { commands, errors };
      } else commands++;
    }
  }
  return { commands, errors };
}

/** The number of outputs of each kind a session produced. */
export interface SessionTally {
  /** All outputs polled. */
  outputs: number;
  /** `warning` events. */
  warnings: number;
  /** `transmit` outputs (answers to `CHL`, ...). */
  transmits: number;
  /** Contacts in the last `contactsSynced` event, if any. */
  synced: number;
}

/**
 * Feeds `chunks` to a session with `handleData` and polls every output after
 * each read, as a driver does.
 */
export function feedSession(
  session: NotificationSession,
  chunks: readonly Uint8Array[],
): SessionTally {
  const tally: SessionTally = { outputs: 0, warnings: 0, transmits: 0, synced: 0 };
  for (const chunk of chunks) {
    session.handleData(chunk, 0);
    for (let o = session.poll(); o !== undefined; o = session.poll()) count(tally, o);
  }
  return tally;
}

function count(tally: SessionTally, o: SessionOutput): void {
  tally.outputs++;
  if (o.type === "transmit") tally.transmits++;
  else if (o.type === "event") {
    if (o.event.type === "warning") tally.warnings++;
    else if (o.event.type === "contactsSynced") {
      tally.synced = o.event.contactList.contacts.length;
    }
  }
}

/** The account the benchmark signs in. */
export const ACCOUNT = "example@hotmail.com";

const text = new TextEncoder();
const latin = new TextDecoder();

/** A session in the `syncing` phase, its `SYN` sent, and the TrIDs it used. */
export interface SyncingSession {
  /** The session. */
  session: NotificationSession;
  /** TrID of the `SYN` it sent (the reply must carry it). */
  synTrid: number;
}

/**
 * A new session driven through VER, CVR, USR TWN, Passport (a canned ticket)
 * and USR OK with canned replies that echo the TrIDs it sent, up to the
 * `SYN` it sends. Nothing here is timed.
 */
export function syncingSession(): SyncingSession {
  const session = new NotificationSession({
    account: ACCOUNT,
    protocols: ["MSNP8"],
    // The benchmark's clock stands still at 0; no deadline must ever pass.
    timeouts: { sync: 1e9, request: 1e9 },
  });
  session.start(0);
  let synTrid: number | undefined;
  for (let o = session.poll(); o !== undefined; o = session.poll()) {
    if (o.type === "connect") session.handleConnected(0);
    else if (o.type === "passport") session.handlePassportTicket("t=bench&p=bench", 0);
    else if (o.type === "transmit") {
      const line = latin.decode(o.bytes);
      const [name, trid] = line.split(" ");
      const reply = (s: string) => session.handleData(text.encode(`${s}\r\n`), 0);
      if (name === "VER") reply(`VER ${trid} MSNP8 CVR0`);
      else if (name === "CVR") reply(`CVR ${trid} 6.2.0137 6.2.0137 6.2.0137 http://x http://y`);
      else if (name === "USR" && line.includes(" TWN I ")) {
        reply(`USR ${trid} TWN S lc=1033,id=507,tw=40,fs=1,ct=1062764229,kpp=1,kv=5`);
      } else if (name === "USR") reply(`USR ${trid} OK ${ACCOUNT} Example%20User 1 0`);
      else if (name === "SYN") synTrid = Number(trid);
    } else if (o.type === "event" && o.event.type === "signedOut") {
      throw new Error(`Cannot sign the benchmark session in: ${o.event.error?.message}`);
    }
  }
  if (synTrid === undefined) throw new Error("Cannot sign the benchmark session in: no SYN");
  return { session, synTrid };
}

/**
 * The server's whole answer to `SYN synTrid`, then its echo of the initial
 * `CHG` (the line that lets the session hand the synced list out): what a
 * session in {@link syncingSession}'s state is fed to go online.
 */
export function synReply(contacts: number, synTrid: number): Uint8Array {
  const out = new ByteWriter(contacts * 150 + 4096);
  writeSyn(out, new Rng(0x4d534e50), { contacts, groups: 30, trid: synTrid });
  // The session's initial CHG takes the next TrID.
  out.line(`CHG ${synTrid + 1} NLN 0`);
  return out.finish();
}

/** An online session with `contacts` contacts; the TrID its next request will take. */
export interface OnlineSession {
  /** The session, online, every output polled. */
  session: NotificationSession;
  /** The TrID of its next request (its first `QRY`). */
  nextTrid: number;
}

const synCache = new Map<string, Uint8Array[]>();

/** A session signed in and synced with `contacts` contacts (64 KiB reads); not timed. */
export function onlineSession(contacts: number): OnlineSession {
  const { session, synTrid } = syncingSession();
  const key = `${contacts}/${synTrid}`;
  let chunks = synCache.get(key);
  if (chunks === undefined) {
    chunks = chunked(synReply(contacts, synTrid), 65536);
    synCache.set(key, chunks);
  }
  const tally = feedSession(session, chunks);
  if (session.phase !== "online" || tally.synced !== contacts || tally.warnings !== 0) {
    throw new Error(`Cannot bring the benchmark session online: ${session.phase}`);
  }
  return { session, nextTrid: synTrid + 2 };
}
