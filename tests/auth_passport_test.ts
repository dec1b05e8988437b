import { test } from "node:test";
import assert from "node:assert/strict";
import {
  PassportError,
  type PassportErrorCode,
  type PassportHttpResponse,
  PassportLogin,
  type PassportLoginOptions,
  type PassportStep,
} from "../auth/mod.ts";

// The hypothetic.org MSNP8 authentication example: user, password and the NS challenge.
const HYP_CHALLENGE =
  "lc=1033,id=507,tw=40,fs=1,ru=http%3A%2F%2Fmessenger%2Emsn%2Ecom,ct=1062764229,kpp=1,kv=5,ver=2.1.0173.1,tpf=43f8a4c8ed940c04e3740be46c4d1619";
const HYP: PassportLoginOptions = {
  account: "example@passport.com",
  password: "password",
  challenge: HYP_CHALLENGE,
};
const HYP_AUTHORIZATION =
  "Passport1.4 OrgVerb=GET,OrgURL=http%3A%2F%2Fmessenger%2Emsn%2Ecom,sign-in=example%40passport.com,pwd=password,lc=1033,id=507,tw=40,fs=1,ru=http%3A%2F%2Fmessenger%2Emsn%2Ecom,ct=1062764229,kpp=1,kv=5,ver=2.1.0173.1,tpf=43f8a4c8ed940c04e3740be46c4d1619";

// PROTOCOL.md sec. 3, the 2003 Nexus capture.
const HISTORICAL_PASSPORT_URLS =
  "DARealm=Passport.Net,DALogin=login.passport.com/login2.srf,DAReg=http://register.passport.net/uixpwiz.srf,Properties=https://register.passport.net/editprof.srf,Privacy=http://www.passport.com/consumer/privacypolicy.asp,GeneralRedir=http://nexusrdr.passport.com/redir.asp,Help=http://memberservices.passport.net/memberservice.srf,ConfigVersion=11";
const TICKET =
  "t=53*1hAu8ADuD3TEwdXoOMi08sD*2!cMrntTwVMTjoB3p6stWTqzbkKZPVQzA5NOt19SLI60PY!b8K4YhC!Ooo5ug$$&p=5eKBBC!yBH6ex5mftp!a9DrSb0B3hU8aqAWpaPn07iCGBw5akemiWSd7t2ot!okPvIR";
const SUCCESS: PassportHttpResponse = {
  status: 200,
  headers: {
    "Authentication-Info":
      `Passport1.4 da-status=success,tname=MSPAuth,tname=MSPProf,tname=MSPSec,from-PP='${TICKET}',ru=http://messenger.msn.com`,
  },
};
const NEXUS: PassportHttpResponse = {
  status: 200,
  headers: { PassportURLs: HISTORICAL_PASSPORT_URLS },
};

function loginHeaders(authorization: string): Record<string, string> {
  return { Authorization: authorization, "User-Agent": "MSMSGS", "Cache-Control": "no-cache" };
}

function requestOf(step: PassportStep): { method: string; url: string; headers: object } {
  assert.equal(step.type, "request");
  if (step.type !== "request") throw new Error("unreachable");
  // Spread into plain objects so deepEqual compares only the wire-relevant fields.
  return {
    method: step.request.method,
    url: step.request.url,
    headers: { ...step.request.headers },
  };
}

/** Asserts `fn` throws a PassportError with exactly these fields. */
function assertFails(
  fn: () => unknown,
  expected: { code: PassportErrorCode; message: string; status?: number; cbtxt?: string },
): PassportError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof PassportError, `expected PassportError, got ${caught}`);
  assert.deepEqual(
    { code: caught.code, message: caught.message, status: caught.status, cbtxt: caught.cbtxt },
    { status: undefined, cbtxt: undefined, ...expected },
  );
  assert.equal(caught.name, "PassportError");
  return caught;
}

/** A login already past the Nexus, waiting for the login server's answer. */
function atLogin(options: Partial<PassportLoginOptions> = {}): PassportLogin {
  const login = new PassportLogin({ ...HYP, ...options });
  login.start();
  login.receive(NEXUS);
  return login;
}

