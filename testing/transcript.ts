/**
 * The transcript format (JSON lines, one step per line, any number of interleaved connections):
 * see the documentation of {@link TranscriptStep}'s module in `io_adapters/_transcript.ts`, which
 * `ReplayTransport` and `RecordingTransport` share with the replay tools here.
 *
 * @module
 */
export {
  bytesStep,
  type ConnectionKind,
  connectKind,
  headerStep,
  NS_CONNECTION,
  parseTranscript,
  type ReplayMismatchCode,
  ReplayMismatchError,
  stepBytes,
  stepConnection,
  stringifyTranscript,
  TRANSCRIPT_VERSION,
  TranscriptError,
  type TranscriptHeader,
  transcriptHeader,
  type TranscriptStep,
} from "../io_adapters/_transcript.ts";
