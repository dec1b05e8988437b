// Issue 4's cost budget: a 100 000-contact SYN (30 groups, 0-3 BPRs per
// contact) through NotificationSession should cost no more than about twice
// decoding the same bytes. Both run on the same bytes in 64 KiB chunks.
//
//   deno bench -A bench/session_bench.ts
//
// The session bench includes creating the session and its login prefix
// (a handful of lines); the SYN dominates.
import { DecodeError, Decoder } from "../codec/mod.ts";
import { NotificationSession } from "../machine/mod.ts";
import { ByteWriter, Rng, writeSyn } from "./fixtures.ts";

const CHUNK = 64 * 1024;
const CONTACTS = 100_000;

function synBytes(): Uint8Array {
  const out = new ByteWriter(16 << 20);
  writeSyn(out, new Rng(0x4d534e50), { contacts: CONTACTS, groups: 30, trid: 5 });
  return out.finish();
}

const SYN = synBytes();
const CHUNKS: Uint8Array[] = [];
for (let i = 0; i < SYN.length; i += CHUNK) CHUNKS.push(SYN.subarray(i, i + CHUNK));
const enc = new TextEncoder();
const LOGIN = [
  "VER 1 MSNP8\r\n",
  "CVR 2 6.0.0602 6.0.0602 6.0.0602 http://x http://y\r\n",
  "USR 3 TWN S lc=1033,id=507\r\n",
].map((s) => enc.encode(s));
const USR_OK = enc.encode("USR 4 OK me@example.com Me 1 0\r\n");
// The server's answer to the initial CHG: the first line after the SYN, which completes the
// contactsSynced snapshot (the last contact's BPRs may come before it).
const CHG_ECHO = enc.encode("CHG 6 NLN 0\r\n");

/** Decoder only: push every chunk and drain. Returns the number of commands. */
export function decodeOnly(): number {
  const decoder = new Decoder({ from: "server" });
  let n = 0;
  for (const chunk of CHUNKS) {
    decoder.push(chunk);
    for (let c = decoder.next(); c !== undefined; c = decoder.next()) {
      if (c instanceof DecodeError) throw c;
      n++;
    }
  }
  return n;
}

/** The session: login to syncing, then the same chunks through handleData. */
export function throughSession(): number {
  const s = new NotificationSession({
    account: "me@example.com",
    protocols: ["MSNP8"],
    timeouts: { sync: 1e9 },
  });
  s.start(0);
  s.handleConnected(0);
  for (const line of LOGIN) s.handleData(line, 0);
  s.handlePassportTicket("t=1&p=2", 0);
  s.handleData(USR_OK, 0);
  while (s.poll() !== undefined);
  for (const chunk of CHUNKS) s.handleData(chunk, 0);
  s.handleData(CHG_ECHO, 0);
  let synced = 0;
  for (let o = s.poll(); o !== undefined; o = s.poll()) {
    if (o.type === "event" && o.event.type === "contactsSynced") {
      synced = o.event.contactList.contacts.length;
    }
  }
  if (synced !== CONTACTS || s.phase !== "online") throw new Error(`sync failed: ${synced}`);
  return synced;
}

if (typeof Deno !== "undefined" && typeof Deno.bench === "function") {
  Deno.bench({
    name: "decode 100k-contact SYN (64 KiB chunks)",
    group: "syn-100k",
    baseline: true,
    fn: () => void decodeOnly(),
  });
  Deno.bench({
    name: "NotificationSession 100k-contact SYN (64 KiB chunks)",
    group: "syn-100k",
    fn: () => void throughSession(),
  });
}
