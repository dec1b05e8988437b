/**
 * Testing support: the transcript format for deterministic replay tests.
 *
 * @module
 */
export * from "./transcript.ts";
