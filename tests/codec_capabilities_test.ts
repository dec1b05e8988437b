import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ClientCapability,
  describeClientId,
  hasCapability,
  makeClientId,
  MSNC_UNIT,
  msncVersion,
  parseClientId,
} from "../codec/capabilities.ts";
import { EncodeError } from "../codec/errors.ts";
import { PayloadError } from "../codec/mime.ts";

test("ClientCapability holds the documented bit values", () => {
  assert.equal(ClientCapability.MOBILE_DEVICE, 0x01);
  assert.equal(ClientCapability.MSN8_USER, 0x02);
  assert.equal(ClientCapability.INK_GIF, 0x04);
  assert.equal(ClientCapability.INK_ISF, 0x08);
  assert.equal(ClientCapability.WEBCAM, 0x10);
  assert.equal(ClientCapability.MULTI_PACKET, 0x20);
  assert.equal(ClientCapability.MSN_MOBILE, 0x40);
  assert.equal(ClientCapability.MSN_DIRECT, 0x80);
  assert.equal(ClientCapability.WEB_MESSENGER, 0x100);
  assert.equal(ClientCapability.WEB_CLIENT, 0x200);
  assert.equal(ClientCapability.FEDERATED_GATEWAY, 0x800);
  assert.equal(ClientCapability.HAS_SPACE, 0x1000);
  assert.equal(ClientCapability.MEDIA_CENTER, 0x2000);
  assert.equal(ClientCapability.DIRECT_IM, 0x4000);
  assert.equal(ClientCapability.WINKS, 0x8000);
  assert.equal(ClientCapability.SHARED_SEARCH, 0x10000);
  assert.equal(ClientCapability.BOT, 0x20000);
  assert.equal(ClientCapability.VOICE_CLIPS, 0x40000);
});

test("every capability is a distinct single bit below the version nibble", () => {
  const values = Object.values(ClientCapability);
  assert.equal(new Set(values).size, values.length);
  for (const v of values) {
    assert.equal(v & (v - 1), 0);
    assert.ok(v < MSNC_UNIT);
  }
});

test("msncVersion reads the high nibble", () => {
  assert.equal(MSNC_UNIT, 0x10000000);
  assert.equal(msncVersion(0x10000000), 1);
  assert.equal(msncVersion(268435492), 1);
  assert.equal(msncVersion(536870932), 2);
  assert.equal(msncVersion(805306404), 3);
  assert.equal(msncVersion(0x50000000), 5);
  assert.equal(msncVersion(32), 0);
  assert.equal(msncVersion(0), 0);
  assert.equal(msncVersion(0xffffffff), 15);
  assert.equal(msncVersion(0xf0000000), 15);
});

test("msncVersion refuses values outside 0..4294967295", () => {
  for (const bad of [-1, 0x100000000, 1.5, NaN]) {
    assert.throws(
      () => msncVersion(bad),
      (e: unknown) => e instanceof PayloadError && e.code === "INVALID_CLIENT_ID",
    );
  }
});

test("describeClientId splits 268435492 into MSNC1, ink GIF and multi-packet", () => {
  assert.equal(268435492, 0x10000024);
  assert.deepEqual(describeClientId(268435492), {
    msnc: 1,
    flags: ["INK_GIF", "MULTI_PACKET"],
    unknownBits: 0,
  });
});

test("describeClientId reads the MSN 6.2 client ID 805306404", () => {
  assert.deepEqual(describeClientId(805306404), {
    msnc: 3,
    flags: ["INK_GIF", "MULTI_PACKET"],
    unknownBits: 0,
  });
});

test("describeClientId reports unnamed bits and handles the top of the range", () => {
  assert.deepEqual(describeClientId(0x400 | 0x01), {
    msnc: 0,
    flags: ["MOBILE_DEVICE"],
    unknownBits: 0x400,
  });
  const all = describeClientId(0xffffffff);
  assert.equal(all.msnc, 15);
  assert.equal(all.flags.length, Object.keys(ClientCapability).length);
  assert.equal(all.flags[0], "MOBILE_DEVICE");
  assert.equal(all.flags.at(-1), "VOICE_CLIPS");
  assert.equal(all.unknownBits, 0x0fffffff & ~0x7fbff);
  assert.deepEqual(describeClientId(32), { msnc: 0, flags: ["MULTI_PACKET"], unknownBits: 0 });
});

test("makeClientId builds the documented IDs and inverts describeClientId", () => {
  assert.equal(makeClientId(1, ["INK_GIF", "MULTI_PACKET"]), 268435492);
  assert.equal(makeClientId(3, ["MULTI_PACKET", "INK_GIF", "INK_GIF"]), 805306404);
  assert.equal(makeClientId(2, ["WEBCAM", "INK_GIF"]), 536870932);
  assert.equal(makeClientId(0, []), 0);
  assert.equal(makeClientId(15, ["VOICE_CLIPS"]), 0xf0040000);
  for (const id of [0, 32, 268435492, 805306404, 0xf0040000]) {
    const d = describeClientId(id);
    assert.equal(makeClientId(d.msnc, d.flags), id);
  }
});

test("makeClientId refuses bad versions and unknown names", () => {
  const refused = (e: unknown) => e instanceof EncodeError && e.code === "invalid-argument";
  for (const bad of [-1, 16, 1.5]) assert.throws(() => makeClientId(bad, []), refused);
  assert.throws(() => makeClientId(1, ["NOPE" as "BOT"]), refused);
  assert.throws(() => makeClientId(1, ["toString" as "BOT"]), refused);
});

test("hasCapability tests one bit, ignoring the version nibble", () => {
  assert.equal(hasCapability(268435492, ClientCapability.INK_GIF), true);
  assert.equal(hasCapability(268435492, ClientCapability.WEBCAM), false);
  assert.equal(hasCapability(0xf0000000, 0x10000000), false);
});

test("parseClientId reads decimal text and refuses anything else", () => {
  assert.equal(parseClientId("268435492"), 268435492);
  assert.equal(parseClientId("0"), 0);
  assert.equal(parseClientId("4294967295"), 4294967295);
  for (const bad of ["", "-1", "4294967296", "0x20", " 1", "1e3", "99999999999"]) {
    assert.throws(
      () => parseClientId(bad),
      (e: unknown) => e instanceof PayloadError && e.code === "INVALID_CLIENT_ID",
    );
  }
});
