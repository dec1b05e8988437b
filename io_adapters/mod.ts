/**
 * I/O adapters: everything that touches a socket, `fetch` or a timer. The
 * pure core (`codec`, `auth`, `machine`) never imports these.
 *
 * - {@link Client}: a signed-in session over real sockets, the same in Deno, Node and Bun; it
 *   signs in again after a lost session (backoff with jitter), traces the wire with secrets
 *   redacted (`trace`), and delivers events to handlers (`on`, `once`, `waitFor`) or one loop.
 * - {@link Conversation}: a chat over switchboards (`Client.openConversation`, or the
 *   `conversationStarted` event when invited); sends wait for someone to join and reopen the
 *   conversation after everyone left; failures are typed ({@link ConversationError}).
 * - Transports: {@link DenoTransport}, {@link NodeTransport}, {@link BunTransport}, picked by
 *   {@link defaultTransport}; {@link ReplayTransport} plays a transcript back as the server and
 *   {@link RecordingTransport} records one, secrets redacted.
 * - {@link runPassport}: Passport 1.4 over `fetch`, or over {@link createPassportFetch} with an extra CA.
 *
 * @example
 * ```ts
 * import { Client } from "@msnp/client/io_adapters";
 * const client = await Client.connect({ account: "me@example.com", password: "secret" });
 * await client.close();
 * ```
 *
 * @module
 */
export {
  Client,
  type ClientEvent,
  type ClientOptions,
  type ConversationEndedEvent,
  type IntentOptions,
  type InvitationEvent,
  type ServerReply,
} from "./client.ts";
export { Conversation } from "./conversation.ts";
export {
  type ConversationEndReason,
  ConversationError,
  type ConversationErrorCode,
  type ConversationEvent,
  type ConversationSettings,
  type LeftReason,
  type OpenOptions,
  type SendOptions,
} from "./conversation_types.ts";
export type { Timers } from "./_timers.ts";
export type { TraceEntry, TraceFunction } from "./_trace.ts";
export type { EventOf, WaitForOptions } from "./events.ts";
export type { ReconnectOptions } from "./_reconnect.ts";
export type { Connection, ConnectOptions, Transport } from "./transport.ts";
export { SessionError } from "../machine/mod.ts";
export {
  ClientUsageError,
  ConnectionError,
  type ReplayMismatchCode,
  ReplayMismatchError,
  RequestError,
  type RequestErrorCode,
  TransportError,
  type TransportErrorCode,
  WaitTimeoutError,
} from "./errors.ts";
export {
  type DenoConnLike,
  type DenoLike,
  DenoTransport,
  type DenoTransportOptions,
} from "./deno.ts";
export { NodeTransport, type NodeTransportOptions } from "./node.ts";
export {
  type BunLike,
  type BunSocketHandlers,
  type BunSocketLike,
  BunTransport,
  type BunTransportOptions,
} from "./bun.ts";
export { defaultTransport, detectRuntime, type RuntimeName } from "./auto.ts";
export { createPassportFetch, type PassportFetchOptions } from "./https.ts";
export { ReplayTransport, type ReplayTransportOptions } from "./replay_transport.ts";
export {
  RecordingTransport,
  type RecordingTransportOptions,
  REDACTED,
} from "./recording_transport.ts";
export { type PassportRunOptions, runPassport, type RunPassportFunction } from "./run_passport.ts";
// Types from the core that this entry's signatures use, so it documents and type-checks on its own.
export type * from "./_core_types.ts";
export type {
  PassportFetch,
  PassportHeaders,
  PassportHttpRequest,
  PassportHttpResponse,
  PassportLoginOptions,
  PassportResult,
} from "../auth/mod.ts";
export type {
  CustomEmoticon,
  DatacastView,
  EmoticonsView,
  InvitationView,
  NudgeView,
  P2pView,
  SwitchboardContent,
  UnknownContentView,
} from "../codec/mod.ts";
export type { Participant } from "../machine/mod.ts";
export type { TranscriptHeader, TranscriptStep } from "./_transcript.ts";
