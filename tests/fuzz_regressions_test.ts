// Defects the fuzz campaign found, each as the smallest input that showed it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseTranscript, stepBytes, TranscriptError } from "../io_adapters/_transcript.ts";

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