test("start() asks the default Nexus with a bare GET", () => {
  const login = new PassportLogin(HYP);
  assert.equal(login.state, "ready");
  assert.deepEqual(requestOf(login.start()), {
    method: "GET",
    url: "https://nexus.passport.com/rdr/pprdr.asp",
    headers: {},
  });
  assert.equal(login.state, "nexus");
});

test("a configured Nexus URL is used instead of the historical one", () => {
  const login = new PassportLogin({ ...HYP, nexusUrl: "https://revival.example/rdr/pprdr.asp" });
  assert.equal(requestOf(login.start()).url, "https://revival.example/rdr/pprdr.asp");
});

test("historical Nexus answer leads to the byte-exact login request (DALogin without scheme)", () => {
  const login = new PassportLogin(HYP);
  login.start();
  assert.deepEqual(requestOf(login.receive(NEXUS)), {
    method: "GET",
    url: "https://login.passport.com/login2.srf",
    headers: loginHeaders(HYP_AUTHORIZATION),
  });
  assert.equal(login.state, "login");
  assert.equal(login.loginUrl, "https://login.passport.com/login2.srf");
});

test("historical full Authentication-Info success yields the t=&p= ticket", () => {
  const login = atLogin();
  assert.deepEqual(login.receive(SUCCESS), {
    type: "ticket",
    ticket: TICKET,
    loginUrl: "https://login.passport.com/login2.srf",
  });
  assert.equal(login.state, "done");
});

test("minimal revival server: DALogin=https://host/login only, opaque token ticket", () => {
  const login = new PassportLogin({ ...HYP, nexusUrl: "https://revival.example/nexus" });
  login.start();
  const step = login.receive({
    status: 200,
    headers: { PassportURLs: "DALogin=https://revival.example/login" },
  });
  assert.deepEqual(requestOf(step), {
    method: "GET",
    url: "https://revival.example/login",
    headers: loginHeaders(HYP_AUTHORIZATION),
  });
  assert.deepEqual(
    login.receive({
      status: 200,
      headers: { "Authentication-Info": "Passport1.4 da-status=success,from-PP='0123abcdEF'" },
    }),
    { type: "ticket", ticket: "0123abcdEF", loginUrl: "https://revival.example/login" },
  );
});

test("a cached login URL skips the Nexus", () => {
  const login = new PassportLogin({ ...HYP, loginUrl: "https://login.passport.com/login2.srf" });
  assert.deepEqual(requestOf(login.start()), {
    method: "GET",
    url: "https://login.passport.com/login2.srf",
    headers: loginHeaders(HYP_AUTHORIZATION),
  });
  assert.equal(login.state, "login");
  assert.equal(login.receive(SUCCESS).type, "ticket");
});

test("a cached login URL without scheme gets https:// once", () => {
  const login = new PassportLogin({ ...HYP, loginUrl: "login.passport.com/login2.srf" });
  assert.equal(requestOf(login.start()).url, "https://login.passport.com/login2.srf");
});

test("the challenge from the seed session is appended verbatim", () => {
  const login = new PassportLogin({
    account: "example@hotmail.com",
    password: "hunter2",
    challenge: "passport=parameters,neat=huh,lc=1033,id=507",
    loginUrl: "https://login.passport.com/login2.srf",
  });
  assert.deepEqual(
    requestOf(login.start()).headers,
    loginHeaders(
      "Passport1.4 OrgVerb=GET,OrgURL=http%3A%2F%2Fmessenger%2Emsn%2Ecom,sign-in=example%40hotmail.com,pwd=hunter2,passport=parameters,neat=huh,lc=1033,id=507",
    ),
  );
});

test("passwords with , % & = ' space and non-ASCII are UTF-8 percent-encoded", () => {
  const login = new PassportLogin({
    ...HYP,
    account: "me+msn@ex\u00e4mple.com",
    password: "a,b%c&d e=f'g!~-_.\u00fc\u20ac\u{1F600}",
    loginUrl: "https://login.passport.com/login2.srf",
  });
  assert.deepEqual(
    requestOf(login.start()).headers,
    loginHeaders(
      "Passport1.4 OrgVerb=GET,OrgURL=http%3A%2F%2Fmessenger%2Emsn%2Ecom,sign-in=me%2Bmsn%40ex%C3%A4mple.com,pwd=a%2Cb%25c%26d%20e%3Df%27g%21~-_.%C3%BC%E2%82%AC%F0%9F%98%80," +
        HYP_CHALLENGE,
    ),
  );
});

