// The HTTPS PassportFetch implementations against node:https servers on 127.0.0.1 whose
// certificate is signed by a throwaway CA made with openssl at test time (into a temporary
// directory that is removed at once; no key is ever committed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PassportFetch, PassportHttpRequest } from "../auth/mod.ts";
import {
  bunPassportFetch,
  createPassportFetch,
  denoPassportFetch,
  nodePassportFetch,
} from "../io_adapters/https.ts";
import { runPassport } from "../io_adapters/run_passport.ts";

const hasDeno = typeof (globalThis as { Deno?: unknown }).Deno === "object";
const hasBun = typeof (globalThis as { Bun?: unknown }).Bun === "object";

function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const noOpenssl = hasOpenssl() ? false : "openssl not found: cannot make a test certificate";

interface Pki {
  ca: string;
  key: string;
  cert: string;
}

let pki: Pki | undefined;

/** A CA and a 127.0.0.1 leaf certificate signed by it (made once per file, in memory after). */
function makePki(): Pki {
  if (pki) return pki;
  const dir = mkdtempSync(join(tmpdir(), "msnp-tls-"));
  try {
    const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    run(
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "2",
      "-subj",
      "/CN=msnp test CA",
    );
    run("req", "-new", ...ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=127.0.0.1");
    writeFileSync(
      join(dir, "leaf.ext"),
      "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n",
    );
    run(
      "x509",
      "-req",
      "-in",
      "leaf.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      "leaf.ext",
      "-out",
      "leaf.pem",
    );
    const read = (name: string) => readFileSync(join(dir, name), "utf8");
    pki = { ca: read("ca.pem"), key: read("leaf.key"), cert: read("leaf.pem") };
    return pki;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Server {
  origin: string;
  seen: { path: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, origin: string) => void;

async function start(secure: boolean, handle: Handler): Promise<Server> {
  const seen: Server["seen"] = [];
  const sockets = new Set<Socket>();
  let origin = "";
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    seen.push({ path: req.url ?? "", authorization: req.headers.authorization });
    handle(req, res, origin);
  };
  const server = secure
    ? createHttpsServer({ key: makePki().key, cert: makePki().cert }, onRequest)
    : createHttpServer(onRequest);
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `${secure ? "https" : "http"}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answers every request with a Passport-style redirect, headers in mixed case. */
const redirect: Handler = (_req, res, origin) => {
  res.writeHead(302, {
    "Authentication-Info": "Passport1.4 da-status=redir",
    Location: `${origin}/login2`,
    "X-Multi": ["a", "b"],
  });
  res.end("moved");
};

function get(url: string, headers: Record<string, string> = {}): PassportHttpRequest {
  return { method: "GET", url, headers };
}

async function expectRedirect(fetcher: PassportFetch, server: Server): Promise<void> {
  const response = await fetcher(
    get(`${server.origin}/login`, { Authorization: "Passport1.4 test" }),
    new AbortController().signal,
  );
  assert.equal(response.status, 302);
  const headers = response.headers as Record<string, string>;
  assert.equal(headers["location"], `${server.origin}/login2`);
  assert.equal(headers["authentication-info"], "Passport1.4 da-status=redir");
  assert.equal(headers["x-multi"], "a, b");
  assert.ok(Object.keys(headers).every((name) => name === name.toLowerCase()));
  assert.deepEqual(server.seen, [{ path: "/login", authorization: "Passport1.4 test" }]);
}

test("nodePassportFetch trusts the extra CA and returns a 302 as-is with lower-cased headers", {
  skip: noOpenssl,
}, async () => {
  const server = await start(true, redirect);
  try {
    await expectRedirect(nodePassportFetch({ caCert: makePki().ca }), server);
  } finally {
    await server.close();
  }
});

test("nodePassportFetch without the CA refuses the test server's certificate", {
  skip: noOpenssl,
}, async () => {
  const server = await start(true, redirect);
  try {
    await assert.rejects(
      nodePassportFetch()(get(`${server.origin}/`), new AbortController().signal),
    );
  } finally {
    await server.close();
  }
});

test("nodePassportFetch stops when the signal aborts", { skip: noOpenssl }, async () => {
  const server = await start(true, () => {}); // never answers
  try {
    const controller = new AbortController();
    const pending = nodePassportFetch({ caCert: makePki().ca })(
      get(`${server.origin}/slow`),
      controller.signal,
    );
    setTimeout(() => controller.abort(new Error("stop")), 20);
    await assert.rejects(pending, { message: "stop" });
  } finally {
    await server.close();
  }
});

test("nodePassportFetch speaks plain http to a loopback server", async () => {
  const server = await start(false, redirect);
  try {
    await expectRedirect(nodePassportFetch(), server);
  } finally {
    await server.close();
  }
});

test("createPassportFetch with caCert reaches the test server in this runtime", {
  skip: noOpenssl,
}, async () => {
  const server = await start(true, redirect);
  try {
    await expectRedirect(createPassportFetch({ caCert: makePki().ca }), server);
  } finally {
    await server.close();
  }
});

test("createPassportFetch without caCert is plain fetch that returns a 302 as-is", async () => {
  const server = await start(false, redirect);
  try {
    await expectRedirect(createPassportFetch(), server);
  } finally {
    await server.close();
  }
});

test("denoPassportFetch trusts the extra CA (Deno only)", {
  skip: noOpenssl || (!hasDeno && "needs globalThis.Deno"),
}, async () => {
  const server = await start(true, redirect);
  try {
    await expectRedirect(denoPassportFetch({ caCert: makePki().ca }), server);
  } finally {
    await server.close();
  }
});

test("bunPassportFetch trusts the extra CA (Bun only)", {
  skip: noOpenssl || (!hasBun && "needs globalThis.Bun"),
}, async () => {
  const server = await start(true, redirect);
  try {
    await expectRedirect(bunPassportFetch({ caCert: makePki().ca }), server);
  } finally {
    await server.close();
  }
});

test("runPassport signs in over HTTPS with createPassportFetch and a test CA", {
  skip: noOpenssl,
}, async () => {
  const ticket = "t=ticket*1!$$&p=profile*2!";
  const server = await start(true, (req, res, origin) => {
    if (req.url === "/rdr/pprdr.asp") {
      res.writeHead(200, { PassportURLs: `DARealm=Passport.Net,DALogin=${origin}/login` });
    } else if (req.url === "/login") {
      res.writeHead(302, {
        "Authentication-Info": "Passport1.4 da-status=redir",
        Location: `${origin}/login2`,
      });
    } else {
      res.writeHead(200, {
        "Authentication-Info": `Passport1.4 da-status=success,from-PP='${ticket}'`,
      });
    }
    res.end();
  });
  try {
    const result = await runPassport(
      {
        account: "alice@example.com",
        password: "secret",
        challenge: "lc=1033,id=507",
        nexusUrl: `${server.origin}/rdr/pprdr.asp`,
      },
      { fetch: createPassportFetch({ caCert: makePki().ca }), timeoutMs: 10_000 },
    );
    assert.deepEqual(result, { ticket, loginUrl: `${server.origin}/login` });
    assert.deepEqual(server.seen.map((s) => s.path), ["/rdr/pprdr.asp", "/login", "/login2"]);
  } finally {
    await server.close();
  }
});
