// Small readers shared by the content-type modules: media types, lenient field values (never
// throw: a view field is `undefined` when it is missing or not of the expected form) and the
// `Name: value` bodies of notices and invitations.
import { SECRET_PAYLOAD_HEADERS } from "./command.ts";
import { FieldMap } from "./field_map.ts";
import { decodeUtf8, getHeader, type MimeHeader, type MimeMessage, parseMime } from "./mime.ts";

/**
 * The media type of a message: its `Content-Type` before any `;`, trimmed and
 * lower-cased. `undefined` when the header is missing.
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

const DECIMAL = /^[0-9]+$/;

/** A decimal safe integer, or `undefined`. */
export function toInt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = value.trim();
  if (!DECIMAL.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** `1` or `0` as a boolean, or `undefined`. */
export function toFlag(value: string | undefined): boolean | undefined {
  const t = value?.trim();
  if (t === "1") return true;
  if (t === "0") return false;
  return undefined;
}

/** The value unless it is missing or empty. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/** Deletes the `undefined` properties, so views compare and print without them. */
export function dropUndefined<T extends object>(view: T): T {
  for (const key of Object.keys(view) as (keyof T)[]) {
    if (view[key] === undefined) delete view[key];
  }
  return view;
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
 * The fields less those that hold a credential (the codec's `SECRET_PAYLOAD_HEADERS`, any case
 * and spacing, as the recorder reads them): every view that hands fields or headers to the
 * application goes through this, so a server or peer that sends `MSPAuth` where it does not
 * belong cannot put it in front of the application's logging. The same array when none.
 */
export function withoutSecretFields(fields: MimeHeader[]): MimeHeader[] {
  const isSecret = ([name]: MimeHeader) =>
    SECRET_PAYLOAD_HEADERS.includes(name.trim().toLowerCase());
  return fields.some(isSecret) ? fields.filter((f) => !isSecret(f)) : fields;
}

/**
 * A notice's fields: they live in the body, but some servers put them in the headers. Body
 * fields come first so they win on lookup. Credential fields are left out.
 */
export function notificationFields(msg: MimeMessage): FieldMap {
  return new FieldMap(withoutSecretFields([...bodyFields(msg.body), ...msg.headers]));
}

/**
 * A switchboard body of MIME-style `Name: value` lines (datacasts, invitations) as fields;
 * a body that is not such lines gives no fields. Credential fields are left out.
 */
export function mimeBodyFields(msg: MimeMessage): FieldMap {
  try {
    return new FieldMap(withoutSecretFields(parseMime(msg.body).headers));
  } catch {
    return new FieldMap([]);
  }
}
