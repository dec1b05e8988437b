// Reconnection: the backoff schedule (injected timers and random), when it must never happen, what
// a reconnection restores (list cache, status), and a real server restart over TCP.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PassportError } from "../auth/mod.ts";
import {
  Client,
  type ClientEvent,
  type ClientOptions,
  ConnectionError,
  type TraceEntry,
  TransportError,
} from "../io_adapters/mod.ts";
import { backoffDelay, reconnectPolicy } from "../io_adapters/_reconnect.ts";
import { SessionError } from "../machine/mod.ts";
import { type LoopbackServer, startLoopbackServer } from "../testing/mod.ts";
import {
  ACCOUNTS,
  manualTimers,
  sleep,
  TestTransport,
  ticketsFrom,
  within,
} from "./_client_helpers.ts";

function bobOptions(server: LoopbackServer, transport: TestTransport): ClientOptions {
  return {
    account: "bob@example.com",
    password: "hunter2",
    server: { host: "msnp.test", port: 1863 },
    transport,
    passport: { run: ticketsFrom(() => transport.server ?? server) },
  };
}

function record(client: Client): ClientEvent[] {
  const seen: ClientEvent[] = [];
  client.on("*", (event) => seen.push(event));
  return seen;
}

test("backoff doubles from the initial delay up to the cap, and jitter only shortens it within bounds", () => {
  const policy = reconnectPolicy({ initialDelayMs: 1000, maxDelayMs: 10_000, jitter: 0.5 });
  assert.deepStrictEqual(
    [1, 2, 3, 4, 5, 6, 50, 5000].map((n) => backoffDelay(policy, n, 0)),
    [1000, 2000, 4000, 8000, 10_000, 10_000, 10_000, 10_000],
  );
  for (const attempt of [1, 3, 9]) {
    const base = Math.min(10_000, 1000 * 2 ** (attempt - 1));
    for (const r of [0, 0.25, 0.5, 0.999999]) {
      const delay = backoffDelay(policy, attempt, r);
      assert.ok(delay <= base && delay >= base * 0.5, `${attempt}/${r}: ${delay}`);
    }
    assert.equal(backoffDelay(policy, attempt, 0.5), Math.round(base * 0.75));
  }
  assert.equal(backoffDelay(reconnectPolicy({ jitter: 0 }), 2, 0.9), 2000);
  assert.deepStrictEqual(reconnectPolicy(), {
    initialDelayMs: 1000,
    maxDelayMs: 60_000,
    factor: 2,
    jitter: 0.5,
    maxAttempts: Infinity,
  });
  assert.throws(() => reconnectPolicy({ jitter: 2 }), RangeError);
  assert.throws(() => reconnectPolicy({ initialDelayMs: 10, maxDelayMs: 5 }), RangeError);
});

test("after a lost connection the client retries on the backoff schedule, then comes back with the cached list and its status", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  const transport = new TestTransport(server);
  const clock = manualTimers();
  const trace: TraceEntry[] = [];
  try {
    const bob = await Client.connect({
      ...bobOptions(server, transport),
      timers: clock.timers,
      random: () => 0,
      reconnect: { initialDelayMs: 1000, maxDelayMs: 5000 },
      trace: (entry) => trace.push(entry),
    });
    await bob.setStatus("BSY");
    const seen = record(bob);
    transport.refuse = true;
    let next: Promise<ClientEvent> = bob.waitFor("reconnecting");
    server.dropConnection("bob@example.com");
    const delays: number[] = [];
    let restoredStatus: Promise<ClientEvent> | undefined;
    for (let attempt = 1; attempt <= 5; attempt++) {
      const event = await next;
      assert.ok(event.type === "reconnecting" && event.attempt === attempt);
      delays.push(event.delayMs);
      assert.ok(event.cause instanceof ConnectionError, String(event.cause));
      // The first loss is of the notification connection (after the redirect); retries start over.
      assert.equal(event.cause.host, attempt === 1 ? "127.0.0.1" : "msnp.test");
      if (attempt > 1) {
        assert.equal(event.cause.message, "Cannot connect to msnp.test:1863: ECONNREFUSED");
        assert.ok(event.cause.cause instanceof TransportError);
      }
      if (attempt === 5) {
        transport.refuse = false;
        restoredStatus = bob.waitFor("statusChanged");
      }
      next = attempt === 5 ? bob.waitFor("reconnected") : bob.waitFor("reconnecting");
      clock.fire(event.delayMs);
    }
    assert.deepStrictEqual(delays, [1000, 2000, 4000, 5000, 5000]);
    assert.deepStrictEqual(await next, { type: "reconnected", attempt: 5 });
    assert.deepStrictEqual(await restoredStatus, {
      type: "statusChanged",
      status: "BSY",
      clientId: 0,
    });
    assert.equal(bob.session.status, "BSY");
    const synced = seen.find((e) => e.type === "contactsSynced");
    assert.equal(synced?.type === "contactsSynced" && synced.fromCache, true);
    assert.deepStrictEqual(bob.contactList.contacts.map((c) => c.passport), ["alice@example.com"]);
    // The second sign-in asked only for changes since the cached version.
    const syns = trace.filter((e) => e.direction === "send" && e.line.startsWith("SYN "));
    assert.deepStrictEqual(syns.map((e) => e.line.replace(/^SYN \d+ /, "")), ["0", "1"]);
    assert.ok(!seen.some((e) => e.type === "signedOut"), "the lost session is not the end");
    // The attempt counter starts again after a success.
    next = bob.waitFor("reconnecting");
    server.dropConnection("bob@example.com");
    const again = await next;
    assert.equal(again.type === "reconnecting" && again.attempt, 1);
    clock.fire(1000);
    await bob.waitFor("reconnected");
    await bob.close();
  } finally {
    await server.close();
  }
});

