import { test } from "node:test";
import assert from "node:assert/strict";
import { EncodeError } from "../codec/errors.ts";
import { encodeMime, getHeader, type MimeMessage, parseMime, PayloadError } from "../codec/mime.ts";
import { formatImFormat, parseImFormat } from "../codec/im_format.ts";
import { buildTextMessage } from "../codec/content_text.ts";
import { buildTypingMessage } from "../codec/content_typing.ts";
import { type Profile, unswapClientPort } from "../codec/content_profile.ts";
import { CONTENT_TYPES, interpretMessage } from "../codec/content_types.ts";
import { mediaTypeOf } from "../codec/_content_read.ts";
import { SEED_PROFILE } from "./fixtures/seed_msnp8.ts";

const enc = new TextEncoder();
const bytes = (s: string): Uint8Array => enc.encode(s);

/**
 * Every way to deliver `input` in two pieces, reassembled into a fresh buffer
 * at a non-zero offset (as a decoder would hand out a subarray).
 */
function assembledSplits(input: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let cut = 0; cut <= input.length; cut++) {
    const a = input.slice(0, cut);
    const b = input.slice(cut);
    const backing = new Uint8Array(input.length + 7).fill(0x41);
    backing.set(a, 3);
    backing.set(b, 3 + a.length);
    out.push(backing.subarray(3, 3 + input.length));
  }
  return out;
}

/** Parses `input` once per split and checks every result equals the first. */
function parseEverySplit(input: Uint8Array): MimeMessage {
  const first = parseMime(input);
  for (const piece of assembledSplits(input)) {
    assert.deepEqual(parseMime(piece), first);
  }
  return first;
}

// Seed 003 (msnp-wiki MSNP8 sample), rebuilt once in the shared fixture: 448 bytes.
const PROFILE_448 = SEED_PROFILE;

// Seed 001 (hypothetic.org MSNP8 page), whose real port is 1025.
const PROFILE_HYP = [
  "MIME-Version: 1.0",
  "Content-Type: text/x-msmsgsprofile; charset=UTF-8",
  "EmailEnabled: 1",
  "MemberIdHigh: 84352",
  "MemberIdLow: 1317109683",
  "lang_preference: 1033",
  "preferredEmail: ",
  "country: UK",
  "PostalCode: ",
  "Gender: ",
  "Kid: 0",
  "Age: ",
  "BDayPre: ",
  "Birthday: ",
  "Wallet: ",
  "Flags: 1031",
  "sid: 507",
  "kv: 5",
  "MSPAuth: 4sCuECZ4UsAaBIy0AIsk!c9bWcuATTmuQ$$",
  "ClientPort: 260",
  "",
  "",
].join("\r\n");

// PROTOCOL.md 10.G payloads.
const TYPING_89 = "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\n" +
  "TypingUser: bob@passport.com\r\n\r\n\r\n";
const TEXT_143 = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n" +
  "X-MMS-IM-Format: FN=Lucida%20Sans%20Unicode; EF=B; CO=ff0000; CS=0; PF=22\r\n\r\nHello.";

test("the reconstructed seed profile is exactly 448 bytes", () => {
  assert.equal(bytes(PROFILE_448).length, 448);
});

test("the documented typing and text payloads are 89 and 143 bytes", () => {
  assert.equal(bytes(TYPING_89).length, 89);
  assert.equal(bytes(TEXT_143).length, 143);
});

test("parseMime reads the seed profile as headers only, keeping empty values", () => {
  const msg = parseEverySplit(bytes(PROFILE_448));
  assert.equal(msg.headers.length, 22);
  assert.deepEqual(msg.headers[0], ["MIME-Version", "1.0"]);
  assert.deepEqual(msg.headers[9], ["PostalCode", ""]);
  assert.deepEqual(msg.headers[21], ["ClientPort", "18183"]);
  assert.equal(msg.body.length, 0);
});

test("encodeMime gives back the seed profile byte for byte", () => {
  const input = bytes(PROFILE_448);
  assert.deepEqual(encodeMime(parseMime(input)), input);
});

