// Private to testing/: the Passport 1.4 Nexus and login endpoints over node:http (PROTOCOL.md
// sec. 3). Tickets it issues are the only ones the notification server accepts.

import type { IncomingMessage, ServerResponse } from "node:http";
import { type Hub, randomString } from "./_server_state.ts";

const TICKET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*";
const FAILED = "Passport1.4 da-status=failed,srealm=Passport.NET,ts=-1,prompt," +
  "cburl=http://www.passportimages.com/XPPassportLogo.gif," +
  "cbtxt=The%20e-mail%20address%20or%20password%20is%20incorrect";

/** Issues a ticket `t=...&p=...` for the account `key`. */
export function issueTicket(hub: Hub, key: string): string {
  const ticket = `t=${randomString(48, TICKET_CHARS)}&p=${randomString(32, TICKET_CHARS)}`;
  hub.tickets.set(ticket, key);
  return ticket;
}

/** Splits `Passport1.4 k=v,k=v,...` into lower-cased keys (first wins); values stay encoded. */
function authorizationParams(header: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of header.replace(/^\s*Passport1\.4\s+/i, "").split(",")) {
    const eq = part.indexOf("=");
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (key !== "" && !out.has(key)) out.set(key, eq < 0 ? "" : part.slice(eq + 1).trim());
  }
  return out;
}

function decode(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** The HTTP side of the loopback server. */
export class PassportEndpoint {
  readonly #hub: Hub;
  #redirectPending: boolean;
  port = 0;

  constructor(hub: Hub, redirectOnce: boolean) {
    this.#hub = hub;
    this.#redirectPending = redirectOnce;
  }

  get #origin(): string {
    return `http://${this.#hub.host}:${this.port}`;
  }

  /** `node:http` request listener. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? "/", this.#origin).pathname;
    if (req.method !== "GET") {
      res.writeHead(405, { Allow: "GET" });
      res.end();
    } else if (path === "/rdr/pprdr.asp") {
      const o = this.#origin;
      res.writeHead(200, {
        "Content-Type": "text/html",
        PassportURLs: `DARealm=Passport.Net,DALogin=${o}/login2.srf,DAReg=${o}/reg,` +
          `Properties=${o}/editprof.srf,Privacy=${o}/privacy,GeneralRedir=${o}/redir.asp,` +
          `Help=${o}/help,ConfigVersion=11`,
      });
      res.end();
    } else if (path === "/login2.srf") {
      this.#login(req, res);
    } else {
      res.writeHead(404, { "Content-Type": "text/html" });
      res.end("<html><body>Not found</body></html>");
    }
  }

  #login(req: IncomingMessage, res: ServerResponse): void {
    if (this.#redirectPending) {
      this.#redirectPending = false;
      res.writeHead(302, {
        "Content-Type": "text/html",
        "Authentication-Info": "Passport1.4 da-status=redir",
        Location: `${this.#origin}/login2.srf?lc=1033`,
      });
      res.end("<html><body>Redirect</body></html>");
      return;
    }
    const params = authorizationParams(req.headers.authorization ?? "");
    const signIn = decode(params.get("sign-in"));
    const password = decode(params.get("pwd"));
    const account = signIn === undefined ? undefined : this.#hub.accounts.get(signIn.toLowerCase());
    if (!account || password !== account.password) {
      res.writeHead(401, { "Content-Type": "text/html", "WWW-Authenticate": FAILED });
      res.end("<html><body>Unauthorized</body></html>");
      return;
    }
    const ticket = issueTicket(this.#hub, account.key);
    res.writeHead(200, {
      "Content-Type": "text/html",
      "Authentication-Info": "Passport1.4 da-status=success,tname=MSPAuth,tname=MSPProf," +
        `tname=MSPSec,from-PP='${ticket}',ru=http://messenger.msn.com`,
    });
    res.end("<html><body>Success</body></html>");
  }
}
