/**
 * A managed-identity token endpoint in Azure App Service's shape (FACTS.md §4):
 * `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=…` with header `X-IDENTITY-HEADER`.
 * Plain HTTP on loopback, as App Service's own endpoint is: the credential cannot be given a CA.
 * With IDENTITY_ENDPOINT and IDENTITY_HEADER set, `DefaultAzureCredential` signs in here unchanged.
 *
 * Older clients speak App Service's first shape (`api-version=2017-09-01`, from MSI_ENDPOINT and
 * MSI_SECRET): the same path, with or without a trailing slash, and the secret in a header named
 * `secret`. They get the same token, with `expires_on` as epoch seconds, which they parse too.
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ConnectionGuard } from "./connections";
import type { TokenAuthority } from "./tokens";

export const IDENTITY_PATH = "/msi/token";

export function identityHandler(tokens: TokenAuthority, identityHeader: string, connections?: ConnectionGuard) {
  const expected = Buffer.from(identityHeader);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(body));
    };
    try {
      if (connections?.overLimit(req)) {
        return reply(503, { error: "temporarily_unavailable", error_description: "Every connection the endpoint takes is busy. Retry after the time in Retry-After." }, { "Retry-After": "1", Connection: "close" });
      }
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname !== IDENTITY_PATH && url.pathname !== `${IDENTITY_PATH}/`) return reply(404, { error: "not_found", error_description: `Use ${IDENTITY_PATH}.` });
      if (req.method !== "GET") return reply(405, { error: "invalid_request", error_description: "Use GET." });
      const legacy = url.searchParams.get("api-version") === "2017-09-01";
      const given = Buffer.from(String(req.headers[legacy ? "secret" : "x-identity-header"] ?? ""));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return reply(401, {
          error: "unauthorized_client",
          error_description: legacy
            ? "The 'secret' header is missing or wrong. Set MSI_SECRET to the IDENTITY_HEADER value the emulator printed (or wrote to your .env)."
            : "X-IDENTITY-HEADER is missing or wrong. Use the IDENTITY_HEADER value the emulator printed (or wrote to your .env).",
        });
      }
      const resource = url.searchParams.get("resource");
      if (!resource) return reply(400, { error: "invalid_request", error_description: "The 'resource' query parameter is required." });
      const token = await tokens.issue({ resource });
      reply(200, {
        access_token: token.accessToken,
        expires_on: String(token.expiresOn),
        resource,
        token_type: "Bearer",
        client_id: "kvq-emulator-managed-identity",
      });
    } catch {
      reply(500, { error: "server_error", error_description: "The emulator could not issue a token." });
    }
  };
}