test("parseMime and encodeMime round-trip the 89-byte typing payload", () => {
  const input = bytes(TYPING_89);
  const msg = parseEverySplit(input);
  assert.deepEqual(msg.headers, [
    ["MIME-Version", "1.0"],
    ["Content-Type", "text/x-msmsgscontrol"],
    ["TypingUser", "bob@passport.com"],
  ]);
  assert.deepEqual(msg.body, bytes("\r\n"));
  assert.deepEqual(encodeMime(msg), input);
});

test("parseMime and encodeMime round-trip the 143-byte text payload", () => {
  const input = bytes(TEXT_143);
  const msg = parseEverySplit(input);
  assert.equal(msg.headers.length, 3);
  assert.deepEqual(msg.body, bytes("Hello."));
  assert.deepEqual(encodeMime(msg), input);
});

test("parseMime splits a header at the first colon and drops only one space", () => {
  const msg = parseMime(bytes("Inbox-URL: http://x/a:b\r\nX:  two\r\nY:none \r\n\r\n"));
  assert.deepEqual(msg.headers, [
    ["Inbox-URL", "http://x/a:b"],
    ["X", " two"],
    ["Y", "none "],
  ]);
});

test("parseMime accepts bare LF line ends", () => {
  const msg = parseEverySplit(bytes("MIME-Version: 1.0\nContent-Type: text/plain\n\nhi\r\nthere"));
  assert.deepEqual(msg.headers, [["MIME-Version", "1.0"], ["Content-Type", "text/plain"]]);
  assert.deepEqual(msg.body, bytes("hi\r\nthere"));
});

test("parseMime treats a payload without an empty line as all headers", () => {
  const msg = parseMime(bytes("A: 1\r\nB: 2"));
  assert.deepEqual(msg.headers, [["A", "1"], ["B", "2"]]);
  assert.equal(msg.body.length, 0);
});

test("parseMime gives an empty message for an empty payload", () => {
  assert.deepEqual(parseMime(new Uint8Array(0)), { headers: [], body: new Uint8Array(0) });
});

test("parseMime keeps body bytes untouched, including invalid UTF-8 and blank lines", () => {
  const head = bytes("Content-Type: application/x-unknown\r\n\r\n");
  const body = new Uint8Array([0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a, 0xc3]);
  const input = new Uint8Array([...head, ...body]);
  const msg = parseEverySplit(input);
  assert.deepEqual(msg.body, body);
  assert.deepEqual(encodeMime(msg), input);
  const view = interpretMessage(msg);
  assert.equal(view.kind, "unknown");
  if (view.kind === "unknown") {
    assert.equal(view.mediaType, "application/x-unknown");
    assert.deepEqual(view.message.body, body);
  }
});

test("parseMime decodes multi-byte UTF-8 in header values and body", () => {
  const input = bytes("Subject: Grüße 日本 🎉\r\n\r\nnaïve ✓ 🎉");
  const msg = parseEverySplit(input);
  assert.deepEqual(msg.headers, [["Subject", "Grüße 日本 🎉"]]);
  assert.deepEqual(msg.body, bytes("naïve ✓ 🎉"));
  assert.deepEqual(encodeMime(msg), input);
});

test("parseMime returns a body that does not alias the input", () => {
  const input = bytes("A: 1\r\n\r\nxyz");
  const msg = parseMime(input);
  input[input.length - 1] = 0x21;
  assert.deepEqual(msg.body, bytes("xyz"));
});

test("parseMime rejects a header line without a colon, without echoing it", () => {
  assert.throws(
    () => parseMime(bytes("A: 1\r\nMSPAuth secret-ticket\r\n\r\n")),
    (e: unknown) => {
      assert.ok(e instanceof PayloadError);
      assert.equal(e.code, "MALFORMED_HEADER");
      assert.equal(e.name, "PayloadError");
      assert.equal(e.message, "Cannot parse MIME header line 2: missing ':'");
      return true;
    },
  );
});

