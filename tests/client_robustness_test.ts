// Client driver edge cases: Passport cancelled when the client ends, a ticket the session refuses,
// timers beyond setTimeout's range, and the exact QRY bytes on the wire.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MSMSGS_PRODUCT } from "../codec/mod.ts";
import {
  Client,
  type ClientOptions,
  defaultTransport,
  RecordingTransport,
} from "../io_adapters/mod.ts";
import { SessionError } from "../machine/mod.ts";
import { startLoopbackServer, stepBytes } from "../testing/mod.ts";

const ACCOUNTS = [
  { passport: "bob@example.com", password: "hunter2", friendlyName: "Bob" },
];

test("a Passport sign-in still running is cancelled when the client ends", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  try {
    let seen: AbortSignal | undefined;
    const options: ClientOptions = {
      account: "bob@example.com",
      password: "hunter2",
      server: server.dispatchAddress,
      timeouts: { passport: 200 },
      passport: {
        nexusUrl: server.nexusUrl,
        allowInsecureLoopback: true,
        // A Passport server that never answers.
        fetch: (_request, signal) => {
          seen = signal;
          return new Promise(() => {});
        },
      },
    };
    await assert.rejects(
      Client.connect(options),
      (e: unknown) =>
        e instanceof SessionError && e.code === "timeout" && e.phase === "authenticating",
    );
    assert.equal(seen?.aborted, true);
  } finally {
    await server.close();
  }
});

test("a ticket that cannot go on an MSNP line fails the sign-in at once, typed", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  try {
    const started = performance.now();
    await assert.rejects(
      Client.connect({
        account: "bob@example.com",
        password: "hunter2",
        server: server.dispatchAddress,
        passport: {
          run: () => Promise.resolve({ ticket: "t=X Y&p=x", loginUrl: "https://x.invalid/" }),
        },
      }),
      (e: unknown) =>
        e instanceof SessionError && e.code === "passport-failed" && e.passportCode === "protocol",
    );
    assert.ok(performance.now() - started < 5000);
  } finally {
    await server.close();
  }
});

test("timeouts beyond setTimeout's range do not spin the timer", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  try {
    let reads = 0;
    const bob = await Client.connect({
      account: "bob@example.com",
      password: "hunter2",
      server: server.dispatchAddress,
      passport: { nexusUrl: server.nexusUrl, allowInsecureLoopback: true },
      timeouts: { pingInterval: 3e9, request: 3e9 },
      clock: () => {
        reads++;
        return performance.now();
      },
    });
    const before = reads;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(reads - before < 5, `clock read ${reads - before} times while idle`);
    await bob.close();
  } finally {
    await server.close();
  }
});

test("a CHL from the server is answered with the exact QRY bytes", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  try {
    const recorder = new RecordingTransport(defaultTransport());
    const bob = await Client.connect({
      account: "bob@example.com",
      password: "hunter2",
      server: server.dispatchAddress,
      transport: recorder,
      passport: { nexusUrl: server.nexusUrl, allowInsecureLoopback: true },
    });
    server.challenge("bob@example.com", "15570131571988941333");
    await bob.setStatus("BSY"); // a round trip after the CHL, so the QRY has been answered
    const sent = recorder.steps.filter((s) => "send" in s).map((s) =>
      new TextDecoder().decode(stepBytes(s))
    );
    const qry = sent.find((s) => s.startsWith("QRY "));
    const trid = /^QRY (\d+) /.exec(qry ?? "")?.[1];
    assert.equal(qry, `QRY ${trid} ${MSMSGS_PRODUCT.id} 32\r\n8f2f5a91b72102cd28355e9fc9000d6e`);
    const received = recorder.steps.filter((s) => "recv" in s).map((s) =>
      new TextDecoder().decode(stepBytes(s))
    );
    assert.ok(received.includes(`QRY ${trid}\r\n`), "the server accepted the answer");
    assert.equal(bob.session.phase, "online");
    await bob.close();
  } finally {
    await server.close();
  }
});

test("aborting while Passport runs rejects with aborted and cancels the Passport request", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  try {
    let seen: AbortSignal | undefined;
    const controller = new AbortController();
    const pending = Client.connect({
      account: "bob@example.com",
      password: "hunter2",
      server: server.dispatchAddress,
      signal: controller.signal,
      passport: {
        nexusUrl: server.nexusUrl,
        allowInsecureLoopback: true,
        fetch: (_request, signal) => {
          seen = signal;
          controller.abort(); // the application gives up while Passport is running
          return new Promise(() => {});
        },
      },
    });
    await assert.rejects(
      pending,
      (e: unknown) => e instanceof SessionError && e.code === "aborted",
    );
    assert.equal(seen?.aborted, true);
  } finally {
    await server.close();
  }
});
