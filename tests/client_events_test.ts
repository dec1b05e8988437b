// The event API and errors you can act on: handlers that each see every event, one iterator or a
// loud refusal, waitFor with signal and timeout, dropped events reported, asyncDispose, typed
// request errors, connection errors that name the server, and no secret in any message.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Client,
  type ClientEvent,
  type ClientOptions,
  ClientUsageError,
  ConnectionError,
  RequestError,
  TransportError,
  WaitTimeoutError,
} from "../io_adapters/mod.ts";
import { SessionError } from "../machine/mod.ts";
import { type LoopbackServer, startLoopbackServer } from "../testing/mod.ts";
import { ACCOUNTS, manualTimers, sleep } from "./_client_helpers.ts";

function options(server: LoopbackServer, password = "hunter2"): ClientOptions {
  return {
    account: "bob@example.com",
    password,
    server: server.dispatchAddress,
    passport: { nexusUrl: server.nexusUrl, allowInsecureLoopback: true },
  };
}

test("every handler sees every event; a second concurrent loop is refused, a later one goes on", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  try {
    const bob = await Client.connect(options(server));
    const a: string[] = [];
    const b: string[] = [];
    const presence: string[] = [];
    bob.on("*", (e) => a.push(e.type));
    const offB = bob.on("*", (e) => b.push(e.type));
    bob.on("presence", (e) => presence.push(`${e.passport} ${e.status}`));
    let onceCount = 0;
    bob.once("statusChanged", () => onceCount++);

    const loop = bob.events[Symbol.asyncIterator]();
    assert.equal((await loop.next()).value?.type, "connecting"); // buffered from sign-in on
    assert.throws(
      () => bob.events[Symbol.asyncIterator](),
      (e: unknown) => e instanceof ClientUsageError && e.code === "events-consumed",
    );
    await loop.return!();
    const again = bob.events[Symbol.asyncIterator]();
    assert.equal((await again.next()).value?.type, "redirected");
    await again.return!();

    const online = bob.waitFor("presence", (e) => e.passport === "alice@example.com", {
      timeout: 5000,
    });
    const alice = await Client.connect({
      ...options(server),
      account: "alice@example.com",
      password: "alice-secret",
    });
    await online;
    await bob.setStatus("BSY");
    await bob.setStatus("AWY");
    offB();
    await bob.close();
    await alice.close();
    assert.deepStrictEqual(presence, ["alice@example.com NLN"]);
    assert.equal(onceCount, 1);
    assert.deepStrictEqual(a.slice(0, b.length), b);
    assert.deepStrictEqual(a.filter((t) => t === "statusChanged").length, 2);
    assert.equal(a.at(-1), "signedOut");
  } finally {
    await server.close();
  }
});

test("waitFor rejects on timeout, on abort, and with the final error when the client ends", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  try {
    const clock = manualTimers();
    const bob = await Client.connect({
      ...options(server),
      timers: clock.timers,
      reconnect: false,
    });
    const timed = bob.waitFor("addedBy", undefined, { timeout: 1234 });
    clock.fire(1234);
    await assert.rejects(
      timed,
      (e: unknown) => e instanceof WaitTimeoutError && e.code === "timeout",
    );
    const controller = new AbortController();
    const aborted = bob.waitFor("addedBy", undefined, { signal: controller.signal });
    controller.abort(new Error("no longer interested"));
    await assert.rejects(aborted, /no longer interested/);
    const ending = bob.waitFor("addedBy");
    server.kick("bob@example.com", "OTH");
    await assert.rejects(ending, SessionError);
    await assert.rejects(bob.waitFor("presence"), SessionError);
  } finally {
    await server.close();
  }
});

test("onEvent sees the sign-in's events, sync progress included, before connect resolves", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  try {
    const seen: ClientEvent[] = [];
    const bob = await Client.connect({ ...options(server), onEvent: (e) => seen.push(e) });
    assert.deepStrictEqual(seen.map((e) => e.type), [
      "connecting",
      "redirected",
      "connecting",
      "authenticating",
      "signedIn",
      "profile",
      "syncProgress",
      "contactsSynced",
      "statusChanged",
    ]);
    assert.deepStrictEqual(seen[6], { type: "syncProgress", received: 0, total: 1 });
    await bob.close();
    assert.deepStrictEqual(seen.slice(9).map((e) => e.type), ["signedOut"]);
  } finally {
    await server.close();
  }
});

