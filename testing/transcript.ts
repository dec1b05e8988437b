/**
 * The transcript format: JSON lines, one step per line, any number of interleaved connections
 * (documented on {@link TranscriptStep}). `ReplayTransport` and `RecordingTransport` in
 * `io_adapters` read and write the same format.
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
