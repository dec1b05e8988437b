// PassportFetch implementations that trust one extra CA certificate, for Passport look-alikes with
// self-signed certificates in tests. One per runtime: Deno passes an HttpClient to fetch, Bun
// passes `tls.ca` to fetch, Node uses node:https (its fetch cannot take a CA without undici
// internals). All return 3xx responses as they are and header names lower-cased. The Deno and Bun
// globals are read only when a request is made, so this module loads in every runtime.

import { type IncomingMessage, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { rootCertificates } from "node:tls";
import type { PassportFetch } from "../auth/mod.ts";
import { fetchOnce, fetchWithoutRedirects } from "./_fetch.ts";
import { detectRuntime } from "./auto.ts";

/** Options for the HTTPS {@linkcode PassportFetch} factories. */
export interface PassportFetchOptions {
  /**
   * An extra CA certificate (PEM) to trust besides the usual roots, e.g. a test server's own CA.
   * Without it, plain `fetch` is used.
   */
  caCert?: string;
}

/**
 * The {@linkcode PassportFetch} for the current runtime: with `caCert`, `fetch` with `tls.ca`
 * under Bun, `fetch` with a `Deno.createHttpClient({ caCerts })` under Deno, `node:https` with
 * `ca` otherwise (each trusts the CA besides the usual roots); without it, plain `fetch` with
 * `redirect: "manual"`. Every one returns 3xx responses as they are
 * (the Passport core follows them itself) and header names lower-cased.
 *
 * @example Sign in against a test server with its own CA
 * ```ts
 * import { createPassportFetch, runPassport } from "@msnp/client/io_adapters";
 *
 * const caCert = "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n";
 * const { ticket } = await runPassport(
 *   {
 *     account: "alice@example.com",
 *     password: "secret",
 *     challenge: "lc=1033,id=507",
 *     nexusUrl: "https://127.0.0.1:8443/rdr/pprdr.asp",
 *   },
 *   { fetch: createPassportFetch({ caCert }) },
 * );
 * ```
 */
export function createPassportFetch(options: PassportFetchOptions = {}): PassportFetch {
  if (options.caCert === undefined) return fetchWithoutRedirects;
  const runtime = detectRuntime();
  if (runtime === "bun") return bunPassportFetch(options);
  if (runtime === "deno") return denoPassportFetch(options);
  return nodePassportFetch(options);
}

/** The part of the `Deno` namespace {@linkcode denoPassportFetch} uses. */
interface DenoHttp {
  createHttpClient(options: { caCerts?: string[] }): { close(): void };
}

/**
 * A {@linkcode PassportFetch} for Deno: `fetch` with a `Deno.createHttpClient({ caCerts })` client
 * (the CA is trusted in addition to the usual roots), created and closed per request.
 */
export function denoPassportFetch(options: PassportFetchOptions = {}): PassportFetch {
  const { caCert } = options;
  return async (request, signal) => {
    const deno = (globalThis as { Deno?: DenoHttp }).Deno;
    if (typeof deno?.createHttpClient !== "function") {
      throw new TypeError("Cannot use denoPassportFetch: Deno.createHttpClient is not available");
    }
    const client = deno.createHttpClient({ caCerts: caCert === undefined ? [] : [caCert] });
    try {
      return await fetchOnce(request, signal, { client });
    } finally {
      client.close();
    }
  };
}

/**
 * A {@linkcode PassportFetch} for Bun: `fetch` with `tls: { ca }` set to the usual roots plus
 * `caCert`.
 */
export function bunPassportFetch(options: PassportFetchOptions = {}): PassportFetch {
  const extra = options.caCert === undefined
    ? {}
    : { tls: { ca: [...rootCertificates, options.caCert] } };
  return (request, signal) => {
    if (typeof (globalThis as { Bun?: unknown }).Bun !== "object") {
      return Promise.reject(
        new TypeError("Cannot use bunPassportFetch: globalThis.Bun is not available"),
      );
    }
    return fetchOnce(request, signal, extra);
  };
}

/**
 * A {@linkcode PassportFetch} over `node:https` (`node:http` for loopback `http:` URLs) with `ca`
 * set to the usual roots plus `caCert`, no connection reuse, and abort through `signal`. It runs
 * under Node, Deno and Bun.
 */
export function nodePassportFetch(options: PassportFetchOptions = {}): PassportFetch {
  const ca = options.caCert === undefined ? undefined : [...rootCertificates, options.caCert];
  return (request, signal) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const url = new URL(request.url);
      const secure = url.protocol === "https:";
      if (!secure && url.protocol !== "http:") {
        return reject(new TypeError(`Cannot fetch ${url.protocol} URLs`));
      }
      const onResponse = (response: IncomingMessage) => {
        signal.removeEventListener("abort", onAbort);
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) {
            headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
          }
        }
        resolve({ status: response.statusCode ?? 0, headers });
        // The body is never needed; without keep-alive this closes the connection.
        response.destroy();
      };
      const init = { method: request.method, headers: request.headers, agent: false as const };
      const req = secure
        ? httpsRequest(url, ca ? { ...init, ca } : init, onResponse)
        : httpRequest(url, init, onResponse);
      const onAbort = () => req.destroy(signal.reason instanceof Error ? signal.reason : undefined);
      signal.addEventListener("abort", onAbort, { once: true });
      req.on("error", (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(signal.aborted ? signal.reason : error);
      });
      req.end();
    });
}
