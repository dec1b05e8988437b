// What switchboard and notification outcomes mean for a conversation: each failure as a typed
// ConversationError, each incoming message as a conversation event.

import { checkArgument } from "../codec/encoder.ts";
import type { SessionError, SwitchboardEvent } from "../machine/mod.ts";
import type { InviteFailure, SendFailure } from "../machine/mod.ts";
import { connectionError, type ConnectionInfo } from "./_driver.ts";
import { RequestError } from "./errors.ts";
import type { Conversation } from "./conversation.ts";
import { ConversationError, type ConversationEvent } from "./conversation_types.ts";

/** A failed invitation (`CAL`). */
export function inviteError(failure: InviteFailure, passport: string): ConversationError {
  const what = "invite";
  switch (failure.reason) {
    case "blocked":
    case "offline":
    case "invalid-address":
      return new ConversationError(what, failure.reason, { ...failure, passport });
    case "already-present":
    case "too-fast":
    case "server-error":
      return new ConversationError(what, "server-error", { ...failure, passport });
    case "timeout":
    case "closed":
      return new ConversationError(what, failure.reason, { passport });
  }
}

/** A failed send. */
export function sendError(what: string, failure: SendFailure): ConversationError {
  return failure.reason === "server-error"
    ? new ConversationError(what, "server-error", failure)
    : new ConversationError(what, failure.reason);
}

/** `XFR SB` did not give us a switchboard. */
export function failureOfXfr(error: unknown): ConversationError {
  const what = "open conversation";
  if (error instanceof RequestError) {
    const details = { serverCode: error.serverCode, serverName: error.serverName, cause: error };
    switch (error.code) {
      case "server-error":
        return new ConversationError(
          what,
          error.serverCode === 913 ? "hidden" : "server-error",
          details,
        );
      case "timeout":
      case "aborted":
        return new ConversationError(what, error.code, { cause: error });
      case "connection-lost":
        return new ConversationError(what, "closed", { cause: error });
    }
  }
  return new ConversationError(what, "closed", { cause: error });
}

/** A switchboard failed before it let us in: refused (`911`), unreachable, or silent. */
export function failureOfSession(
  error: SessionError | undefined,
  connection: ConnectionInfo | undefined,
): ConversationError {
  const what = "open conversation";
  if (error?.code === "server-error") {
    return new ConversationError(what, "server-error", {
      serverCode: error.serverCode,
      serverName: error.serverName,
      cause: error,
    });
  }
  const cause = error && connectionError(error, connection);
  return new ConversationError(what, error?.code === "timeout" ? "timeout" : "closed", { cause });
}

/** An incoming message as the conversation event for its content. */
export function contentEvent(
  conversation: Conversation,
  event: Extract<SwitchboardEvent, { type: "message" }>,
): ConversationEvent {
  const { from, friendlyName, content } = event;
  switch (content.kind) {
    case "text":
      return content.format === undefined
        ? { type: "message", conversation, from, friendlyName, text: content.text }
        : {
          type: "message",
          conversation,
          from,
          friendlyName,
          text: content.text,
          format: content.format,
        };
    case "typing":
    case "nudge":
      return { type: content.kind, conversation, from, friendlyName };
    default:
      return { type: "content", conversation, from, friendlyName, content };
  }
}

/** Why `passport` cannot be invited, or `undefined` when it can. */
export function checkPassport(
  passport: unknown,
  account: string,
): { passport?: string; cause: Error } | undefined {
  try {
    checkArgument("CAL", passport, 1);
  } catch (error) {
    return { cause: error as Error };
  }
  if ((passport as string).toLowerCase() === account.toLowerCase()) {
    return { passport: passport as string, cause: new TypeError("you cannot invite yourself") };
  }
  return undefined;
}