test("getHeader matches names without regard to case and returns the first", () => {
  const msg = parseMime(bytes("content-TYPE: a\r\nContent-Type: b\r\n\r\n"));
  assert.equal(getHeader(msg, "Content-Type"), "a");
  assert.equal(getHeader(msg, "missing"), undefined);
});

test("encodeMime refuses CR, LF, NUL, colon and lone surrogates in names, CR, LF, NUL and lone surrogates in values", () => {
  const body = new Uint8Array(0);
  for (const name of ["A:B", "A\rB", "A\nB", "A\0B", "", "A\uD800B", "A\uDC00"]) {
    assert.throws(
      () => encodeMime({ headers: [[name, "v"]], body }),
      (e: unknown) => e instanceof EncodeError && e.code === "invalid-header-name",
    );
  }
  for (const value of ["a\rb", "a\nb", "a\0b", "a\uD800b", "a\uDFFF"]) {
    assert.throws(
      () => encodeMime({ headers: [["MSPAuth", `secret${value}`]], body }),
      (e: unknown) =>
        e instanceof EncodeError && e.code === "invalid-header-value" &&
        !e.message.includes("secret"),
    );
  }
});

test("text builders refuse a lone surrogate with EncodeError instead of writing U+FFFD", () => {
  const refused = (code: string) => (e: unknown) => e instanceof EncodeError && e.code === code;
  assert.throws(() => buildTextMessage("hi \uD83D"), refused("invalid-argument"));
  assert.throws(() => formatImFormat({ font: "Arial\uDC00" }), refused("invalid-format"));
  assert.throws(() => buildTextMessage("hi", { font: "\uD800" }), refused("invalid-format"));
  assert.throws(() => buildTypingMessage("a\uD800@x.com"), refused("invalid-argument"));
  // A well-formed pair is fine.
  assert.equal(formatImFormat({ font: "\uD83C\uDF89" }), "FN=%F0%9F%8E%89");
});

test("encodeMime writes an empty line even with no headers", () => {
  assert.deepEqual(encodeMime({ headers: [], body: bytes("x") }), bytes("\r\nx"));
});

test("buildTextMessage produces the documented 143-byte payload", () => {
  const payload = buildTextMessage("Hello.", {
    font: "Lucida Sans Unicode",
    effects: ["B"],
    color: "ff0000",
    charset: "0",
    pitchFamily: "22",
  });
  assert.deepEqual(payload, bytes(TEXT_143));
});

test("buildTextMessage without a format omits X-MMS-IM-Format and counts UTF-8 bytes", () => {
  const payload = buildTextMessage("héllo 🎉");
  assert.deepEqual(
    payload,
    bytes("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nhéllo 🎉"),
  );
  assert.equal(payload.length, 73);
});

test("buildTypingMessage produces the documented 89-byte payload", () => {
  assert.deepEqual(buildTypingMessage("bob@passport.com"), bytes(TYPING_89));
});

test("buildTypingMessage refuses passports with whitespace or control characters", () => {
  for (const p of ["", "a b@x.com", "a@x.com\r\nX: y", "a\0@x"]) {
    assert.throws(
      () => buildTypingMessage(p),
      (e: unknown) => e instanceof EncodeError && e.code === "invalid-argument",
    );
  }
});

test("parseImFormat reads the documented header value", () => {
  assert.deepEqual(parseImFormat("FN=Lucida%20Sans%20Unicode; EF=B; CO=ff0000; CS=0; PF=22"), {
    font: "Lucida Sans Unicode",
    effects: ["B"],
    color: "ff0000",
    charset: "0",
    pitchFamily: "22",
  });
});

test("parseImFormat is tolerant of order, case, empty effects and bad escapes", () => {
  assert.deepEqual(parseImFormat("pf=0;co=0; ef=; fn=100%zz;junk; EF=bis"), {
    pitchFamily: "0",
    color: "0",
    effects: ["B", "I", "S"],
    font: "100%zz",
  });
  assert.deepEqual(parseImFormat(""), {});
  assert.deepEqual(parseImFormat("FN=%E6%97%A5%E6%9C%AC"), { font: "日本" });
});

