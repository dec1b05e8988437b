// The wire trace and the real servers' habits: every command line sent and received reaches the
// trace, per connection, with no secret; each command is written in one write; a server that
// never answers QRY hangs nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MSMSGS_PRODUCT } from "../codec/mod.ts";
import { Client, RecordingTransport, runPassport, type TraceEntry } from "../io_adapters/mod.ts";
import { startLoopbackServer, stepBytes } from "../testing/mod.ts";
import { ACCOUNTS, sleep, TestTransport } from "./_client_helpers.ts";

const latin1 = new TextDecoder("latin1");

test("the trace holds every command line of every connection, in order, and no secret", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  try {
    const recorder = new RecordingTransport(new TestTransport(server));
    const trace: TraceEntry[] = [];
    let ticket = "";
    const bob = await Client.connect({
      account: "bob@example.com",
      password: "hunter2",
      server: { host: "msnp.test", port: 1863 },
      transport: recorder,
      trace: (entry) => trace.push(entry),
      passport: {
        nexusUrl: server.nexusUrl,
        allowInsecureLoopback: true,
        run: async (login, options) => {
          const result = await runPassport(login, options);
          ticket = result.ticket;
          return result;
        },
      },
    });
    server.challenge("bob@example.com", "15570131571988941333");
    await bob.setStatus("BSY");
    const { cookie } = await bob.requestSwitchboard();
    await bob.close();

    // Every recorded command (the recorder redacts by the same rules) is one trace entry.
    const asText = (e: TraceEntry) =>
      `${e.direction} ${e.line}\r\n${e.payload ? latin1.decode(e.payload) : ""}`;
    const recorded = recorder.steps.flatMap((s) =>
      "send" in s
        ? [`send ${latin1.decode(stepBytes(s))}`]
        : "recv" in s
        ? [`receive ${latin1.decode(stepBytes(s))}`]
        : []
    );
    assert.deepStrictEqual(trace.map(asText), recorded);
    assert.deepStrictEqual([...new Set(trace.map((e) => `${e.connection} ${e.kind}`))], [
      "1 ns",
      "2 ns",
    ]);
    assert.ok(trace.some((e) => e.line === "USR 4 TWN S [REDACTED]"));
    assert.ok(trace.some((e) => e.direction === "receive" && / CKI \[REDACTED\]$/.test(e.line)));
    const qry = trace.find((e) => e.line.startsWith("QRY "));
    assert.equal(qry?.line, `QRY ${qry?.line.split(" ")[1]} ${MSMSGS_PRODUCT.id} 32`);
    assert.equal(qry?.payload?.length, 32);
    const profile = trace.find((e) => e.line.startsWith("MSG Hotmail"));
    assert.match(latin1.decode(profile?.payload), /MSPAuth: \[REDACTED\]/);

    const t = /t=([^&]+)/.exec(ticket)![1];
    assert.ok(t.length > 8 && cookie.length > 4);
    for (const entry of trace) {
      const text = asText(entry);
      for (const secret of [ticket, t, cookie, "hunter2"]) {
        assert.ok(!text.includes(secret), `secret in trace: ${entry.line}`);
      }
    }
  } finally {
    await server.close();
  }
});

test("each command, line and payload, goes out in exactly one write", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  try {
    const transport = new TestTransport(server);
    const bob = await Client.connect({
      account: "bob@example.com",
      password: "hunter2",
      server: { host: "msnp.test", port: 1863 },
      transport,
      passport: { nexusUrl: server.nexusUrl, allowInsecureLoopback: true },
    });
    server.challenge("bob@example.com");
    await bob.setStatus("AWY");
    await bob.addGroup("Friends");
    await bob.close();
    const writes = transport.writes.map((w) => latin1.decode(w.bytes));
    assert.ok(writes.length >= 10);
    for (const text of writes) {
      const line = text.slice(0, text.indexOf("\r\n") + 2);
      assert.match(line, /^[A-Z]{3}( \S+)*\r\n$/, JSON.stringify(text));
      const rest = text.slice(line.length);
      if (line.startsWith("QRY ")) assert.equal(rest.length, Number(line.trim().split(" ").pop()));
      else assert.equal(rest, "", JSON.stringify(text));
    }
    assert.ok(writes.some((w) => w.startsWith("QRY ") && w.length > 60), "the QRY and its payload");
  } finally {
    await server.close();
  }
});

test("a server that never answers QRY, or never sends CHL, hangs nothing", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  try {
    const transport = new TestTransport(server);
    transport.dropReceived = /^QRY \d+\r\n/gm;
    const bob = await Client.connect({
      account: "bob@example.com",
      password: "hunter2",
      server: { host: "msnp.test", port: 1863 },
      transport,
      timeouts: { request: 100 },
      passport: { nexusUrl: server.nexusUrl, allowInsecureLoopback: true },
    });
    // No CHL so far: the sign-in never waited for one.
    assert.equal(bob.session.phase, "online");
    server.challenge("bob@example.com");
    await sleep(300); // past the request timeout of the unanswered QRY
    assert.equal(bob.session.phase, "online");
    assert.equal((await bob.setStatus("BSY")).status, "BSY");
    assert.deepStrictEqual(await bob.close(), { type: "signedOut", reason: "client" });
  } finally {
    await server.close();
  }
});