test("events beyond maxBufferedEvents are dropped and the loop is told how many", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  try {
    const bob = await Client.connect({ ...options(server), maxBufferedEvents: 3 });
    await bob.close();
    const seen: ClientEvent[] = [];
    for await (const event of bob.events) seen.push(event);
    assert.equal(bob.droppedEvents, 7);
    assert.deepStrictEqual(seen[0], { type: "eventsDropped", count: 7 });
    assert.deepStrictEqual(seen.map((e) => e.type), [
      "eventsDropped",
      "contactsSynced",
      "statusChanged",
      "signedOut",
    ]);
  } finally {
    await server.close();
  }
});

test("Symbol.asyncDispose signs out", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  try {
    const bob = await Client.connect(options(server));
    await bob[Symbol.asyncDispose]();
    assert.deepStrictEqual(await bob.closed, { type: "signedOut", reason: "client" });
    assert.deepStrictEqual(server.onlineAccounts(), []);
  } finally {
    await server.close();
  }
});

test("each intent takes an AbortSignal; a lost connection rejects pending requests, typed", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  try {
    const bob = await Client.connect({ ...options(server), reconnect: false });
    const done = new AbortController();
    done.abort();
    await assert.rejects(
      bob.rename("Robert", { signal: done.signal }),
      (e: unknown) =>
        e instanceof RequestError && e.code === "aborted" && e.message === "Cannot rename: aborted",
    );
    server.pause("bob@example.com");
    const controller = new AbortController();
    const pending = bob.addContact("carol@example.com", { signal: controller.signal });
    controller.abort();
    await assert.rejects(
      pending,
      (e: unknown) => e instanceof RequestError && e.code === "aborted",
    );
    const lost = bob.addGroup("Friends");
    server.dropConnection("bob@example.com");
    await assert.rejects(lost, (e: unknown) => {
      assert.ok(e instanceof RequestError);
      assert.equal(e.code, "connection-lost");
      assert.equal(e.message, "Cannot add group: the connection ended before the answer");
      return true;
    });
  } finally {
    await server.close();
  }
});

test("a connection error names host:port and keeps the transport error as cause, with no secret", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  const port = server.dispatchAddress.port;
  await server.close();
  const password = "s3cr,%t pässwörd";
  await assert.rejects(
    Client.connect({ ...options(server, password), server: { host: "127.0.0.1", port } }),
    (e: unknown) => {
      assert.ok(e instanceof ConnectionError && e instanceof SessionError);
      assert.equal(e.code, "connection-lost");
      assert.equal(e.phase, "connecting");
      assert.equal(e.host, "127.0.0.1");
      assert.equal(e.port, port);
      assert.match(e.message, new RegExp(`^Cannot connect to 127\\.0\\.0\\.1:${port}: `));
      assert.ok(e.cause instanceof TransportError);
      assert.equal(e.cause.code, "connect-failed");
      for (const text of [e.message, String(e), e.stack ?? "", String(e.cause)]) {
        assert.ok(!text.includes(password) && !text.includes(encodeURIComponent(password)));
      }
      return true;
    },
  );
});

test("a server that stops answering during sign-in is named in the timeout error", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS, dispatch: false });
  try {
    // A peer that accepts and never speaks: the VER reply never comes.
    const { createServer } = await import("node:net");
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      await assert.rejects(
        Client.connect({
          ...options(server),
          server: { host: "127.0.0.1", port },
          timeouts: { handshake: 50 },
        }),
        (e: unknown) =>
          e instanceof ConnectionError && e.code === "timeout" && e.phase === "negotiating" &&
          e.message.endsWith(`(127.0.0.1:${port})`),
      );
    } finally {
      silent.close();
    }
  } finally {
    await server.close();
  }
});

test("an aborted sign-in reports the phase it was in", async () => {
  const server = await startLoopbackServer({ accounts: ACCOUNTS });
  try {
    const controller = new AbortController();
    const pending = Client.connect({
      ...options(server),
      signal: controller.signal,
      passport: {
        nexusUrl: server.nexusUrl,
        allowInsecureLoopback: true,
        fetch: () => {
          controller.abort();
          return new Promise(() => {});
        },
      },
    });
    await assert.rejects(pending, (e: unknown) => {
      assert.ok(e instanceof SessionError);
      assert.equal(e.code, "aborted");
      assert.equal(e.phase, "authenticating");
      assert.equal(e.message, "Sign-in aborted while authenticating");
      return true;
    });
    await sleep(10);
  } finally {
    await server.close();
  }
});