test("formatImFormat writes fields in FN EF CO CS PF order and round-trips", () => {
  const value = "FN=Lucida%20Sans%20Unicode; EF=B; CO=ff0000; CS=0; PF=22";
  assert.equal(formatImFormat(parseImFormat(value)), value);
  assert.equal(formatImFormat({ pitchFamily: "22", effects: [] }), "EF=; PF=22");
  assert.equal(formatImFormat({ font: "a;b%" }), "FN=a%3Bb%25");
  assert.equal(formatImFormat({}), "");
});

test("formatImFormat refuses values that would break the header", () => {
  for (const f of [{ color: "ff;00" }, { charset: "0\r\n" }, { pitchFamily: "2 2" }]) {
    assert.throws(
      () => formatImFormat(f),
      (e: unknown) => e instanceof EncodeError && e.code === "invalid-format",
    );
  }
  assert.throws(
    () => formatImFormat({ effects: ["X" as "B"] }),
    (e: unknown) => e instanceof EncodeError && e.code === "invalid-format",
  );
});

test("mediaTypeOf takes the part before ';', trimmed and lower-cased", () => {
  const msg = parseMime(bytes("Content-Type:  Text/X-MsMsgsProfile ; charset=UTF-8\r\n\r\n"));
  assert.equal(mediaTypeOf(msg), "text/x-msmsgsprofile");
  assert.equal(mediaTypeOf(parseMime(bytes("A: 1\r\n\r\n"))), undefined);
});

test("interpretMessage reads the seed profile's typed fields", () => {
  const view = interpretMessage(parseMime(bytes(PROFILE_448)));
  assert.equal(view.kind, "profile");
  const p = (view as { profile: Profile }).profile;
  assert.equal(p.loginTime, 1726321960);
  assert.equal(p.emailEnabled, true);
  assert.equal(p.memberIdHigh, 1);
  assert.equal(p.memberIdLow, 2);
  assert.equal(p.langPreference, 1033);
  assert.equal(p.preferredEmail, "example@hotmail.com");
  assert.equal(p.country, "US");
  assert.equal(p.postalCode, undefined);
  assert.equal(p.gender, undefined);
  assert.equal(p.kid, false);
  assert.equal(p.age, undefined);
  assert.equal(p.birthday, undefined);
  assert.equal(p.flags, 1027);
  assert.equal(p.sid, "507");
  assert.equal(p.kv, "11");
  assert.equal(
    p.mspAuth,
    "whatever+t+is+in+your+passport+login+ticket+that+you+sent+for+USR+TWN+S$",
  );
  assert.equal(p.clientIp, "192.168.1.111");
  assert.equal(p.clientPortRaw, 18183);
  assert.equal(p.clientPort, 1863);
});

test("interpretMessage unswaps the hypothetic.org ClientPort 260 to 1025", () => {
  const view = interpretMessage(parseMime(bytes(PROFILE_HYP)));
  assert.equal(view.kind, "profile");
  const p = (view as { profile: Profile }).profile;
  assert.equal(p.clientPort, 1025);
  assert.equal(p.loginTime, undefined);
  assert.equal(p.clientIp, undefined);
  assert.equal(p.memberIdHigh, 84352);
  assert.equal(p.memberIdLow, 1317109683);
  assert.equal(p.preferredEmail, undefined);
  assert.equal(p.country, "UK");
});

test("profile fields are read without regard to case and keep raw values", () => {
  const view = interpretMessage(parseMime(bytes(PROFILE_448)));
  const p = (view as { profile: Profile }).profile;
  assert.equal(p.fields.get("preferredemail"), "example@hotmail.com");
  assert.equal(p.fields.get("POSTALCODE"), "");
  assert.equal(p.fields.get("wallet"), "");
  assert.equal(p.fields.has("BDayPre"), true);
  assert.equal(p.fields.get("nope"), undefined);
  assert.equal(p.fields.size, 22);
  assert.deepEqual(p.fields.entries()[2], ["LoginTime", "1726321960"]);
});

