/**
 * I/O adapters: everything that touches a socket, `fetch` or a timer.
 *
 * @module
 */
export {
  DEFAULT_TIMEOUT_MS,
  fetchPassport,
  type PassportRunOptions,
  runPassport,
} from "./run_passport.ts";
