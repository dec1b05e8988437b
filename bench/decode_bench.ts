// `deno task bench` (deno bench -A bench/): decoder throughput against a bare
// line splitter on the ~50 MB generated server stream, and encoding of a few
// commands. tools/bench_cross.ts runs the decode comparison on Node and Bun
// too.
import { chg, type Command, encodeCommand, msg, sbUsr, usrTwnInitial, ver } from "../codec/mod.ts";
import { decodeInChunks, generateServerStream, splitLinesBaseline } from "./fixtures.ts";

const stream = generateServerStream();
const MB = (stream.bytes.length / 1e6).toFixed(1);

// Each iteration handles the whole stream, so a fixed, small count is enough.
const heavy = { n: 10, warmup: 3 };

Deno.bench({
  name: `baseline: indexOf(LF) + TextDecoder per line, ${MB} MB`,
  group: "decode",
  baseline: true,
  ...heavy,
  fn() {
    splitLinesBaseline(stream.bytes);
  },
});

Deno.bench({
  name: `Decoder, 64 KiB pushes, ${MB} MB (${stream.commands} commands)`,
  group: "decode",
  ...heavy,
  fn() {
    const result = decodeInChunks(stream.bytes, 65536);
    if (result.commands !== stream.commands) throw new Error("Cannot decode the fixture");
  },
});

Deno.bench({
  name: `Decoder, 1500-byte pushes (TCP segments), ${MB} MB`,
  group: "decode",
  ...heavy,
  fn() {
    decodeInChunks(stream.bytes, 1500);
  },
});

const text = new TextEncoder();
const chatPayload = text.encode(
  "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n" +
    "X-MMS-IM-Format: FN=Segoe%20UI; EF=; CO=0; CS=1; PF=0\r\n\r\n" +
    "Grüße aus München! 你好 👋 ".repeat(20),
);
const msnObject = '<msnobj Creator="alice@hotmail.com" Size="24539" Type="3" ' +
  'Location="TFR2C.tmp" Friendly="AAA=" SHA1D="trC8SlFx2sWQxZMIBAWSEnXc8oQ=" ' +
  'SHA1C="U7NaNsWwOSi6xZDPwljKNnV3Mow="/>';
const ready: Command = { name: "CHG", trid: 9, args: ["NLN", "268435492"] };

Deno.bench({
  name: "encodeCommand: CHG 9 NLN 268435492",
  group: "encode",
  baseline: true,
  fn() {
    encodeCommand(ready);
  },
});

Deno.bench({
  name: "ver() + encodeCommand",
  group: "encode",
  fn() {
    encodeCommand(ver(1, ["MSNP9", "MSNP8", "CVR0"]));
  },
});

Deno.bench({
  name: "usrTwnInitial() + encodeCommand",
  group: "encode",
  fn() {
    encodeCommand(usrTwnInitial(3, "example@hotmail.com"));
  },
});

Deno.bench({
  name: "chg() with MSNObject (URL-encoded) + encodeCommand",
  group: "encode",
  fn() {
    encodeCommand(chg(9, "NLN", { clientId: 268435492, msnObject }));
  },
});

Deno.bench({
  name: "sbUsr() + encodeCommand",
  group: "encode",
  fn() {
    encodeCommand(sbUsr(1, "example@hotmail.com", "17262740.1050826919.32308"));
  },
});

Deno.bench({
  name: `msg() + encodeCommand, ${chatPayload.length}-byte payload`,
  group: "encode",
  fn() {
    encodeCommand(msg(12, "N", chatPayload));
  },
});