test("a profile hides MSPAuth from enumeration, JSON and inspection", () => {
  const view = interpretMessage(parseMime(bytes(PROFILE_448)));
  const p = (view as { profile: Profile }).profile;
  assert.equal(Object.keys(p).includes("mspAuth"), false);
  assert.equal(JSON.stringify(view).includes("whatever"), false);
  assert.equal(JSON.stringify(p.fields).includes("whatever"), false);
});

test("a profile with missing, empty or malformed fields never throws", () => {
  const msg = parseMime(bytes(
    "Content-Type: text/x-msmsgsprofile\r\nClientPort: 70000\r\nFlags: 12a\r\n" +
      "EmailEnabled: yes\r\nAge: \r\n\r\n",
  ));
  const view = interpretMessage(msg);
  assert.equal(view.kind, "profile");
  const p = (view as { profile: Profile }).profile;
  assert.equal(p.clientPort, undefined);
  assert.equal(p.clientPortRaw, undefined);
  assert.equal(p.flags, undefined);
  assert.equal(p.emailEnabled, undefined);
  assert.equal(p.age, undefined);
  assert.equal(p.mspAuth, undefined);
  assert.equal(p.fields.get("Flags"), "12a");
});

test("unswapClientPort swaps the two bytes with bit operations", () => {
  assert.equal(unswapClientPort(260), 1025);
  assert.equal(unswapClientPort(18183), 1863);
  assert.equal(unswapClientPort(0), 0);
  assert.equal(unswapClientPort(0xffff), 0xffff);
  assert.equal(unswapClientPort(0x00ff), 0xff00);
  assert.equal(unswapClientPort(0x1234), 0x3412);
  for (const bad of [-1, 65536, 1.5, NaN]) {
    assert.throws(
      () => unswapClientPort(bad),
      (e: unknown) => e instanceof PayloadError && e.code === "INVALID_CLIENT_PORT",
    );
  }
});

test("interpretMessage reads a text message with its format", () => {
  const view = interpretMessage(parseMime(bytes(TEXT_143)));
  assert.deepEqual(view, {
    kind: "text",
    text: "Hello.",
    format: {
      font: "Lucida Sans Unicode",
      effects: ["B"],
      color: "ff0000",
      charset: "0",
      pitchFamily: "22",
    },
  });
});

test("interpretMessage reads a text message without a format as UTF-8", () => {
  const view = interpretMessage(parseMime(buildTextMessage("línea 1\r\nline 2 🎉")));
  assert.deepEqual(view, { kind: "text", text: "línea 1\r\nline 2 🎉" });
});

test("interpretMessage reads a typing notification", () => {
  assert.deepEqual(interpretMessage(parseMime(bytes(TYPING_89))), {
    kind: "typing",
    user: "bob@passport.com",
  });
  assert.deepEqual(
    interpretMessage(parseMime(bytes("Content-Type: text/x-msmsgscontrol\r\n\r\n"))),
    { kind: "typing" },
  );
});

test("interpretMessage reads a shutdown system message from the body", () => {
  const msg = parseMime(bytes(
    "MIME-Version: 1.0\r\nContent-Type: application/x-msmsgssystemmessage\r\n\r\n" +
      "Type: 1\r\nArg1: 5\r\n",
  ));
  const view = interpretMessage(msg);
  assert.equal(view.kind, "system");
  if (view.kind === "system") {
    assert.equal(view.type, 1);
    assert.equal(view.minutes, 5);
    assert.equal(view.fields.get("arg1"), "5");
  }
});

