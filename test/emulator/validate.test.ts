/**
 * Integer fields are integers (validate.ts): a fraction where the service takes an integer — a key
 * size, a public exponent, a count of random bytes, a key's nbf or exp, in a create or an update —
 * is a 400 BadParameter naming the field, never taken, rounded or a 500. (The fuzzer swaps types;
 * these are numbers of the right type that are still not integers.)
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { assertErrorShape, rawRequest, startTestVault, type TestVault } from "../helpers/emulator";

const API = "api-version=2025-07-01";
let vault: TestVault;
let token: string;
before(async () => {
  vault = await startTestVault();
  token = await vault.token();
  await vault.client.createEcKey("integers");
});
after(() => vault.stop());

const raw = (method: string, path: string, body: unknown) => rawRequest(vault.emulator, { method, path: `${path}?${API}`, token, body: JSON.stringify(body) });

const FRACTIONS: [string, string, string, unknown][] = [
  ["key_size", "POST", "/keys/fraction-size/create", { kty: "RSA", key_size: 2048.5 }],
  ["public_exponent", "POST", "/keys/fraction-exponent/create", { kty: "RSA", public_exponent: 65537.5 }],
  ["nbf", "POST", "/keys/fraction-nbf/create", { kty: "EC", attributes: { nbf: 1_700_000_000.5 } }],
  ["exp", "POST", "/keys/fraction-exp/create", { kty: "EC", attributes: { exp: 4_100_000_000.25 } }],
  ["exp", "PATCH", "/keys/integers/", { attributes: { exp: 4_100_000_000.5 } }],
  ["count", "POST", "/rng", { count: 1.5 }],
];

for (const [field, method, path, body] of FRACTIONS) {
  test(`${method} ${path} with a fraction in ${field}: 400 naming ${field}`, async () => {
    const res = await raw(method, path, body);
    assertErrorShape(res, 400, "BadParameter");
    assert.match(res.body.error.message, new RegExp(`Property '${field}' must be an integer`));
  });
}

test("nothing of a refused request was kept, and whole numbers written with a fraction's zero are integers", async () => {
  for (const name of ["fraction-size", "fraction-exponent", "fraction-nbf", "fraction-exp"]) {
    assert.equal((await rawRequest(vault.emulator, { path: `/keys/${name}/?${API}`, token })).status, 404, name);
  }
  assert.equal((await vault.client.getKey("integers")).properties.expiresOn, undefined, "the PATCH changed nothing");
  // JSON has one number type: 2048.0 is the integer 2048, as the service reads it.
  const whole = await rawRequest(vault.emulator, { method: "POST", path: `/rng?${API}`, token, body: '{"count":16.0}' });
  assert.equal(whole.status, 200, whole.text);
  assert.equal(Buffer.from(whole.body.value, "base64url").length, 16);
});
