import { test } from "node:test";
import assert from "node:assert/strict";
import {
  add,
  adg,
  blp,
  type Command,
  DecodeError,
  encodeCommand,
  gtc,
  prp,
  rea,
  reg,
  rem,
  rmg,
} from "../codec/mod.ts";
import { parseClientListCommand } from "../codec/_client_views.ts";
import { decodeChunks } from "./_helpers.ts";

/** Encodes `command` and reads it back as the loopback server does, at every chunking. */
function roundTrip(command: Command): unknown {
  const bytes = encodeCommand(command);
  const seen = new Set<string>();
  let view: unknown;
  for (let split = 1; split <= bytes.length; split++) {
    const chunks = [bytes.subarray(0, split), bytes.subarray(split)];
    const [decoded] = decodeChunks(chunks, { from: "client" });
    assert.ok(decoded !== undefined && !(decoded instanceof Error));
    view = parseClientListCommand(decoded as Command);
    seen.add(JSON.stringify(view));
  }
  assert.equal(seen.size, 1);
  return view;
}

test("client list views read back exactly what the builders write", () => {
  assert.deepEqual(roundTrip(add(5, "FL", "bob@x.com", { friendlyName: "Bob B", groupId: 3 })), {
    type: "ADD",
    trid: 5,
    list: "FL",
    passport: "bob@x.com",
    name: "Bob B",
    groupId: 3,
  });
  assert.deepEqual(roundTrip(add(6, "BL", "eve@x.com")), {
    type: "ADD",
    trid: 6,
    list: "BL",
    passport: "eve@x.com",
    name: "eve@x.com",
  });
  assert.deepEqual(roundTrip(rem(7, "FL", "bob@x.com", { groupId: 0 })), {
    type: "REM",
    trid: 7,
    list: "FL",
    passport: "bob@x.com",
    groupId: 0,
  });
  assert.deepEqual(roundTrip(adg(8, "Best friends")), {
    type: "ADG",
    trid: 8,
    name: "Best friends",
  });
  assert.deepEqual(roundTrip(rmg(9, 4)), { type: "RMG", trid: 9, groupId: 4 });
  assert.deepEqual(roundTrip(reg(10, 4, "Work 😀")), {
    type: "REG",
    trid: 10,
    groupId: 4,
    name: "Work 😀",
  });
  assert.deepEqual(roundTrip(rea(11, "me@x.com", "Me %1")), {
    type: "REA",
    trid: 11,
    passport: "me@x.com",
    name: "Me %1",
  });
  assert.deepEqual(roundTrip(blp(12, "BL")), { type: "BLP", trid: 12, mode: "BL" });
  assert.deepEqual(roundTrip(gtc(13, "N")), { type: "GTC", trid: 13, mode: "N" });
  assert.deepEqual(roundTrip(prp(14, "PHH", "555 1234")), {
    type: "PRP",
    trid: 14,
    property: "PHH",
    value: "555 1234",
  });
  assert.deepEqual(roundTrip(prp(15, "MOB", "")), {
    type: "PRP",
    trid: 15,
    property: "MOB",
    value: "",
  });
});

test("client list views refuse missing or malformed arguments with a non-fatal DecodeError", () => {
  const bad: Command[] = [
    { name: "ADD", trid: 1, args: ["FL", "bob@x.com"] },
    { name: "ADD", trid: 1, args: ["XL", "bob@x.com", "Bob"] },
    { name: "ADD", trid: 1, args: ["FL", "bob@x.com", "Bob", "one"] },
    { name: "REM", trid: 1, args: ["FL"] },
    { name: "ADG", trid: 1, args: [] },
    { name: "RMG", trid: 1, args: ["-1"] },
    { name: "REG", trid: 1, args: ["x", "Name"] },
    { name: "REA", trid: 1, args: ["me@x.com"] },
  ];
  for (const command of bad) {
    assert.throws(
      () => parseClientListCommand(command),
      (e: unknown) => e instanceof DecodeError && e.code === "invalid-arguments" && !e.fatal,
      command.name,
    );
  }
  assert.equal(parseClientListCommand({ name: "CHG", trid: 1, args: ["NLN"] }), undefined);
  assert.deepEqual(parseClientListCommand({ name: "BLP", trid: 2, args: [] }), {
    type: "BLP",
    trid: 2,
    mode: "",
  });
});
