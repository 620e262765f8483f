/**
 * Authentication as Key Vault does it: the 401 challenge (answered before the body is read), the
 * managed-identity endpoint DefaultAzureCredential signs in through, and the checks every token
 * meets — signature, expiry, audience, issuer. TLS verification stays on throughout.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request } from "node:https";
import { after, before, test } from "node:test";
import { KeyClient } from "@azure/keyvault-keys";
import { decodeJwt, SignJWT } from "jose";
import { clientOptionsFor } from "../../src/client-options";
import { assertErrorShape, rawRequest, startTestVault, type RawResponse, type TestVault } from "../helpers/emulator";

let vault: TestVault;
let tenantId: string;
before(async () => {
  vault = await startTestVault();
  tenantId = String(decodeJwt(await vault.token()).tid);
});
after(() => vault.stop());

const CHALLENGE = () => `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="https://vault.azure.net"`;
const MISSING_TOKEN_BODY = '{"error":{"code":"Unauthorized","message":"AKV10000: Request is missing a Bearer, PoP, or MTLS_POP token."}}';

const getKeys = (headers: Record<string, string> = {}) => rawRequest(vault.emulator, { path: "/keys?api-version=2025-07-01", headers });
const withToken = (token: string) => getKeys({ authorization: `Bearer ${token}` });

function assertUnauthorized(res: RawResponse, message: RegExp): void {
  assertErrorShape(res, 401, "Unauthorized");
  assert.match(res.body.error.message, message);
  // Every 401 carries the challenge, so a client can start over and get a proper token.
  assert.equal(res.headers["www-authenticate"], CHALLENGE());
}

test("a request without a token gets the service's challenge, header and body", async () => {
  const res = await getKeys();
  assert.equal(res.status, 401);
  assert.equal(res.headers["www-authenticate"], CHALLENGE());
  assert.equal(res.text, MISSING_TOKEN_BODY);
  assertUnauthorized(await getKeys({ authorization: "Basic dXNlcjpwYXNz" }), /AKV10000/);
  assertUnauthorized(await getKeys({ authorization: "Bearer" }), /AKV10000/);
});

test("the challenge is answered before the body is read", async () => {
  // The SDK's first request has no body; a client that sends one must not be kept waiting for it.
  for (const declared of [100_000, 50 * 1024 * 1024]) {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(new URL("/keys/early/create?api-version=7.5", vault.emulator.url), {
        method: "POST",
        ca: vault.emulator.caPem,
        agent: false,
        headers: { "content-type": "application/json", "content-length": declared },
      });
      const timer = setTimeout(() => reject(new Error(`no answer without the ${declared}-byte body`)), 5000);
      req.on("response", (response) => {
        let body = "";
        response.on("data", (chunk) => (body += chunk));
        response.on("end", () => {
          clearTimeout(timer);
          req.destroy();
          resolve({ status: response.statusCode!, body });
        });
      });
      req.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.flushHeaders(); // headers out, not one byte of the body
    });
    assert.equal(res.status, 401);
    assert.equal(res.body, MISSING_TOKEN_BODY);
  }
});

test("DefaultAzureCredential signs in through the identity endpoint and gets a vault token", async () => {
  const token = await vault.credential.getToken("https://vault.azure.net/.default");
  assert.ok(token);
  const claims = decodeJwt(token.token);
  assert.equal(claims.aud, "https://vault.azure.net");
  assert.equal(claims.iss, `https://sts.windows.net/${tenantId}/`);
  assert.ok(token.expiresOnTimestamp > Date.now() + 30 * 60_000);
  assert.equal((await withToken(token.token)).status, 200);
});

test("a token signed by another key is refused", async () => {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const forged = await new SignJWT({ tid: tenantId })
    .setProtectedHeader({ alg: "ES256", typ: "JWT" })
    .setIssuer(`https://sts.windows.net/${tenantId}/`)
    .setAudience("https://vault.azure.net")
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(privateKey);
  assertUnauthorized(await withToken(forged), /signature is not valid/);
  // An unsigned token ("alg": "none") with the right claims is refused too.
  const [, payload] = (await vault.token()).split(".");
  const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${payload}.`;
  assertUnauthorized(await withToken(unsigned), /not valid/);
});

test("an expired token is refused, also one that was accepted before it expired", async () => {
  assertUnauthorized(await withToken((await vault.emulator.issueToken({ lifetimeSeconds: -60 })).accessToken), /expired/);
  // Two seconds: expiry is in whole seconds, so this one is valid for at least one.
  const shortLived = await vault.emulator.issueToken({ lifetimeSeconds: 2 });
  assert.equal((await withToken(shortLived.accessToken)).status, 200);
  await new Promise((resolve) => setTimeout(resolve, shortLived.expiresOn * 1000 - Date.now() + 50));
  assertUnauthorized(await withToken(shortLived.accessToken), /expired/);
});

test("a token for another audience or from another tenant is refused", async () => {
  const storage = await vault.emulator.issueToken({ resource: "https://storage.azure.com" });
  assertUnauthorized(await withToken(storage.accessToken), /^AKV10022: Invalid audience\. Expected https:\/\/vault\.azure\.net, found: https:\/\/storage\.azure\.com\.$/);
  const other = randomUUID();
  const foreign = await vault.emulator.issueToken({ tenantId: other });
  const res = await withToken(foreign.accessToken);
  assertUnauthorized(res, /^AKV10032: Invalid issuer\./);
  assert.equal(
    res.body.error.message,
    `AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${tenantId}/, found https://sts.windows.net/${other}/.`,
  );
  assertUnauthorized(await withToken("not.a.jwt"), /malformed/);
  assertUnauthorized(await withToken("x".repeat(5000)), /malformed/);
});

test("the identity endpoint checks X-IDENTITY-HEADER and answers in App Service's shape", async () => {
  const endpoint = new URL(vault.emulator.env.IDENTITY_ENDPOINT);
  const ask = (path: string, headers: Record<string, string>, method = "GET") =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = httpRequest(new URL(path, endpoint), { method, headers, agent: false }, (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      });
      req.on("error", reject);
      req.end();
    });
  const query = `${endpoint.pathname}?api-version=2019-08-01&resource=https://vault.azure.net`;
  const good = { "X-IDENTITY-HEADER": vault.emulator.env.IDENTITY_HEADER };

  const ok = await ask(query, good);
  assert.equal(ok.status, 200);
  assert.equal(ok.body.token_type, "Bearer");
  assert.equal(ok.body.resource, "https://vault.azure.net");
  assert.match(ok.body.expires_on, /^\d+$/);
  assert.ok(Number(ok.body.expires_on) > Date.now() / 1000 + 3000);
  assert.equal((await withToken(ok.body.access_token)).status, 200);

  const wrongHeaders: Record<string, string>[] = [{ "X-IDENTITY-HEADER": "wrong" }, { "X-IDENTITY-HEADER": `${vault.emulator.env.IDENTITY_HEADER}x` }, {}];
  for (const headers of wrongHeaders) {
    const refused = await ask(query, headers);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error, "unauthorized_client");
    assert.match(refused.body.error_description, /IDENTITY_HEADER/);
    assert.equal(refused.body.access_token, undefined);
  }
  assert.equal((await ask(`${endpoint.pathname}?api-version=2019-08-01`, good)).status, 400);
  assert.equal((await ask("/other", good)).status, 404);
  assert.equal((await ask(query, good, "POST")).status, 405);
});

test("TLS is verified: without the CA, or without the challenge option, the SDK refuses", async () => {
  const real = clientOptionsFor("https://my-vault.vault.azure.net", { onThrottle: () => undefined });
  assert.equal(real.tlsOptions, undefined, "a real vault is trusted through the system's CAs only");
  assert.equal(real.disableChallengeResourceVerification, undefined, "and its challenge is checked");
  const options = clientOptionsFor(vault.emulator.url, { ca: vault.emulator.caPem });
  assert.equal(options.disableChallengeResourceVerification, true);

  const untrusting = new KeyClient(vault.emulator.url, vault.credential, { disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 } });
  await assert.rejects(untrusting.getKey("any"), (error: any) => {
    assert.match(`${error.code} ${error.message}`, /SELF_SIGNED_CERT_IN_CHAIN|self[- ]signed certificate|unable to verify/i);
    return true;
  });

  const strict = new KeyClient(vault.emulator.url, vault.credential, { tlsOptions: { ca: vault.emulator.caPem } });
  await assert.rejects(strict.getKey("any"), /The challenge resource 'vault\.azure\.net' does not match the requested domain/);
});
