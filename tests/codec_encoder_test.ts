import { test } from "node:test";
import assert from "node:assert/strict";
import * as c from "../codec/mod.ts";
import { encodeCommand, EncodeError } from "../codec/mod.ts";

const text = (command: c.Command, options?: c.EncodeOptions) =>
  new TextDecoder().decode(encodeCommand(command, options));

test("builders produce the exact bytes of every NS client command", () => {
  const cases: [c.Command, string][] = [
    [c.ver(1, ["MSNP9", "MSNP8"]), "VER 1 MSNP9 MSNP8 CVR0\r\n"],
    [c.ver(1, ["MSNP8", "CVR0"]), "VER 1 MSNP8 CVR0\r\n"],
    [
      c.cvr(2, "example@hotmail.com", {
        localeId: "0x0409",
        osType: "win",
        osVersion: "4.10",
        architecture: "i386",
        clientName: "MSNMSGR",
        clientVersion: "5.0.0537",
        clientId: "MSMSGS",
      }),
      "CVR 2 0x0409 win 4.10 i386 MSNMSGR 5.0.0537 MSMSGS example@hotmail.com\r\n",
    ],
    [c.cvr(2, "me@x.com"), "CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 6.0.0602 MSMSGS me@x.com\r\n"],
    [c.usrTwnInitial(3, "example@hotmail.com"), "USR 3 TWN I example@hotmail.com\r\n"],
    [c.usrTwnSubsequent(7, "t=abc&p=def"), "USR 7 TWN S t=abc&p=def\r\n"],
    [c.xfrSb(10), "XFR 10 SB\r\n"],
    [c.syn(8, 14), "SYN 8 14\r\n"],
    [c.chg(9, "NLN", { clientId: 0 }), "CHG 9 NLN 0\r\n"],
    [c.chg(9, "HDN"), "CHG 9 HDN\r\n"],
    [
      c.chg(9, "NLN", { clientId: 268435492, msnObject: '<msnobj Creator="a@b.c" Type="3"/>' }),
      "CHG 9 NLN 268435492 %3Cmsnobj%20Creator%3D%22a%40b.c%22%20Type%3D%223%22%2F%3E\r\n",
    ],
    [c.add(11, "FL", "bob@x.com", { friendlyName: "Bob B" }), "ADD 11 FL bob@x.com Bob%20B\r\n"],
    [c.add(11, "FL", "bob@x.com", { groupId: 2 }), "ADD 11 FL bob@x.com bob%40x.com 2\r\n"],
    [c.add(12, "BL", "bob@x.com"), "ADD 12 BL bob@x.com bob%40x.com\r\n"],
    [c.rem(13, "FL", "bob@x.com", { groupId: 0 }), "REM 13 FL bob@x.com 0\r\n"],
    [c.rem(14, "AL", "bob@x.com"), "REM 14 AL bob@x.com\r\n"],
    [c.adg(15, "Other Contacts"), "ADG 15 Other%20Contacts 0\r\n"],
    [c.rmg(16, 3), "RMG 16 3\r\n"],
    [c.reg(17, 3, "Frère 100%"), "REG 17 3 Fr%C3%A8re%20100%25 0\r\n"],
    [c.rea(18, "me@x.com", "Zoë 😀"), "REA 18 me@x.com Zo%C3%AB%20%F0%9F%98%80\r\n"],
    [c.blp(19, "BL"), "BLP 19 BL\r\n"],
    [c.gtc(20, "N"), "GTC 20 N\r\n"],
    [c.prp(21, "PHH", "123 (4567)"), "PRP 21 PHH 123%20(4567)\r\n"],
    [c.prp(22, "MOB", ""), "PRP 22 MOB\r\n"],
    [
      c.qry(23, "msmsgs@msnmsgr.com", "8f2f5a91b72102cd28355e9fc9000d6e"),
      "QRY 23 msmsgs@msnmsgr.com 32\r\n8f2f5a91b72102cd28355e9fc9000d6e",
    ],
    [c.png(), "PNG\r\n"],
    [c.out(), "OUT\r\n"],
    [c.url(24, "INBOX"), "URL 24 INBOX\r\n"],
    [c.url(25, "COMPOSE", "bob@x.com"), "URL 25 COMPOSE bob@x.com\r\n"],
    [
      c.sdc(26, "bob@x.com", { friendlyName: "Me", body: "Hi" }),
      "SDC 26 bob@x.com 0x0409 MSMSGS WindowsMessenger X X Me 2\r\nHi",
    ],
  ];
  for (const [command, wire] of cases) assert.equal(text(command), wire);
});

