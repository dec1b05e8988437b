// Private to testing/: one connection to the loopback dispatch or notification server. Login is
// lock-step (VER, CVR, USR I, USR S); afterwards it serves SYN, presence, list management,
// keepalive, challenges and switchboard handoff as PROTOCOL.md secs. 2 and 4-7 describe.

import type { Socket } from "node:net";
import { clearInterval, clearTimeout, setInterval, setTimeout } from "node:timers";
import { challengeAnswer, type Command, encodeMime, urlEncode } from "../codec/mod.ts";
import { decodeUtf8 } from "../codec/mime.ts";
import { unswapClientPort } from "../codec/content_profile.ts";
import { LIST_BITS, STATUSES as SETTABLE_STATUSES } from "../codec/client_commands.ts";
import {
  type AccountState,
  allows,
  type Hub,
  type OnlineSession,
  randomDigits,
  randomString,
} from "./_server_state.ts";
import { Link } from "./_server_link.ts";
import { handleListCommand, type ListSession } from "./_server_ns_lists.ts";

const STATUSES: ReadonlySet<string> = new Set(SETTABLE_STATUSES);

type Stage = "ver" | "cvr" | "usr" | "ticket" | "online";

/** A client connection to the dispatch server (`dispatch`) or the notification server. */
export class NsConnection implements OnlineSession, ListSession {
  readonly link: Link;
  readonly #hub: Hub;
  readonly #dispatch: boolean;
  #stage: Stage = "ver";
  version = "";
  #account: AccountState | undefined;
  status = "FLN";
  clientId = "0";
  msnObject: string | undefined;
  #presenceStarted = false;
  /** What this session was told about each contact: the NLN arguments last sent. */
  readonly #told = new Map<string, string>();
  readonly #challenges = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #interval: ReturnType<typeof setInterval> | undefined;

