import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  type PassportFetch,
  type PassportHttpResponse,
  PassportLogin,
  type PassportLoginOptions,
} from "../auth/mod.ts";
import { runPassport } from "../io_adapters/run_passport.ts";

const PASSWORD = "Sup3r,Secret%Pw";
const ENCODED_PASSWORD = "Sup3r%2CSecret%25Pw";
const TICKET_SECRET = "TICKETSECRET42";
const LOGIN: PassportLoginOptions = {
  account: "alice@example.com",
  password: PASSWORD,
  challenge: "lc=1033,id=507,tw=40",
  loginUrl: "https://login.test/login2.srf",
};
const AUTHORIZATION =
  `Passport1.4 OrgVerb=GET,OrgURL=http%3A%2F%2Fmessenger%2Emsn%2Ecom,sign-in=alice%40example.com,pwd=${ENCODED_PASSWORD},lc=1033,id=507,tw=40`;
const SECRETS = [PASSWORD, ENCODED_PASSWORD, AUTHORIZATION, "OrgVerb", TICKET_SECRET];

/** Every way a value gets turned into text: message, String(), stack, JSON, inspectors. */
function renderings(value: unknown): string[] {
  const out = [String(value), JSON.stringify(value) ?? "", inspect(value, { depth: 10 })];
  if (value instanceof Error) out.push(value.message, value.stack ?? "");
  const runtime = globalThis as {
    Deno?: { inspect(v: unknown): string };
    Bun?: { inspect(v: unknown): string };
  };
  if (runtime.Deno) out.push(runtime.Deno.inspect(value));
  if (runtime.Bun) out.push(runtime.Bun.inspect(value));
  return out;
}

function assertNoSecret(value: unknown, label: string): void {
  for (const text of renderings(value)) {
    for (const secret of SECRETS) {
      assert.ok(!text.includes(secret), `${label}: ${JSON.stringify(secret)} leaked into ${text}`);
    }
  }
}

/** A fake fetch that answers every login request with `response`. */
function answering(response: PassportHttpResponse): PassportFetch {
  return () => Promise.resolve(response);
}

const redirAuth = { "Authentication-Info": "Passport1.4 da-status=redir" };

const paths: { name: string; code: string; run: () => Promise<unknown> }[] = [
  {
    name: "bad credentials with cbtxt",
    code: "bad-credentials",
    run: () =>
      runPassport(LOGIN, {
        fetch: answering({
          status: 401,
          headers: { "WWW-Authenticate": "Passport1.4 da-status=failed,cbtxt=Bad%20password" },
        }),
      }),
  },
  {
    name: "redirect loop",
    code: "too-many-redirects",
    run: () =>
      runPassport(LOGIN, {
        fetch: answering({
          status: 302,
          headers: { ...redirAuth, Location: "https://login.test/again" },
        }),
      }),
  },
  {
    name: "redirect to http",
    code: "insecure-url",
    run: () =>
      runPassport(LOGIN, {
        fetch: answering({ status: 302, headers: { ...redirAuth, Location: "http://evil.test/" } }),
      }),
  },
  {
    name: "HTTP 500",
    code: "protocol",
    run: () => runPassport(LOGIN, { fetch: answering({ status: 500, headers: {} }) }),
  },
  {
    name: "ticket with a space",
    code: "protocol",
    run: () =>
      runPassport(LOGIN, {
        fetch: answering({
          status: 200,
          headers: {
            "Authentication-Info": `da-status=success,from-PP='t=${TICKET_SECRET} &p=x'`,
          },
        }),
      }),
  },
  {
    name: "unterminated ticket",
    code: "protocol",
    run: () =>
      runPassport(LOGIN, {
        fetch: answering({
          status: 200,
          headers: { "Authentication-Info": `da-status=success,from-PP='t=${TICKET_SECRET}` },
        }),
      }),
  },
  {
    name: "ticket with the wrong status",
    code: "protocol",
    run: () =>
      runPassport(LOGIN, {
        fetch: answering({
          status: 302,
          headers: { "Authentication-Info": `da-status=success,from-PP='t=${TICKET_SECRET}'` },
        }),
      }),
  },
  {
    name: "ticket beside an unknown da-status",
    code: "protocol",
    run: () =>
      runPassport(LOGIN, {
        fetch: answering({
          status: 200,
          headers: { "Authentication-Info": `da-status=odd,from-PP='t=${TICKET_SECRET}'` },
        }),
      }),
  },
  {
    name: "timeout",
    code: "timeout",
    run: () => runPassport(LOGIN, { fetch: () => new Promise(() => {}), timeoutMs: 20 }),
  },
  {
    name: "abort",
    code: "aborted",
    run: () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error(`abort while sending ${AUTHORIZATION}`)), 10);
      return runPassport(LOGIN, { fetch: () => new Promise(() => {}), signal: controller.signal });
    },
  },
  {
    name: "network error that quotes the request",
    code: "network",
    run: () =>
      runPassport(LOGIN, {
        fetch: (request) => {
          const error = new Error(`socket hang up sending ${request.headers.Authorization}`, {
            cause: { request, code: `E_${PASSWORD}` },
          });
          return Promise.reject(error);
        },
      }),
  },
  {
    name: "network error that quotes the raw and encoded password",
    code: "network",
    run: () =>
      runPassport(LOGIN, {
        fetch: () => Promise.reject(new TypeError(`bad byte in ${PASSWORD} / ${ENCODED_PASSWORD}`)),
      }),
  },
  {
    name: "fetch that throws the request itself",
    code: "network",
    run: () => runPassport(LOGIN, { fetch: (request) => Promise.reject(request) }),
  },
];

