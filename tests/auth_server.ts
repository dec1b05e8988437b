// A tiny Passport look-alike on 127.0.0.1 for runner tests. node:http works in Deno, Node and Bun.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the server saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  userAgent: string | undefined;
  cacheControl: string | undefined;
}

/** A running test server. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** Starts a server on an ephemeral loopback port; `handle` may leave a request unanswered. */
export async function startServer(
  handle: (req: IncomingMessage, res: ServerResponse, origin: string) => void,
): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  let origin = "";
  const server = createServer((req, res) => {
    seen.push({
      method: req.method ?? "",
      path: req.url ?? "",
      authorization: req.headers.authorization,
      userAgent: req.headers["user-agent"],
      cacheControl: req.headers["cache-control"],
    });
    handle(req, res, origin);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
