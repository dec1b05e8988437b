// Keeps the benchmark from rotting: its generators and one round of every
// measure at tiny sizes. Nothing here is timed or compared against a bound.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ByteWriter, generateServerStream, Rng, writeTraffic } from "../bench/fixtures.ts";
import { runRounds } from "../bench/harness.ts";
import { defaultConfig, plan } from "../bench/plan.ts";
import { chunked, decodeAll, splitLines } from "../bench/measures.ts";

test("bench: the generated stream decodes to exactly its commands", () => {
  const stream = generateServerStream({ targetBytes: 30_000, contacts: 40 });
  assert.deepEqual(decodeAll(chunked(stream.bytes, 1460)), {
    commands: stream.commands,
    errors: 0,
  });
});

test("bench: the bare splitter finds the same lines at every read size", () => {
  const out = new ByteWriter(1024);
  writeTraffic(out, new Rng(1), { contacts: 10, targetBytes: 4000 });
  const bytes = out.finish();
  const text = new TextDecoder().decode(bytes);
  const lines = text.split("\n").slice(0, -1).map((l) => l.replace(/\r$/, ""));
  const expected = { lines: lines.length, chars: lines.join("").length };
  for (const size of [1, 2, 7, 64, 1460, bytes.length]) {
    assert.deepEqual(splitLines(chunked(bytes, size)), expected, `read size ${size}`);
  }
});

test("bench: one round of every measure runs and yields every ratio", () => {
  const config = {
    ...defaultConfig(true),
    rounds: 1,
    warmup: 0,
    mixedBytes: 20_000,
    mixedContacts: 20,
    synContacts: 50,
    floodBytes: 20_000,
    floodContacts: 20,
    hostileBytes: 9000,
    encodeCommands: 50,
  };
  const p = plan(config);
  const ratios = p.ratios(runRounds(p.measures, config));
  const hostile = ["long-lines", "huge-length", "malformed", "after-64k", "no-line-end"]
    .flatMap((id) => [`${id}:decoder`, `${id}:session`]);
  assert.deepEqual(ratios.map((r) => r.id), [
    "decoder-vs-splitter@1460",
    "decoder-vs-splitter@65536",
    "syn-session-vs-decode",
    "heap-per-contact",
    "online-session-vs-decode",
    ...hostile,
    "encode-vs-textencoder",
  ]);
  for (const r of ratios) {
    assert.equal(r.values.length, 1, r.id);
    assert.ok(Number.isFinite(r.values[0]), r.id);
  }
});
