import { test } from "node:test";
import assert from "node:assert/strict";
import type { PassportFetch, PassportHttpRequest, PassportLoginOptions } from "../auth/mod.ts";
import { runPassport } from "../io_adapters/run_passport.ts";
import { startServer, type TestServer } from "./auth_server.ts";

const TICKET = "t=ticket*1!$$&p=profile*2!";
const CHALLENGE = "lc=1033,id=507,tw=40,fs=1,ct=1062764229,kpp=1,kv=5";
const AUTHORIZATION =
  "Passport1.4 OrgVerb=GET,OrgURL=http%3A%2F%2Fmessenger%2Emsn%2Ecom,sign-in=alice%40example.com,pwd=p%2Cw%25d%20%C3%BC," +
  CHALLENGE;

function options(
  server: TestServer,
  extra: Partial<PassportLoginOptions> = {},
): PassportLoginOptions {
  return {
    account: "alice@example.com",
    password: "p,w%d ü",
    challenge: CHALLENGE,
    nexusUrl: `${server.origin}/rdr/pprdr.asp`,
    allowInsecureLoopback: true,
    ...extra,
  };
}

/** Nexus -> /login (302 redir) -> /login2 (200 with the ticket, or 401 for a wrong password). */
function passportLike(): Promise<TestServer> {
  return startServer((req, res, origin) => {
    if (req.url === "/rdr/pprdr.asp") {
      res.writeHead(200, {
        passporturls: `DARealm=Passport.Net,DALogin=${origin}/login,ConfigVersion=15`,
      });
    } else if (req.url === "/login") {
      res.writeHead(302, {
        "Authentication-Info": "Passport1.4 da-status=redir",
        Location: `${origin}/login2?lc=1033`,
      });
    } else if (req.headers.authorization === AUTHORIZATION) {
      res.writeHead(200, {
        "Content-Type": "text/html",
        "Authentication-Info":
          `Passport1.4 da-status=success,tname=MSPAuth,tname=MSPProf,tname=MSPSec,from-PP='${TICKET}',ru=http://messenger.msn.com`,
      });
    } else {
      res.writeHead(401, {
        "WWW-Authenticate":
          "Passport1.4 da-status=failed,srealm=Passport.NET,ts=-1,prompt,cbtxt=Wrong%20password",
      });
    }
    res.end("<html></html>");
  });
}

test("runPassport signs in over loopback HTTP: Nexus, redirect, ticket, exact headers", async () => {
  const server = await passportLike();
  try {
    const result = await runPassport(options(server));
    assert.deepEqual(result, { ticket: TICKET, loginUrl: `${server.origin}/login` });
    assert.deepEqual(server.seen, [
      {
        method: "GET",
        path: "/rdr/pprdr.asp",
        authorization: undefined,
        userAgent: server.seen[0].userAgent,
        cacheControl: undefined,
      },
      {
        method: "GET",
        path: "/login",
        authorization: AUTHORIZATION,
        userAgent: "MSMSGS",
        cacheControl: "no-cache",
      },
      {
        method: "GET",
        path: "/login2?lc=1033",
        authorization: AUTHORIZATION,
        userAgent: "MSMSGS",
        cacheControl: "no-cache",
      },
    ]);
  } finally {
    await server.close();
  }
});

test("runPassport with a cached loginUrl never asks the Nexus", async () => {
  const server = await passportLike();
  try {
    const result = await runPassport(options(server, { loginUrl: `${server.origin}/login2` }));
    assert.equal(result.ticket, TICKET);
    assert.deepEqual(server.seen.map((r) => r.path), ["/login2"]);
  } finally {
    await server.close();
  }
});

test("runPassport rejects a wrong password with bad-credentials after one login request", async () => {
  const server = await passportLike();
  try {
    await assert.rejects(runPassport(options(server, { password: "wrong" })), {
      name: "PassportError",
      code: "bad-credentials",
      status: 401,
      cbtxt: "Wrong password",
    });
    assert.deepEqual(server.seen.map((r) => r.path), [
      "/rdr/pprdr.asp",
      "/login",
      "/login2?lc=1033",
    ]);
  } finally {
    await server.close();
  }
});

