// In a project that installed the npm build: two accounts sign in; Alice sees Bob's presence.
// Then the installed `msnp send` delivers a message to Bob, a scripted peer.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { startLoopbackServer } from "@msnp/client/testing";
import { Client } from "@msnp/client/io_adapters";

const [a, b] = ["alice@example.com", "bob@example.com"];
const contacts = (friend) => [{ passport: friend, lists: ["FL", "AL"] }];
const accounts = [a, b].map((p) => ({
  passport: p,
  password: "pw",
  contacts: contacts(p === a ? b : a),
}));
const server = await startLoopbackServer({ accounts });
const passport = { nexusUrl: server.nexusUrl, allowInsecureLoopback: true };
const signIn = (account) =>
  Client.connect({ account, password: "pw", server: server.dispatchAddress, passport });
const alice = await signIn(a);
const bob = await signIn(b);
for await (const e of alice.events) {
  if (e.type !== "presence") continue;
  console.log(`${e.passport} is ${e.status}`);
  break;
}
await Promise.all([bob.close(), alice.close()]);
const peer = await server.peer(b);
const { host, port } = server.dispatchAddress;
await promisify(execFile)("node_modules/.bin/msnp", [
  "send",
  ...["--server", `${host}:${port}`, "--account", a, "--nexus", server.nexusUrl],
  ...["--allow-insecure-loopback", "--to", b, "--text", "hello from msnp send"],
], { env: { ...process.env, MSNP_PASSWORD: "pw" } });
const message = await peer.nextMessage({ kind: "text", timeout: 10_000 });
console.log(`${b} got "${message.text}"`);
await server.close();
