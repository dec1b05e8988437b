// Notices from the notification server: system messages (shutdown warnings) and the three
// Hotmail notifications. Their fields live in the body as `Name: value` lines (some servers put
// them in the headers), and servers send them with either a `text/` or an `application/` prefix.
import { dropUndefined, nonEmpty, notificationFields, toInt } from "./_content_read.ts";
import type { FieldMap } from "./field_map.ts";
import type { MimeMessage } from "./mime.ts";

/** Media type of server notices such as "shutting down in N minutes". */
export const SYSTEM_TYPE = "application/x-msmsgssystemmessage";
/** Media type of the unread-mail counts sent at login. */
export const INITIAL_EMAIL_TYPE = "text/x-msmsgsinitialemailnotification";
/** Media type of a new-mail notification. */
export const EMAIL_TYPE = "text/x-msmsgsemailnotification";
/** Media type of "mail moved between folders or was read". */
export const ACTIVE_MAIL_TYPE = "text/x-msmsgsactivemailnotification";

/** `application/x-msmsgssystemmessage`. */
export interface SystemView {
  /** Discriminant. */
  kind: "system";
  /** `Type`; `1` announces a server shutdown. */
  type?: number;
  /** `Arg1`: for type 1, minutes until the shutdown. */
  minutes?: number;
  /** Every field of the body (and headers), case-insensitive, less credentials such as `MSPAuth`. */
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
  /** Every field of the body (and headers), case-insensitive, less credentials such as `MSPAuth`. */
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
  /** Every field of the body (and headers), case-insensitive, less credentials such as `MSPAuth`. */
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
  /** Every field of the body (and headers), case-insensitive, less credentials such as `MSPAuth`. */
  fields: FieldMap;
}

/**
 * Reads a system message. Never throws.
 *
 * @param msg The parsed message.
 * @returns The view.
 */
export function readSystem(msg: MimeMessage): SystemView {
  const fields = notificationFields(msg);
  return dropUndefined<SystemView>({
    kind: "system",
    type: toInt(fields.get("Type")),
    minutes: toInt(fields.get("Arg1")),
    fields,
  });
}

/**
 * Reads the initial e-mail notification. Never throws.
 *
 * @param msg The parsed message.
 * @returns The view.
 */
export function readInitialEmail(msg: MimeMessage): InitialEmailView {
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

/**
 * Reads a new-mail notification. Never throws.
 *
 * @param msg The parsed message.
 * @returns The view.
 */
export function readEmail(msg: MimeMessage): EmailNotificationView {
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

/**
 * Reads an active-mail notification. Never throws.
 *
 * @param msg The parsed message.
 * @returns The view.
 */
export function readActiveMail(msg: MimeMessage): ActiveMailView {
  const fields = notificationFields(msg);
  return dropUndefined<ActiveMailView>({
    kind: "activeMail",
    srcFolder: nonEmpty(fields.get("Src-Folder")),
    destFolder: nonEmpty(fields.get("Dest-Folder")),
    messageDelta: toInt(fields.get("Message-Delta")),
    fields,
  });
}
