// The adapter suite: the Client against the loopback server over real TCP, with the runtime's own
// transport (Deno.connect under Deno, Bun.connect under Bun, node:net under Node).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Client,
  type ClientEvent,
  type ClientOptions,
  defaultTransport,
  RequestError,
} from "../io_adapters/mod.ts";
import { SessionError, UsageError } from "../machine/mod.ts";
import type { LoopbackServer, LoopbackServerOptions } from "../testing/mod.ts";
import { withLoopback } from "./_client_helpers.ts";

const ACCOUNTS: LoopbackServerOptions["accounts"] = [
  {
    passport: "alice@example.com",
    password: "p,a%ss wörd&",
    friendlyName: "Alice A",
    groups: [{ id: 0, name: "Other Contacts" }, { id: 1, name: "Friends" }],
    contacts: [
      {
        passport: "bob@example.com",
        friendlyName: "Bob",
        lists: ["FL", "AL"],
        groupIds: [1],
        phones: { MOB: "Y" },
      },
    ],
    phones: { PHH: "555 0100" },
  },
  {
    passport: "bob@example.com",
    password: "hunter2",
    friendlyName: "Bob B",
    contacts: [{ passport: "alice@example.com", friendlyName: "Alice", lists: ["FL", "AL"] }],
  },
  { passport: "carol@example.com", password: "pw", friendlyName: "Carol" },
];

function withServer(
  options: Partial<LoopbackServerOptions>,
  body: (server: LoopbackServer) => Promise<void>,
): Promise<void> {
  return withLoopback({ accounts: ACCOUNTS, ...options }, body);
}

function clientOptions(server: LoopbackServer, account: string, password: string): ClientOptions {
  return {
    account,
    password,
    server: server.dispatchAddress,
    transport: defaultTransport(),
    passport: { nexusUrl: server.nexusUrl, allowInsecureLoopback: true },
  };
}

/** Collects events in the background; `until` waits for one matching a predicate. */
function watch(client: Client) {
  const seen: ClientEvent[] = [];
  const waiting: { match: (e: ClientEvent) => boolean; resolve: (e: ClientEvent) => void }[] = [];
  void (async () => {
    for await (const event of client.events) {
      seen.push(event);
      for (const w of [...waiting]) {
        if (w.match(event)) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve(event);
        }
      }
    }
  })();
  return {
    seen,
    until(match: (e: ClientEvent) => boolean, ms = 5000): Promise<ClientEvent> {
      const found = seen.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("event did not come")), ms);
        waiting.push({
          match,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
      });
    },
  };
}

test("client signs in through the dispatch redirect and Passport, and syncs the list with groups", async () => {
  await withServer({ passportRedirectOnce: true }, async (server) => {
    const alice = await Client.connect(clientOptions(server, "alice@example.com", "p,a%ss wörd&"));
    const events = watch(alice);
    await events.until((e) => e.type === "statusChanged");
    // Request outcomes settle promises and are not events; progress comes as connecting,
    // authenticating and syncProgress, in order with what the session does.
    const ds = server.dispatchAddress;
    const ns = server.notificationAddress;
    assert.deepStrictEqual(
      events.seen.map((e) => e.type),
      [
        "connecting",
        "redirected",
        "connecting",
        "authenticating",
        "signedIn",
        "profile",
        "syncProgress",
        "contactsSynced",
        "statusChanged",
      ],
    );
    assert.deepStrictEqual(events.seen[0], {
      type: "connecting",
      host: ds.host,
      port: ds.port,
      kind: "ns",
      connection: 1,
    });
    assert.deepStrictEqual(events.seen[1], { type: "redirected", ...ns });
    assert.deepStrictEqual(events.seen[2], {
      type: "connecting",
      host: ns.host,
      port: ns.port,
      kind: "ns",
      connection: 2,
    });
    assert.deepStrictEqual(alice.contactList, {
      version: 1,
      contacts: [{
        passport: "bob@example.com",
        friendlyName: "Bob",
        lists: ["FL", "AL", "RL"],
        groupIds: [1],
        phones: { MOB: "Y" },
      }],
      groups: [{ id: 0, name: "Other Contacts" }, { id: 1, name: "Friends" }],
      privacy: "AL",
      addPrompt: "A",
      phones: { PHH: "555 0100" },
    });
    assert.equal(alice.session.protocol, "MSNP9");
    assert.deepStrictEqual(await alice.close(), { type: "signedOut", reason: "client" });
  });
});

