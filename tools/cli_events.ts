// How the CLI prints client events: one readable line, or one stable JSON object per line.

import type { ClientEvent } from "../io_adapters/mod.ts";
import type { SessionEvent } from "../machine/mod.ts";

/** What the CLI prints: the client's events, or a replayed session's (`msnp replay`). */
export type PrintableEvent = ClientEvent | SessionEvent;

/** The JSON form of an event for `--json`, or `undefined` for events that form does not show. */
export function eventJson(event: PrintableEvent): Record<string, unknown> | undefined {
  switch (event.type) {
    case "message":
      return {
        event: "message",
        conversation: event.conversation.id,
        from: event.from,
        text: event.text,
      };
    case "typing":
    case "nudge":
      return { event: event.type, conversation: event.conversation.id, from: event.from };
    case "conversationStarted":
      return {
        event: "conversationStarted",
        conversation: event.conversation.id,
        inviter: event.inviter,
      };
    case "joined":
    case "left":
      return { event: event.type, conversation: event.conversation.id, passport: event.passport };
    case "conversationEnded":
      return {
        event: "conversationEnded",
        conversation: event.conversation.id,
        reason: event.reason,
      };
    case "reconnecting":
      return {
        event: "reconnecting",
        attempt: event.attempt,
        delayMs: event.delayMs,
        cause: event.cause.message,
      };
    case "reconnected":
      return { event: "reconnected" };
    case "signedIn":
      return {
        event: "signedIn",
        passport: event.passport,
        friendlyName: event.friendlyName,
        protocol: event.protocol,
      };
    case "contactsSynced":
      return {
        event: "contacts",
        contacts: event.contactList.contacts.map((c) => ({
          passport: c.passport,
          friendlyName: c.friendlyName,
          lists: c.lists,
          groups: c.groupIds,
        })),
        groups: event.contactList.groups.map((g) => ({ id: g.id, name: g.name })),
      };
    case "presence":
      return {
        event: "presence",
        passport: event.passport,
        status: event.status,
        friendlyName: event.friendlyName ?? null,
      };
    case "signedOut":
      return event.error
        ? { event: "signedOut", reason: event.reason, code: event.error.code }
        : { event: "signedOut", reason: event.reason };
    default:
      return undefined;
  }
}

/** The readable lines for an event (none for the events not worth a line). */
export function eventLines(event: PrintableEvent): string[] {
  switch (event.type) {
    case "message":
      return [`[${event.conversation.id}] ${event.from}: ${event.text}`];
    case "typing":
      return [`[${event.conversation.id}] ${event.from} is typing`];
    case "nudge":
      return [`[${event.conversation.id}] ${event.from} sent a nudge`];
    case "conversationStarted":
      return [`[${event.conversation.id}] ${event.inviter} started a conversation`];
    case "joined":
      return [`[${event.conversation.id}] ${event.passport} joined`];
    case "left":
      return [`[${event.conversation.id}] ${event.passport} left`];
    case "conversationEnded":
      return [`[${event.conversation.id}] conversation ended (${event.reason})`];
    case "reconnecting":
      return [
        `connection lost (${event.cause.message}); reconnecting in ${
          (event.delayMs / 1000).toFixed(1)
        } s (attempt ${event.attempt})`,
      ];
    case "reconnected":
      return ["reconnected"];
    case "redirected":
      return [`redirected to ${event.host}:${event.port}`];
    case "signedIn":
      return [`signed in as ${event.friendlyName} <${event.passport}> over ${event.protocol}`];
    case "contactsSynced": {
      const { contacts, groups, version } = event.contactList;
      const lines = [
        `contact list v${version}: ${contacts.length} contacts, ${groups.length} groups`,
      ];
      const named = new Map(groups.map((g) => [g.id, g.name]));
      for (const c of contacts) {
        const inGroups = c.groupIds.map((id) => named.get(id) ?? String(id)).join(", ");
        lines.push(
          `  ${c.friendlyName} <${c.passport}> ${c.lists.join(" ")}${
            inGroups ? ` [${inGroups}]` : ""
          }`,
        );
      }
      return lines;
    }
    case "statusChanged":
      return [`status ${event.status}`];
    case "presence":
      return [
        `${event.passport} ${event.status}${event.friendlyName ? ` "${event.friendlyName}"` : ""}`,
      ];
    case "addedBy":
      return [`${event.friendlyName} <${event.passport}> added you`];
    case "removedBy":
      return [`${event.passport} removed you`];
    case "renamed":
      return [`you are now "${event.friendlyName}"`];
    case "listChanged":
      return [`list v${event.version}: ${JSON.stringify(event.change)}`];
    case "invitation":
      return [`${event.friendlyName} <${event.passport}> invites you to a conversation`];
    case "eventsDropped":
      return [`warning: ${event.count} events dropped`];
    case "warning":
      return [`warning: ${event.error.message}`];
    case "signedOut":
      return [`signed out (${event.reason}${event.error ? `: ${event.error.message}` : ""})`];
    default:
      return [];
  }
}

/** Prints an event in the chosen form. */
export function printEvent(
  event: PrintableEvent,
  json: boolean,
  out: (line: string) => void,
): void {
  if (json) {
    const value = eventJson(event);
    if (value) out(JSON.stringify(value));
  } else {
    for (const line of eventLines(event)) out(line);
  }
}