test("runPassport refuses loopback http without the opt-in and sends nothing", async () => {
  const server = await passportLike();
  try {
    await assert.rejects(runPassport(options(server, { allowInsecureLoopback: false })), {
      code: "insecure-url",
    });
    assert.equal(server.seen.length, 0);
  } finally {
    await server.close();
  }
});

test("runPassport times out on a server that never answers", async () => {
  const server = await startServer(() => {});
  try {
    const started = Date.now();
    await assert.rejects(runPassport(options(server), { timeoutMs: 200 }), {
      name: "PassportError",
      code: "timeout",
      message: `Cannot reach ${server.origin}: no response in 200 ms`,
    });
    assert.ok(Date.now() - started < 5000);
    assert.equal(server.seen.length, 1);
  } finally {
    await server.close();
  }
});

test("runPassport stops on the caller's AbortSignal", async () => {
  const server = await startServer(() => {});
  try {
    const controller = new AbortController();
    const pending = runPassport(options(server), { signal: controller.signal, timeoutMs: 30_000 });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(pending, {
      code: "aborted",
      message: `Cannot reach ${server.origin}: sign-in was aborted`,
    });
  } finally {
    await server.close();
  }
});

test("runPassport with an already aborted signal makes no request", async () => {
  const server = await passportLike();
  try {
    await assert.rejects(runPassport(options(server), { signal: AbortSignal.abort() }), {
      code: "aborted",
    });
    assert.equal(server.seen.length, 0);
  } finally {
    await server.close();
  }
});

test("runPassport maps a refused connection to a network error", async () => {
  const server = await passportLike();
  const origin = server.origin;
  await server.close();
  await assert.rejects(
    runPassport({ ...options(server), nexusUrl: `${origin}/rdr/pprdr.asp` }, { timeoutMs: 5000 }),
    (error: { code?: string; message?: string }) => {
      assert.equal(error.code, "network");
      assert.ok(error.message?.startsWith(`Cannot reach ${origin}: `), error.message);
      return true;
    },
  );
});

test("runPassport stops waiting even if the fetch function ignores its signal", async () => {
  const seen: PassportHttpRequest[] = [];
  const deaf: PassportFetch = (request) => {
    seen.push(request);
    return new Promise(() => {});
  };
  await assert.rejects(
    runPassport(
      { account: "a@b.c", password: "x", challenge: "lc=1033", loginUrl: "https://login.test/l" },
      { fetch: deaf, timeoutMs: 50 },
    ),
    { code: "timeout", message: "Cannot reach https://login.test: no response in 50 ms" },
  );
  assert.equal(seen.length, 1);
});

test("runPassport passes each request and an AbortSignal to a custom fetch", async () => {
  const calls: { url: string; authorization: string | undefined; signal: boolean }[] = [];
  const fake: PassportFetch = (request, signal) => {
    calls.push({
      url: request.url,
      authorization: request.headers.Authorization,
      signal: signal instanceof AbortSignal && !signal.aborted,
    });
    return Promise.resolve(
      request.url.endsWith("pprdr.asp")
        ? { status: 200, headers: { PassportURLs: "DALogin=login.test/login2.srf" } }
        : {
          status: 200,
          headers: new Headers({ "authentication-info": "da-status=success,from-PP='tok'" }),
        },
    );
  };
  const result = await runPassport(
    { account: "a@b.c", password: "x", challenge: "lc=1033" },
    { fetch: fake },
  );
  assert.deepEqual(result, { ticket: "tok", loginUrl: "https://login.test/login2.srf" });
  assert.deepEqual(calls, [
    { url: "https://nexus.passport.com/rdr/pprdr.asp", authorization: undefined, signal: true },
    {
      url: "https://login.test/login2.srf",
      authorization:
        "Passport1.4 OrgVerb=GET,OrgURL=http%3A%2F%2Fmessenger%2Emsn%2Ecom,sign-in=a%40b.c,pwd=x,lc=1033",
      signal: true,
    },
  ]);
});

test("runPassport rejects a non-positive timeout", async () => {
  await assert.rejects(
    runPassport({ account: "a@b.c", password: "x", challenge: "lc=1033" }, { timeoutMs: 0 }),
    RangeError,
  );
});