  constructor(hub: Hub, socket: Socket, dispatch: boolean) {
    this.#hub = hub;
    this.#dispatch = dispatch;
    this.link = new Link(hub, socket, (c) => this.#handle(c), () => this.#closed());
  }

  get account(): AccountState {
    return this.#account as AccountState;
  }

  #closed(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#interval !== undefined) clearInterval(this.#interval);
    this.#timer = this.#interval = undefined;
    const account = this.#account;
    if (this.#stage !== "online" || !account) return;
    if (this.#hub.sessions.get(account.key) !== this) return;
    this.#hub.sessions.delete(account.key);
    this.#hub.syncAll(account.key);
  }

  #handle(c: Command): void {
    if (c.name === "PNG") {
      if (this.version === "MSNP8") this.link.send("QNG", null, []);
      else this.link.send("QNG", null, [String(this.#hub.options.qngSeconds)]);
      return;
    }
    if (this.#stage !== "online") this.#login(c);
    else this.#online(c);
  }

  // ---------------------------------------------------------------------------------------------
  // Login

  #notExpected(c: Command): void {
    this.link.error(715, c.trid);
    this.link.close();
  }

  #login(c: Command): void {
    const t = c.trid ?? 0;
    const { args } = c;
    switch (c.name) {
      case "VER": {
        if (this.#stage !== "ver") return this.#notExpected(c);
        const offered = args.filter((v) => v !== "CVR0");
        const picked = offered.find((v) => this.#hub.options.protocols.includes(v));
        if (picked === undefined) {
          this.link.send("VER", t, ["0"]);
          this.link.close();
          return;
        }
        this.version = picked;
        this.#stage = "cvr";
        this.link.send(
          "VER",
          t,
          this.#hub.options.echoVersions ? args.slice(args.indexOf(picked)) : [picked],
        );
        return;
      }
      case "CVR":
        if (this.#stage !== "cvr") return this.#notExpected(c);
        this.#stage = "usr";
        this.link.send("CVR", t, [
          "6.0.0602",
          "6.0.0602",
          "1.0.0000",
          `http://${this.#hub.host}/download`,
          `http://${this.#hub.host}/info`,
        ]);
        return;
      case "USR":
        return this.#usr(c, t);
      default:
        // Meaningless during login: the connection is dropped without an error [NINA:AUTH].
        this.link.close();
    }
  }

  #usr(c: Command, t: number): void {
    const [method, step, value] = c.args;
    if (method !== "TWN" || value === undefined) return this.link.close();
    const hub = this.#hub;
    if (step === "I") {
      if (this.#stage !== "cvr" && this.#stage !== "usr") return this.#notExpected(c);
      if (this.#dispatch) {
        const ns = `${hub.host}:${hub.nsPort}`;
        this.link.send("XFR", t, ["NS", ns, "0", `${hub.host}:${hub.dsPort}`]);
        this.link.close();
        return;
      }
      const account = hub.accounts.get(value.toLowerCase());
      if (!account) {
        this.link.error(911, t);
        this.link.close();
        return;
      }
      this.#account = account;
      this.#stage = "ticket";
      const ct = Math.floor(Date.now() / 1000);
      const tpf = randomString(32, "0123456789abcdef");
      this.link.send("USR", t, [
        "TWN",
        "S",
        `lc=1033,id=507,tw=40,fs=1,ru=http%3A%2F%2Fmessenger%2Emsn%2Ecom,ct=${ct},kpp=1,kv=5,ver=2.1.0173.1,tpf=${tpf}`,
      ]);
      return;
    }
    if (step === "S") {
      if (this.#stage !== "ticket" || this.#dispatch) return this.#notExpected(c);
      const account = this.account;
      if (hub.tickets.get(value) !== account.key) {
        this.link.error(911, t);
        this.link.close();
        return;
      }
      const previous = hub.sessions.get(account.key);
      if (previous) {
        previous.link.send("OUT", null, ["OTH"]);
        previous.link.close();
      }
      this.#stage = "online";
      hub.sessions.set(account.key, this);
      this.link.send("USR", t, [
        "OK",
        account.passport,
        urlEncode(account.friendlyName),
        account.verified ? "1" : "0",
        "0",
      ]);
      this.link.send("MSG", null, ["Hotmail", "Hotmail"], this.#profile(value));
      return;
    }
    this.link.close();
  }

  #profile(ticket: string): Uint8Array {
    const account = this.account;
    const port = this.link.socket.remotePort ?? 0;
    const swapped = unswapClientPort(port); // the swap is its own inverse
    const t = /^t=([^&]*)/.exec(ticket)?.[1] ?? ticket;
    let h = 0;
    for (const ch of account.key) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return encodeMime({
      headers: [
        ["MIME-Version", "1.0"],
        ["Content-Type", "text/x-msmsgsprofile; charset=UTF-8"],
        ["LoginTime", String(Math.floor(Date.now() / 1000))],
        ["EmailEnabled", "1"],
        ["MemberIdHigh", String(h >>> 16)],
        ["MemberIdLow", String(h & 0xffff)],
        ["lang_preference", "1033"],
        ["preferredEmail", account.passport],
        ["country", "US"],
        ["PostalCode", ""],
        ["Gender", ""],
        ["Kid", "0"],
        ["Age", ""],
        ["BDayPre", ""],
        ["Birthday", ""],
        ["Wallet", ""],
        ["Flags", "1027"],
        ["sid", "507"],
        ["kv", "11"],
        ["MSPAuth", `${t}$`],
        ["ClientIP", this.link.remoteAddress],
        ["ClientPort", String(swapped)],
      ],
      body: new Uint8Array(0),
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Signed in

  #online(c: Command): void {
    const t = c.trid ?? 0;
    if (handleListCommand(this, c, t)) return;
    switch (c.name) {
      case "OUT":
        this.link.send("OUT", null, []);
        this.link.close();
        return;
      case "SYN":
        return this.#syn(c, t);
      case "CHG":
        return this.#chg(c, t);
      case "XFR":
        return this.#xfr(c, t);
      case "QRY":
        return this.#qry(c, t);
      case "VER":
      case "CVR":
      case "USR":
        return this.link.error(715, t);
      default:
        this.link.error(200, t);
    }
  }

  get hub(): Hub {
    return this.#hub;
  }

  forget(key: string): void {
    this.#told.delete(key);
  }

  bump(account: AccountState = this.account): string {
    account.listVersion++;
    return String(account.listVersion);
  }

  #syn(c: Command, t: number): void {
    const cached = c.args[0];
    if (cached === undefined || !/^\d{1,10}$/.test(cached)) return this.link.error(201, t);
    const account = this.account;
    const version = String(account.listVersion);
    if (cached !== "0" && Number(cached) === account.listVersion) {
      return this.link.send("SYN", t, [version]);
    }
    const contacts = [...account.contacts.values()].filter((e) => e.lists.size > 0);
    const groups = [...account.groups].sort((a, b) => a[0] - b[0]);
    this.link.send("SYN", t, [version, String(contacts.length), String(groups.length)]);
    this.link.send("GTC", null, [account.gtc]);
    this.link.send("BLP", null, [account.blp]);
    for (const [prop, value] of account.phones) {
      this.link.send("PRP", null, [prop, urlEncode(value)]);
    }
    for (const [id, name] of groups) {
      this.link.send("LSG", null, [String(id), urlEncode(name), "0"]);
    }
    for (const e of contacts) {
      let bits = 0;
      for (const list of e.lists) bits |= LIST_BITS[list];
      const args = [e.passport, urlEncode(e.friendlyName), String(bits)];
      if (e.lists.has("FL")) args.push(e.groupIds.length > 0 ? e.groupIds.join(",") : "0");
      this.link.send("LST", null, args);
      for (const [prop, value] of e.phones) this.link.send("BPR", null, [prop, urlEncode(value)]);
    }
  }

  #chg(c: Command, t: number): void {
    const [status, clientId, msnObject] = c.args;
    if (status === undefined || !STATUSES.has(status)) return this.link.error(201, t);
    if (clientId !== undefined && !/^\d{1,10}$/.test(clientId)) return this.link.error(201, t);
    this.status = status;
    this.clientId = clientId ?? "0";
    this.msnObject = msnObject;
    this.link.send("CHG", t, c.args);
    const hub = this.#hub;
    if (!this.#presenceStarted) {
      this.#presenceStarted = true;
      for (const [key, entry] of this.account.contacts) {
        if (entry.lists.has("FL")) this.sync(key, t);
      }
      const every = hub.options.challengeIntervalMs;
      if (every > 0) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.challenge(randomDigits(20));
          this.#interval = setInterval(() => this.challenge(randomDigits(20)), every);
          this.#interval.unref();
        }, every);
        this.#timer.unref();
      }
    }
    hub.syncAll(this.account.key);
  }

  sync(targetKey: string, ilnTrid?: number): void {
    const want = this.#presenceOf(targetKey);
    const had = this.#told.get(targetKey);
    if (want === undefined) {
      if (had !== undefined) {
        this.#told.delete(targetKey);
        this.link.send("FLN", null, [this.#hub.accounts.get(targetKey)?.passport ?? targetKey]);
      }
      return;
    }
    const line = want.join(" ");
    if (line === had) return;
    this.#told.set(targetKey, line);
    if (ilnTrid !== undefined) this.link.send("ILN", ilnTrid, want);
    else this.link.send("NLN", null, want);
  }

  /** `NLN` arguments for what this session may see of `targetKey`, or undefined for offline. */
  #presenceOf(targetKey: string): string[] | undefined {
    if (!this.#presenceStarted || this.link.closed) return undefined;
    if (!this.account.contacts.get(targetKey)?.lists.has("FL")) return undefined;
    const target = this.#hub.sessions.get(targetKey);
    if (!target || target.status === "FLN" || target.status === "HDN") return undefined;
    if (!allows(target.account, this.account.key)) return undefined;
    const args = [
      target.status,
      target.account.passport,
      urlEncode(target.account.friendlyName),
      target.clientId,
    ];
    if (target.msnObject !== undefined && this.version !== "MSNP8") args.push(target.msnObject);
    return args;
  }

  challenge(value: string): void {
    this.#challenges.add(value);
    this.link.send("CHL", 0, [value]);
  }

  #qry(c: Command, t: number): void {
    const product = this.#hub.options.product;
    const answer = decodeUtf8(c.payload ?? new Uint8Array(0));
    let matched: string | undefined;
    if (c.args[0] === product.id) {
      for (const ch of this.#challenges) {
        if (challengeAnswer(ch, product.key) === answer) matched = ch;
      }
    }
    if (matched === undefined) {
      this.link.error(540, t);
      this.link.close();
      return;
    }
    this.#challenges.delete(matched);
    this.link.send("QRY", t, []);
  }

  #xfr(c: Command, t: number): void {
    if (c.args[0] !== "SB" || !this.#hub.options.switchboard) return this.link.error(201, t);
    // Revival servers refuse a switchboard before the first CHG (status FLN) and while HDN.
    if (this.status === "HDN" || this.status === "FLN") return this.link.error(913, t);
    const cookie = this.#hub.issueSbCookie({ kind: "xfr", key: this.account.key });
    this.link.send("XFR", t, ["SB", `${this.#hub.host}:${this.#hub.sbPort}`, "CKI", cookie]);
  }
}
