import { lifecycleMachine } from "./_lifecycle.ts";
import type { LifecycleContext } from "./_lifecycle.ts";

/**
 * The part of XState's actor-logic interface the lifecycle machine offers:
 * enough for `createActor`, without making XState's internal types part of
 * this package's API. Its hooks are opaque (`any`) here; the session that runs
 * the machine, and all its events, are fully typed.
 */
export interface LifecycleLogic {
  /** XState actor-logic hook. */
  // deno-lint-ignore no-explicit-any
  transition(snapshot: any, event: any, actorScope: any): any;
  /** XState actor-logic hook. */
  // deno-lint-ignore no-explicit-any
  getInitialSnapshot(actorScope: any, input: any): any;
  /** XState actor-logic hook. */
  // deno-lint-ignore no-explicit-any
  getPersistedSnapshot(snapshot: any, options?: any): any;
}

/** A lifecycle snapshot as plain data: the phase and the machine's context. */
export interface LifecycleSnapshot {
  /** The phase (state value), e.g. `"online"`. */
  readonly value: unknown;
  /** `"active"` while running, `"done"` once closed or failed. */
  readonly status: string;
  /** The machine's context. */
  readonly context: LifecycleContext;
}

/**
 * The notification-server lifecycle as an XState v5 chart, for
 * `createActor` and the Stately inspector: login, redirect (with its limit
 * as a guard), the sync's sub-states, keepalive (a parallel region of
 * `online`), sign-out, each phase's time limit (`after`) and what a close
 * means in each phase. {@link NotificationSession} runs this same chart
 * through XState's pure `transition()` and schedules its delays on its own
 * clock; its custom actions (`connect`, `sendVer`, `sendPng`, ...) are no-ops
 * here, so an actor shows the behaviour without doing I/O.
 *
 * Input: `{ server: { host, port }, maxRedirects, timeouts? }`.
 *
 * @example Watch the phases with an actor
 * ```ts
 * import { createActor } from "xstate";
 * import { notificationLifecycle } from "@msnp/client/machine";
 * const actor = createActor(notificationLifecycle, {
 *   input: { server: { host: "127.0.0.1", port: 1863 }, maxRedirects: 5 },
 * });
 * actor.start();
 * actor.send({ type: "START" });
 * console.log((actor.getSnapshot() as { value: unknown }).value); // "connecting"
 * ```
 */
export const notificationLifecycle: LifecycleLogic = lifecycleMachine;

export type { EndReason, LifecycleContext, LifecycleEvent } from "./_lifecycle.ts";
