/**
 * Typed views over parsed `MSG` payloads, chosen by content type, plus
 * builders for the payloads a client sends (text and typing).
 *
 * @module
 */

import { SECRET_PAYLOAD_HEADERS } from "./command.ts";
import { EncodeError } from "./errors.ts";
import { formatImFormat, type ImFormat, parseImFormat } from "./im_format.ts";
import {
  decodeUtf8,
  encodeMime,
  encodeUtf8,
  findField,
  getHeader,
  type MimeHeader,
  type MimeMessage,
  PayloadError,
} from "./mime.ts";

const utf8Encoder = new TextEncoder();

// The X-MMS-IM-Format grammar lives in im_format.ts; re-exported for existing importers.
export { formatImFormat, type ImEffect, type ImFormat, parseImFormat } from "./im_format.ts";

/**
 * Read-only `name -> value` fields with case-insensitive lookup, in wire
 * order. Values live in a private field, so printing the object (for example
 * with `console.log`) does not show them: a profile's fields hold `MSPAuth`.
 */
export class FieldMap {
  #entries: readonly MimeHeader[];

  /**
   * Wraps ordered pairs; the array is copied.
   *
   * @param entries `[name, value]` pairs in wire order.
   */
  constructor(entries: readonly MimeHeader[]) {
    this.#entries = entries.map(([n, v]): MimeHeader => [n, v]);
  }

