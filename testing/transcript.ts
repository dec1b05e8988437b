/**
 * The transcript format: JSON lines, one step per line, any number of interleaved connections
 * (documented on {@link TranscriptStep}). `ReplayTransport` and `RecordingTransport` in
 * `io_adapters` read and write the same format.
 *
 * @module
 */
export {
  parseTranscript,
  stepBytes,
  stringifyTranscript,
  TranscriptError,
  type TranscriptHeader,
  type TranscriptStep,
} from "../io_adapters/_transcript.ts";
export { type ReplayMismatchCode, ReplayMismatchError } from "../io_adapters/errors.ts";