test("interpretMessage reads the initial email notification", () => {
  const msg = parseMime(bytes(
    "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinitialemailnotification; charset=UTF-8\r\n" +
      "\r\nInbox-Unread: 3\r\nFolders-Unread: 1\r\nInbox-URL: /cgi-bin/HoTMaiL\r\n" +
      "Folders-URL: /cgi-bin/folders\r\nPost-URL: http://www.hotmail.com\r\n\r\n",
  ));
  const view = interpretMessage(msg);
  assert.equal(view.kind, "initialEmail");
  if (view.kind === "initialEmail") {
    assert.equal(view.inboxUnread, 3);
    assert.equal(view.foldersUnread, 1);
    assert.equal(view.inboxUrl, "/cgi-bin/HoTMaiL");
    assert.equal(view.foldersUrl, "/cgi-bin/folders");
    assert.equal(view.postUrl, "http://www.hotmail.com");
  }
});

test("interpretMessage reads a new-mail notification", () => {
  const msg = parseMime(bytes(
    "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsemailnotification; charset=UTF-8\r\n\r\n" +
      "From: Jürgen\r\nMessage-URL: /cgi-bin/getmsg?msg=MSG1&start=1\r\n" +
      "Post-URL: https://loginnet.passport.com/ppsecure/md5auth.srf?lc=1033\r\n" +
      "Subject: Re: a: b\r\nDest-Folder: ACTIVE\r\nFrom-Addr: j@example.com\r\nid: 2\r\n\r\n",
  ));
  const view = interpretMessage(msg);
  assert.equal(view.kind, "emailNotification");
  if (view.kind === "emailNotification") {
    assert.equal(view.from, "Jürgen");
    assert.equal(view.fromAddr, "j@example.com");
    assert.equal(view.subject, "Re: a: b");
    assert.equal(view.destFolder, "ACTIVE");
    assert.equal(view.messageUrl, "/cgi-bin/getmsg?msg=MSG1&start=1");
    assert.equal(
      view.postUrl,
      "https://loginnet.passport.com/ppsecure/md5auth.srf?lc=1033",
    );
    assert.equal(view.id, "2");
  }
});

test("interpretMessage reads an active-mail notification, also with bare LF", () => {
  const msg = parseMime(bytes(
    "MIME-Version: 1.0\nContent-Type: text/x-msmsgsactivemailnotification; charset=UTF-8\n\n" +
      "Src-Folder: ACTIVE\nDest-Folder: trAsH\nMessage-Delta: 2\n",
  ));
  const view = interpretMessage(msg);
  assert.equal(view.kind, "activeMail");
  if (view.kind === "activeMail") {
    assert.equal(view.srcFolder, "ACTIVE");
    assert.equal(view.destFolder, "trAsH");
    assert.equal(view.messageDelta, 2);
  }
});

test("interpretMessage accepts the application/ form of mail notifications", () => {
  const msg = parseMime(bytes(
    "Content-Type: application/x-msmsgsinitialemailnotification\r\n\r\nInbox-Unread: 7\r\n",
  ));
  const view = interpretMessage(msg);
  assert.equal(view.kind, "initialEmail");
  if (view.kind === "initialEmail") assert.equal(view.inboxUnread, 7);
});

test("interpretMessage falls back to header fields in notifications", () => {
  const msg = parseMime(bytes(
    "Content-Type: text/x-msmsgsactivemailnotification\r\nMessage-Delta: 4\r\n\r\n",
  ));
  const view = interpretMessage(msg);
  assert.equal(view.kind, "activeMail");
  if (view.kind === "activeMail") {
    assert.equal(view.messageDelta, 4);
    assert.equal(view.srcFolder, undefined);
  }
});

test("interpretMessage keeps messages without a known content type", () => {
  const noType = parseMime(bytes("MIME-Version: 1.0\r\n\r\nbody"));
  assert.deepEqual(interpretMessage(noType), { kind: "unknown", message: noType });
  const p2p = parseMime(bytes("Content-Type: application/x-msnmsgrp2p\r\nP2P-Dest: a@b\r\n\r\n\0"));
  const view = interpretMessage(p2p);
  assert.equal(view.kind, "unknown");
  if (view.kind === "unknown") assert.equal(view.message, p2p);
});

test("the content-type table lists lower-case media types", () => {
  for (const row of CONTENT_TYPES) assert.equal(row.mediaType, row.mediaType.toLowerCase());
});
