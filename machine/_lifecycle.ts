// The notification-server lifecycle as an XState v5 chart: the one table you
// can read the session's behaviour off. It holds which phase follows which,
// each phase's time limit (`after`), what a close or a time limit means in
// each phase, the redirect limit, the sync's sub-states and the keepalive
// (a parallel region of `online`). It never does I/O: custom actions and the
// delayed events of `after` come back from XState's pure `transition()` as
// data (`xstate.raise` with a delay, `xstate.cancel`), which
// NotificationSession carries out with its connection core's timers.
// High-volume traffic (SYN lines, presence, list changes) is handled beside
// the chart by plain handlers, so a 100 000-contact SYN makes no transitions.

import { assign, setup } from "xstate";
import { SessionError, type SessionErrorCode, type SessionPhase } from "./errors.ts";
import { DEFAULT_TIMEOUTS, type SessionTimeouts } from "./options.ts";

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
  /** The time limits (the chart's `after` delays). */
  timeouts: SessionTimeouts;
  /** Milliseconds from entering `online.keepalive.waiting` to the next `PNG`. */
  pingDelay: number;
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
  /** The SYN reply announced a list to come (`syncing.requested` → `syncing.receiving`). */
  | { type: "SYN_LIST" }
  | { type: "SYNC_DONE" }
  /** `QNG`, with the server's next-ping interval in seconds if it gave one (MSNP9). */
  | { type: "QNG"; seconds?: number }
  | { type: "SIGN_OUT" }
  | { type: "SERVER_OUT"; reason: EndReason }
  | { type: "CONNECTION_CLOSED" }
  | { type: "FAIL"; error: SessionError };

/** The lifecycle machine's input. */
export interface LifecycleInput {
  /** The first server to connect to. */
  server: { host: string; port: number };
  /** Most redirects allowed. */
  maxRedirects: number;
  /** Time limits; defaults for those not given. */
  timeouts?: Partial<SessionTimeouts>;
}

// Implementations are empty on purpose: NotificationSession executes these
// from the action objects `transition()` returns. With `createActor` (for the
// inspector) they are no-ops.
const effect = () => {};

/** A failure the chart itself decides (a time limit, a close, the redirect limit). */
interface FailParams {
  code: SessionErrorCode;
  message: string;
  phase: SessionPhase;
}

/** Fail from `phase` with `code`: record the error, close the connection. */
function fails(phase: SessionPhase, code: SessionErrorCode, message: string) {
  return {
    target: "#notificationSession.failed",
    actions: [{ type: "fail", params: { code, message, phase } }, "closeConnection"],
  } as const;
}

/** A phase's time limit (an `after` delay) fails the session with `timeout`. */
function timesOut(
  phase: SessionPhase,
  limit: "connect" | "handshake" | "passport" | "authorize" | "sync",
) {
  return { [limit]: fails(phase, "timeout", `No answer from the server while ${phase}`) };
}

