// Shared by the tests/client_*_test.ts files: a hand-cranked timer set, a transport that can be
// pointed at a restarted server or made to refuse, and a Passport runner that asks the loopback
// server for tickets directly.
import {
  type Connection,
  type ConnectOptions,
  defaultTransport,
  type RunPassportFunction,
  type Timers,
  type Transport,
  TransportError,
} from "../io_adapters/mod.ts";
import {
  type LoopbackServer,
  type LoopbackServerOptions,
  startLoopbackServer,
} from "../testing/mod.ts";

export const ACCOUNTS: LoopbackServerOptions["accounts"] = [
  {
    passport: "bob@example.com",
    password: "hunter2",
    friendlyName: "Bob",
    contacts: [{ passport: "alice@example.com", friendlyName: "Alice", lists: ["FL", "AL"] }],
  },
  {
    passport: "alice@example.com",
    password: "alice-secret",
    friendlyName: "Alice",
    contacts: [{ passport: "bob@example.com", friendlyName: "Bob", lists: ["FL", "AL"] }],
  },
];

/** Timers that fire only when the test says so. */
export function manualTimers(): {
  timers: Timers;
  pending: Map<number, { callback: () => void; ms: number }>;
  fire(ms: number): void;
} {
  const pending = new Map<number, { callback: () => void; ms: number }>();
  let next = 0;
  return {
    timers: {
      setTimeout(callback, ms) {
        pending.set(++next, { callback, ms });
        return next;
      },
      clearTimeout(handle) {
        pending.delete(handle as number);
      },
    },
    pending,
    fire(ms) {
      const found = [...pending].reverse().find(([, t]) => t.ms === ms);
      if (!found) throw new Error(`no timer of ${ms} ms pending`);
      pending.delete(found[0]);
      found[1].callback();
    },
  };
}

/**
 * A transport over the runtime's real one that maps the name `msnp.test:1863` to wherever the
 * current server listens, can refuse every connection, and records every write.
 */
export class TestTransport implements Transport {
  server: LoopbackServer | undefined;
  refuse = false;
  /** Received lines matching this are removed (a server that never answers them). */
  dropReceived: RegExp | undefined;
  readonly writes: { host: string; port: number; bytes: Uint8Array }[] = [];
  readonly #inner: Transport = defaultTransport();

  constructor(server?: LoopbackServer) {
    this.server = server;
  }

  async connect(host: string, port: number, options?: ConnectOptions): Promise<Connection> {
    if (this.refuse || !this.server) {
      throw new TransportError(
        "connect-failed",
        `Cannot connect to ${host}:${port}: ECONNREFUSED`,
        { cause: new Error("refused by the test") },
      );
    }
    const target = host === "msnp.test" ? this.server.dispatchAddress : { host, port };
    const inner = await this.#inner.connect(target.host, target.port, options);
    const writes = this.writes;
    const drop = this.dropReceived;
    const latin1 = new TextDecoder("latin1");
    const readable = drop === undefined ? inner.readable : (async function* () {
      for await (const chunk of inner.readable) {
        const text = latin1.decode(chunk).replace(drop, "");
        if (text !== "") yield Uint8Array.from(text, (c) => c.charCodeAt(0));
      }
    })();
    return {
      readable,
      remote: { host, port },
      close: () => inner.close(),
      write(bytes) {
        writes.push({ host, port, bytes: bytes.slice() });
        return inner.write(bytes);
      },
    };
  }
}

/** A Passport runner that takes tickets from the loopback server, without HTTP. */
export function ticketsFrom(get: () => LoopbackServer): RunPassportFunction {
  return (login) =>
    Promise.resolve({ ticket: get().issueTicket(login.account), loginUrl: get().loginUrl });
}

/** Resolves after `ms` real milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `promise`, or a rejection if it takes more than `ms` real milliseconds (a hang fails fast). */
export function within<T>(promise: Promise<T>, ms = 3000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Every event a client emits, kept in order; `next` finds the first unseen one that matches. */
export class Watch<E extends { type: string }> {
  readonly seen: E[] = [];
  #taken = new Set<E>();
  #waiting: { match: (e: E) => boolean; resolve: (e: E) => void }[] = [];

  constructor(source: { on(type: "*", handler: (event: E) => void): () => void }) {
    source.on("*", (event) => {
      this.seen.push(event);
      for (const w of [...this.#waiting]) {
        if (!this.#taken.has(event) && w.match(event)) {
          this.#taken.add(event);
          this.#waiting.splice(this.#waiting.indexOf(w), 1);
          w.resolve(event);
        }
      }
    });
  }

  /** The next event of `type` (matching `match`) not returned before, within `ms`. */
  next<T extends E["type"]>(
    type: T,
    match: (e: Extract<E, { type: T }>) => boolean = () => true,
    ms = 3000,
  ): Promise<Extract<E, { type: T }>> {
    const test = (e: E) => e.type === type && match(e as Extract<E, { type: T }>);
    const found = this.seen.find((e) => !this.#taken.has(e) && test(e));
    if (found) {
      this.#taken.add(found);
      return Promise.resolve(found as Extract<E, { type: T }>);
    }
    return within(
      new Promise((resolve) => this.#waiting.push({ match: test, resolve: resolve as never })),
      ms,
    );
  }

  /** The types seen so far, optionally only those in `types`. */
  types(types?: string[]): string[] {
    return this.seen.map((e) => e.type).filter((t) => !types || types.includes(t));
  }
}

/** One connection of a {@link KillableTransport}. */
export interface KillableConnection {
  host: string;
  port: number;
  /** What the client wrote, as text. */
  readonly written: string[];
  /** Ends the connection as if the server had closed it. */
  kill(): void;
}

/**
 * The runtime's transport, with a hand on each connection: `kill()` one as a dying server would,
 * or `swallow` writes matching a pattern (the server never sees them) and kill the connection.
 */
export class KillableTransport implements Transport {
  readonly connections: KillableConnection[] = [];
  /** A write whose text matches this is dropped, and its connection killed. */
  swallow: RegExp | undefined;
  /** Called with each write's text before it goes out. */
  beforeWrite: ((text: string) => void) | undefined;
  readonly #inner: Transport = defaultTransport();

  async connect(host: string, port: number, options?: ConnectOptions): Promise<Connection> {
    const inner = await this.#inner.connect(host, port, options);
    let killed!: () => void;
    const dead = new Promise<null>((resolve) => (killed = () => resolve(null)));
    const written: string[] = [];
    const handle: KillableConnection = {
      host,
      port,
      written,
      kill: () => {
        killed();
        inner.close();
      },
    };
    this.connections.push(handle);
    async function* readable(): AsyncGenerator<Uint8Array> {
      const it = inner.readable[Symbol.asyncIterator]();
      while (true) {
        const next = await Promise.race([it.next(), dead]);
        if (next === null || next.done) return;
        yield next.value;
      }
    }
    return {
      readable: readable(),
      remote: { host, port },
      close: () => inner.close(),
      write: (bytes) => {
        const text = new TextDecoder().decode(bytes);
        written.push(text);
        this.beforeWrite?.(text);
        if (this.swallow?.test(text)) {
          queueMicrotask(handle.kill);
          return Promise.resolve();
        }
        return inner.write(bytes);
      },
    };
  }
}

/** Runs `body` against a loopback server started with `options`, and always closes the server. */
export async function withLoopback(
  options: LoopbackServerOptions,
  body: (server: LoopbackServer) => Promise<void>,
): Promise<void> {
  const server = await startLoopbackServer(options);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}
