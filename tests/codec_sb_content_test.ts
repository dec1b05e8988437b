import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ackModeOf,
  buildEmoticonMessage,
  buildInvitationCancel,
  buildNudgeMessage,
  buildP2pMessage,
  buildTextMessage,
  buildTypingMessage,
  type Command,
  EncodeError,
  formatImFormat,
  imColor,
  interpretSwitchboardPayload,
  parseImColor,
  parseImFormat,
  SB_CONTENT_TYPES,
  type SwitchboardContent,
} from "../codec/mod.ts";
import { bytes, chunkings, concat, decodeChunks } from "./_helpers.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Wraps each payload in a server MSG, decodes at every chunking and interprets every payload. */
function assertContents(payloads: Uint8Array[], expected: unknown[]): void {
  const stream = concat(
    payloads.map((p) => concat([bytes(`MSG bob@x.com Bob ${p.length}\r\n`), p])),
  );
  for (const { label, chunks } of chunkings(stream)) {
    const views = decodeChunks(chunks).map((c) =>
      plain(interpretSwitchboardPayload((c as Command).payload!))
    );
    assert.deepStrictEqual(views, expected, label);
  }
}

/** FieldMap values are private: compare their entries. */
function plain(view: SwitchboardContent): unknown {
  return "fields" in view ? { ...view, fields: view.fields.entries() } : view;
}

test("every switchboard content type is read at every byte split of the stream", () => {
  const p2pBody = new Uint8Array([0, 0, 0, 0, 0xff, 0x0d, 0x0a, 0xc3]);
  const payloads = [
    buildTextMessage("Hi 👋🏽\r\nthere", { font: "Comic Sans MS", effects: ["B", "I"], color: "ff" }),
    buildTypingMessage("bob@x.com"),
    buildNudgeMessage(),
    bytes(
      "MIME-Version: 1.0\r\nContent-Type: text/x-msnmsgr-datacast\r\n\r\nID: 2\r\nData: w\r\n\r\n",
    ),
    buildEmoticonMessage([
      { shortcut: "(cat)", msnObject: '<msnobj Creator="bob@x.com" Type="2"/>' },
      { shortcut: ":-X", msnObject: "<msnobj/>" },
    ]),
    buildInvitationCancel("77"),
    buildP2pMessage("me@x.com", p2pBody),
    bytes("MIME-Version: 1.0\r\nContent-Type: Application/X-Future; v=2\r\n\r\n\u00e9"),
    bytes("not a mime message"),
  ];
  assertContents(payloads, [
    {
      kind: "text",
      text: "Hi 👋🏽\r\nthere",
      format: { font: "Comic Sans MS", effects: ["B", "I"], color: "ff" },
    },
    { kind: "typing", user: "bob@x.com" },
    { kind: "nudge" },
    { kind: "datacast", id: 2, fields: [["ID", "2"], ["Data", "w"]] },
    {
      kind: "emoticons",
      emoticons: [
        { shortcut: "(cat)", msnObject: '<msnobj Creator="bob@x.com" Type="2"/>' },
        { shortcut: ":-X", msnObject: "<msnobj/>" },
      ],
    },
    {
      kind: "invitation",
      command: "CANCEL",
      cookie: "77",
      cancelCode: "REJECT_NOT_INSTALLED",
      fields: [
        ["Invitation-Command", "CANCEL"],
        ["Invitation-Cookie", "77"],
        ["Cancel-Code", "REJECT_NOT_INSTALLED"],
      ],
    },
    { kind: "p2p", destination: "me@x.com", body: p2pBody },
    { kind: "unknown", mediaType: "application/x-future", payload: payloads[7] },
    { kind: "unknown", payload: payloads[8] },
  ]);
});

test("builders produce the exact bytes", () => {
  assert.equal(
    text(buildNudgeMessage()),
    "MIME-Version: 1.0\r\nContent-Type: text/x-msnmsgr-datacast\r\n\r\nID: 1\r\n\r\n",
  );
  assert.equal(
    text(buildInvitationCancel("42")),
    "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite; charset=UTF-8\r\n\r\n" +
      "Invitation-Command: CANCEL\r\nInvitation-Cookie: 42\r\nCancel-Code: REJECT_NOT_INSTALLED\r\n\r\n",
  );
  assert.equal(
    text(buildInvitationCancel("42", "TIMEOUT")).split("\r\n").at(-3),
    "Cancel-Code: TIMEOUT",
  );
  assert.equal(
    text(buildEmoticonMessage([{ shortcut: "(cat)", msnObject: "<msnobj/>" }])),
    "MIME-Version: 1.0\r\nContent-Type: text/x-mms-emoticon\r\n\r\n(cat)\t<msnobj/>\t",
  );
  const p2p = buildP2pMessage("bob@x.com", new Uint8Array([1, 2, 0xff]));
  assert.deepStrictEqual(
    p2p,
    concat([
      bytes(
        "MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\nP2P-Dest: bob@x.com\r\n\r\n",
      ),
      new Uint8Array([1, 2, 0xff]),
    ]),
  );
  // A fresh copy each time: scribbling on one does not change the next.
  buildNudgeMessage().fill(0);
  assert.equal(text(buildNudgeMessage()).slice(0, 4), "MIME");
});

