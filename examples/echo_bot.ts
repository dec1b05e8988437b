/**
 * An echo bot: answers every text message with the same text until Ctrl-C or SIGTERM, then
 * signs out. It signs in again by itself when the connection is lost.
 *
 * ```sh
 * export MSNP_SERVER=127.0.0.1:1863 MSNP_ACCOUNT=bot@example.com MSNP_PASSWORD=secret
 * export MSNP_NEXUS=https://nexus.example.com/rdr/pprdr.asp # optional: MSNP_CA, MSNP_PROTOCOL
 * deno run -A examples/echo_bot.ts    # or: node examples/echo_bot.ts (Node 24), bun examples/echo_bot.ts
 * ```
 *
 * In your own project, import from `@msnp/client/io_adapters` instead of the relative path.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import process from "node:process";
import { Client, createPassportFetch } from "../io_adapters/mod.ts";

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Set ${name}`);
  return value;
}

const [host, port] = setting("MSNP_SERVER").split(":");
const protocol = process.env.MSNP_PROTOCOL;
const ca = process.env.MSNP_CA;

const client = await Client.connect({
  account: setting("MSNP_ACCOUNT"),
  password: setting("MSNP_PASSWORD"),
  server: { host, port: Number(port) },
  protocols: protocol === "MSNP8" || protocol === "MSNP9" ? [protocol] : undefined,
  passport: {
    nexusUrl: process.env.MSNP_NEXUS,
    // A revival server's own certificate authority, if it has one.
    fetch: ca ? createPassportFetch({ caCert: readFileSync(ca, "utf8") }) : undefined,
    // Plain http: Passport is accepted only on 127.0.0.1/localhost (a local test server).
    allowInsecureLoopback: true,
  },
});
console.log(`echo bot online as ${client.session.friendlyName} over ${client.session.protocol}`);

client.on("message", (message) => {
  message.conversation.send(message.text).then(
    () => console.log(`echoed ${message.from}: ${message.text}`),
    (error) => console.error(`cannot answer ${message.from}: ${error.code}`),
  );
});
client.on("reconnecting", (e) => console.log(`connection lost, retrying in ${e.delayMs} ms`));

const stop = () => void client.close();
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
const end = await client.closed;
process.off("SIGINT", stop);
process.off("SIGTERM", stop);
console.log(`signed out (${end.reason})`);