test("client sees another client's presence, status changes, rename and sign-out", async () => {
  await withServer({}, async (server) => {
    const alice = await Client.connect(clientOptions(server, "alice@example.com", "p,a%ss wörd&"));
    const a = watch(alice);
    const bob = await Client.connect(clientOptions(server, "bob@example.com", "hunter2"));
    const b = watch(bob);
    await a.until((e) => e.type === "presence" && e.status === "NLN");
    await b.until((e) => e.type === "presence" && e.initial && e.passport === "alice@example.com");
    await bob.setStatus("BSY");
    await a.until((e) => e.type === "presence" && e.status === "BSY");
    await bob.rename("Bobby Tables");
    await b.until((e) => e.type === "renamed" && e.friendlyName === "Bobby Tables");
    await a.until((e) => e.type === "presence" && e.friendlyName === "Bobby Tables");
    assert.equal(alice.session.presenceOf("BOB@example.com")?.status, "BSY");
    await bob.close();
    await a.until((e) => e.type === "presence" && e.status === "FLN");
    assert.equal(alice.session.presenceOf("bob@example.com"), undefined);
    await alice.close();
  });
});

test("client manages lists: groups, contacts, privacy, phones, with replies and typed errors", async () => {
  await withServer({}, async (server) => {
    const alice = await Client.connect(clientOptions(server, "alice@example.com", "p,a%ss wörd&"));
    const carol = await Client.connect(clientOptions(server, "carol@example.com", "pw"));
    const c = watch(carol);
    const groupId = await alice.addGroup("Work Mates");
    assert.equal(groupId, 2);
    await alice.renameGroup(groupId, "Colleagues");
    await alice.addContact("carol@example.com", { friendlyName: "Carol C", groupId });
    await c.until((e) => e.type === "addedBy" && e.passport === "alice@example.com");
    await alice.setPrivacy("BL");
    await alice.setAddPrompt("N");
    await alice.setPhone("PHW", "555 0199");
    const list = alice.contactList;
    assert.deepStrictEqual(list.groups.find((g) => g.id === groupId), {
      id: 2,
      name: "Colleagues",
    });
    assert.deepStrictEqual(
      list.contacts.find((x) => x.passport === "carol@example.com")?.groupIds,
      [2],
    );
    assert.equal(list.privacy, "BL");
    assert.equal(list.addPrompt, "N");
    assert.equal(list.phones.PHW, "555 0199");
    assert.equal(list.version, 7);

    await assert.rejects(alice.addContact("carol@example.com"), (e: unknown) => {
      assert.ok(e instanceof RequestError);
      assert.equal(e.code, "server-error");
      assert.equal(e.serverCode, 215);
      assert.equal(e.serverName, "ALREADY_IN_LIST");
      assert.equal(
        e.message,
        "Cannot add contact: server error 215 ALREADY_IN_LIST (Already in list or switchboard)",
      );
      return true;
    });
    await assert.rejects(alice.removeGroup(0), (e: unknown) => e instanceof RequestError);
    await alice.removeContact("carol@example.com");
    await c.until((e) => e.type === "removedBy");
    await alice.removeGroup(groupId);
    assert.equal(alice.contactList.groups.length, 2);
    const sb = await alice.requestSwitchboard();
    assert.deepStrictEqual(sb.address, server.switchboardAddress);
    assert.match(sb.cookie, /\S+/);
    await carol.close();
    await alice.close();
  });
});

test("client keeps the connection alive with PNG and notices a server that stops answering", async () => {
  await withServer({ protocols: ["MSNP8"] }, async (server) => {
    const options = clientOptions(server, "bob@example.com", "hunter2");
    const bob = await Client.connect({
      ...options,
      reconnect: false,
      timeouts: { pingInterval: 40, pong: 300 },
    });
    // Several ping intervals pass with QNG answers: still online.
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.equal(bob.session.phase, "online");
    server.pause("bob@example.com");
    const end = await bob.closed;
    assert.equal(end.reason, "error");
    assert.equal(end.error?.code, "timeout");
    assert.equal(end.error?.phase, "online");
  });
});

