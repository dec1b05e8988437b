import type { AnyStateMachine } from "xstate";
import { lifecycleMachine } from "./_lifecycle.ts";

/**
 * The notification-server lifecycle as an XState v5 machine, for
 * `createActor` and the Stately inspector. {@link NotificationSession} runs
 * this same machine through XState's pure `transition()`; its custom actions
 * (`connect`, `sendVer`, `requestPassport`, ...) are no-ops here, so an actor
 * shows the phases without doing I/O.
 *
 * Input: `{ server: { host, port }, maxRedirects }`.
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
 * console.log(actor.getSnapshot().value); // "connecting"
 * ```
 */
export const notificationLifecycle: AnyStateMachine = lifecycleMachine;

export type { EndReason, LifecycleEvent } from "./_lifecycle.ts";
