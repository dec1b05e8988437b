/**
 * Testing support: the transcript format, and deterministic replay of a
 * notification session against a transcript, with no network and no clock.
 *
 * @module
 */
export * from "./transcript.ts";
export {
  ReplayMismatchError,
  type ReplayOptions,
  type ReplayResult,
  replaySession,
} from "./replay_session.ts";
export * from "./loopback_server.ts";
