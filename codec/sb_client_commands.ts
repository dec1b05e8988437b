// Builders for the commands a client sends on a switchboard (the rows of COMMANDS.sb.client).
import { type AckMode, oneOf, passportArg } from "./client_commands.ts";
import { type Command, MAX_SB_PAYLOAD_BYTES } from "./command.ts";
import { checkArgument } from "./encoder.ts";
import { EncodeError } from "./errors.ts";

/** Switchboard `USR trid <passport> <cookie>`: joins a switchboard you asked for. */
export function sbUsr(trid: number, passport: string, cookie: string): Command {
  checkArgument("USR", cookie, 1);
  return { name: "USR", trid, args: [passportArg("USR", passport), cookie] };
}

/** Switchboard `CAL trid <passport>`: invites a contact. */
export function cal(trid: number, passport: string): Command {
  return { name: "CAL", trid, args: [passportArg("CAL", passport)] };
}

/** Switchboard `ANS trid <passport> <cookie> <session-id>`: answers an `RNG` invitation. */
export function ans(trid: number, passport: string, cookie: string, sessionId: string): Command {
  checkArgument("ANS", cookie, 1);
  checkArgument("ANS", sessionId, 2);
  return { name: "ANS", trid, args: [passportArg("ANS", passport), cookie, sessionId] };
}

/**
 * Longest switchboard message payload the official servers accepted (the command table's
 * limit for a client's `MSG`).
 */
export const MAX_SB_MESSAGE_BYTES: number = MAX_SB_PAYLOAD_BYTES;

/** Switchboard `MSG trid <ack> <len>` + MIME payload bytes. */
export function msg(trid: number, ack: AckMode, payload: Uint8Array): Command {
  oneOf("MSG", "acknowledgement mode", ack, new Set(["U", "N", "A", "D"]));
  if (payload.length > MAX_SB_MESSAGE_BYTES) {
    throw new EncodeError(
      "too-long",
      `Cannot encode "MSG": payload is over ${MAX_SB_MESSAGE_BYTES} bytes`,
    );
  }
  return { name: "MSG", trid, args: [ack, String(payload.length)], payload };
}
