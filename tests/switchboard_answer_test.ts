import { test } from "node:test";
import assert from "node:assert/strict";
import { answerOptions, COOKIE, incoming, ME, runScript } from "./switchboard_script.ts";
import { SessionError } from "../machine/mod.ts";

const TYPING =
  "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\nTypingUser: bob@passport.com\r\n\r\n\r\n";
const HELLO = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n" +
  "X-MMS-IM-Format: FN=Lucida%20Sans%20Unicode; EF=B; CO=ff0000; CS=0; PF=22\r\n\r\nHello.";

test("an incoming conversation: ANS, IRO for each participant, ANS OK, then typing and text", () => {
  assert.equal(new TextEncoder().encode(TYPING).length, 89);
  assert.equal(new TextEncoder().encode(HELLO).length, 143);
  const sb = runScript(answerOptions(), [
    { input: "start" },
    { connect: true },
    { input: "connected" },
    { send: `ANS 1 ${ME} ${COOKIE} 17342299\r\n` },
    { recv: "IRO 1 1 2 bob@passport.com Bob\r\n" },
    { recv: "IRO 1 2 2 carol@passport.com Carol%20C\r\n" },
    { recv: "ANS 1 OK\r\n" },
    { recv: incoming("bob@passport.com", "Bob", TYPING) },
    { recv: incoming("bob@passport.com", "Bob", HELLO) },
    {
      event: {
        type: "participantJoined",
        passport: "bob@passport.com",
        friendlyName: "Bob",
        initial: true,
      },
    },
    {
      event: {
        type: "participantJoined",
        passport: "carol@passport.com",
        friendlyName: "Carol C",
        initial: true,
      },
    },
    {
      event: {
        type: "ready",
        sessionId: "17342299",
        participants: [
          { passport: "bob@passport.com", friendlyName: "Bob" },
          { passport: "carol@passport.com", friendlyName: "Carol C" },
        ],
      },
    },
    {
      event: {
        type: "message",
        from: "bob@passport.com",
        friendlyName: "Bob",
        content: { kind: "typing", user: "bob@passport.com" },
      },
    },
    {
      event: {
        type: "message",
        from: "bob@passport.com",
        friendlyName: "Bob",
        content: {
          kind: "text",
          text: "Hello.",
          format: {
            font: "Lucida Sans Unicode",
            effects: ["B"],
            color: "ff0000",
            charset: "0",
            pitchFamily: "22",
          },
        },
      },
    },
  ]);
  assert.equal(sb.phase, "open");
  assert.equal(sb.sessionId, "17342299");
});

test("911 on ANS fails the session with the server code", () => {
  const error = new SessionError(
    "server-error",
    "Switchboard refused us: 911 AUTHENTICATION_FAILED",
    {
      phase: "answering",
      serverCode: 911,
      serverName: "AUTHENTICATION_FAILED",
    },
  );
  runScript(answerOptions(), [
    { input: "start" },
    { connect: true },
    { input: "connected" },
    { send: `ANS 1 ${ME} ${COOKIE} 17342299\r\n` },
    { recv: "911 1\r\n" },
    { close: true },
    { event: { type: "ended", reason: "error", error } },
  ]);
});

test("a participant leaving (BYE) and one timed out (BYE email 1), then the server closing", () => {
  runScript(answerOptions(), [
    { input: "start" },
    { connect: true },
    { input: "connected" },
    { send: `ANS 1 ${ME} ${COOKIE} 17342299\r\n` },
    { recv: "IRO 1 1 2 bob@x.com Bob\r\nIRO 1 2 2 carol@x.com Carol\r\nANS 1 OK\r\n" },
    {
      event: {
        type: "participantJoined",
        passport: "bob@x.com",
        friendlyName: "Bob",
        initial: true,
      },
    },
    {
      event: {
        type: "participantJoined",
        passport: "carol@x.com",
        friendlyName: "Carol",
        initial: true,
      },
    },
    {
      event: {
        type: "ready",
        sessionId: "17342299",
        participants: [
          { passport: "bob@x.com", friendlyName: "Bob" },
          { passport: "carol@x.com", friendlyName: "Carol" },
        ],
      },
    },
    { recv: "BYE bob@x.com\r\nBYE carol@x.com 1\r\nBYE nobody@x.com\r\n" },
    { event: { type: "participantLeft", passport: "bob@x.com", timedOut: false } },
    { event: { type: "participantLeft", passport: "carol@x.com", timedOut: true } },
    { intent: (sb) => sb.participants, returns: [] },
    { input: "closed" },
    { event: { type: "ended", reason: "connectionLost" } },
  ]);
});

