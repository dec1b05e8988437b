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
 * - {@link CONTENT_TYPES}: `MSG` payloads by content type, one row each (profile, text, typing,
 *   system and e-mail notices, nudge, emoticons, invitations, P2P), read by
 *   {@link interpretMessage} (notification server) and {@link interpretSwitchboardPayload};
 *   {@link splitTextMessage} for text longer than one message.
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
  type TridRule,
} from "./command.ts";
export { Decoder, type DecoderOptions, type RawLine } from "./decoder.ts";
export { encodeCommand, type EncodeOptions } from "./encoder.ts";
export { DecodeError, type DecodeErrorCode, EncodeError, type EncodeErrorCode } from "./errors.ts";
export { describeErrorCode, ERROR_CODES, type ErrorCodeInfo } from "./error_codes.ts";
export { urlDecode, urlEncode } from "./url_encoding.ts";
export {
  type AckMode,
  add,
  adg,
  type AnyStatus,
  blp,
  chg,
  type ClientInfo,
  cvr,
  DEFAULT_CLIENT_INFO,
  encodeFriendlyName,
  encodeGroupName,
  gtc,
  type ListName,
  out,
  type PhoneProperty,
  png,
  prp,
  qry,
  rea,
  reg,
  rem,
  rmg,
  sdc,
  type Status,
  STATUSES,
  syn,
  url,
  usrTwnInitial,
  usrTwnSubsequent,
  ver,
  xfrSb,
} from "./client_commands.ts";
export { ans, cal, MAX_SB_MESSAGE_BYTES, msg, sbUsr } from "./sb_client_commands.ts";
export {
  type HostPort,
  type NotificationServerMessage,
  parseServerCommand,
  type ServerMessage,
} from "./server_messages.ts";
export { parseSwitchboardCommand, type SwitchboardServerMessage } from "./sb_server_messages.ts";
export {
  encodeMime,
  getHeader,
  type MimeHeader,
  type MimeMessage,
  parseMime,
  PayloadError,
  type PayloadErrorCode,
} from "./mime.ts";
export { FieldMap } from "./field_map.ts";
export {
  ackModeOf,
  CONTENT_TYPES,
  type ContentKind,
  type ContentTypeRow,
  interpretMessage,
  interpretSwitchboardPayload,
  type MessageView,
  SB_CONTENT_TYPES,
  type SwitchboardContent,
  type UnknownContentView,
  type UnknownView,
} from "./content_types.ts";
export { type Profile, type ProfileView } from "./content_profile.ts";
export { buildTextMessage, type TextView } from "./content_text.ts";
export { buildTypingMessage, type TypingView } from "./content_typing.ts";
export type {
  ActiveMailView,
  EmailNotificationView,
  InitialEmailView,
  SystemView,
} from "./content_notices.ts";
export { buildNudgeMessage, type DatacastView, type NudgeView } from "./content_nudge.ts";
export {
  buildEmoticonMessage,
  type CustomEmoticon,
  type EmoticonsView,
} from "./content_emoticon.ts";
export { buildInvitationCancel, type InvitationView } from "./content_invite.ts";
export { buildP2pMessage, type P2pView } from "./content_p2p.ts";
export { splitTextMessage, type SplitTextOptions } from "./text_split.ts";
export {
  formatImFormat,
  imColor,
  type ImEffect,
  type ImFormat,
  parseImColor,
  parseImFormat,
  type RgbColor,
} from "./im_format.ts";
export {
  challengeAnswer,
  KNOWN_PRODUCTS,
  MSMSGS_PRODUCT,
  PROD0038_PRODUCT,
  PROD0050_PRODUCT,
  PROD0058_PRODUCT,
  PROD0061_PRODUCT,
  PROD0076_PRODUCT,
  type ProductKey,
} from "./challenge.ts";
export {
  ClientCapability,
  type ClientCapabilityName,
  type ClientIdDescription,
  describeClientId,
  hasCapability,
  makeClientId,
  msncVersion,
  parseClientId,
} from "./capabilities.ts";
export {
  buildMsnObject,
  isMsnObjectSha1cValid,
  type MsnObject,
  type MsnObjectFields,
  msnObjectSha1c,
  msnObjectSha1d,
  MsnObjectType,
  parseMsnObject,
} from "./msn_object.ts";