test("an empty password is sent as an empty pwd field", () => {
  const login = new PassportLogin({ ...HYP, password: "", loginUrl: "https://l.example/" });
  assert.deepEqual(
    requestOf(login.start()).headers,
    loginHeaders(
      "Passport1.4 OrgVerb=GET,OrgURL=http%3A%2F%2Fmessenger%2Emsn%2Ecom,sign-in=example%40passport.com,pwd=," +
        HYP_CHALLENGE,
    ),
  );
});

test("redirect then success resends the same Authorization to Location", () => {
  const login = atLogin();
  const step = login.receive({
    status: 302,
    headers: {
      "Authentication-Info": "Passport1.4 da-status=redir",
      Location: "https://loginnet.passport.com/login2.srf?lc=1033",
    },
  });
  assert.deepEqual(requestOf(step), {
    method: "GET",
    url: "https://loginnet.passport.com/login2.srf?lc=1033",
    headers: loginHeaders(HYP_AUTHORIZATION),
  });
  // The cacheable URL stays the Nexus's DALogin; the account-specific hop is not cached.
  assert.deepEqual(login.receive(SUCCESS), {
    type: "ticket",
    ticket: TICKET,
    loginUrl: "https://login.passport.com/login2.srf",
  });
});

test("a relative Location is resolved against the current login URL", () => {
  const login = atLogin();
  const step = login.receive({
    status: 302,
    headers: { "authentication-info": "Passport1.4 da-status=redir", location: "/other.srf?a=1" },
  });
  assert.equal(requestOf(step).url, "https://login.passport.com/other.srf?a=1");
});

const REDIR: PassportHttpResponse = {
  status: 302,
  headers: {
    "Authentication-Info": "Passport1.4 da-status=redir",
    Location: "https://login.passport.com/login2.srf",
  },
};

test("a redirect loop stops after 5 hops with too-many-redirects", () => {
  const login = atLogin();
  for (let i = 0; i < 5; i++) assert.equal(login.receive(REDIR).type, "request");
  assertFails(() => login.receive(REDIR), {
    code: "too-many-redirects",
    message: "Cannot sign in: more than 5 Passport redirects",
    status: 302,
  });
  assert.equal(login.state, "failed");
});

test("maxRedirects is configurable, down to 0", () => {
  const login = atLogin({ maxRedirects: 0 });
  assertFails(() => login.receive(REDIR), {
    code: "too-many-redirects",
    message: "Cannot sign in: more than 0 Passport redirects",
    status: 302,
  });
  assert.throws(() => new PassportLogin({ ...HYP, maxRedirects: -1 }), RangeError);
  assert.throws(() => new PassportLogin({ ...HYP, maxRedirects: 1.5 }), RangeError);
});

test("401 WWW-Authenticate da-status=failed with cbtxt is bad-credentials, decoded, never retried", () => {
  // Not HYP's "password": the cbtxt says "password", which would then be redacted.
  const login = atLogin({ password: "hunter2" });
  const response: PassportHttpResponse = {
    status: 401,
    headers: {
      "WWW-Authenticate":
        "Passport1.4 da-status=failed,srealm=Passport.NET,ts=-1,prompt,cburl=http://www.passportimages.com/XPPassportLogo.gif,cbtxt=The%20password%20is%20incorrect.+Try%20again%2C%20please",
    },
  };
  const first = assertFails(() => login.receive(response), {
    code: "bad-credentials",
    message: "Cannot sign in: Passport rejected the account or password (da-status=failed)",
    status: 401,
    cbtxt: "The password is incorrect. Try again, please",
  });
  // h11-style: the failure is a state; any later call throws the very same error.
  assert.equal(login.state, "failed");
  assert.throws(() => login.receive(SUCCESS), (e) => e === first);
});