test("an unsupported invitation is answered with a CANCEL", () => {
  const invite = "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite; charset=UTF-8\r\n\r\n" +
    "Application-Name: File Transfer\r\nApplication-GUID: {5D3E02AB-6190-11d3-BBBB-00C04F795683}\r\n" +
    "Invitation-Command: INVITE\r\nInvitation-Cookie: 1234\r\n\r\n";
  const cancel = "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite; charset=UTF-8\r\n\r\n" +
    "Invitation-Command: CANCEL\r\nInvitation-Cookie: 1234\r\nCancel-Code: REJECT_NOT_INSTALLED\r\n\r\n";
  const fields = [
    ["Application-Name", "File Transfer"],
    ["Application-GUID", "{5D3E02AB-6190-11d3-BBBB-00C04F795683}"],
    ["Invitation-Command", "INVITE"],
    ["Invitation-Cookie", "1234"],
  ];
  runScript(answerOptions(), [
    { input: "start" },
    { connect: true },
    { input: "connected" },
    { send: `ANS 1 ${ME} ${COOKIE} 17342299\r\n` },
    { recv: "IRO 1 1 1 bob@x.com Bob\r\nANS 1 OK\r\n" },
    {
      event: {
        type: "participantJoined",
        passport: "bob@x.com",
        friendlyName: "Bob",
        initial: true,
      },
    },
    {
      event: {
        type: "ready",
        sessionId: "17342299",
        participants: [{ passport: "bob@x.com", friendlyName: "Bob" }],
      },
    },
    { recv: incoming("bob@x.com", "Bob", invite) },
    {
      event: {
        type: "message",
        from: "bob@x.com",
        friendlyName: "Bob",
        content: {
          kind: "invitation",
          fields,
          command: "INVITE",
          cookie: "1234",
          applicationName: "File Transfer",
          applicationGuid: "{5D3E02AB-6190-11d3-BBBB-00C04F795683}",
        } as never,
      },
    },
    { send: `MSG 2 N ${cancel.length}\r\n${cancel}` },
  ]);
});

test("P2P and unknown content types arrive with their bytes intact", () => {
  const binary = new Uint8Array([0, 1, 2, 0xff, 0xfe, 13, 10, 0x80]);
  const head = new TextEncoder().encode(
    "MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\nP2P-Dest: me@example.com\r\n\r\n",
  );
  const p2p = new Uint8Array(head.length + binary.length);
  p2p.set(head);
  p2p.set(binary, head.length);
  const odd = new TextEncoder().encode(
    "MIME-Version: 1.0\r\nContent-Type: text/x-future\r\n\r\n\u00e9",
  );
  const notMime = new Uint8Array([0x6e, 0x6f, 0x20, 0x63, 0x6f, 0x6c, 0x6f, 0x6e]);
  runScript(answerOptions(), [
    { input: "start" },
    { connect: true },
    { input: "connected" },
    { send: `ANS 1 ${ME} ${COOKIE} 17342299\r\n` },
    { recv: "ANS 1 OK\r\n" },
    { event: { type: "ready", sessionId: "17342299", participants: [] } },
    { recv: incoming("bob@x.com", "Bob", p2p) },
    { recv: incoming("bob@x.com", "Bob", odd) },
    { recv: incoming("bob@x.com", "Bob", notMime) },
    {
      event: {
        type: "message",
        from: "bob@x.com",
        friendlyName: "Bob",
        content: { kind: "p2p", destination: "me@example.com", body: binary },
      },
    },
    {
      event: {
        type: "message",
        from: "bob@x.com",
        friendlyName: "Bob",
        content: { kind: "unknown", mediaType: "text/x-future", payload: odd },
      },
    },
    {
      event: {
        type: "message",
        from: "bob@x.com",
        friendlyName: "Bob",
        content: { kind: "unknown", payload: notMime },
      },
    },
  ]);
});
