/**
 * The sessions, as sans-IO state machines on one connection core: the
 * notification-server session (login, XFR redirect, contact-list sync,
 * presence, keepalive and list management for one account) and the
 * switchboard session (one conversation). Bytes, time and intents go in;
 * events and bytes to send come out. Their lifecycles are XState charts
 * ({@link notificationLifecycle}, {@link switchboardLifecycle}). The codec
 * types their options and events carry are re-exported here, so this entry
 * stands on its own.
 *
 * @example Sign-in loop sketch (the `Client` in `@msnp/client/io_adapters` does this for you)
 * ```ts
 * import { NotificationSession } from "@msnp/client/machine";
 * const session = new NotificationSession({ account: "me@example.com" });
 * session.start(Date.now());
 * for (let out = session.poll(); out; out = session.poll()) {
 *   if (out.type === "connect") console.log("connect to", out.host, out.port);
 * }
 * ```
 *
 * @module
 */
export {
  DEFAULT_SERVER,
  DEFAULT_TIMEOUTS,
  NotificationSession,
  type SessionOptions,
  type SessionTimeouts,
} from "./session.ts";
export type {
  ConnectionOutput,
  ListChange,
  PassportOutput,
  RequestFailure,
  SessionEvent,
  SessionOutput,
  SignedOutEvent,
  SignOutReason,
} from "./events.ts";
export {
  SessionError,
  type SessionErrorCode,
  type SessionErrorDetails,
  type SessionPhase,
  UsageError,
} from "./errors.ts";
export { type Contact, ContactList, type ContactListSnapshot, type Group } from "./contact_list.ts";
export {
  type EndReason,
  type LifecycleContext,
  type LifecycleEvent,
  type LifecycleLogic,
  type LifecycleSnapshot,
  notificationLifecycle,
} from "./lifecycle.ts";
export { SwitchboardSession } from "./switchboard.ts";
export {
  type SwitchboardChartContext,
  type SwitchboardChartEvent,
  type SwitchboardChartInput,
  switchboardLifecycle,
  type SwitchboardSnapshot,
} from "./switchboard_lifecycle.ts";
export {
  type AnswerEntry,
  type CallEntry,
  DEFAULT_SWITCHBOARD_TIMEOUTS,
  type InviteFailure,
  type Participant,
  type SendFailure,
  type SwitchboardEndedEvent,
  type SwitchboardEndReason,
  type SwitchboardEvent,
  type SwitchboardOptions,
  type SwitchboardOutput,
  type SwitchboardPhase,
  type SwitchboardSettings,
  type SwitchboardTimeouts,
} from "./switchboard_events.ts";
// Codec types (and the error classes events carry) that the sessions' signatures, options and
// events use, so this entry documents and type-checks on its own.
export { DecodeError, PayloadError } from "../codec/mod.ts";
export type {
  AckMode,
  ActiveMailView,
  AnyStatus,
  ClientInfo,
  Command,
  ConnectionKind,
  CustomEmoticon,
  DatacastView,
  DecodeErrorCode,
  EmailNotificationView,
  EmoticonsView,
  FieldMap,
  HostPort,
  ImEffect,
  ImFormat,
  InitialEmailView,
  InvitationView,
  ListName,
  MessageView,
  MimeHeader,
  MimeMessage,
  NotificationServerMessage,
  NudgeView,
  P2pView,
  PayloadErrorCode,
  PhoneProperty,
  ProductKey,
  Profile,
  ProfileView,
  ServerMessage,
  Status,
  SwitchboardContent,
  SwitchboardServerMessage,
  SystemView,
  TextView,
  TypingView,
  UnknownContentView,
  UnknownView,
} from "../codec/mod.ts";