test("401 failed-noretry without cbtxt is bad-credentials with no cbtxt", () => {
  const login = atLogin();
  assertFails(
    () =>
      login.receive({
        status: 401,
        headers: {
          "WWW-Authenticate": "Passport1.4 da-status=failed-noretry,srealm=Passport.NET,ts=-1",
        },
      }),
    {
      code: "bad-credentials",
      message:
        "Cannot sign in: Passport rejected the account or password (da-status=failed-noretry)",
      status: 401,
    },
  );
});

test("da-status=failed in Authentication-Info counts the same as WWW-Authenticate", () => {
  const login = atLogin();
  assertFails(
    () =>
      login.receive({
        status: 401,
        headers: { "Authentication-Info": "Passport1.4 da-status=failed,cbtxt=Nope" },
      }),
    {
      code: "bad-credentials",
      message: "Cannot sign in: Passport rejected the account or password (da-status=failed)",
      status: 401,
      cbtxt: "Nope",
    },
  );
});

test("a cbtxt with broken escapes is kept raw", () => {
  const login = atLogin();
  const error = assertFails(
    () =>
      login.receive({
        status: 401,
        headers: { "WWW-Authenticate": "Passport1.4 da-status=failed,cbtxt=100%zz" },
      }),
    {
      code: "bad-credentials",
      message: "Cannot sign in: Passport rejected the account or password (da-status=failed)",
      status: 401,
      cbtxt: "100%zz",
    },
  );
  assert.equal(error.cbtxt, "100%zz");
});

test("lower-case, upper-case and Headers-object header names are all found", () => {
  const variants: PassportHttpResponse["headers"][] = [
    { "authentication-info": SUCCESS_VALUE() },
    { "AUTHENTICATION-INFO": SUCCESS_VALUE() },
    { "www-authenticate": SUCCESS_VALUE() },
    new Headers({ "Authentication-Info": SUCCESS_VALUE() }),
  ];
  for (const headers of variants) {
    const login = new PassportLogin(HYP);
    login.start();
    login.receive({ status: 200, headers: { passporturls: HISTORICAL_PASSPORT_URLS } });
    assert.deepEqual(login.receive({ status: 200, headers }), {
      type: "ticket",
      ticket: TICKET,
      loginUrl: "https://login.passport.com/login2.srf",
    });
  }
});

function SUCCESS_VALUE(): string {
  return `Passport1.4 da-status=success,from-PP='${TICKET}'`;
}

test("Nexus headers given as a Headers object and in upper case are found", () => {
  for (
    const headers of [
      new Headers({ PassportURLs: "DALogin=login.example.com/l" }),
      { PASSPORTURLS: "dalogin=login.example.com/l" },
    ]
  ) {
    const login = new PassportLogin(HYP);
    login.start();
    assert.equal(
      requestOf(login.receive({ status: 200, headers })).url,
      "https://login.example.com/l",
    );
  }
});

// --- failures the server causes: each has one exact typed outcome ---

interface FailureCase {
  name: string;
  stage: "nexus" | "login";
  response: PassportHttpResponse;
  code: PassportErrorCode;
  message: string;
}

