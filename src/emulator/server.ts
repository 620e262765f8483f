/**
 * The vault's HTTP handling: authenticate, check the api-version, route, apply faults, read the
 * body, run the operation, answer. One request in, one JSON answer out; every failure becomes a
 * Key Vault error body, so nothing a client sends crashes the server or reaches it as a 500.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { ConnectionGuard } from "./connections";
import type { VaultContext } from "./context";
import { badParameter, methodNotAllowed, notFoundRoute, VaultError } from "./errors";
import type { Faults } from "./faults";
import { tooManyConnections } from "./limits";
import { purgeExpired } from "./lifecycle";
import { matchRoute } from "./routes";
import { storeFailureMessage } from "./store/vault-store";
import type { TokenAuthority } from "./tokens";

/** Bodies larger than this are refused (the largest real request, a restore, is far smaller). */
export const MAX_BODY_BYTES = 1024 * 1024;

export const LATEST_API_VERSION = "2025-07-01";

/**
 * Every version the SDKs have sent (7.0 … 7.6, with preview suffixes) and dated versions from
 * 2025-07-01 on, so that a newer SDK is not turned away by an emulator older than it.
 */
export function isSupportedApiVersion(version: string): boolean {
  if (/^7\.[0-6](-preview(\.\d+)?)?$/.test(version)) return true;
  const dated = /^(\d{4}-\d{2}-\d{2})(-preview)?$/.exec(version);
  return dated !== null && dated[1] >= LATEST_API_VERSION && isCalendarDate(dated[1]);
}

/** "2025-13-45" has the shape of a date but is none. */
const isCalendarDate = (text: string) => {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
};

export interface VaultServerDeps {
  ctx: VaultContext;
  tokens: TokenAuthority;
  faults: Faults;
  /** Which connections to keep when there are too many (connections.ts). */
  connections?: ConnectionGuard;
  /** Called once, on the first authenticated request (the emulator warms its key pool then). */
  onFirstAuthenticated?: () => void;
  log?: (line: string) => void;
}

export function vaultHandler(deps: VaultServerDeps) {
  const { ctx, tokens, faults } = deps;
  let authenticatedOnce = false;
  let lastSweepMs = 0;

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    // What this request reads must still be there when it is answered (store/vault-store.ts).
    const epoch = ctx.store.epoch;
    if (deps.connections?.overLimit(req)) throw tooManyConnections();
    // Authentication comes first and never waits for the body: the SDK's first request carries none
    // and expects the challenge (FACTS.md §4).
    const authError = await tokens.check(req.headers.authorization);
    if (authError) throw new VaultError(401, authError.code, authError.message, undefined, { "WWW-Authenticate": tokens.challenge });
    deps.connections?.authenticated(req.socket as Socket);
    if (!authenticatedOnce) {
      authenticatedOnce = true;
      deps.onFirstAuthenticated?.();
    }

    const url = requestUrl(req.url, ctx.vaultUrl);
    const apiVersion = url.searchParams.get("api-version");
    if (!apiVersion) throw badParameter("The 'api-version' query parameter is missing.");
    if (!isSupportedApiVersion(apiVersion)) {
      throw badParameter(`The specified version (${apiVersion}) is not recognized. Consider using the latest supported version (${LATEST_API_VERSION}).`);
    }
    let segments: string[];
    try {
      segments = url.pathname.split("/").slice(1).map(decodeURIComponent);
    } catch {
      throw badParameter("The request URI is not valid: it contains a malformed escape sequence.");
    }
    const match = matchRoute(req.method ?? "GET", segments);
    if (!match) throw notFoundRoute(req.method ?? "GET", url.pathname);
    if ("methodNotAllowed" in match) throw methodNotAllowed(req.method ?? "GET", url.pathname);

    // Purge what retention has ended for, at most once a second of vault time. A clock moved back
    // (tests undo their fast-forward) restarts the count instead of pausing sweeps until it catches up.
    const now = ctx.clock.nowMs();
    if (now - lastSweepMs > 1000 || now < lastSweepMs) {
      lastSweepMs = now;
      purgeExpired(ctx);
    }
    const fault = faults.check(match.route);
    if (fault) throw fault;

    // Only now is the client invited to send a body it announced with "Expect: 100-continue".
    if (req.method !== "GET" && req.method !== "DELETE" && /^100-continue$/i.test(String(req.headers.expect ?? ""))) res.writeContinue();
    const body = req.method === "GET" || req.method === "DELETE" ? undefined : await readJson(req);
    // Answers take the fields of the api-version the request names (wire.ts).
    const result = await match.route.handler({ ...ctx, wire: ctx.wire.forApiVersion(apiVersion) }, { params: match.params, query: url.searchParams, body, apiVersion });
    // Answered only once every change so far is committed: a 2xx means it survives a crash. A read
    // waits too while changes are on their way (it may have read them); when nothing is, at once.
    await ctx.store.synced(epoch).catch((error: Error) => {
      throw new VaultError(500, "InternalServerError", storeFailureMessage(error));
    });
    return result;
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const requestId = randomUUID();
    let status = 500;
    let body: unknown;
    let headers: Record<string, string> = {};
    try {
      const result = await answer(req, res);
      ({ status, body } = result);
      headers = result.headers ?? {};
    } catch (error) {
      const vaultError = error instanceof VaultError ? error : internalError(error, deps.log);
      status = vaultError.status;
      body = vaultError.toBody();
      headers = vaultError.headers;
    }
    if (res.headersSent || res.destroyed) return;
    const payload = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, { ...headers, ...serviceHeaders(req, requestId, payload, body !== undefined) });
    res.end(payload);
    deps.log?.(`${req.method} ${redactQuery(req.url)} ${status} ${(performance.now() - started).toFixed(1)}ms`);
  };
}

