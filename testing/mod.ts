/**
 * Testing support: the transcript format (any number of interleaved connections), deterministic
 * replay of sessions against a transcript with no network and no clock, and a loopback MSNP
 * server.
 *
 * @module
 */
export * from "./transcript.ts";
export {
  type ReplayableSession,
  type ReplayConnectContext,
  type ReplayOptions,
  type ReplayResult,
  replaySession,
  type ReplaySessionFactory,
} from "./replay_session.ts";
export * from "./loopback_server.ts";
// Types from the core that this entry's signatures use, so it documents and type-checks on its own.
export type * from "../io_adapters/_core_types.ts";
