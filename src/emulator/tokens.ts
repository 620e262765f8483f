/**
 * Access tokens as Entra ID issues them for Key Vault, and their checks.
 *
 * The managed-identity endpoint issues ES256-signed JWTs (issuer https://sts.windows.net/<tenant>/,
 * audience = the requested resource). Every vault request verifies signature, audience, issuer and
 * expiry against real time; a token that passed is remembered until it expires, so a busy client
 * pays for one signature check, not one per request.
 */
import { randomUUID } from "node:crypto";
import type * as Jose from "jose";
import { unauthorized, type VaultError } from "./errors";
import type { EmulatorSecrets } from "./secrets";

// jose is loaded on first use: it is a third of the emulator's start-up time otherwise.
let joseModule: typeof Jose | undefined;
const jose = () => (joseModule ??= require("jose") as typeof Jose);

export const VAULT_AUDIENCE = "https://vault.azure.net";

export interface IssuedToken {
  accessToken: string;
  /** Unix seconds. */
  expiresOn: number;
}

export interface IssueOptions {
  resource?: string;
  lifetimeSeconds?: number;
  /** For tests: a token that claims another tenant. */
  tenantId?: string;
}

export class TokenAuthority {
  readonly issuer: string;
  private readonly verified = new Map<string, number>();

  constructor(
    private readonly secrets: EmulatorSecrets,
    private readonly defaultLifetimeSeconds = 3600,
  ) {
    this.issuer = issuerFor(secrets.tenantId);
  }

  /** The WWW-Authenticate challenge of a 401 (FACTS.md §3), which tells the SDK where to get a token. */
  get challenge(): string {
    return `Bearer authorization="https://login.microsoftonline.com/${this.secrets.tenantId}", resource="${VAULT_AUDIENCE}"`;
  }

  async issue(options: IssueOptions = {}): Promise<IssuedToken> {
    const now = Math.floor(Date.now() / 1000);
    const expiresOn = now + (options.lifetimeSeconds ?? this.defaultLifetimeSeconds);
    const tenantId = options.tenantId ?? this.secrets.tenantId;
    const accessToken = await new (jose().SignJWT)({ tid: tenantId, oid: randomUUID(), idtyp: "app", appid: "kvq-emulator-managed-identity" })
      .setProtectedHeader({ alg: "ES256", typ: "JWT" })
      .setIssuer(issuerFor(tenantId))
      .setAudience(options.resource ?? VAULT_AUDIENCE)
      .setSubject("kvq-emulator-managed-identity")
      .setIssuedAt(now)
      .setNotBefore(now - 300)
      .setExpirationTime(expiresOn)
      .sign(this.secrets.tokenSigningKey);
    return { accessToken, expiresOn };
  }

  /** Checks an Authorization header; resolves to the error to answer with, or undefined when valid. */
  async check(authorization: string | undefined): Promise<VaultError | undefined> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    if (!match) return unauthorized("AKV10000: Request is missing a Bearer, PoP, or MTLS_POP token.");
    const token = match[1];
    const expiresAt = this.verified.get(token);
    if (expiresAt !== undefined) {
      if (Date.now() < expiresAt) return undefined;
      this.verified.delete(token);
    }
    try {
      const { payload } = await jose().jwtVerify(token, this.secrets.tokenVerifyKey, { algorithms: ["ES256"] });
      const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      if (!audiences.some((a) => a === VAULT_AUDIENCE || a === `${VAULT_AUDIENCE}/`)) {
        return unauthorized(`AKV10022: Invalid audience. Expected ${VAULT_AUDIENCE}, found: ${audiences.join(", ")}.`);
      }
      if (payload.iss !== this.issuer) return unauthorized(`AKV10032: Invalid issuer. Expected one of ${this.issuer}, found ${payload.iss}.`);
      if (this.verified.size >= 10_000) this.verified.clear();
      this.verified.set(token, (payload.exp ?? 0) * 1000);
      return undefined;
    } catch (error) {
      if (error instanceof jose().errors.JWTExpired) return unauthorized("The access token has expired. Get a new token and try again.");
      if (error instanceof jose().errors.JWSSignatureVerificationFailed) {
        return unauthorized("The access token's signature is not valid: it was not issued by this vault's identity endpoint.");
      }
      return unauthorized("The access token is malformed or not valid for this vault.");
    }
  }
}

const issuerFor = (tenantId: string) => `https://sts.windows.net/${tenantId}/`;