/**
 * The headers the service sends with every answer (recorded: test/fixtures/recordings), but
 * Strict-Transport-Security (test/replay/deviations.ts says why): a body's type and length only when
 * there is a body (a purge's 204 has neither), the client's request id echoed, the caller's address.
 */
function serviceHeaders(req: IncomingMessage, requestId: string, payload: string, hasBody: boolean): Record<string, string | number> {
  const address = req.socket.remoteAddress ?? "127.0.0.1";
  const v4 = !address.includes(":") || address.startsWith("::ffff:");
  const headers: Record<string, string | number> = {
    "cache-control": "no-cache",
    pragma: "no-cache",
    expires: "-1",
    "x-content-type-options": "nosniff",
    "x-ms-request-id": requestId,
    "x-ms-keyvault-network-info": `conn_type=${v4 ? "Ipv4" : "Ipv6"};addr=${address.replace(/^::ffff:/, "")};act_addr_fam=${v4 ? "InterNetwork" : "InterNetworkV6"};`,
    "x-ms-keyvault-service-version": "kvq-emulator",
    "x-ms-keyvault-region": "local",
  };
  if (hasBody) Object.assign(headers, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(payload) });
  const clientRequestId = req.headers["x-ms-client-request-id"];
  if (typeof clientRequestId === "string" && clientRequestId.length <= 256) headers["x-ms-client-request-id"] = clientRequestId;
  return headers;
}

/**
 * The request target is a path. Parsed against the vault's URL as a plain suffix, so "//host/…"
 * cannot name another host and nothing a client sends makes the parser throw past us.
 */
function requestUrl(target: string | undefined, vaultUrl: string): URL {
  const path = target?.startsWith("/") ? target : `/${target ?? ""}`;
  try {
    return new URL(`${vaultUrl}${path}`);
  } catch {
    throw badParameter("The request URI is not valid.");
  }
}

/**
 * Requests Node's HTTP parser refuses (an unknown method, a malformed header, headers too large)
 * never reach the handler; Node would answer them with an empty 400. Answer in Key Vault's error
 * shape instead, then close: the connection cannot be read further.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A failed or timed-out TLS handshake reaches here too (https forwards tlsClientError): there is no
  // HTTP to answer in, and a 400 written into it would wait for a handshake that never ends, holding
  // the connection (and its slot) for good.
  const httpError = error.code?.startsWith("HPE_") || error.code === "ERR_HTTP_REQUEST_TIMEOUT";
  if (!httpError || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large"]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout"]
        : [400, "Bad Request"];
  const body = JSON.stringify(
    new VaultError(status, "BadRequest", `The request could not be read as HTTP (${error.code ?? "malformed"}).`).toBody(),
  );
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Reads the JSON body, at most MAX_BODY_BYTES of it. A refused body is answered at once but still
 * read to its end and dropped (Node drains an unread one the same way): closing the connection
 * while the client is still sending could reset it before the client reads the 400, and a
 * connection abandoned mid-body would leave the next request on it unanswered.
 */
function readJson(req: IncomingMessage): Promise<unknown> {
  if (Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on("data", (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      refused = true;
      chunks.length = 0;
      reject(tooLarge());
    });
    req.on("end", () => {
      if (refused) return;
      if (size === 0) return resolve(undefined);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        reject(badParameter("The request body is not valid JSON."));
      }
    });
    // The client went away mid-body: nobody is left to answer.
    req.on("close", () => reject(badParameter("The request body ended early.")));
  });
}

const tooLarge = () => badParameter(`The request body is larger than the ${MAX_BODY_BYTES / 1024} KiB this vault accepts.`);

function internalError(error: unknown, log?: (line: string) => void): VaultError {
  log?.(`internal error: ${(error as Error)?.stack ?? String(error)}`);
  return new VaultError(500, "InternalServerError", "The emulator failed to handle this request. This is a bug in kvq: please report it.");
}

/** Log lines show the path and api-version only; a query never carries secrets here, but stay safe. */
const redactQuery = (url: string | undefined) => (url ?? "").replace(/([?&](?!api-version)[^=&]+=)[^&]*/g, "$1…");