const failures: FailureCase[] = [
  {
    name: "Nexus 500",
    stage: "nexus",
    response: { status: 500, headers: {} },
    code: "protocol",
    message: "Cannot read Nexus response: HTTP 500",
  },
  {
    name: "Nexus without PassportURLs",
    stage: "nexus",
    response: { status: 200, headers: { "Content-Type": "text/html" } },
    code: "protocol",
    message: "Cannot read Nexus response: no PassportURLs header",
  },
  {
    name: "PassportURLs without DALogin",
    stage: "nexus",
    response: { status: 200, headers: { PassportURLs: "DARealm=Passport.Net,ConfigVersion=11" } },
    code: "protocol",
    message: "Cannot read Nexus response: PassportURLs has no DALogin",
  },
  {
    name: "PassportURLs with empty DALogin",
    stage: "nexus",
    response: { status: 200, headers: { PassportURLs: "DALogin=,ConfigVersion=11" } },
    code: "protocol",
    message: "Cannot read Nexus response: PassportURLs has no DALogin",
  },
  {
    name: "DALogin that is not a URL",
    stage: "nexus",
    response: { status: 200, headers: { PassportURLs: "DALogin=https://[bad/login" } },
    code: "protocol",
    message: 'Cannot use DALogin "https://[bad/login": not a valid URL',
  },
  {
    name: "DALogin over plain http",
    stage: "nexus",
    response: { status: 200, headers: { PassportURLs: "DALogin=http://login.example.com/l" } },
    code: "insecure-url",
    message: 'Cannot use DALogin "http://login.example.com/l": only https: URLs are allowed',
  },
  {
    name: "login 500",
    stage: "login",
    response: { status: 500, headers: { "Authentication-Info": SUCCESS_VALUE() } },
    code: "protocol",
    message: "Cannot read login response: HTTP 500",
  },
  {
    name: "login 200 without any auth header",
    stage: "login",
    response: { status: 200, headers: { "Content-Type": "text/html" } },
    code: "protocol",
    message:
      "Cannot read login response: HTTP 200 without an Authentication-Info or WWW-Authenticate header",
  },
  {
    name: "login 403 without any auth header",
    stage: "login",
    response: { status: 403, headers: {} },
    code: "protocol",
    message:
      "Cannot read login response: HTTP 403 without an Authentication-Info or WWW-Authenticate header",
  },
  {
    name: "garbled auth header without da-status",
    stage: "login",
    response: { status: 200, headers: { "Authentication-Info": "\u0000garbage;;=,,'" } },
    code: "protocol",
    message: "Cannot read login response: HTTP 200 without da-status",
  },
  {
    name: "unknown da-status",
    stage: "login",
    response: { status: 200, headers: { "Authentication-Info": "Passport1.4 da-status=maybe" } },
    code: "protocol",
    message: 'Cannot read login response: unknown da-status "maybe"',
  },
  {
    name: "success without from-PP",
    stage: "login",
    response: { status: 200, headers: { "Authentication-Info": "Passport1.4 da-status=success" } },
    code: "protocol",
    message: "Cannot read login response: da-status=success without a from-PP ticket",
  },
  {
    name: "success with unterminated from-PP",
    stage: "login",
    response: {
      status: 200,
      headers: { "Authentication-Info": "Passport1.4 da-status=success,from-PP='t=abc&p=def" },
    },
    code: "protocol",
    message: "Cannot read login response: from-PP ticket has no closing quote",
  },
  {
    name: "success with empty from-PP",
    stage: "login",
    response: {
      status: 200,
      headers: { "Authentication-Info": "Passport1.4 da-status=success,from-PP=''" },
    },
    code: "protocol",
    message: "Cannot read login response: from-PP ticket is empty",
  },
  {
    name: "success with a ticket containing a space",
    stage: "login",
    response: {
      status: 200,
      headers: { "Authentication-Info": "Passport1.4 da-status=success,from-PP='t=a b&p=c'" },
    },
    code: "protocol",
    message:
      "Cannot read login response: from-PP ticket holds spaces, control or non-ASCII characters",
  },
  {
    name: "success with HTTP 302",
    stage: "login",
    response: { status: 302, headers: { "Authentication-Info": SUCCESS_VALUE() } },
    code: "protocol",
    message: "Cannot read login response: da-status=success with HTTP 302",
  },
  {
    name: "redir without Location",
    stage: "login",
    response: { status: 302, headers: { "Authentication-Info": "Passport1.4 da-status=redir" } },
    code: "protocol",
    message: "Cannot read login response: da-status=redir without a Location header",
  },
  {
    name: "redir with HTTP 200",
    stage: "login",
    response: {
      status: 200,
      headers: { "Authentication-Info": "Passport1.4 da-status=redir", Location: "https://x/" },
    },
    code: "protocol",
    message: "Cannot read login response: da-status=redir with HTTP 200",
  },
  {
    name: "redirect to plain http",
    stage: "login",
    response: {
      status: 302,
      headers: {
        "Authentication-Info": "Passport1.4 da-status=redir",
        Location: "http://loginnet.passport.com/login2.srf",
      },
    },
    code: "insecure-url",
    message:
      'Cannot use redirect "http://loginnet.passport.com/login2.srf": only https: URLs are allowed',
  },
  {
    name: "redirect to another scheme",
    stage: "login",
    response: {
      status: 302,
      headers: {
        "Authentication-Info": "Passport1.4 da-status=redir",
        Location: "ftp://loginnet.passport.com/x",
      },
    },
    code: "insecure-url",
    message: 'Cannot use redirect "ftp://loginnet.passport.com/x": only https: URLs are allowed',
  },
  {
    name: "redirect to a URL with credentials",
    stage: "login",
    response: {
      status: 302,
      headers: {
        "Authentication-Info": "Passport1.4 da-status=redir",
        Location: "https://user:pw@loginnet.passport.com/x",
      },
    },
    code: "insecure-url",
    message:
      'Cannot use redirect on host "loginnet.passport.com": URLs with credentials are refused',
  },
  {
    name: "redirect to an unparseable Location",
    stage: "login",
    response: {
      status: 302,
      headers: { "Authentication-Info": "Passport1.4 da-status=redir", Location: "https://[::1" },
    },
    code: "protocol",
    message: 'Cannot use redirect "https://[::1": not a valid URL',
  },
  {
    name: "redirect to loopback http without opt-in",
    stage: "login",
    response: {
      status: 302,
      headers: {
        "Authentication-Info": "Passport1.4 da-status=redir",
        Location: "http://127.0.0.1:8080/login",
      },
    },
    code: "insecure-url",
    message:
      'Cannot use redirect "http://127.0.0.1:8080/login": http: to a loopback host needs allowInsecureLoopback',
  },
];

