// Every socket transport against a scripted node:net server on 127.0.0.1. NodeTransport runs in all
// three runtimes; DenoTransport only under Deno and BunTransport only under Bun, plus BunTransport
// everywhere over a fake `Bun` backed by node:net (oak's trick), so its logic runs in every runtime.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type AddressInfo, connect as netConnect, createServer, Socket } from "node:net";
import { type BunLike, type BunSocketLike, BunTransport } from "../io_adapters/bun.ts";
import { type DenoLike, DenoTransport } from "../io_adapters/deno.ts";
import { NodeTransport } from "../io_adapters/node.ts";
import { RecordingTransport } from "../io_adapters/recording_transport.ts";
import { defaultTransport, detectRuntime } from "../io_adapters/auto.ts";
import { type Connection, type Transport, TransportError } from "../io_adapters/transport.ts";
import { concat } from "./_helpers.ts";

const hasDeno = typeof (globalThis as { Deno?: unknown }).Deno === "object";
const hasBun = typeof (globalThis as { Bun?: unknown }).Bun === "object";
const canReset = typeof (Socket.prototype as { resetAndDestroy?: unknown }).resetAndDestroy ===
  "function";

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

/** Deterministic bytes that differ at every offset modulo 251, so reordering or reuse shows. */
function pattern(size: number, seed = 0): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i + seed) % 251;
  return out;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface TcpServer {
  port: number;
  close(): Promise<void>;
}

/** A node:net server on 127.0.0.1:0; `close` destroys every connection it accepted. */
async function startTcp(onConnection: (socket: Socket) => void): Promise<TcpServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Reads the whole readable into one array (keeps every chunk as yielded). */
async function readAll(connection: Connection): Promise<{ bytes: Uint8Array; chunks: number }> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of connection.readable) chunks.push(chunk);
  return { bytes: concat(chunks), chunks: chunks.length };
}

/** Bytes the server received on one connection until the client closed or `count` arrived. */
function collect(socket: Socket, count: number): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const parts: Uint8Array[] = [];
    let n = 0;
    const done = () => resolve(concat(parts));
    socket.on("data", (d: Uint8Array) => {
      parts.push(new Uint8Array(d));
      n += d.length;
      if (n >= count) done();
    });
    socket.on("close", done);
  });
}

/** A `Bun` look-alike over node:net whose `write` takes at most 64 KiB and then needs `drain`. */
function fakeBun(stats = { partialWrites: 0 }): BunLike {
  return {
    connect({ hostname, port, socket: handlers }) {
      return new Promise((resolve, reject) => {
        const s = netConnect({ host: hostname, port });
        let opened = false;
        let blocked = false;
        const fake: BunSocketLike = {
          write(bytes) {
            if (s.destroyed || s.writableEnded) return -1;
            if (blocked) return 0;
            const n = Math.min(bytes.length, 65536);
            const ok = s.write(bytes.slice(0, n));
            if (!ok || n < bytes.length) {
              blocked = true;
              stats.partialWrites++;
              const unblock = () => {
                blocked = false;
                handlers.drain(fake);
              };
              if (ok) setTimeout(unblock, 0);
              else s.once("drain", unblock);
            }
            return n;
          },
          end() {
            if (!s.destroyed) s.end(() => s.destroy());
          },
          pause() {
            s.pause();
          },
          resume() {
            s.resume();
          },
        };
        s.once("connect", () => {
          opened = true;
          resolve(fake);
        });
        s.on("data", (d: Uint8Array) => handlers.data(fake, d));
        s.on("end", () => handlers.end(fake));
        s.on("error", (e: Error) => {
          if (opened) return handlers.error(fake, e);
          handlers.connectError(fake, e);
          reject(e);
        });
        s.on("close", () => {
          if (opened) handlers.close(fake);
        });
      });
    },
  };
}

/** A Deno look-alike whose connect never completes but honours its signal. */
const hangingDeno: DenoLike = {
  connect: ({ signal }) =>
    new Promise((_, reject) =>
      signal?.addEventListener("abort", () => reject(signal.reason), { once: true })
    ),
};

/** A Bun look-alike whose connect never completes (and has no signal to honour). */
const hangingBun: BunLike = { connect: () => new Promise(() => {}) };

interface Case {
  name: string;
  /** Suffix of the names of real-socket tests that only run in one runtime. */
  only: string;
  /** `false` to run, or why the real-socket tests are skipped. */
  skip: string | false;
  make(): Transport;
  /** A transport whose connect never completes. */
  hang(): Transport;
}

