// Defects the fuzz campaign found, each as the smallest input that showed it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseTranscript, stepBytes, TranscriptError } from "../io_adapters/_transcript.ts";
import { NotificationSession, UsageError } from "../machine/mod.ts";
import { interpretMessage, parseMime, type UnknownView } from "../codec/mod.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);

test("parseTranscript refuses a base64 step that stepBytes cannot decode, as a TranscriptError", () => {
  // Found by the transcript target (seed 1, input seed 3846076641): the step parsed, then reading
  // its bytes threw a DOMException from atob.
  assert.throws(
    () => parseTranscript('{"comment":"x"}\n{"recvBase64":"!!!not base64"}\n'),
    (error: unknown) =>
      error instanceof TranscriptError && error.line === 2 &&
      error.message === 'Cannot read transcript line 2: invalid value for "recvBase64"',
  );
  assert.throws(() => parseTranscript('{"sendBase64":"Q"}'), TranscriptError);
  const [step] = parseTranscript('{"sendBase64":"QUJD"}');
  assert.deepEqual(stepBytes(step), new Uint8Array([65, 66, 67]));
});

test("presenceOf with a passport that is not a string is a UsageError, not a TypeError", () => {
  // Found by the ns-session target (seed 1, input seed 3363462079): presenceOf(42) threw
  // "passport.toLowerCase is not a function".
  const session = new NotificationSession({ account: "me@example.com" });
  for (const passport of [42, undefined, null, {}]) {
    assert.throws(
      () => session.presenceOf(passport as unknown as string),
      (error: unknown) => error instanceof UsageError && error.code === "invalid-argument",
    );
  }
  assert.equal(session.presenceOf("bob@example.com"), undefined);
});

test("a Hotmail MSG read as an unknown notification does not hand on its MSPAuth header", () => {
  // Found by the ns-session target (seed 1, input seed 1627858888): a profile whose Content-Type
  // line was lost became a `notification` event of kind "unknown" holding MSPAuth in its headers.
  const view = interpretMessage(
    parseMime(utf8("MIME-Version: 1.0\r\nmspauth: SeCrEtT1cKeT\r\nkv: 11\r\n\r\n")),
  );
  assert.equal(view.kind, "unknown");
  assert.deepEqual((view as UnknownView).message.headers, [["MIME-Version", "1.0"], ["kv", "11"]]);
  assert.ok(!JSON.stringify(view).includes("SeCrEtT1cKeT"));
});