for (const c of failures) {
  test(`${c.name} fails with ${c.code}`, () => {
    const login = new PassportLogin(HYP);
    login.start();
    if (c.stage === "login") login.receive(NEXUS);
    assertFails(() => login.receive(c.response), {
      code: c.code,
      message: c.message,
      status: c.response.status,
    });
    assert.equal(login.state, "failed");
  });
}

test("http: is followed only to loopback hosts and only with allowInsecureLoopback", () => {
  const redirectTo = (location: string): PassportHttpResponse => ({
    status: 302,
    headers: { "Authentication-Info": "Passport1.4 da-status=redir", Location: location },
  });
  for (
    const url of [
      "http://127.0.0.1:9/l",
      "http://127.1.2.3/l",
      "http://localhost:80/l",
      "http://[::1]:9/l",
    ]
  ) {
    const login = atLogin({ allowInsecureLoopback: true });
    assert.equal(requestOf(login.receive(redirectTo(url))).url, new URL(url).href);
  }
  for (
    const url of ["http://example.com/l", "http://10.0.0.1/l", "http://localhost.example.com/l"]
  ) {
    const login = atLogin({ allowInsecureLoopback: true });
    assertFails(() => login.receive(redirectTo(url)), {
      code: "insecure-url",
      message: `Cannot use redirect "${url}": only https: URLs are allowed`,
      status: 302,
    });
  }
});

test("an insecure Nexus or cached login URL is refused up front", () => {
  assertFails(
    () => new PassportLogin({ ...HYP, nexusUrl: "http://nexus.passport.com/rdr/pprdr.asp" }),
    {
      code: "insecure-url",
      message:
        'Cannot use Nexus URL "http://nexus.passport.com/rdr/pprdr.asp": only https: URLs are allowed',
    },
  );
  assertFails(
    () => new PassportLogin({ ...HYP, loginUrl: "http://login.passport.com/login2.srf" }),
    {
      code: "insecure-url",
      message:
        'Cannot use login URL "http://login.passport.com/login2.srf": only https: URLs are allowed',
    },
  );
  const local = new PassportLogin({
    ...HYP,
    nexusUrl: "http://127.0.0.1:1863/nexus",
    allowInsecureLoopback: true,
  });
  assert.equal(requestOf(local.start()).url, "http://127.0.0.1:1863/nexus");
});