const fakeStats = { partialWrites: 0 };
const cases: Case[] = [
  {
    name: "NodeTransport",
    only: "",
    skip: false,
    make: () => new NodeTransport(),
    hang: () => new NodeTransport({ connect: () => new Socket() }),
  },
  {
    name: "DenoTransport",
    only: " (Deno only)",
    skip: hasDeno ? false : "needs globalThis.Deno",
    make: () => new DenoTransport(),
    hang: () => new DenoTransport({ deno: hangingDeno }),
  },
  {
    name: "BunTransport",
    only: " (Bun only)",
    skip: hasBun ? false : "needs globalThis.Bun",
    make: () => new BunTransport(),
    hang: () => new BunTransport({ bun: hangingBun }),
  },
  {
    name: "BunTransport over a fake Bun",
    only: "",
    skip: false,
    make: () => new BunTransport({ bun: fakeBun(fakeStats) }),
    hang: () => new BunTransport({ bun: hangingBun }),
  },
];

for (const c of cases) {
  const opts = { skip: c.skip };
  const real = c.name + c.only;

  test(`${real}: connects, writes, and reads replies split across chunks`, opts, async () => {
    const server = await startTcp((socket) => {
      let seen = "";
      socket.on("data", async (d: Uint8Array) => {
        seen += str(d);
        if (seen === "VER 1 MSNP8 CVR0\r\n") {
          socket.write("VER 1 MS");
          await delay(20);
          socket.write("NP8 CVR0");
          await delay(20);
          socket.end("\r\n");
        }
      });
    });
    try {
      const connection = await c.make().connect("127.0.0.1", server.port, { timeoutMs: 5000 });
      assert.deepEqual(connection.remote, { host: "127.0.0.1", port: server.port });
      await connection.write(text("VER 1 "));
      await connection.write(text("MSNP8 CVR0\r\n"));
      const { bytes, chunks } = await readAll(connection);
      assert.equal(str(bytes), "VER 1 MSNP8 CVR0\r\n");
      assert.ok(chunks >= 2, `expected partial chunks, got ${chunks}`);
      connection.close();
    } finally {
      await server.close();
    }
  });

  test(`${real}: peer close ends iteration; close twice and write after close`, opts, async () => {
    const server = await startTcp((socket) => socket.end("bye\r\n"));
    try {
      const connection = await c.make().connect("127.0.0.1", server.port);
      const { bytes } = await readAll(connection);
      assert.equal(str(bytes), "bye\r\n");
      connection.close();
      connection.close();
      await assert.rejects(connection.write(text("OUT\r\n")), (e: unknown) => {
        assert.ok(e instanceof TransportError);
        assert.equal(e.code, "closed");
        return true;
      });
    } finally {
      await server.close();
    }
  });

  test(`${real}: close ends a pending read and later writes reject "closed"`, opts, async () => {
    const server = await startTcp(() => {});
    try {
      const connection = await c.make().connect("127.0.0.1", server.port);
      const reading = readAll(connection);
      await delay(10);
      connection.close();
      assert.equal((await reading).bytes.length, 0);
      await assert.rejects(connection.write(text("x")), { name: "TransportError", code: "closed" });
      connection.close();
    } finally {
      await server.close();
    }
  });

  test(`${real}: a connection reset makes the readable throw "reset"`, {
    skip: c.skip || (!canReset && "socket.resetAndDestroy is not available"),
  }, async () => {
    const server = await startTcp((socket) => {
      socket.write("hello");
      setTimeout(() => socket.resetAndDestroy(), 20);
    });
    try {
      const connection = await c.make().connect("127.0.0.1", server.port);
      const chunks: Uint8Array[] = [];
      await assert.rejects(
        (async () => {
          for await (const chunk of connection.readable) chunks.push(chunk);
        })(),
        { name: "TransportError", code: "reset" },
      );
      assert.equal(str(concat(chunks)), "hello");
      connection.close();
    } finally {
      await server.close();
    }
  });

  test(`${real}: connecting to a closed port fails with "connect-failed"`, opts, async () => {
    const server = await startTcp(() => {});
    const port = server.port;
    await server.close();
    await assert.rejects(c.make().connect("127.0.0.1", port, { timeoutMs: 5000 }), (e) => {
      assert.ok(e instanceof TransportError);
      assert.equal(e.code, "connect-failed");
      assert.match(e.message, new RegExp(`^Cannot connect to 127\\.0\\.0\\.1:${port}: `));
      return true;
    });
  });

  test(`${c.name}: aborting during connect rejects with "aborted"`, async () => {
    const controller = new AbortController();
    const attempt = c.hang().connect("127.0.0.1", 1863, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await assert.rejects(attempt, { name: "TransportError", code: "aborted" });
    await assert.rejects(c.hang().connect("127.0.0.1", 1863, { signal: controller.signal }), {
      name: "TransportError",
      code: "aborted",
    });
  });

  test(`${c.name}: a connect that takes too long rejects with "timeout"`, async () => {
    const started = Date.now();
    await assert.rejects(c.hang().connect("127.0.0.1", 1863, { timeoutMs: 30 }), {
      name: "TransportError",
      code: "timeout",
      message: "Cannot connect to 127.0.0.1:1863: no answer in 30 ms",
    });
    assert.ok(Date.now() - started >= 25);
    await assert.rejects(c.hang().connect("127.0.0.1", 1863, { timeoutMs: 0 }), RangeError);
  });

  test(`${real}: an 8 MB write waits out backpressure and arrives intact`, opts, async () => {
    const size = 8 * 1024 * 1024;
    let received: Promise<Uint8Array> = Promise.resolve(new Uint8Array(0));
    const server = await startTcp((socket) => {
      // The server stops reading for a while, so the client's buffers fill up.
      socket.pause();
      setTimeout(() => socket.resume(), 100);
      received = collect(socket, size + 3);
    });
    try {
      const before = fakeStats.partialWrites;
      const connection = await c.make().connect("127.0.0.1", server.port);
      const big = pattern(size);
      // Two writes issued at once must arrive in order.
      await Promise.all([connection.write(big), connection.write(text("END"))]);
      const got = await received;
      assert.equal(got.length, size + 3);
      assert.ok(got.subarray(0, size).every((b, i) => b === big[i]), "payload corrupted");
      assert.equal(str(got.subarray(size)), "END");
      if (c.name.includes("fake")) assert.ok(fakeStats.partialWrites > before, "no partial write");
      connection.close();
    } finally {
      await server.close();
    }
  });

  test(
    `${real}: 8 MB from the server arrive intact in chunks that are safe to keep`,
    opts,
    async () => {
      const size = 8 * 1024 * 1024;
      const big = pattern(size, 7);
      const server = await startTcp((socket) => socket.end(big));
      try {
        const connection = await c.make().connect("127.0.0.1", server.port);
        const chunks: Uint8Array[] = [];
        for await (const chunk of connection.readable) {
          chunks.push(chunk);
          // A slow reader: the transport must buffer or pause, never lose or reuse bytes.
          if (chunks.length % 16 === 0) await delay(1);
        }
        const got = concat(chunks);
        assert.equal(got.length, size);
        assert.ok(got.every((b, i) => b === big[i]), "bytes corrupted or reused");
        connection.close();
      } finally {
        await server.close();
      }
    },
  );
}

for (const c of [...cases, recordingCase()]) {
  test(`${c.name}${c.only}: readable can be iterated only once`, { skip: c.skip }, async () => {
    const server = await startTcp((socket) => socket.end("x"));
    try {
      const connection = await c.make().connect("127.0.0.1", server.port);
      await readAll(connection);
      assert.throws(() => connection.readable[Symbol.asyncIterator](), TypeError);
      connection.close();
    } finally {
      await server.close();
    }
  });
}

/** The recorder wraps a connection's readable with its own: one consumer there too. */
function recordingCase(): { name: string; only: string; skip: false; make: () => Transport } {
  return {
    name: "RecordingTransport",
    only: "",
    skip: false,
    make: () => new RecordingTransport(new NodeTransport()),
  };
}

test(
  "BunTransport uses a fake globalThis.Bun, and defaultTransport picks it (Deno and Node only)",
  { skip: hasBun && "cannot replace the real globalThis.Bun under Bun" },
  async () => {
    const server = await startTcp((socket) => socket.end("hi"));
    const g = globalThis as { Bun?: unknown };
    g.Bun = fakeBun();
    try {
      assert.equal(detectRuntime(), "bun");
      const transport = defaultTransport();
      assert.ok(transport instanceof BunTransport);
      const connection = await transport.connect("127.0.0.1", server.port);
      assert.equal(str((await readAll(connection)).bytes), "hi");
      connection.close();
    } finally {
      delete g.Bun;
      await server.close();
    }
  },
);

test("defaultTransport picks the transport of the running runtime", () => {
  const transport = defaultTransport();
  const runtime = detectRuntime();
  if (hasBun) assert.equal(runtime, "bun");
  else if (hasDeno) assert.equal(runtime, "deno");
  else assert.equal(runtime, "node");
  const expected = { bun: BunTransport, deno: DenoTransport, node: NodeTransport }[runtime];
  assert.ok(transport instanceof expected);
});

test("DenoTransport and BunTransport outside their runtime say so", async () => {
  if (!hasDeno) {
    await assert.rejects(new DenoTransport().connect("127.0.0.1", 1), {
      name: "TypeError",
      message: "Cannot use DenoTransport: globalThis.Deno is not available",
    });
  }
  if (!hasBun) {
    await assert.rejects(new BunTransport().connect("127.0.0.1", 1), {
      name: "TypeError",
      message: "Cannot use BunTransport: globalThis.Bun is not available",
    });
  }
});
