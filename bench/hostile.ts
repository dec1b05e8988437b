/**
 * Hostile stream shapes (issue 9's performance guard), each paired with a
 * valid stream of about the same size that is fed in the same read size.
 * A server that sends the hostile shape must not cost the client much more
 * per byte than one that sends ordinary traffic.
 *
 * @module
 */

import { ByteWriter, contactEmail, Rng, writeTraffic } from "./fixtures.ts";

/** One hostile shape and its valid counterpart. */
export interface HostileCase {
  /** Short stable id (`long-lines`, ...). */
  id: string;
  /** What the shape is, for the report. */
  label: string;
  /** The hostile bytes. */
  hostile: Uint8Array;
  /** Valid traffic of about the same size. */
  valid: Uint8Array;
  /** Read size both are fed in. */
  readSize: number;
}

const SEED = 0x686f7374; // "host"

/** Ordinary online traffic about `contacts` contacts, cut to about `size` bytes. */
export function validTraffic(size: number, contacts: number, short = false): Uint8Array {
  const out = new ByteWriter(size + 70_000);
  writeTraffic(out, new Rng(SEED), { contacts, targetBytes: size, shortLinesOnly: short });
  return out.finish();
}

/**
 * The hostile shapes, each about `size` bytes, about contacts
 * `0 .. contacts-1` of a signed-in session:
 *
 * - `long-lines`: presence lines just under the 8192-byte line limit
 *   (URL-encoded multi-byte names of about 8 KB);
 * - `huge-length`: `MSG` claiming a 4 GiB payload, then ordinary traffic;
 * - `malformed`: presence lines that each carry one defect (invalid UTF-8,
 *   a non-numeric TrID, a lower-case command name, a missing argument);
 * - `after-64k`: one legal 64 KiB payload, then short lines in 16-byte reads;
 * - `no-line-end`: a command name and `size` bytes without a line end, in 64-byte reads.
 */
export function hostileCases(size: number, contacts: number): HostileCase[] {
  return [
    longLines(size, contacts),
    hugeLength(size, contacts),
    malformed(size, contacts),
    after64k(size, contacts),
    noLineEnd(size, contacts),
  ];
}

function longLines(size: number, contacts: number): HostileCase {
  const rng = new Rng(SEED);
  const out = new ByteWriter(size + 16_384);
  // "你" is %E4%BD%A0: 9 bytes on the wire, one UTF-16 unit decoded.
  const name = "%E4%BD%A0a%20".repeat(8000 / 13);
  while (out.length < size) {
    const email = contactEmail(rng.int(contacts));
    out.line(`NLN NLN ${email} ${name} 268435492`);
  }
  return {
    id: "long-lines",
    label: "lines of ~8 KB (limit 8192)",
    hostile: out.finish(),
    valid: validTraffic(size, contacts),
    readSize: 1460,
  };
}

function hugeLength(size: number, contacts: number): HostileCase {
  const out = new ByteWriter(size + 70_000);
  out.line("MSG Hotmail Hotmail 4294967295");
  writeTraffic(out, new Rng(SEED), { contacts, targetBytes: size });
  return {
    id: "huge-length",
    label: "MSG claiming 4 GiB, then traffic",
    hostile: out.finish(),
    valid: validTraffic(size, contacts),
    readSize: 1460,
  };
}

function malformed(size: number, contacts: number): HostileCase {
  const rng = new Rng(SEED);
  const out = new ByteWriter(size + 4096);
  const bad = new Uint8Array([0xc3, 0x28, 0xff, 0xfe]);
  let i = 0;
  while (out.length < size) {
    const email = contactEmail(rng.int(contacts));
    const name = `Name%20${rng.int(1e6)}%20%E2%98%85%20with%20some%20length`;
    switch (i++ % 4) {
      case 0: // invalid UTF-8 in the name
        out.text(`NLN NLN ${email} ${name}`);
        out.bytes(bad);
        out.line(" 268435492");
        break;
      case 1:
        out.line(`ILN x${rng.int(1000)} NLN ${email} ${name} 268435492`);
        break;
      case 2:
        out.line(`nln NLN ${email} ${name} 268435492`);
        break;
      default: // no client id: the command view refuses it
        out.line(`NLN NLN ${email}`);
    }
  }
  return {
    id: "malformed",
    label: "presence lines with one defect each",
    hostile: out.finish(),
    valid: validTraffic(size, contacts),
    readSize: 1460,
  };
}

function after64k(size: number, contacts: number): HostileCase {
  const head = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n";
  const body = head + "x".repeat(65536 - head.length);
  const rest = validTraffic(size, contacts, true);
  const hostile = new ByteWriter(size + 70_000);
  hostile.msg("Hotmail", "Hotmail", body);
  hostile.bytes(rest);
  // The valid stream has the same short lines after ordinary traffic of the same size.
  const valid = new ByteWriter(size + 140_000);
  writeTraffic(valid, new Rng(SEED ^ 1), { contacts, targetBytes: 65_600, shortLinesOnly: true });
  valid.bytes(rest);
  return {
    id: "after-64k",
    label: "64 KiB payload, then short lines, 16-byte reads",
    hostile: hostile.finish(),
    valid: valid.finish(),
    readSize: 16,
  };
}

function noLineEnd(size: number, contacts: number): HostileCase {
  const hostile = new Uint8Array(size);
  hostile.fill(0x61); // "a"
  hostile.set(new TextEncoder().encode("NLN "));
  return {
    id: "no-line-end",
    label: `${(size / 1048576).toFixed(2)} MiB without a line end, 64-byte reads`,
    hostile,
    valid: validTraffic(size, contacts),
    readSize: 64,
  };
}
