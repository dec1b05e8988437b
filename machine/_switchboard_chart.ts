// The switchboard lifecycle as an XState v5 machine: which phase follows which, each phase's time
// limit (an `after` delay that XState's pure `transition()` returns as data for the session to
// schedule and cancel) and what a close, an OUT or a timeout means in each phase. Per-request
// traffic (CAL, MSG and their answers) and the roster are handled beside the machine by
// SwitchboardSession, which also carries out the actions below.

import { assign, setup } from "xstate";
import { SessionError } from "./errors.ts";
import type { SwitchboardEndReason, SwitchboardTimeouts } from "./switchboard_events.ts";

/** The chart's context. */
export interface SwitchboardChartContext {
  /** How the switchboard was entered. */
  mode: "call" | "answer";
  /** Phase time limits. */
  timeouts: SwitchboardTimeouts;
  /** The failure, in `failed`. */
  error?: SessionError;
  /** How it ended, in `closed`. */
  endReason?: SwitchboardEndReason;
}

/** Events the chart accepts; the session sends them as inputs and server replies arrive. */
export type SwitchboardChartEvent =
  | { type: "START" }
  | { type: "CONNECTED" }
  /** `USR OK` (call) or `ANS OK` (answer). */
  | { type: "AUTHENTICATED" }
  | { type: "LEAVE" }
  /** The server sent `OUT`. */
  | { type: "SERVER_OUT" }
  | { type: "CONNECTION_CLOSED" }
  | { type: "FAIL"; error: SessionError };

/** The chart's input. */
export interface SwitchboardChartInput {
  /** How the switchboard is entered. */
  mode: "call" | "answer";
  /** Phase time limits. */
  timeouts: SwitchboardTimeouts;
}

// Carried out by SwitchboardSession from the action objects transition() returns; no-ops here.
const effect = () => {};

type Phase = "connecting" | "authenticating" | "answering";

/** Params of the `failWith` action: the failure a phase's timeout or close means. */
interface FailParams {
  code: "timeout" | "connection-lost";
  phase: Phase;
  message: string;
}

const timedOut = (phase: Phase, what: string) => ({
  type: "failWith" as const,
  params: {
    code: "timeout",
    phase,
    message: `No answer from the switchboard to ${what}`,
  } as FailParams,
});

const lostIn = (phase: Phase) => ({
  type: "failWith" as const,
  params: {
    code: "connection-lost",
    phase,
    message: `Switchboard connection closed while ${phase}`,
  } as FailParams,
});

/** The switchboard lifecycle machine. */
export const switchboardChart = setup({
  types: {
    context: {} as SwitchboardChartContext,
    events: {} as SwitchboardChartEvent,
    input: {} as SwitchboardChartInput,
  },
  actions: {
    connect: effect,
    closeConnection: effect,
    sendUsr: effect,
    sendAns: effect,
    sendOut: effect,
    failWith: assign((_, params: FailParams) => ({
      error: new SessionError(params.code, params.message, { phase: params.phase }),
    })),
  },
  guards: {
    isCall: ({ context }) => context.mode === "call",
  },
  delays: {
    connectLimit: ({ context }) => context.timeouts.connect,
    authLimit: ({ context }) => context.timeouts.auth,
    leaveLimit: ({ context }) => context.timeouts.leave,
  },
}).createMachine({
  id: "switchboardSession",
  context: ({ input }) => ({ mode: input.mode, timeouts: input.timeouts }),
  initial: "idle",
  on: {
    FAIL: {
      target: ".failed",
      actions: [assign({ error: ({ event }) => event.error }), "closeConnection"],
    },
    // Leaving before the switchboard accepted us: nothing to say OUT to, just close.
    LEAVE: {
      target: ".closed",
      actions: [assign({ endReason: "left" }), "closeConnection"],
    },
  },
  states: {
    idle: {
      // Nothing is open before START: leaving or failing is not possible yet
      // (SwitchboardSession refuses leave() here with a UsageError).
      on: { START: { target: "connecting", actions: "connect" }, FAIL: {}, LEAVE: {} },
    },
    connecting: {
      after: {
        connectLimit: {
          target: "failed",
          actions: [timedOut("connecting", "the connection"), "closeConnection"],
        },
      },
      on: {
        CONNECTED: [
          { guard: "isCall", target: "authenticating", actions: "sendUsr" },
          { target: "answering", actions: "sendAns" },
        ],
        CONNECTION_CLOSED: { target: "failed", actions: lostIn("connecting") },
      },
    },
    authenticating: {
      after: {
        authLimit: {
          target: "failed",
          actions: [timedOut("authenticating", "USR"), "closeConnection"],
        },
      },
      on: {
        AUTHENTICATED: "open",
        CONNECTION_CLOSED: { target: "failed", actions: lostIn("authenticating") },
        SERVER_OUT: { target: "failed", actions: [lostIn("authenticating"), "closeConnection"] },
      },
    },
    answering: {
      after: {
        authLimit: { target: "failed", actions: [timedOut("answering", "ANS"), "closeConnection"] },
      },
      on: {
        AUTHENTICATED: "open",
        CONNECTION_CLOSED: { target: "failed", actions: lostIn("answering") },
        SERVER_OUT: { target: "failed", actions: [lostIn("answering"), "closeConnection"] },
      },
    },
    open: {
      on: {
        LEAVE: { target: "leaving", actions: "sendOut" },
        SERVER_OUT: {
          target: "closed",
          actions: [assign({ endReason: "serverClosed" }), "closeConnection"],
        },
        CONNECTION_CLOSED: { target: "closed", actions: assign({ endReason: "connectionLost" }) },
      },
    },
    leaving: {
      // After OUT we keep reading until the server closes; the leave limit closes it ourselves.
      after: {
        leaveLimit: {
          target: "closed",
          actions: [assign({ endReason: "left" }), "closeConnection"],
        },
      },
      on: {
        CONNECTION_CLOSED: { target: "closed", actions: assign({ endReason: "left" }) },
        SERVER_OUT: {
          target: "closed",
          actions: [assign({ endReason: "left" }), "closeConnection"],
        },
        LEAVE: {},
      },
    },
    closed: { type: "final" },
    failed: { type: "final" },
  },
});
