// The Passport fuzz target: PassportLogin fed random statuses, headers and redirect chains (some
// echoing the password back), and runPassport over a fetch that fails with the password spelled
// in random ways. Invariants: only PassportError, a bounded number of requests, https only, and
// no password spelling, Authorization or ticket in any rendering of an error or a request.

import {
  PassportError,
  type PassportFetch,
  type PassportHttpResponse,
  PassportLogin,
  type PassportStep,
} from "../auth/mod.ts";
import { runPassport } from "../io_adapters/run_passport.ts";
import { check, checkNoSecret, type FuzzTarget, randomText, type Rng } from "./_fuzz.ts";

const PASSWORD_UNITS = [
  "Pw",
  "Q7",
  " ",
  "!",
  "'",
  "(",
  "*",
  "%",
  "+",
  ",",
  "=",
  "é",
  "日",
  "🎉",
  "&",
  "~",
];

/** A password of 8+ characters that no message template can contain by chance. */
function randomPassword(rng: Rng): string {
  let out = "Xq";
  for (let n = 4 + rng.int(8); n > 0; n--) out += rng.pick(PASSWORD_UNITS);
  return out + "Zk";
}

/** The password as different encoders write it. */
function spellings(password: string): string[] {
  const component = encodeURIComponent(password);
  const strict = component.replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  const lower = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  return [
    ...new Set([
      password,
      component,
      strict,
      lower(component),
      lower(strict),
      component.replace(/%20/g, "+"),
    ]),
  ];
}

const URLS = [
  "login.example.com/login2.srf",
  "https://login.example.com/login",
  "//login.example.com/x",
  "login.example.com:8443/login",
  "http://login.example.com/login",
  "http://127.0.0.1/login",
  "https://u:p@login.example.com/",
  "https://[bad/login",
  "ftp://x/",
  "/relative/path",
  "",
];

function randomResponse(rng: Rng, password: string, ticket: string): PassportHttpResponse {
  const status = rng.pick<number>([
    200,
    200,
    302,
    401,
    500,
    301,
    204,
    0,
    NaN,
    99,
    600,
    200.5,
    -1,
    100 + rng.int(500),
    "200" as unknown as number,
  ]);
  const echo = () => rng.pick(spellings(password));
  const url = () => rng.chance(0.1) ? `https://evil.test/?p=${echo()}` : rng.pick(URLS);
  const headers: Record<string, string | string[]> = {};
  const name = (n: string) =>
    rng.chance(0.3) ? n.toUpperCase() : rng.chance(0.5) ? n.toLowerCase() : n;
  if (rng.chance(0.4)) {
    headers[name("PassportURLs")] = rng.chance(0.9)
      ? `DARealm=Passport.Net,DALogin=${url()},ConfigVersion=11`
      : randomText(rng, 10);
  }
  if (rng.chance(0.7)) {
    const daStatus = rng.pick([
      "success",
      "failed",
      "redir",
      "failed-noretry",
      "SUCCESS",
      "",
      randomText(rng, 3),
    ]);
    const fromPP = rng.pick([
      `'${ticket}'`,
      `"${ticket}"`,
      ticket,
      `'${ticket}`,
      "''",
      `'${ticket} x'`,
    ]);
    let value = `Passport1.4 da-status=${rng.chance(0.05) ? echo() : daStatus}`;
    if (rng.chance(0.7)) value += `,from-PP=${fromPP}`;
    if (rng.chance(0.3)) value += `,cbtxt=${rng.chance(0.3) ? echo() : randomText(rng, 6)}`;
    headers[name(rng.chance(0.5) ? "Authentication-Info" : "WWW-Authenticate")] = rng.chance(0.1)
      ? [value, randomText(rng, 4)]
      : value;
  }
  if (rng.chance(0.4)) headers[name("Location")] = url();
  return { status, headers };
}

function checkError(error: unknown, secrets: readonly string[]): number {
  if (!(error instanceof PassportError)) throw error;
  checkNoSecret(error, secrets, `PassportError ${error.code}`);
  return 1;
}

async function passportOne(rng: Rng): Promise<number> {
  const password = randomPassword(rng);
  const ticket = `t=TK${rng.next().toString(36)}Tq&p=PR${rng.next().toString(36)}Pq`;
  const secrets = [...spellings(password), ticket];
  const maxRedirects = rng.int(4);
  const challenge = rng.chance(0.9) ? "lc=1033,id=507,tw=40,ct=1" : randomText(rng, 6);
  const responses = Array.from(
    { length: 1 + rng.int(8) },
    () => randomResponse(rng, password, ticket),
  );
  if (rng.chance(0.4)) {
    // A plausible exchange (Nexus, a redirect or two, success), with random answers mixed in.
    const plausible: PassportHttpResponse[] = [
      { status: 200, headers: { PassportURLs: `DALogin=${rng.pick(URLS.slice(0, 4))}` } },
    ];
    for (let r = rng.int(3); r > 0; r--) {
      plausible.push({
        status: 302,
        headers: { "Authentication-Info": "da-status=redir", Location: rng.pick(URLS) },
      });
    }
    plausible.push({
      status: rng.chance(0.8) ? 200 : 401,
      headers: { "Authentication-Info": `Passport1.4 da-status=success,from-PP='${ticket}'` },
    });
    responses.splice(rng.chance(0.7) ? 0 : rng.int(responses.length + 1), rng.int(2), ...plausible);
  }
  const options = { account: "alice@example.com", password, challenge, maxRedirects };

  if (rng.chance(0.15)) {
    // The runner over a fetch that answers, or fails with the password in its message.
    let k = 0;
    const fetch: PassportFetch = (request) => {
      if (rng.chance(0.3)) {
        const spelled = rng.pick(spellings(password));
        const text = `${rng.pick(["socket hang up", "bad header"])} ${spelled} ${
          request.headers.Authorization ?? ""
        }`;
        return Promise.reject(rng.chance(0.5) ? new TypeError(text) : text);
      }
      return Promise.resolve(responses[k++ % responses.length]);
    };
    try {
      const result = await runPassport(options, { fetch, timeoutMs: 1000 });
      check(result.ticket.length > 0, () => "empty ticket");
      return 0;
    } catch (error) {
      return checkError(error, secrets);
    }
  }

  let login: PassportLogin;
  try {
    login = new PassportLogin(options);
  } catch (error) {
    return checkError(error, secrets);
  }
  let step: PassportStep = login.start();
  let requests = 1;
  for (const response of responses) {
    if (step.type !== "request") break;
    check(
      step.request.url.startsWith("https://"),
      () => `request to ${step.type === "request" && step.request.url}`,
    );
    // A server may redirect to a URL holding the password; only the Authorization must stay hidden.
    const url = step.request.url;
    checkNoSecret(step.request, secrets.filter((s) => !url.includes(s)), "request");
    try {
      step = login.receive(response);
    } catch (error) {
      return checkError(error, secrets);
    }
    if (step.type === "request") requests++;
    check(
      requests <= maxRedirects + 2,
      () => `${requests} requests with maxRedirects ${maxRedirects}`,
    );
  }
  checkNoSecret(login, secrets, "PassportLogin");
  return 0;
}

/** PassportLogin and runPassport under random responses and failing fetches. */
export const PASSPORT_TARGET: FuzzTarget = { name: "passport", one: passportOne };