for (const path of paths) {
  test(`no secret leaks from the ${path.name} failure`, async () => {
    let caught: unknown;
    try {
      await path.run();
    } catch (error) {
      caught = error;
    }
    assert.equal((caught as { code?: string } | undefined)?.code, path.code);
    assert.equal((caught as Error).cause, undefined);
    assertNoSecret(caught, path.name);
  });
}

test("the scrubbed network message still says what went wrong", async () => {
  await assert.rejects(
    runPassport(LOGIN, {
      fetch: (request) =>
        Promise.reject(new Error(`reset sending ${request.headers.Authorization}`)),
    }),
    {
      code: "network",
      message: "Cannot reach https://login.test: Error: reset sending [redacted]",
    },
  );
});

test("no secret leaks from caller-input errors", () => {
  for (
    const options of [
      { ...LOGIN, password: `${PASSWORD}\ud800` },
      { ...LOGIN, nexusUrl: "http://nexus.test/", loginUrl: undefined },
      { ...LOGIN, challenge: "bad challenge" },
    ]
  ) {
    let caught: unknown;
    try {
      new PassportLogin(options);
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof Error);
    assertNoSecret(caught, "constructor");
  }
});

test("a login request and the login itself redact the Authorization when printed", () => {
  const login = new PassportLogin(LOGIN);
  const step = login.start();
  // The real header is there for the HTTP client...
  assert.equal(step.request.headers.Authorization, AUTHORIZATION);
  // ...but printing the request, the step or the state machine shows none of it.
  assertNoSecret(step.request, "request");
  assertNoSecret(step, "step");
  assertNoSecret(login, "PassportLogin");
  assert.deepEqual(JSON.parse(JSON.stringify(step.request)), {
    method: "GET",
    url: "https://login.test/login2.srf",
    headers: {
      Authorization: "Passport1.4 [redacted]",
      "User-Agent": "MSMSGS",
      "Cache-Control": "no-cache",
    },
  });
});

test("a password in any spelling is redacted from foreign error messages", async () => {
  const password = "pä ss!'(W)*%2\"\\é";
  const lower = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  const component = encodeURIComponent(password);
  const strict = component.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  const spellings = [
    password,
    component,
    lower(component),
    strict.replace(/%[0-9a-f]{2}/gi, (m) => m.toUpperCase()),
    lower(strict),
    component.replace(/%20/g, "+"),
    // Mixed: half encoded, half raw.
    encodeURIComponent(password.slice(0, 3)) + password.slice(3),
    JSON.stringify(password).slice(1, -1),
  ];
  for (const spelling of spellings) {
    let caught: unknown;
    try {
      await runPassport({ ...LOGIN, password }, {
        fetch: () => Promise.reject(new TypeError(`invalid header value pwd=${spelling},lc=1033`)),
      });
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof Error && (caught as { code?: string }).code === "network");
    for (const text of renderings(caught)) {
      for (const secret of spellings) {
        assert.ok(!text.includes(secret), `${JSON.stringify(secret)} leaked into ${text}`);
      }
    }
    assert.ok(
      (caught as Error).message.includes("pwd=[redacted],lc=1033"),
      (caught as Error).message,
    );
  }
});

test("a server that echoes the password in a URL, da-status or cbtxt gets it redacted", () => {
  const password = "Hunter 2!";
  const echoes: PassportHttpResponse[] = [
    {
      status: 302,
      headers: {
        "Authentication-Info": "da-status=redir",
        Location: "http://evil.test/?p=Hunter%202%21",
      },
    },
    {
      status: 302,
      headers: { "Authentication-Info": "da-status=redir", Location: "https://[Hunter+2!" },
    },
    { status: 200, headers: { "Authentication-Info": "da-status=Hunter%202!" } },
    { status: 401, headers: { "WWW-Authenticate": "da-status=failed,cbtxt=Hunter+2%21" } },
  ];
  for (const response of echoes) {
    const login = new PassportLogin({ ...LOGIN, password });
    login.start();
    let caught: unknown;
    try {
      login.receive(response);
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof Error);
    for (const text of renderings(caught)) {
      for (const secret of [password, "Hunter%202", "Hunter+2"]) {
        assert.ok(!text.includes(secret), `${JSON.stringify(secret)} leaked into ${text}`);
      }
    }
    assert.ok(renderings(caught).join("\n").includes("[redacted]"));
  }
});
