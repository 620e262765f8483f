/**
 * Issue 10, points 2 and 3: the bounds a client meets (the service's and the local ones, answered
 * in the service's error shape) and the places where clients saw the emulator differ from the
 * service, through the real SDK where it can send the request, raw HTTPS where it cannot.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { get as httpGet } from "node:http";
import { after, before, test } from "node:test";
import { assertErrorShape, rawRequest, rejectsWith, startTestVault, type TestVault } from "../helpers/emulator";

const API = "api-version=2025-07-01";
let vault: TestVault;
let token: string;
before(async () => {
  vault = await startTestVault({ recoverDelayMs: 4000, limits: { keys: 12, versionsPerKey: 3, pendingKeyGenerations: 1 }, keyPoolSize: 0 });
  token = await vault.token();
});
after(() => vault.stop());

const raw = (method: string, path: string, body?: unknown) =>
  rawRequest(vault.emulator, { method, path: `${path}${path.includes("?") ? "&" : "?"}${API}`, token, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });

test("input nested 100,000 levels deep in kty or crv is a 400 naming the field, not a 500", async () => {
  const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
  for (const [method, path, body] of [
    ["PUT", "/keys/deep-import", `{"key":{"kty":${deep}}}`],
    ["PUT", "/keys/deep-import", `{"key":{"kty":"EC","crv":${deep},"d":"AAAA","x":"AAAA","y":"AAAA"}}`],
    ["POST", "/keys/deep-create/create", `{"kty":${deep}}`],
    ["POST", "/keys/deep-create/create", `{"kty":"EC","crv":${deep}}`],
  ] as const) {
    const res = await raw(method, path, body);
    assertErrorShape(res, 400, "BadParameter");
    assert.match(res.body.error.message, /an array|must be a string/);
  }
});

test("imported RSA keys: only 2048, 3072 or 4096 bits, an odd exponent up to 2^32-1; rotation never answers 500", async () => {
  const jwkOf = (bits: number) => generateKeyPairSync("rsa", { modulusLength: bits }).privateKey.export({ format: "jwk" });
  const small = await raw("PUT", "/keys/rsa-1024", { key: jwkOf(1024) });
  assertErrorShape(small, 400, "BadParameter");
  assert.match(small.body.error.message, /2048, 3072 or 4096/);
  const bigExponent = { ...jwkOf(2048), e: Buffer.from([1, 0, 0, 0, 1]).toString("base64url") };
  assertErrorShape(await raw("PUT", "/keys/rsa-big-e", { key: bigExponent }), 400, "BadParameter");
  const even = { ...jwkOf(2048), e: Buffer.from([1, 0, 0]).toString("base64url") };
  assertErrorShape(await raw("PUT", "/keys/rsa-even-e", { key: even }), 400, "BadParameter");
  const ok = await raw("PUT", "/keys/rsa-import-ok", { key: jwkOf(2048) });
  assert.equal(ok.status, 200, ok.text);
  assert.equal((await raw("POST", "/keys/rsa-import-ok/rotate")).status, 200);
});

test('base64url is strict: "A" and "AAAAA" are refused', async () => {
  await vault.client.createEcKey("b64-key");
  for (const value of ["A", "AAAAA", "AA=", "A==="]) {
    const res = await raw("POST", "/keys/b64-key//sign", { alg: "ES256", value });
    assertErrorShape(res, 400, "BadParameter");
    assert.match(res.body.error.message, /base64url/);
  }
  assert.equal((await raw("POST", "/keys/b64-key//sign", { alg: "ES256", value: Buffer.alloc(32).toString("base64url") })).status, 200);
});

test("tags as the service bounds them: 15 at most, names up to 512 characters, values up to 256; bodies up to 1 MiB", async () => {
  const tags = (count: number, name = (i: number) => `t${i}`, value = "v") => Object.fromEntries(Array.from({ length: count }, (_, i) => [name(i), value]));
  assert.equal((await raw("POST", "/keys/tags-15/create", { kty: "EC", tags: tags(15) })).status, 200, "15 tags are fine");
  assertErrorShape(await raw("POST", "/keys/tags-16/create", { kty: "EC", tags: tags(16) }), 400, "BadParameter");
  assert.equal((await raw("POST", "/keys/tag-long/create", { kty: "EC", tags: tags(1, () => "n".repeat(512), "v".repeat(256)) })).status, 200, "a 512-character name and a 256-character value are fine");
  assertErrorShape(await raw("POST", "/keys/tag-long-name/create", { kty: "EC", tags: tags(1, () => "n".repeat(513)) }), 400, "BadParameter");
  assertErrorShape(await raw("POST", "/keys/tag-long-value/create", { kty: "EC", tags: tags(1, undefined, "v".repeat(257)) }), 400, "BadParameter");
  assertErrorShape(await raw("PATCH", "/keys/tags-15/", { tags: tags(16) }), 400, "BadParameter");
  const huge = await raw("POST", "/keys/huge/create", { kty: "EC", padding: "x".repeat(1024 * 1024) });
  assertErrorShape(huge, 400, "BadParameter");
  assert.match(huge.body.error.message, /larger than the 1024 KiB/);
});

test("recover takes a moment, as the service's does: reads answer 404 until it is done, and the SDK's poller polls", async () => {
  await vault.client.createEcKey("to-recover");
  await (await vault.client.beginDeleteKey("to-recover", { intervalInMs: 20 })).pollUntilDone();
  const poller = await vault.client.beginRecoverDeletedKey("to-recover", { intervalInMs: 50 });
  assert.equal(poller.isDone(), false, "the recover is not finished at once");
  assert.equal((await raw("GET", "/keys/to-recover/")).status, 404);
  assert.deepEqual((await raw("GET", "/keys/to-recover/versions")).body, { value: [], nextLink: null }, "no versions are listed until it is back");
  const recovered = await poller.pollUntilDone();
  assert.equal(recovered.name, "to-recover");
  assert.equal((await vault.client.getKey("to-recover")).name, "to-recover");
});

test("local limits answer 403 QuotaExceeded naming the limit; too many queued generations answer 429 with Retry-After", async () => {
  for (let i = 0; i < 3; i++) await vault.client.createEcKey("many-versions");
  const versions = await raw("POST", "/keys/many-versions/create", { kty: "EC" });
  assertErrorShape(versions, 403, "Forbidden");
  assert.equal(versions.body.error.innererror.code, "QuotaExceeded");
  assert.match(versions.body.error.message, /at most 3 versions/);

  const answers = await Promise.all([0, 1, 2].map((i) => raw("POST", `/keys/queued-${i}/create`, { kty: "RSA", key_size: 3072 })));
  const busy = answers.filter((a) => a.status === 429);
  assert.ok(busy.length >= 1, answers.map((a) => a.status).join(","));
  assert.ok(Number(busy[0].headers["retry-after"]) >= 1);
  assertErrorShape(busy[0], 429, "Throttled");

  const statuses: number[] = [];
  for (let i = 0; i < 14; i++) statuses.push((await raw("POST", `/keys/filler-${i}/create`, { kty: "EC" })).status);
  assert.ok(statuses.includes(403), statuses.join(","));
  const full = await raw("POST", "/keys/one-too-many/create", { kty: "EC" });
  assertErrorShape(full, 403, "Forbidden");
  assert.match(full.body.error.message, /at most 12 keys/);
  await rejectsWith(vault.client.createEcKey("one-too-many"), { status: 403, code: "Forbidden" });
});

test("the 2017-09-01 managed-identity shape (MSI_ENDPOINT, MSI_SECRET, header 'secret') gets a token, with or without a trailing slash", async () => {
  const endpoint = vault.emulator.env.IDENTITY_ENDPOINT;
  const fetchToken = (url: string, headers: Record<string, string>) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      httpGet(url, { headers }, (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      }).on("error", reject);
    });
  const query = `?api-version=2017-09-01&resource=${encodeURIComponent("https://vault.azure.net")}`;
  for (const url of [`${endpoint}${query}`, `${endpoint}/${query}`]) {
    const answer = await fetchToken(url, { secret: vault.emulator.env.IDENTITY_HEADER });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.token_type, "Bearer");
    assert.match(answer.body.expires_on, /^\d+$/);
    const listed = await rawRequest(vault.emulator, { path: `/keys?${API}`, token: answer.body.access_token });
    assert.equal(listed.status, 200);
  }
  const wrong = await fetchToken(`${endpoint}${query}`, { secret: "not-the-secret" });
  assert.equal(wrong.status, 401);
  assert.doesNotMatch(JSON.stringify(wrong.body), new RegExp(vault.emulator.env.IDENTITY_HEADER));
});