/** Before sign-in completes, a close fails the session with `connection-lost`. */
function lost(phase: SessionPhase) {
  return fails(
    phase,
    "connection-lost",
    phase === "connecting"
      ? "Cannot connect to the server"
      : `Connection closed by the server while ${phase}`,
  );
}

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
    sendPng: effect,
    sendOut: effect,
    notePingDelay: assign({
      // A server asking for pings more often than every 5 s would make us flood it.
      pingDelay: ({ context, event }) =>
        event.type === "QNG" && event.seconds !== undefined
          ? Math.max(5, event.seconds) * 1000
          : context.timeouts.pingInterval,
    }),
    fail: assign({
      error: (_, params: FailParams) =>
        new SessionError(params.code, params.message, { phase: params.phase }),
    }),
  },
  guards: {
    canRedirect: ({ context }) => context.redirects < context.maxRedirects,
  },
  delays: {
    connect: ({ context }) => context.timeouts.connect,
    handshake: ({ context }) => context.timeouts.handshake,
    passport: ({ context }) => context.timeouts.passport,
    authorize: ({ context }) => context.timeouts.authorize,
    sync: ({ context }) => context.timeouts.sync,
    signOut: ({ context }) => context.timeouts.signOut,
    pingInterval: ({ context }) => context.pingDelay,
    pong: ({ context }) => context.timeouts.pong,
  },
}).createMachine({
  id: "notificationSession",
  context: ({ input }) => {
    const timeouts = { ...DEFAULT_TIMEOUTS, ...input.timeouts };
    return {
      server: input.server,
      redirects: 0,
      maxRedirects: input.maxRedirects,
      timeouts,
      pingDelay: timeouts.pingInterval,
    };
  },
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
      after: timesOut("connecting", "connect"),
      on: {
        CONNECTION_CLOSED: lost("connecting"),
        CONNECTED: { target: "negotiating", actions: "sendVer" },
      },
    },
    negotiating: {
      after: timesOut("negotiating", "handshake"),
      on: {
        CONNECTION_CLOSED: lost("negotiating"),
        VER_OK: {
          target: "identifying",
          actions: [assign({ version: ({ event }) => event.version }), "sendCvr"],
        },
      },
    },
    identifying: {
      after: timesOut("identifying", "handshake"),
      on: {
        CONNECTION_CLOSED: lost("identifying"),
        CVR_OK: { target: "requestingAuth", actions: "sendUsrInitial" },
      },
    },
    requestingAuth: {
      after: timesOut("requestingAuth", "handshake"),
      on: {
        CONNECTION_CLOSED: lost("requestingAuth"),
        XFR_NS: [
          {
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
          {
            target: "failed",
            actions: [
              {
                type: "fail",
                params: ({ context }) => ({
                  code: "too-many-redirects" as const,
                  message: `More than ${context.maxRedirects} redirects`,
                  phase: "requestingAuth" as const,
                }),
              },
              "closeConnection",
            ],
          },
        ],
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
      after: timesOut("authenticating", "passport"),
      on: {
        CONNECTION_CLOSED: lost("authenticating"),
        TICKET: {
          target: "authorizing",
          actions: { type: "sendUsrTicket", params: ({ event }) => ({ ticket: event.ticket }) },
        },
      },
    },
    authorizing: {
      after: timesOut("authorizing", "authorize"),
      on: {
        CONNECTION_CLOSED: lost("authorizing"),
        USR_OK: { target: "syncing", actions: "sendSyn" },
      },
    },
    syncing: {
      after: timesOut("syncing", "sync"),
      on: {
        CONNECTION_CLOSED: lost("syncing"),
        SYNC_DONE: { target: "online", actions: "sendInitialStatus" },
      },
      initial: "requested",
      states: {
        // SYN sent; list lines before its reply are not part of the sync.
        requested: { on: { SYN_LIST: "receiving" } },
        // The reply announced groups and contacts; they stream in (the fast path is on).
        receiving: {},
      },
    },
    online: {
      type: "parallel",
      states: {
        // PNG every pingDelay (the last QNG's interval, or the configured one);
        // no QNG within the pong limit means the server is gone.
        keepalive: {
          initial: "waiting",
          states: {
            waiting: {
              after: { pingInterval: { target: "awaitingPong", actions: "sendPng" } },
              on: { QNG: { target: "waiting", reenter: true, actions: "notePingDelay" } },
            },
            awaitingPong: {
              after: {
                pong: fails("online", "timeout", "No QNG in answer to PNG: the server is gone"),
              },
              on: { QNG: { target: "waiting", actions: "notePingDelay" } },
            },
          },
        },
      },
      on: {
        SIGN_OUT: { target: "signingOut", actions: "sendOut" },
        CONNECTION_CLOSED: { target: "closed", actions: assign({ endReason: "connectionLost" }) },
      },
    },
    signingOut: {
      // OUT is the last thing we send: no keepalive; the sign-out limit alone decides.
      after: {
        signOut: {
          target: "closed",
          actions: [assign({ endReason: "client" }), "closeConnection"],
        },
      },
      on: {
        // The server answers OUT with OUT and closes; either ends it.
        SERVER_OUT: {
          target: "closed",
          actions: [assign({ endReason: "client" }), "closeConnection"],
        },
        CONNECTION_CLOSED: { target: "closed", actions: assign({ endReason: "client" }) },
        SIGN_OUT: {},
      },
    },
    closed: { type: "final" },
    failed: { type: "final" },
  },
});