test("no reconnection after OUT OTH: signed in elsewhere stays signed out", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  try {
    const transport = new TestTransport(server);
    const first = await Client.connect(bobOptions(server, transport));
    const seen = record(first);
    const second = await Client.connect(bobOptions(server, transport));
    assert.deepStrictEqual(await within(first.closed), {
      type: "signedOut",
      reason: "otherLocation",
    });
    await sleep(50);
    assert.deepStrictEqual(seen.map((e) => e.type), ["signedOut"]);
    await second.close();
  } finally {
    await server.close();
  }
});

test("no further attempt after 911 or bad credentials during a reconnection", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  try {
    for (const failure of ["911", "bad-credentials"] as const) {
      const transport = new TestTransport(server);
      const clock = manualTimers();
      let calls = 0;
      const bob = await Client.connect({
        ...bobOptions(server, transport),
        timers: clock.timers,
        passport: {
          run: (login) => {
            if (++calls === 1) return ticketsFrom(() => server)(login);
            if (failure === "911") {
              return Promise.resolve({ ticket: "t=forged&p=forged", loginUrl: server.loginUrl });
            }
            return Promise.reject(new PassportError("bad-credentials", "Wrong password"));
          },
        },
      });
      const seen = record(bob);
      const retry = bob.waitFor("reconnecting");
      server.dropConnection("bob@example.com");
      clock.fire((await retry).delayMs);
      const end = await within(bob.closed);
      assert.equal(end.reason, "error");
      if (failure === "911") {
        assert.equal(end.error?.code, "server-error");
        assert.equal(end.error?.serverCode, 911);
      } else {
        assert.equal(end.error?.code, "passport-failed");
        assert.equal(end.error?.passportCode, "bad-credentials");
      }
      assert.deepStrictEqual(seen.filter((e) => e.type === "reconnecting").length, 1);
      assert.equal(calls, 2);
    }
  } finally {
    await server.close();
  }
});

test("close() while waiting to reconnect ends the client at once and cancels the retry", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  try {
    const clock = manualTimers();
    const bob = await Client.connect({
      ...bobOptions(server, new TestTransport(server)),
      timers: clock.timers,
      random: () => 0,
    });
    const retry = bob.waitFor("reconnecting");
    server.dropConnection("bob@example.com");
    assert.equal((await retry).delayMs, 1000);
    assert.ok([...clock.pending.values()].some((t) => t.ms === 1000));
    assert.deepStrictEqual(await bob.close(), { type: "signedOut", reason: "client" });
    assert.ok(![...clock.pending.values()].some((t) => t.ms === 1000), "retry timer cleared");
    await assert.rejects(bob.waitFor("reconnected"), SessionError);
  } finally {
    await server.close();
  }
});

test("reconnect: false ends the client when the connection is lost", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  try {
    const bob = await Client.connect({
      ...bobOptions(server, new TestTransport(server)),
      reconnect: false,
    });
    const seen = record(bob);
    server.dropConnection("bob@example.com");
    assert.deepStrictEqual(await bob.closed, { type: "signedOut", reason: "connectionLost" });
    assert.deepStrictEqual(seen.map((e) => e.type), ["signedOut"]);
  } finally {
    await server.close();
  }
});

test("close() counts the sign-out wait from now, not from when the server last spoke", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  try {
    let now = 0;
    const bob = await Client.connect({
      ...bobOptions(server, new TestTransport(server)),
      protocols: ["MSNP8"],
      timeouts: { pingInterval: 1e12 },
      clock: () => now,
      timers: manualTimers().timers,
    });
    now = 1_000_000;
    const closing = bob.close();
    assert.equal(bob.session.phase, "signingOut");
    assert.equal(bob.session.pollTimeout(), 1_005_000);
    assert.deepStrictEqual(await closing, { type: "signedOut", reason: "client" });
  } finally {
    await server.close();
  }
});

test("the server restarts and the client comes back by itself over real TCP", async () => {
  let server = await startLoopbackServer({ accounts: ACCOUNTS });
  const transport = new TestTransport(server);
  try {
    const bob = await Client.connect({
      ...bobOptions(server, transport),
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    const seen = record(bob);
    const back = bob.waitFor("reconnected", undefined, { timeout: 10_000 });
    const online = bob.waitFor("statusChanged", undefined, { timeout: 10_000 });
    await server.close();
    await sleep(60);
    server = await startLoopbackServer({ accounts: ACCOUNTS });
    transport.server = server;
    await back;
    await online;
    assert.deepStrictEqual(server.onlineAccounts(), ["bob@example.com"]);
    assert.equal(bob.session.phase, "online");
    const first = seen.find((e) => e.type === "reconnecting");
    assert.equal(first?.type === "reconnecting" && first.attempt, 1);
    assert.deepStrictEqual(await bob.close(), { type: "signedOut", reason: "client" });
  } finally {
    await server.close();
  }
});