test("builders produce the exact bytes of every switchboard client command", () => {
  assert.equal(
    text(c.sbUsr(1, "alice@x.com", "1056411141.26158")),
    "USR 1 alice@x.com 1056411141.26158\r\n",
  );
  assert.equal(text(c.cal(2, "bob@x.com")), "CAL 2 bob@x.com\r\n");
  assert.equal(
    text(c.ans(1, "alice@passport.com", "1056411141.26158", "17342299")),
    "ANS 1 alice@passport.com 1056411141.26158 17342299\r\n",
  );
  const body = new TextEncoder().encode("MIME-Version: 1.0\r\n\r\né");
  assert.equal(text(c.msg(4, "N", body)), "MSG 4 N 23\r\nMIME-Version: 1.0\r\n\r\né");
  assert.equal(text(c.out()), "OUT\r\n");
});

test("encoder refuses arguments that would inject a space, CR, LF, TAB or NUL", () => {
  for (const evil of ["a b", "a\r\nOUT", "a\nb", "a\rb", "a\0b", "a\tb", ""]) {
    assert.throws(
      () => encodeCommand({ name: "REA", trid: 1, args: ["me@x.com", evil] }),
      (e: unknown) => e instanceof EncodeError && e.code === "invalid-argument",
      JSON.stringify(evil),
    );
    assert.throws(() => c.usrTwnSubsequent(1, evil), EncodeError);
    assert.throws(() => c.usrTwnInitial(1, evil), EncodeError);
    assert.throws(() => c.cal(1, evil), EncodeError);
    assert.throws(() => c.url(1, "COMPOSE", evil), EncodeError);
  }
  // Names are URL-encoded, so the same text is safe there.
  assert.equal(text(c.rea(1, "me@x.com", "a\r\nOUT b")), "REA 1 me@x.com a%0D%0AOUT%20b\r\n");
});

test("encoder refuses bad names, TrIDs and payload lengths", () => {
  const bad = (command: c.Command, code: string, options?: c.EncodeOptions) =>
    assert.throws(
      () => encodeCommand(command, options),
      (e: unknown) => e instanceof EncodeError && e.code === code,
    );
  bad({ name: "ver", trid: 1, args: [] }, "invalid-name");
  bad({ name: "VE R", trid: 1, args: [] }, "invalid-name");
  bad({ name: "VER", trid: -1, args: [] }, "invalid-trid");
  bad({ name: "VER", trid: 1.5, args: [] }, "invalid-trid");
  bad({ name: "VER", trid: 4294967296, args: [] }, "invalid-trid");
  bad({ name: "VER", trid: null, args: ["MSNP8"] }, "invalid-trid");
  bad({ name: "PNG", trid: 3, args: [] }, "invalid-trid");
  bad({ name: "QNG", trid: 3, args: [] }, "invalid-trid", { from: "server" });
  bad(
    { name: "MSG", trid: 1, args: ["N", "5"], payload: new Uint8Array(4) },
    "payload-length-mismatch",
  );
  bad({ name: "MSG", trid: 1, args: ["N", "5"] }, "payload-length-mismatch");
  bad(
    { name: "CHG", trid: 1, args: ["NLN"], payload: new Uint8Array(0) },
    "payload-length-mismatch",
  );
  bad({ name: "QNG", trid: null, args: ["1".repeat(9000)] }, "too-long", { from: "server" });
  assert.equal(
    text({ name: "VER", trid: 4294967295, args: ["MSNP8"] }),
    "VER 4294967295 MSNP8\r\n",
  );
});

test("builders refuse over-long names and invalid enumerations", () => {
  const code = (fn: () => unknown, expected: string) =>
    assert.throws(fn, (e: unknown) => e instanceof EncodeError && e.code === expected);
  code(() => c.rea(1, "me@x.com", "x".repeat(388)), "too-long");
  assert.doesNotThrow(() => c.rea(1, "me@x.com", "x".repeat(387)));
  code(() => c.rea(1, "me@x.com", "%".repeat(130)), "too-long"); // 390 bytes encoded
  code(() => c.adg(1, "g".repeat(62)), "too-long");
  code(() => c.adg(1, ""), "invalid-argument");
  code(() => c.usrTwnInitial(1, "a".repeat(120) + "@x.com.com"), "too-long");
  code(() => c.prp(1, "PHH", "9".repeat(96)), "too-long");
  code(() => c.chg(1, "FLN" as c.Status), "invalid-argument");
  code(() => c.add(1, "RL" as "FL", "a@b.c"), "invalid-argument");
  code(() => c.blp(1, "XX" as "AL"), "invalid-argument");
  code(() => c.rmg(1, -1), "invalid-argument");
  code(() => c.syn(1, 1.5), "invalid-argument");
  code(() => c.qry(1, "id", "ABC"), "invalid-argument");
  code(() => c.msg(1, "a" as "A", new Uint8Array()), "invalid-argument");
  code(() => c.msg(1, "N", new Uint8Array(1665)), "too-long");
  code(() => c.rea(1, "me@x.com", "\ud800"), "invalid-argument");
});