  /**
   * Value of the first field called `name` (any case), or `undefined`.
   *
   * @param name Field name in any case.
   * @returns The value, or `undefined`.
   */
  get(name: string): string | undefined {
    return findField(this.#entries, name);
  }

  /**
   * Whether a field called `name` (any case) is present.
   *
   * @param name Field name in any case.
   * @returns `true` when present, even with an empty value.
   */
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /**
   * The fields as `[name, value]` pairs in wire order (a copy).
   *
   * @returns The pairs.
   */
  entries(): MimeHeader[] {
    return this.#entries.map(([n, v]): MimeHeader => [n, v]);
  }

  /** Number of fields, duplicates included. */
  get size(): number {
    return this.#entries.length;
  }
}

// ---------------------------------------------------------------------------
// Content types

/** `Content-Type` media types the views below recognise (lower case). */
export const ContentType = {
  /** Profile sent by the notification server right after `USR ... OK`. */
  PROFILE: "text/x-msmsgsprofile",
  /** Instant message text. */
  TEXT: "text/plain",
  /** Control message; carries `TypingUser`. */
  CONTROL: "text/x-msmsgscontrol",
  /** Server notice such as "shutting down in N minutes". */
  SYSTEM: "application/x-msmsgssystemmessage",
  /** Unread mail counts sent at login. */
  INITIAL_EMAIL: "text/x-msmsgsinitialemailnotification",
  /** A new mail arrived. */
  EMAIL: "text/x-msmsgsemailnotification",
  /** Mail moved between folders or was read. */
  ACTIVE_MAIL: "text/x-msmsgsactivemailnotification",
} as const;

/**
 * The media type of a message: its `Content-Type` before any `;`, trimmed and
 * lower-cased. `undefined` when the header is missing.
 *
 * @example Parameters are ignored
 * ```ts
 * import { mediaTypeOf } from "./message_types.ts";
 *
 * mediaTypeOf({ headers: [["Content-Type", "Text/Plain; charset=UTF-8"]], body: new Uint8Array() });
 * // "text/plain"
 * ```
 *
 * @param msg A parsed message.
 * @returns The media type, or `undefined`.
 */
export function mediaTypeOf(msg: MimeMessage): string | undefined {
  const value = getHeader(msg, "Content-Type");
  if (value === undefined) return undefined;
  const semi = value.indexOf(";");
  return (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase();
}

/** Media type without its `text/` or `application/` prefix, for loose matching. */
function subtypeOf(mediaType: string): string {
  const slash = mediaType.indexOf("/");
  return slash === -1 ? mediaType : mediaType.slice(slash + 1);
}

// ---------------------------------------------------------------------------
// Small value parsers (never throw)

const DECIMAL = /^[0-9]+$/;

function toInt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = value.trim();
  if (!DECIMAL.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}

function toFlag(value: string | undefined): boolean | undefined {
  const t = value?.trim();
  if (t === "1") return true;
  if (t === "0") return false;
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/**
 * Parses `Name: value` lines from a notification body. Lines without `:` and
 * empty lines are skipped; one space after the colon is dropped.
 */
function bodyFields(body: Uint8Array): MimeHeader[] {
  const out: MimeHeader[] = [];
  for (const raw of decodeUtf8(body).split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const rest = line.slice(colon + 1);
    out.push([line.slice(0, colon), rest.startsWith(" ") ? rest.slice(1) : rest]);
  }
  return out;
}

/**
 * Notification fields live in the body; some servers put them in the headers.
 * Body fields come first so they win on lookup.
 */
function notificationFields(msg: MimeMessage): FieldMap {
  return new FieldMap([...bodyFields(msg.body), ...msg.headers]);
}

// ---------------------------------------------------------------------------
// Profile

/**
 * Undoes the server's byte swap of `ClientPort`:
 * `((x & 0xff) << 8) | ((x & 0xff00) >> 8)`. Computed with bit operations, so
 * the result does not depend on the host's byte order.
 *
 * @example The documented examples
 * ```ts
 * import { unswapClientPort } from "./message_types.ts";
 *
 * unswapClientPort(260); // 1025
 * unswapClientPort(18183); // 1863
 * ```
 *
 * @param wire The `ClientPort` value as sent, 0..65535.
 * @returns The real port.
 * @throws {PayloadError} `INVALID_CLIENT_PORT` when `wire` is not an integer in 0..65535.
 */
export function unswapClientPort(wire: number): number {
  if (!Number.isInteger(wire) || wire < 0 || wire > 0xffff) {
    throw new PayloadError(
      "INVALID_CLIENT_PORT",
      `Cannot unswap client port ${wire}: not an integer in 0..65535`,
    );
  }
  return ((wire & 0xff) << 8) | ((wire & 0xff00) >> 8);
}

/**
 * The `text/x-msmsgsprofile` message. Typed fields are `undefined` when the
 * field is missing, empty or not of the expected form; {@linkcode Profile.fields}
 * keeps every field as sent.
 *
 * `mspAuth` is a credential. It is a non-enumerable property, so
 * `console.log` and `JSON.stringify` leave it out; do not log it yourself.
 */
export interface Profile {
  /** Every field as sent, case-insensitive lookup; values are hidden from printing. */
  readonly fields: FieldMap;
  /** `LoginTime`, Unix seconds (absent in later MSNP8 servers). */
  readonly loginTime?: number;
  /** `EmailEnabled` (`1`/`0`). */
  readonly emailEnabled?: boolean;
  /** `MemberIdHigh`. */
  readonly memberIdHigh?: number;
  /** `MemberIdLow`. */
  readonly memberIdLow?: number;
  /** `lang_preference`, a Windows LCID such as 1033. */
  readonly langPreference?: number;
  /** `preferredEmail`. */
  readonly preferredEmail?: string;
  /** `country`, such as `US`. */
  readonly country?: string;
  /** `PostalCode`. */
  readonly postalCode?: string;
  /** `Gender`. */
  readonly gender?: string;
  /** `Kid` (`1`/`0`). */
  readonly kid?: boolean;
  /** `Age`. */
  readonly age?: number;
  /** `Birthday`. */
  readonly birthday?: string;
  /** `Flags`. */
  readonly flags?: number;
  /** `sid`. */
  readonly sid?: string;
  /** `kv`. */
  readonly kv?: string;
  /** `MSPAuth`, a secret ticket (non-enumerable). */
  readonly mspAuth?: string;
  /** `ClientIP`: the address the server sees. */
  readonly clientIp?: string;
  /** `ClientPort` as sent (byte-swapped). */
  readonly clientPortRaw?: number;
  /** The real source port the server sees (`ClientPort` unswapped). */
  readonly clientPort?: number;
}

function buildProfile(msg: MimeMessage): Profile {
  const fields = new FieldMap(msg.headers);
  const text = (name: string) => nonEmpty(fields.get(name));
  const raw = toInt(fields.get("ClientPort"));
  const portRaw = raw !== undefined && raw <= 0xffff ? raw : undefined;
  const profile: { -readonly [K in keyof Profile]: Profile[K] } = {
    fields,
    loginTime: toInt(fields.get("LoginTime")),
    emailEnabled: toFlag(fields.get("EmailEnabled")),
    memberIdHigh: toInt(fields.get("MemberIdHigh")),
    memberIdLow: toInt(fields.get("MemberIdLow")),
    langPreference: toInt(fields.get("lang_preference")),
    preferredEmail: text("preferredEmail"),
    country: text("country"),
    postalCode: text("PostalCode"),
    gender: text("Gender"),
    kid: toFlag(fields.get("Kid")),
    age: toInt(fields.get("Age")),
    birthday: text("Birthday"),
    flags: toInt(fields.get("Flags")),
    sid: text("sid"),
    kv: text("kv"),
    clientIp: text("ClientIP"),
    clientPortRaw: portRaw,
    clientPort: portRaw === undefined ? undefined : unswapClientPort(portRaw),
  };
  dropUndefined(profile);
  const mspAuth = text("MSPAuth");
  if (mspAuth !== undefined) {
    Object.defineProperty(profile, "mspAuth", { value: mspAuth, enumerable: false });
  }
  return profile;
}

// ---------------------------------------------------------------------------
// Text messages and X-MMS-IM-Format

/**
 * Builds the payload of a `text/plain` instant message: `MIME-Version`,
 * `Content-Type: text/plain; charset=UTF-8`, then `X-MMS-IM-Format` when a
 * format is given, an empty line and the UTF-8 text.
 *
 * @example The 143-byte documentation example
 * ```ts
 * import { buildTextMessage } from "./message_types.ts";
 *
 * const payload = buildTextMessage("Hello.", {
 *   font: "Lucida Sans Unicode",
 *   effects: ["B"],
 *   color: "ff0000",
 *   charset: "0",
 *   pitchFamily: "22",
 * });
 * payload.length; // 143
 * ```
 *
 * @param text Message text; may hold line breaks.
 * @param format Optional `X-MMS-IM-Format` fields.
 * @returns The payload bytes for `MSG trid U|N|A|D <length>`.
 * @throws {EncodeError} `invalid-format` for a format field it cannot carry,
 * `invalid-argument` for text with a lone surrogate.
 */
export function buildTextMessage(text: string, format?: ImFormat): Uint8Array {
  const headers: MimeHeader[] = [
    ["MIME-Version", "1.0"],
    ["Content-Type", "text/plain; charset=UTF-8"],
  ];
  if (format !== undefined) headers.push(["X-MMS-IM-Format", formatImFormat(format)]);
  return encodeMime({ headers, body: encodeUtf8(text, "text message") });
}

// ---------------------------------------------------------------------------
// Typing

// deno-lint-ignore no-control-regex
const PASSPORT_BAD = /[\s\0-\x1f\x7f]/;

/**
 * Builds the payload of a typing notification
 * (`text/x-msmsgscontrol` with `TypingUser`), body `\r\n`.
 *
 * @example The 89-byte documentation example
 * ```ts
 * import { buildTypingMessage } from "./message_types.ts";
 *
 * buildTypingMessage("bob@passport.com").length; // 89
 * ```
 *
 * @param passport The typing user's passport (your own when sending).
 * @returns The payload bytes.
 * @throws {EncodeError} `invalid-argument` when the passport is empty, not
 * well-formed or holds whitespace or control characters.
 */
export function buildTypingMessage(passport: string): Uint8Array {
  if (
    typeof passport !== "string" || passport.length === 0 || PASSPORT_BAD.test(passport) ||
    !passport.isWellFormed()
  ) {
    throw new EncodeError(
      "invalid-argument",
      "Cannot build typing message: passport is empty, not well-formed " +
        "or contains whitespace or control characters",
    );
  }
  return encodeMime({
    headers: [
      ["MIME-Version", "1.0"],
      ["Content-Type", ContentType.CONTROL],
      ["TypingUser", passport],
    ],
    body: utf8Encoder.encode("\r\n"),
  });
}

// ---------------------------------------------------------------------------
// Views

/** `text/x-msmsgsprofile`. */
export interface ProfileView {
  /** Discriminant. */
  kind: "profile";
  /** The profile fields. */
  profile: Profile;
}

/** `text/plain` instant message. */
export interface TextView {
  /** Discriminant. */
  kind: "text";
  /** The body decoded as UTF-8. */
  text: string;
  /** Parsed `X-MMS-IM-Format`, when present. */
  format?: ImFormat;
}

/** `text/x-msmsgscontrol`, normally a typing notification. */
export interface TypingView {
  /** Discriminant. */
  kind: "typing";
  /** `TypingUser`, or `undefined` for a control message without it. */
  user?: string;
}

/** `application/x-msmsgssystemmessage`. */
export interface SystemView {
  /** Discriminant. */
  kind: "system";
  /** `Type`; `1` announces a server shutdown. */
  type?: number;
  /** `Arg1`: for type 1, minutes until the shutdown. */
  minutes?: number;
  /** Every field of the body (and headers), case-insensitive. */
  fields: FieldMap;
}

/** `text/x-msmsgsinitialemailnotification`. */
export interface InitialEmailView {
  /** Discriminant. */
  kind: "initialEmail";
  /** `Inbox-Unread`. */
  inboxUnread?: number;
  /** `Folders-Unread`. */
  foldersUnread?: number;
  /** `Inbox-URL`. */
  inboxUrl?: string;
  /** `Folders-URL`. */
  foldersUrl?: string;
  /** `Post-URL`. */
  postUrl?: string;
  /** Every field of the body (and headers), case-insensitive. */
  fields: FieldMap;
}

/** `text/x-msmsgsemailnotification`: a new mail arrived. */
export interface EmailNotificationView {
  /** Discriminant. */
  kind: "emailNotification";
  /** `From`: sender name as sent (may be RFC 2047 encoded). */
  from?: string;
  /** `From-Addr`: sender address. */
  fromAddr?: string;
  /** `Subject` as sent (may be RFC 2047 encoded). */
  subject?: string;
  /** `Dest-Folder`: folder the mail went to (`ACTIVE` is the inbox). */
  destFolder?: string;
  /** `Message-URL`. */
  messageUrl?: string;
  /** `Post-URL`. */
  postUrl?: string;
  /** `id`. */
  id?: string;
  /** Every field of the body (and headers), case-insensitive. */
  fields: FieldMap;
}

/** `text/x-msmsgsactivemailnotification`: mail moved or was read. */
export interface ActiveMailView {
  /** Discriminant. */
  kind: "activeMail";
  /** `Src-Folder` (`ACTIVE` is the inbox). */
  srcFolder?: string;
  /** `Dest-Folder`. */
  destFolder?: string;
  /** `Message-Delta`: number of messages moved. */
  messageDelta?: number;
  /** Every field of the body (and headers), case-insensitive. */
  fields: FieldMap;
}

/** Any other content type; the message is kept as parsed, less secret headers (`MSPAuth`, `MSPProf`). */
export interface UnknownView {
  /** Discriminant. */
  kind: "unknown";
  /** Media type (lower case, no parameters), or `undefined` without `Content-Type`. */
  mediaType?: string;
  /** The message as parsed. */
  message: MimeMessage;
}

/** Result of {@linkcode interpretMessage}, discriminated by `kind`. */
export type MessageView =
  | ProfileView
  | TextView
  | TypingView
  | SystemView
  | InitialEmailView
  | EmailNotificationView
  | ActiveMailView
  | UnknownView;

function dropUndefined<T extends object>(view: T): T {
  for (const key of Object.keys(view) as (keyof T)[]) {
    if (view[key] === undefined) delete view[key];
  }
  return view;
}

/**
 * Interprets a parsed message by its media type (the `Content-Type` before
 * `;`, compared without regard to case). The mail and system notices are
 * also recognised with the other of the `text/` and `application/` prefixes.
 * Never throws; missing fields are `undefined`.
 *
 * @example Reading a text message
 * ```ts
 * import { parseMime } from "./mime.ts";
 * import { interpretMessage } from "./message_types.ts";
 *
 * const view = interpretMessage(parseMime(new TextEncoder().encode(
 *   "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nHi",
 * )));
 * if (view.kind === "text") view.text; // "Hi"
 * ```
 *
 * @param msg A parsed message.
 * @returns The typed view.
 */
export function interpretMessage(msg: MimeMessage): MessageView {
  const mediaType = mediaTypeOf(msg);
  const sub = mediaType === undefined ? undefined : subtypeOf(mediaType);
  switch (mediaType) {
    case ContentType.PROFILE:
      return { kind: "profile", profile: buildProfile(msg) };
    case ContentType.TEXT: {
      const formatValue = getHeader(msg, "X-MMS-IM-Format");
      return dropUndefined<TextView>({
        kind: "text",
        text: decodeUtf8(msg.body),
        format: formatValue === undefined ? undefined : parseImFormat(formatValue),
      });
    }
    case ContentType.CONTROL:
      return dropUndefined<TypingView>({ kind: "typing", user: getHeader(msg, "TypingUser") });
  }
  switch (sub) {
    case subtypeOf(ContentType.SYSTEM): {
      const fields = notificationFields(msg);
      return dropUndefined<SystemView>({
        kind: "system",
        type: toInt(fields.get("Type")),
        minutes: toInt(fields.get("Arg1")),
        fields,
      });
    }
    case subtypeOf(ContentType.INITIAL_EMAIL): {
      const fields = notificationFields(msg);
      return dropUndefined<InitialEmailView>({
        kind: "initialEmail",
        inboxUnread: toInt(fields.get("Inbox-Unread")),
        foldersUnread: toInt(fields.get("Folders-Unread")),
        inboxUrl: nonEmpty(fields.get("Inbox-URL")),
        foldersUrl: nonEmpty(fields.get("Folders-URL")),
        postUrl: nonEmpty(fields.get("Post-URL")),
        fields,
      });
    }
    case subtypeOf(ContentType.EMAIL): {
      const fields = notificationFields(msg);
      return dropUndefined<EmailNotificationView>({
        kind: "emailNotification",
        from: nonEmpty(fields.get("From")),
        fromAddr: nonEmpty(fields.get("From-Addr")),
        subject: fields.get("Subject"),
        destFolder: nonEmpty(fields.get("Dest-Folder")),
        messageUrl: nonEmpty(fields.get("Message-URL")),
        postUrl: nonEmpty(fields.get("Post-URL")),
        id: nonEmpty(fields.get("id")),
        fields,
      });
    }
    case subtypeOf(ContentType.ACTIVE_MAIL): {
      const fields = notificationFields(msg);
      return dropUndefined<ActiveMailView>({
        kind: "activeMail",
        srcFolder: nonEmpty(fields.get("Src-Folder")),
        destFolder: nonEmpty(fields.get("Dest-Folder")),
        messageDelta: toInt(fields.get("Message-Delta")),
        fields,
      });
    }
  }
  // A credential header (MSPAuth of a profile whose Content-Type was lost) is not handed on.
  const headers = msg.headers.filter(([n]) =>
    !SECRET_PAYLOAD_HEADERS.includes(n.trim().toLowerCase())
  );
  const message = headers.length === msg.headers.length ? msg : { ...msg, headers };
  return dropUndefined<UnknownView>({ kind: "unknown", mediaType, message });
}
