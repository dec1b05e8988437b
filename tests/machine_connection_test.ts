// The connection core shared by every session kind, tested directly: the
// mechanics the notification and switchboard sessions both rely on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DecodeError, Decoder, EncodeError, png, ver } from "../codec/mod.ts";
import { ConnectionCore } from "../machine/_connection.ts";
import { SessionError, UsageError } from "../machine/mod.ts";
import { bytes } from "./_helpers.ts";

function core(faults: unknown[] = []): ConnectionCore<string> {
  return new ConnectionCore<string>({
    kind: "sb",
    newDecoder: () => new Decoder({ from: "server" }),
    fault: (e) => faults.push(e),
  });
}

const text = (o: unknown) => new TextDecoder().decode((o as { bytes: Uint8Array }).bytes);

test("the connection core's connect output carries its kind and a new decoder per connection", () => {
  const c = core();
  const first = c.decoder;
  c.open("10.0.0.1", 1863);
  assert.deepEqual(c.poll(), { type: "connect", host: "10.0.0.1", port: 1863, kind: "sb" });
  assert.notEqual(c.decoder, first);
  assert.equal(c.connection, "pending");
  c.connected();
  assert.equal(c.connection, "open");
  assert.throws(() => c.connected(), (e) => e instanceof UsageError && e.code === "invalid-state");
  c.close();
  assert.deepEqual(c.poll(), { type: "close" });
  c.close();
  assert.equal(c.poll(), undefined);
});

test("the connection core's TrIDs count from 1 and restart after resetTrids", () => {
  const c = core();
  assert.equal(c.nextTrid(), 1);
  for (let i = 0; i < 3; i++) c.nextTrid();
  c.resetTrids();
  assert.equal(c.nextTrid(), 1);
});

test("the connection core's request sends one transmit, tracks the deadline and settles once", () => {
  const c = core();
  c.now = 100;
  const trid = c.request("PNG?", 30, (t) => ver(t, ["MSNP8"]));
  assert.equal(trid, 1);
  assert.equal(text(c.poll()), "VER 1 MSNP8 CVR0\r\n");
  assert.equal(c.pollTimeout(), 130);
  assert.equal(c.isPending(1), true);
  assert.deepEqual(c.settle(1), { kind: "PNG?", deadline: 130 });
  assert.equal(c.settle(1), undefined);
  assert.equal(c.pollTimeout(), undefined);
});

test("the connection core's pollTimeout is the earliest timer or request deadline; expire takes due ones", () => {
  const c = core();
  c.setTimer("phase", 500);
  c.setTimer("ping", 200);
  c.now = 0;
  c.track(7, "ADD", 300);
  assert.equal(c.pollTimeout(), 200);
  assert.equal(c.timerDue("ping", 199), false);
  assert.equal(c.timerDue("ping", 200), true);
  assert.equal(c.timer("ping"), undefined);
  assert.equal(c.pollTimeout(), 300);
  assert.deepEqual(c.expire(299), []);
  assert.deepEqual(c.expire(300), [[7, { kind: "ADD", deadline: 300 }]]);
  assert.equal(c.pollTimeout(), 500);
  c.end();
  assert.equal(c.pollTimeout(), undefined);
});

test("the connection core's intent turns an EncodeError into UsageError invalid-argument with cause and keeps TrIDs gapless", () => {
  const c = core();
  let caught: unknown;
  try {
    c.intent(5, () => c.request("VER", 10, (t) => ver(t, ["bad version"])));
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof UsageError);
  assert.equal(caught.code, "invalid-argument");
  assert.ok(caught.cause instanceof EncodeError);
  assert.equal(c.now, 5);
  assert.equal(c.poll(), undefined);
  assert.equal(c.nextTrid(), 1);
});

test("the connection core's sticky fatal error is thrown by every later intent", () => {
  const faults: unknown[] = [];
  const c = core(faults);
  const fatal = new SessionError("protocol", "broken", { phase: "online" });
  c.setTimer("phase", 10);
  c.fail(fatal);
  c.fail(new SessionError("timeout", "later", { phase: "online" }));
  assert.equal(c.fatal, fatal);
  assert.equal(c.pollTimeout(), undefined);
  assert.throws(() => c.intent(undefined, () => 1), (e) => e === fatal);
  assert.throws(() => c.intent(undefined, () => 2), (e) => e === fatal);
});

test("the connection core's intent turns any other throw into UsageError invalid-argument without failing", () => {
  const faults: unknown[] = [];
  const c = core(faults);
  const oops = new TypeError("oops");
  assert.throws(
    () =>
      c.intent(undefined, () => {
        throw oops;
      }),
    (e) => e instanceof UsageError && e.code === "invalid-argument" && e.cause === oops,
  );
  assert.deepEqual(faults, []);
  assert.equal(c.fatal, undefined);
});

test("the connection core's drain hands every item to the handler even when one throws", () => {
  const faults: unknown[] = [];
  const c = core(faults);
  c.open("h", 1);
  c.connected();
  assert.equal(c.push(bytes("PNG\r\nBAD\x01LINE\r\nQNG 50\r\nCHL 0 abc\r\n")), true);
  const seen: string[] = [];
  c.drain((item) => {
    if (item instanceof DecodeError) {
      seen.push(`error:${item.code}`);
      return;
    }
    seen.push(item.name);
    if (item.name === "QNG") throw new TypeError("handler broke");
  }, () => false);
  assert.equal(seen.length, 4);
  assert.equal(seen[0], "PNG");
  assert.equal(seen[2], "QNG");
  assert.equal(seen[3], "CHL");
  assert.equal(faults.length, 1);
  assert.ok(faults[0] instanceof TypeError);
});

test("the connection core's input lets typed errors out and sends anything else to the fault hook", () => {
  const faults: unknown[] = [];
  const c = core(faults);
  c.input(42, () => {
    throw new RangeError("x");
  });
  assert.equal(c.now, 42);
  assert.equal(faults.length, 1);
  assert.throws(
    () =>
      c.input(43, () => {
        throw new UsageError("invalid-state", "misuse");
      }),
    UsageError,
  );
  c.transmit(png());
  assert.equal(text(c.poll()), "PNG\r\n");
});