test("a challenge that cannot be sent is the server's fault: PassportError protocol", () => {
  for (
    const challenge of ["lc=1033\r\nX-Evil: 1", "", "lc=1033 id=507", "lc=\u00e9", "a\tb", "a\0"]
  ) {
    assertFails(() => new PassportLogin({ ...HYP, challenge }), {
      code: "protocol",
      message:
        "Cannot start Passport sign-in: the challenge is empty or holds a space, a control or a non-ASCII character",
    });
  }
});

test("a status that is not an integer 100..599 is refused with protocol at each stage", () => {
  for (const status of [NaN, 0, 99, 600, 200.5, -200, Infinity, "200" as unknown as number]) {
    const nexus = new PassportLogin(HYP);
    nexus.start();
    const first = assertFails(() => nexus.receive({ ...NEXUS, status }), {
      code: "protocol",
      message: `Cannot read response: status ${
        JSON.stringify(String(status))
      } is not an HTTP status`,
    });
    assert.equal(nexus.state, "failed");
    assert.throws(() => nexus.receive(NEXUS), (e) => e === first);
    const login = atLogin();
    assertFails(() => login.receive({ ...SUCCESS, status }), {
      code: "protocol",
      message: `Cannot read response: status ${
        JSON.stringify(String(status))
      } is not an HTTP status`,
    });
  }
  const login = atLogin();
  assertFails(() => login.receive({ status: 200 } as PassportHttpResponse), {
    code: "protocol",
    message: "Cannot read response: no headers",
    status: 200,
  });
});

test("a bare 401 (no header, or a header without da-status) is bad-credentials", () => {
  for (const headers of [{}, { "WWW-Authenticate": "Passport1.4" }, new Headers()]) {
    assertFails(() => atLogin().receive({ status: 401, headers }), {
      code: "bad-credentials",
      message: "Cannot sign in: Passport rejected the account or password (HTTP 401)",
      status: 401,
    });
  }
});

test("revival servers' forms: DALogin without scheme or with a port, t=&p= and bare tickets, any quotes", () => {
  for (
    const [daLogin, url] of [
      ["login.example.com/login.srf", "https://login.example.com/login.srf"],
      ["login.example.com:8443/login", "https://login.example.com:8443/login"],
      ["//login.example.com/login", "https://login.example.com/login"],
      ["https://login.example.com/login", "https://login.example.com/login"],
    ]
  ) {
    const login = new PassportLogin(HYP);
    login.start();
    const step = login.receive({ status: 200, headers: { passporturls: `DALogin=${daLogin}` } });
    assert.equal(requestOf(step).url, url);
  }
  for (
    const [fromPP, ticket] of [
      ["'t=abc&p=def'", "t=abc&p=def"],
      ["'0123456789abcdef0123'", "0123456789abcdef0123"],
      ['"t=abc&p=def"', "t=abc&p=def"],
      ["t=abc&p=def", "t=abc&p=def"],
      ["0123456789abcdef0123", "0123456789abcdef0123"],
    ]
  ) {
    const step = atLogin().receive({
      status: 200,
      headers: { "Authentication-Info": `Passport1.4 da-status=success,from-PP=${fromPP}` },
    });
    assert.equal(step.type === "ticket" && step.ticket, ticket, fromPP);
  }
});

test("caller mistakes are TypeError/Error, not PassportError", () => {
  assert.throws(() => new PassportLogin({ ...HYP, account: "" }), TypeError);

  assert.throws(() => new PassportLogin({ ...HYP, password: "\ud800" }), {
    name: "TypeError",
    message: "Cannot encode password: it is not well-formed Unicode",
  });
  assert.throws(() => new PassportLogin({ ...HYP, nexusUrl: "not a url" }), TypeError);
  const login = new PassportLogin(HYP);
  assert.throws(() => login.receive(NEXUS), /Cannot call receive\(\) in state "ready"/);
  login.start();
  assert.throws(() => login.start(), /Cannot call start\(\): sign-in already started/);
  login.receive(NEXUS);
  login.receive(SUCCESS);
  assert.throws(() => login.receive(SUCCESS), /Cannot call receive\(\) in state "done"/);
});
