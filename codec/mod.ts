/**
 * The MSNP8/9 codec: pure functions and a streaming decoder that turn bytes
 * into protocol commands and back, for every notification-server and
 * switchboard command. No I/O, no clock.
 *
 * - {@link Decoder}: push bytes in any chunking, pull {@link Command}s out.
 * - {@link encodeCommand} and the per-command builders (`ver`, `cvr`, `usrTwnInitial`, `chg`,
 *   `add`, ...): commands to bytes, refusing anything that would break framing.
 * - {@link parseServerCommand}: typed views over server commands;
 *   {@link parseSwitchboardCommand} for a switchboard connection.
 * - {@link COMMANDS}: the command table (TrID, payload, syntax, secret arguments) per
 *   connection kind and direction.
 * - {@link interpretSwitchboardPayload} and {@link SB_CONTENT_TYPES}: switchboard messages by
 *   content type (text, typing, nudge, emoticons, invitations, P2P); {@link splitTextMessage}
 *   for text longer than one message.
 *
 * @example Decode a stream and read its commands
 * ```ts
 * import { Decoder, parseServerCommand } from "@msnp/client/codec";
 * const decoder = new Decoder({ from: "server" });
 * decoder.push(new TextEncoder().encode("ILN 9 NLN bob@x.com Bob%20B 268435492\r\n"));
 * const command = decoder.next();
 * if (command && !(command instanceof Error)) console.log(parseServerCommand(command));
 * ```
 *
 * @module
 */

export {
  type Command,
  type CommandRule,
  commandRule,
  COMMANDS,
  type CommandTable,
  type ConnectionKind,
  type Direction,
  hasPayload,
  hasTrid,
  isErrorCode,
  MAX_SB_PAYLOAD_BYTES,
  MAX_TRID,
  parseTrid,
  SECRET_PAYLOAD_HEADERS,
  secretArgIndexes,
  type TridRule,
} from "./command.ts";
export { Decoder, type DecoderOptions, type RawLine } from "./decoder.ts";
export { checkArgument, encodeCommand, type EncodeOptions } from "./encoder.ts";
export { DecodeError, type DecodeErrorCode, EncodeError, type EncodeErrorCode } from "./errors.ts";
export { describeErrorCode, ERROR_CODES, type ErrorCodeInfo } from "./error_codes.ts";
export { urlDecode, urlEncode } from "./url_encoding.ts";
export * from "./client_commands.ts";
export {
  type HostPort,
  LIST_BITS,
  type NotificationServerMessage,
  parseServerCommand,
  type ServerMessage,
} from "./server_messages.ts";
export * from "./mime.ts";
export * from "./message_types.ts";
export * from "./im_format.ts";
export * from "./challenge.ts";
export * from "./capabilities.ts";
export * from "./msn_object.ts";
export { parseSwitchboardCommand, type SwitchboardServerMessage } from "./sb_server_messages.ts";
export {
  ackModeOf,
  type ContentKind,
  type ContentTypeRow,
  interpretSwitchboardPayload,
  SB_CONTENT_TYPES,
  type SwitchboardContent,
  type UnknownContentView,
} from "./content_types.ts";
export {
  buildNudgeMessage,
  DATACAST_TYPE,
  type DatacastView,
  type NudgeView,
} from "./content_nudge.ts";
export {
  buildEmoticonMessage,
  type CustomEmoticon,
  EMOTICON_TYPE,
  type EmoticonsView,
} from "./content_emoticon.ts";
export { buildInvitationCancel, type InvitationView, INVITE_TYPE } from "./content_invite.ts";
export { buildP2pMessage, P2P_TYPE, type P2pView } from "./content_p2p.ts";
export { splitTextMessage, type SplitTextOptions } from "./text_split.ts";
