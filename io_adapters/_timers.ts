// Timers, injectable so tests control time (the Client, its conversations and its event hub).

/** Timer functions; injectable so tests control time. */
export interface Timers {
  /** Like `globalThis.setTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Like `globalThis.clearTimeout`. */
  clearTimeout(handle: unknown): void;
}

/** The runtime's timers. */
export const REAL_TIMERS: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
