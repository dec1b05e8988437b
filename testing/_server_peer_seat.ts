// Private to testing/: the parts of a scripted peer that other server objects see: its
// notification-server session (presence, invitations, kick), its seat in each switchboard session,
// the conversation handle given to tests, and how a received payload is read.

import { encodeMime, getHeader, type MimeMessage, parseImFormat, parseMime } from "../codec/mod.ts";
import { decodeUtf8 } from "../codec/mime.ts";
import { mediaTypeOf } from "../codec/_content_read.ts";
import type { Participant, SbSession } from "./_server_sb.ts";
import type { AccountState, OnlineSession, SessionLink } from "./_server_state.ts";
import type {
  LoopbackConversation,
  LoopbackMessage,
  LoopbackPeerEvent,
} from "./_server_peer_types.ts";

const encoder = new TextEncoder();

/** The notification-server face of a peer: what other sessions and hooks see. */
export class PeerSession implements OnlineSession, SessionLink {
  readonly account: AccountState;
  readonly version = "MSNP9";
  status: string;
  readonly clientId = "0";
  readonly msnObject = undefined;
  closed = false;
  paused = false;
  readonly #onClose: () => void;
  readonly invited: (sessionId: string, inviter: string, inviterName: string) => void;

  constructor(
    account: AccountState,
    status: string,
    onClose: () => void,
    invited: (sessionId: string, inviter: string, inviterName: string) => void,
  ) {
    this.account = account;
    this.status = status;
    this.#onClose = onClose;
    this.invited = invited;
  }

  get link(): SessionLink {
    return this;
  }

  // What the notification server would write to the peer (NLN, ADD RL, OUT OTH) is not needed.
  sync(): void {}
  challenge(): void {}
  send(): void {}
  raw(): void {}

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#onClose();
  }

  destroy(): void {
    this.close();
  }
}

/** A peer's place in one switchboard session. */
export class Seat implements Participant {
  readonly key: string;
  readonly passport: string;
  readonly real = true;
  readonly session: SbSession;
  readonly conversation: PeerConversation;
  readonly owner: object;
  readonly #name: () => string;
  readonly #record: (event: LoopbackPeerEvent) => void;
  active = true;

  constructor(
    owner: object,
    account: AccountState,
    session: SbSession,
    record: (event: LoopbackPeerEvent) => void,
  ) {
    this.owner = owner;
    this.key = account.key;
    this.passport = account.passport;
    this.session = session;
    this.#name = () => account.friendlyName;
    this.#record = record;
    this.conversation = new PeerConversation(this);
  }

  name(): string {
    return this.#name();
  }

  deliver(from: Participant, payload: Uint8Array): void {
    if (!this.active) return;
    this.#record({ type: "message", message: readMessage(this.conversation, from, payload) });
  }

  joined(who: Participant): void {
    this.#record({
      type: "joined",
      conversation: this.conversation,
      passport: who.passport,
      name: who.name(),
    });
  }

  left(who: Participant, idle: boolean): void {
    this.#record({ type: "left", conversation: this.conversation, passport: who.passport, idle });
  }

  end(): void {
    if (!this.active) return;
    this.active = false;
    this.#record({ type: "ended", conversation: this.conversation });
  }
}

export class PeerConversation implements LoopbackConversation {
  readonly #seat: Seat;

  constructor(seat: Seat) {
    this.#seat = seat;
  }

  get id(): string {
    return this.#seat.session.id;
  }

  get active(): boolean {
    return this.#seat.active;
  }

  get participants(): readonly string[] {
    const seat = this.#seat;
    return seat.active ? seat.session.others(seat).map((p) => p.passport) : [];
  }
}

/** Seats by their public handle, so a handle from another peer is told apart. */
export const seats = new WeakMap<LoopbackConversation, Seat>();

export function readMessage(
  conversation: LoopbackConversation,
  from: Participant,
  bytes: Uint8Array,
): LoopbackMessage {
  // A copy as a plain Uint8Array (a socket's Buffer.slice would be a view).
  const payload = new Uint8Array(bytes);
  let mime: MimeMessage | undefined;
  try {
    mime = parseMime(payload);
  } catch {
    mime = undefined;
  }
  const contentType = (mime && mediaTypeOf(mime)) ?? "";
  const base = {
    conversation,
    from: from.passport,
    fromName: from.name(),
    contentType,
    headers: mime?.headers ?? [],
    payload,
  };
  if (!mime) return { ...base, kind: "other" };
  if (contentType === "text/plain") {
    const format = getHeader(mime, "X-MMS-IM-Format");
    return {
      ...base,
      kind: "text",
      text: decodeUtf8(mime.body),
      ...(format === undefined ? {} : { format: parseImFormat(format) }),
    };
  }
  if (contentType === "text/x-msmsgscontrol") {
    const user = getHeader(mime, "TypingUser");
    return { ...base, kind: "typing", ...(user === undefined ? {} : { typingUser: user }) };
  }
  if (contentType === "text/x-msnmsgr-datacast" && /^ID:\s*1\s*$/m.test(decodeUtf8(mime.body))) {
    return { ...base, kind: "nudge" };
  }
  return { ...base, kind: "other" };
}

export function nudgePayload(): Uint8Array {
  return encodeMime({
    headers: [["MIME-Version", "1.0"], ["Content-Type", "text/x-msnmsgr-datacast"]],
    body: encoder.encode("ID: 1\r\n\r\n"),
  });
}