test("client answers CHL with the right QRY and stays online", async () => {
  await withServer({}, async (server) => {
    const bob = await Client.connect(clientOptions(server, "bob@example.com", "hunter2"));
    server.challenge("bob@example.com", "15570131571988941333");
    server.challenge("bob@example.com");
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(bob.session.phase, "online");
    await bob.close();
  });
});

test("client reports OUT OTH on a duplicate sign-in as otherLocation", async () => {
  await withServer({}, async (server) => {
    const first = await Client.connect(clientOptions(server, "bob@example.com", "hunter2"));
    const second = await Client.connect({
      ...clientOptions(server, "bob@example.com", "hunter2"),
      reconnect: false,
    });
    assert.deepStrictEqual(await first.closed, { type: "signedOut", reason: "otherLocation" });
    assert.equal(second.session.phase, "online");
    server.kick("bob@example.com", "SSD");
    assert.deepStrictEqual(await second.closed, { type: "signedOut", reason: "serverShutdown" });
  });
});

test("client reports a dropped connection while online as connectionLost", async () => {
  await withServer({}, async (server) => {
    const bob = await Client.connect({
      ...clientOptions(server, "bob@example.com", "hunter2"),
      reconnect: false,
    });
    server.dropConnection("bob@example.com");
    assert.deepStrictEqual(await bob.closed, { type: "signedOut", reason: "connectionLost" });
    await assert.rejects(
      bob.setStatus("NLN"),
      // After the end, intents report the session's state: not online.
      (e: unknown) => e instanceof UsageError && e.code === "not-online",
    );
  });
});

test("client rejects a wrong password with a passport-failed error that holds no secret", async () => {
  await withServer({}, async (server) => {
    const password = "wrong,%pässwörd";
    await assert.rejects(
      Client.connect(clientOptions(server, "bob@example.com", password)),
      (e: unknown) => {
        assert.ok(e instanceof SessionError);
        assert.equal(e.code, "passport-failed");
        assert.equal(e.passportCode, "bad-credentials");
        for (const text of [e.message, String(e), e.stack ?? ""]) {
          assert.ok(!text.includes(password) && !text.includes(encodeURIComponent(password)), text);
        }
        return true;
      },
    );
  });
});

test("client gives up on an unreachable server with connection-lost", async () => {
  await withServer({}, async (server) => {
    const options = clientOptions(server, "bob@example.com", "hunter2");
    const closedPort = server.dispatchAddress.port;
    await server.close();
    await assert.rejects(
      Client.connect({ ...options, server: { host: "127.0.0.1", port: closedPort } }),
      (e: unknown) =>
        e instanceof SessionError && e.code === "connection-lost" && e.phase === "connecting",
    );
  });
});

test("client sign-in can be aborted with an AbortSignal, and abort signs out once online", async () => {
  await withServer({}, async (server) => {
    const controller = new AbortController();
    const pending = Client.connect({
      ...clientOptions(server, "bob@example.com", "hunter2"),
      signal: controller.signal,
    });
    controller.abort();
    await assert.rejects(
      pending,
      (e: unknown) => e instanceof SessionError && e.code === "aborted",
    );

    const online = new AbortController();
    const bob = await Client.connect({
      ...clientOptions(server, "bob@example.com", "hunter2"),
      signal: online.signal,
    });
    online.abort();
    assert.deepStrictEqual(await bob.closed, { type: "signedOut", reason: "client" });
    const already = new AbortController();
    already.abort();
    await assert.rejects(
      Client.connect({
        ...clientOptions(server, "bob@example.com", "hunter2"),
        signal: already.signal,
      }),
      SessionError,
    );
  });
});

test("client signs in to a server without a dispatch hop", async () => {
  await withServer({ dispatch: false, echoVersions: true }, async (server) => {
    const bob = await Client.connect(clientOptions(server, "bob@example.com", "hunter2"));
    const events = watch(bob);
    await events.until((e) => e.type === "statusChanged");
    assert.ok(!events.seen.some((e) => e.type === "redirected"));
    await bob.close();
  });
});
