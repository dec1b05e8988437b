// A TypeScript user of the npm build: run.sh type-checks this file with tsc (nodenext resolution,
// Node 20 types) against the installed package's `exports` and `.d.ts` files.
import { PassportLogin } from "@msnp/client/auth";
import { type Command, Decoder } from "@msnp/client/codec";
import { Client, type ClientOptions } from "@msnp/client/io_adapters";
import { NotificationSession } from "@msnp/client/machine";
import { type LoopbackServer, startLoopbackServer } from "@msnp/client/testing";
import { encodeCommand } from "@msnp/client";

/** Signs in with the package's own types. */
export function signIn(options: ClientOptions): Promise<Client> {
  return Client.connect(options);
}

/** The loopback server's types (nothing here runs: the file is only type-checked). */
export const start: (options: { accounts: [] }) => Promise<LoopbackServer> = startLoopbackServer;
/** Each entry point's types are real, not `any`. */
export const first: Command | Error | undefined = new Decoder({ from: "server" }).next();
/** The pure core's own entry point. */
export const encode: (command: Command) => Uint8Array = encodeCommand;
/** Classes from the other entry points. */
export const classes: unknown[] = [PassportLogin, NotificationSession];
// @ts-expect-error: a Decoder is not a string, so the declarations are not `any`
export const wrong: string = new Decoder({ from: "server" });