test("builders refuse what they cannot carry with a typed EncodeError", () => {
  const refuses = (fn: () => unknown, code: string) =>
    assert.throws(fn, (e) => e instanceof EncodeError && e.code === code);
  refuses(() => buildEmoticonMessage([]), "invalid-argument");
  refuses(
    () => buildEmoticonMessage([{ shortcut: "a\tb", msnObject: "<msnobj/>" }]),
    "invalid-argument",
  );
  refuses(
    () => buildEmoticonMessage([{ shortcut: "\ud800", msnObject: "<msnobj/>" }]),
    "invalid-argument",
  );
  refuses(() => buildInvitationCancel("4 2"), "invalid-argument");
  refuses(() => buildInvitationCancel(""), "invalid-argument");
  refuses(() => buildP2pMessage("bad dest", new Uint8Array()), "invalid-argument");
});

test("each content kind knows its ack mode", () => {
  assert.deepStrictEqual(
    Object.fromEntries(SB_CONTENT_TYPES.map((row) => [row.kind, row.ack])),
    { text: "A", typing: "U", nudge: "N", emoticons: "N", invitation: "N", p2p: "D" },
  );
  assert.equal(ackModeOf("p2p"), "D");
  assert.throws(() => ackModeOf("nope" as "p2p"), RangeError);
});

test("X-MMS-IM-Format: any order and case, unknown keys round-trip, odd values kept", () => {
  const format = parseImFormat(
    "pf=22; Co=0; x-new=some value; ef=SUZ; FN=MS%20Sans%20Serif; CS=86",
  );
  assert.deepStrictEqual(format, {
    pitchFamily: "22",
    color: "0",
    extra: [["x-new", "some value"]],
    effects: ["S", "U"],
    font: "MS Sans Serif",
    charset: "86",
  });
  assert.equal(
    formatImFormat(format),
    "FN=MS%20Sans%20Serif; EF=SU; CO=0; CS=86; PF=22; x-new=some value",
  );
  assert.deepStrictEqual(parseImFormat(formatImFormat(format)), { ...format, effects: ["S", "U"] });
});

test("X-MMS-IM-Format: a lone surrogate is a typed error, never U+FFFD or URIError", () => {
  for (
    const f of [{ font: "Arial\ud800" }, { font: "\udfff" }, {
      extra: [["K", "\ud800"]] as [string, string][],
    }]
  ) {
    assert.throws(
      () => formatImFormat(f),
      (e) => e instanceof EncodeError && e.code === "invalid-format",
    );
    assert.throws(
      () => buildTextMessage("x", f),
      (e) => e instanceof EncodeError && e.code === "invalid-format",
    );
  }
  // Decoding an escaped lone surrogate keeps readable text instead of throwing.
  assert.equal(typeof parseImFormat("FN=%ED%A0%80").font, "string");
  for (
    const f of [{ extra: [["bad key", "1"]] as [string, string][] }, {
      extra: [["K", "a;b"]] as [string, string][],
    }]
  ) {
    assert.throws(
      () => formatImFormat(f),
      (e) => e instanceof EncodeError && e.code === "invalid-format",
    );
  }
});

test("CO is hex BGR with leading zeros dropped", () => {
  assert.equal(imColor({ red: 255, green: 0, blue: 0 }), "ff");
  assert.equal(imColor({ red: 0, green: 0, blue: 255 }), "ff0000");
  assert.equal(imColor({ red: 0, green: 128, blue: 0 }), "8000");
  assert.equal(imColor({ red: 0, green: 0, blue: 0 }), "0");
  assert.equal(imColor({ red: 1, green: 2, blue: 3 }), "30201");
  assert.deepStrictEqual(parseImColor("ff"), { red: 255, green: 0, blue: 0 });
  assert.deepStrictEqual(parseImColor("FF0000"), { red: 0, green: 0, blue: 255 });
  assert.deepStrictEqual(parseImColor("30201"), { red: 1, green: 2, blue: 3 });
  assert.equal(parseImColor("1234567"), undefined);
  assert.equal(parseImColor("zz"), undefined);
  assert.throws(() => imColor({ red: 256, green: 0, blue: 0 }), RangeError);
});
