// The notification-server lifecycle as an XState v5 machine. Every rule about
// which phase follows which lives here, in one table. The machine never does
// I/O: its custom actions are returned as data by XState's pure `transition()`
// and carried out by NotificationSession, which also handles the high-volume
// traffic (SYN lines, presence) beside the machine rather than through it.

import { assign, setup } from "xstate";
import type { SessionError } from "./errors.ts";

/** How a session ended, when it did not fail. */
export type EndReason =
  | "client"
  | "otherLocation"
  | "serverShutdown"
  | "serverClosed"
  | "connectionLost";

/** The lifecycle machine's context. */
export interface LifecycleContext {
  /** The server the current (or next) connection goes to. */
  server: { host: string; port: number };
  /** `XFR NS` redirects followed so far. */
  redirects: number;
  /** Most redirects allowed. */
  maxRedirects: number;
  /** Negotiated protocol version. */
  version?: string;
  /** The failure, in phase `failed`. */
  error?: SessionError;
  /** How the session ended, in phase `closed`. */
  endReason?: EndReason;
}

/** Events the lifecycle machine accepts; `NotificationSession` sends them as server replies arrive. */
export type LifecycleEvent =
  | { type: "START" }
  | { type: "CONNECTED" }
  | { type: "VER_OK"; version: string }
  | { type: "CVR_OK" }
  | { type: "XFR_NS"; host: string; port: number }
  | { type: "CHALLENGE"; challenge: string }
  | { type: "TICKET"; ticket: string }
  | { type: "USR_OK" }
  | { type: "SYNC_DONE" }
  | { type: "SIGN_OUT" }
  | { type: "SERVER_OUT"; reason: EndReason }
  | { type: "CONNECTION_CLOSED" }
  | { type: "TIMEOUT" }
  | { type: "FAIL"; error: SessionError };

/** The lifecycle machine's input. */
export interface LifecycleInput {
  /** The first server to connect to. */
  server: { host: string; port: number };
  /** Most redirects allowed. */
  maxRedirects: number;
}

// Implementations are empty on purpose: NotificationSession executes these
// from the action objects `transition()` returns. With `createActor` (for the
// inspector) they are no-ops.
const effect = () => {};

export const lifecycleMachine = setup({
  types: {
    context: {} as LifecycleContext,
    events: {} as LifecycleEvent,
    input: {} as LifecycleInput,
  },
  actions: {
    connect: effect,
    closeConnection: effect,
    sendVer: effect,
    sendCvr: effect,
    sendUsrInitial: effect,
    requestPassport: (_, _params: { challenge: string }) => {},
    sendUsrTicket: (_, _params: { ticket: string }) => {},
    sendSyn: effect,
    sendInitialStatus: effect,
    sendOut: effect,
  },
  guards: {
    canRedirect: ({ context }) => context.redirects < context.maxRedirects,
  },
}).createMachine({
  id: "notificationSession",
  context: ({ input }) => ({
    server: input.server,
    redirects: 0,
    maxRedirects: input.maxRedirects,
  }),
  initial: "idle",
  on: {
    FAIL: {
      target: ".failed",
      actions: [assign({ error: ({ event }) => event.error }), "closeConnection"],
    },
    SERVER_OUT: {
      target: ".closed",
      actions: [assign({ endReason: ({ event }) => event.reason }), "closeConnection"],
    },
    SIGN_OUT: {
      target: ".closed",
      actions: [assign({ endReason: "client" }), "closeConnection"],
    },
  },
  states: {
    idle: {
      // Nothing is open before START: signing out or failing is not possible
      // yet (NotificationSession refuses signOut here with a UsageError).
      on: {
        START: { target: "connecting", actions: "connect" },
        SIGN_OUT: {},
        SERVER_OUT: {},
        FAIL: {},
      },
    },
    connecting: {
      on: { CONNECTED: { target: "negotiating", actions: "sendVer" } },
    },
    negotiating: {
      on: {
        VER_OK: {
          target: "identifying",
          actions: [assign({ version: ({ event }) => event.version }), "sendCvr"],
        },
      },
    },
    identifying: {
      on: { CVR_OK: { target: "requestingAuth", actions: "sendUsrInitial" } },
    },
    requestingAuth: {
      on: {
        XFR_NS: {
          guard: "canRedirect",
          target: "connecting",
          actions: [
            assign({
              redirects: ({ context }) => context.redirects + 1,
              server: ({ event }) => ({ host: event.host, port: event.port }),
            }),
            "closeConnection",
            "connect",
          ],
        },
        CHALLENGE: {
          target: "authenticating",
          actions: {
            type: "requestPassport",
            params: ({ event }) => ({ challenge: event.challenge }),
          },
        },
      },
    },
    authenticating: {
      on: {
        TICKET: {
          target: "authorizing",
          actions: { type: "sendUsrTicket", params: ({ event }) => ({ ticket: event.ticket }) },
        },
      },
    },
    authorizing: {
      on: { USR_OK: { target: "syncing", actions: "sendSyn" } },
    },
    syncing: {
      on: { SYNC_DONE: { target: "online", actions: "sendInitialStatus" } },
    },
    online: {
      on: {
        SIGN_OUT: { target: "signingOut", actions: "sendOut" },
        CONNECTION_CLOSED: { target: "closed", actions: assign({ endReason: "connectionLost" }) },
      },
    },
    signingOut: {
      on: {
        // The server answers OUT with OUT and closes; either ends it.
        SERVER_OUT: {
          target: "closed",
          actions: [assign({ endReason: "client" }), "closeConnection"],
        },
        CONNECTION_CLOSED: { target: "closed", actions: assign({ endReason: "client" }) },
        TIMEOUT: {
          target: "closed",
          actions: [assign({ endReason: "client" }), "closeConnection"],
        },
        SIGN_OUT: {},
      },
    },
    closed: { type: "final" },
    failed: { type: "final" },
  },
});
