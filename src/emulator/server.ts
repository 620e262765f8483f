/**
 * The vault's HTTP handling: authenticate, check the api-version, route, apply faults, read the
 * body, run the operation, answer. One request in, one JSON answer out; every failure becomes a
 * Key Vault error body, so nothing a client sends crashes the server or reaches it as a 500.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { VaultContext } from "./context";
import { badParameter, methodNotAllowed, notFoundRoute, VaultError } from "./errors";
import type { Faults } from "./faults";
import { purgeExpired } from "./lifecycle";
import { matchRoute } from "./routes";
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
  return dated !== null && dated[1] >= LATEST_API_VERSION;
}

export interface VaultServerDeps {
  ctx: VaultContext;
  tokens: TokenAuthority;
  faults: Faults;
  /** Called once, on the first authenticated request (the emulator warms its key pool then). */
  onFirstAuthenticated?: () => void;
  log?: (line: string) => void;
}

export function vaultHandler(deps: VaultServerDeps) {
  const { ctx, tokens, faults } = deps;
  let authenticatedOnce = false;
  let lastSweepMs = 0;

  async function answer(req: IncomingMessage): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    // Authentication comes first and never waits for the body: the SDK's first request carries none
    // and expects the challenge (FACTS.md §4).
    const authError = await tokens.check(req.headers.authorization);
    if (authError) throw new VaultError(401, authError.code, authError.message, undefined, { "WWW-Authenticate": tokens.challenge });
    if (!authenticatedOnce) {
      authenticatedOnce = true;
      deps.onFirstAuthenticated?.();
    }

    const url = new URL(req.url ?? "/", ctx.vaultUrl);
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

    const now = ctx.clock.nowMs();
    if (now - lastSweepMs > 1000) {
      lastSweepMs = now;
      purgeExpired(ctx);
    }
    const fault = faults.check(match.route);
    if (fault) throw fault;

    const body = req.method === "GET" || req.method === "DELETE" ? undefined : await readJson(req);
    return match.route.handler(ctx, { params: match.params, query: url.searchParams, body, apiVersion });
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const requestId = randomUUID();
    let status = 500;
    let body: unknown;
    let headers: Record<string, string> = {};
    try {
      const result = await answer(req);
      ({ status, body } = result);
      headers = result.headers ?? {};
    } catch (error) {
      const vaultError = error instanceof VaultError ? error : internalError(error, deps.log);
      status = vaultError.status;
      body = vaultError.toBody();
      headers = vaultError.headers;
      // The body of a refused request may still be on its way: close rather than read it all.
      if (!req.complete && Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) headers.Connection = "close";
    }
    if (res.headersSent || res.destroyed) return;
    const payload = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, {
      ...headers,
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(payload),
      "cache-control": "no-cache",
      "x-ms-request-id": requestId,
      "x-ms-keyvault-service-version": "kvq-emulator",
      "x-ms-keyvault-region": "local",
    });
    res.end(payload);
    deps.log?.(`${req.method} ${redactQuery(req.url)} ${status} ${(performance.now() - started).toFixed(1)}ms`);
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw badParameter("The request body is not valid JSON.");
  }
}

const tooLarge = () => badParameter(`The request body is larger than the ${MAX_BODY_BYTES / 1024} KiB this vault accepts.`);

function internalError(error: unknown, log?: (line: string) => void): VaultError {
  log?.(`internal error: ${(error as Error)?.stack ?? String(error)}`);
  return new VaultError(500, "InternalServerError", "The emulator failed to handle this request. This is a bug in kvq: please report it.");
}

/** Log lines show the path and api-version only; a query never carries secrets here, but stay safe. */
const redactQuery = (url: string | undefined) => (url ?? "").replace(/([?&](?!api-version)[^=&]+=)[^&]*/g, "$1…");