test("urlEncode and urlDecode round-trip any text; urlDecode is lenient", () => {
  for (const s of ["another user", "100% sure", "Zoë 😀", "a\r\nb", "(x)!*'~-_.", ""]) {
    assert.equal(c.urlDecode(c.urlEncode(s)), s);
    assert.doesNotMatch(c.urlEncode(s), /[ \r\n\0]/);
  }
  assert.equal(c.urlDecode("another%20user"), "another user");
  assert.equal(c.urlDecode("%C3%A9%e2%82%ac"), "é€");
  assert.equal(c.urlDecode("100%"), "100%");
  assert.equal(c.urlDecode("%zz%4"), "%zz%4");
  assert.equal(c.urlDecode("raw é"), "raw é");
  assert.equal(c.urlDecode("%FF"), "\ufffd");
  // An escaped byte-order mark is text, whether or not the rest is well formed.
  assert.equal(c.urlDecode("%EF%BB%BFx"), "\ufeffx");
  assert.equal(c.urlDecode("%EF%BB%BF%zz"), "\ufeff%zz");
});

test("encoder accepts server GTC, BLP and PRP in both their SYN and reply forms", () => {
  const server = { from: "server" } as const;
  assert.equal(text({ name: "GTC", trid: null, args: ["A"] }, server), "GTC A\r\n");
  assert.equal(text({ name: "GTC", trid: 5, args: ["A"] }, server), "GTC 5 A\r\n");
  assert.equal(text({ name: "BLP", trid: 9, args: ["17", "BL"] }, server), "BLP 9 17 BL\r\n");
  assert.equal(text({ name: "PRP", trid: null, args: ["PHH", "1"] }, server), "PRP PHH 1\r\n");
  assert.throws(
    () => encodeCommand({ name: "GTC", trid: null, args: ["16", "A"] }, server),
    EncodeError,
  );
});

test("encoder refuses a lone surrogate instead of sending U+FFFD", () => {
  assert.throws(
    () => encodeCommand({ name: "URL", trid: 1, args: ["INBOX", "a\ud800"] }),
    (e: unknown) => e instanceof EncodeError && e.code === "invalid-argument",
  );
});

test("ver refuses a version list with no protocol version", () => {
  for (const versions of [[], ["CVR0"], ["CVR0", "CVR0"]]) {
    assert.throws(
      () => c.ver(1, versions),
      (e: unknown) => e instanceof EncodeError && e.code === "invalid-argument",
    );
  }
  assert.deepEqual(c.ver(1, ["CVR0", "MSNP8"]).args, ["MSNP8", "CVR0"]);
});

test("builders refuse lone surrogates in any text with EncodeError, never U+FFFD or URIError", () => {
  const lone = ["\uD800", "a\uDC00", "\uDBFF\uDBFF"];
  const builders: [string, (text: string) => unknown][] = [
    ["REA name", (t) => c.rea(1, "a@b.c", t)],
    ["ADG", (t) => c.adg(1, t)],
    ["PRP", (t) => c.prp(1, "PHH", t)],
    ["CHG msnobj", (t) => c.chg(1, "NLN", { msnObject: t })],
    ["SDC body", (t) => c.sdc(1, "a@b.c", { friendlyName: "x", body: t })],
    ["CAL passport", (t) => c.cal(1, t)],
    ["VER", (t) => c.ver(1, [t])],
    ["urlEncode", (t) => c.urlEncode(t)],
    ["encodeMime", (t) => c.encodeMime({ headers: [["A", t]], body: new Uint8Array() })],
    ["formatImFormat", (t) => c.formatImFormat({ font: t })],
    ["buildTextMessage", (t) => c.buildTextMessage(t)],
  ];
  for (const [label, build] of builders) {
    for (const text of lone) {
      assert.throws(() => build(text), (e: unknown) => e instanceof EncodeError, label);
    }
  }
});

test("urlDecode is lenient: bare and broken escapes stay, each run of escapes is one UTF-8 sequence", () => {
  assert.equal(c.urlDecode("100%"), "100%");
  assert.equal(c.urlDecode("%zz%4"), "%zz%4");
  assert.equal(c.urlDecode("a%20b%"), "a b%");
  // Broken somewhere, so the lenient path decodes the rest: a split character survives.
  assert.equal(c.urlDecode("%E6%97%A5%"), "日%");
  assert.equal(c.urlDecode("%e6%97%a5 %ZZ"), "日 %ZZ");
  assert.equal(c.urlDecode("%E6%97 %A5%"), "\uFFFD \uFFFD%");
  assert.equal(c.urlDecode("%C0%AF%"), "\uFFFD\uFFFD%");
  assert.equal(c.urlDecode("%EF%BB%BFx%"), "\uFEFFx%");
  assert.equal(c.urlDecode("%".repeat(100_000) + "%41"), "%".repeat(100_000) + "A");
});
