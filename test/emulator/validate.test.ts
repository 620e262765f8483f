/**
 * Integer fields are integers (validate.ts): a fraction where the service takes an integer — a key
 * size, a public exponent, a count of random bytes, a key's nbf or exp, in a create or an update —
 * is a 400 BadParameter naming the field, never taken, rounded or a 500. (The fuzzer swaps types;
 * these are numbers of the right type that are still not integers.) And the rest of what validate.ts
 * promises, field by field: each refusal names the field and what it must be; null is an absent
 * field, as the service reads it; the bounds are inclusive; base64url is strict; a client's value is
 * named in a message shortened or by its type, never echoed whole.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { isBase64url } from "../../src/emulator/validate";
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

const raw = (method: string, path: string, body: unknown) =>
  rawRequest(vault.emulator, { method, path: `${path}?${API}`, token, body: typeof body === "string" ? body : JSON.stringify(body) });

/** A 400 BadParameter whose message is exactly this. */
async function refused(method: string, path: string, body: unknown, message: string | RegExp) {
  const res = await raw(method, path, body);
  assertErrorShape(res, 400, "BadParameter");
  if (typeof message === "string") assert.equal(res.body.error.message, message, `${method} ${path} ${JSON.stringify(body)}`);
  else assert.match(res.body.error.message, message);
}

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

test("each refusal names the field and what it must be", async () => {
  await refused("GET", "/keys/bad_name/", undefined, /^The request URI contains an invalid name: bad_name\. Key names are 1-127 characters/);
  for (const body of ["null", "[]", "5", '"text"']) await refused("POST", "/keys/not-an-object/create", body, "The request body must be a JSON object.");
  await refused("POST", "/keys/integers//sign", { alg: "ES256" }, "Property 'value' is required.");
  await refused("POST", "/keys/integers//sign", { alg: "ES256", value: "" }, "Property 'value' is required.");
  await refused("POST", "/keys/integers//sign", { alg: 256, value: "AAAA" }, "Property 'alg' must be a string.");
  await refused("POST", "/keys/bool/create", { kty: "EC", attributes: { enabled: "yes" } }, "Property 'enabled' must be true or false.");
  await refused("POST", "/keys/bool/create", { kty: "EC", attributes: { exportable: 1 } }, "Property 'exportable' must be true or false.");
  await refused("POST", "/keys/ops/create", { kty: "EC", key_ops: "sign" }, "Property 'key_ops' must be an array of strings.");
  await refused("POST", "/keys/ops/create", { kty: "EC", key_ops: ["sign", 1] }, "Property 'key_ops' must be an array of strings.");
  await refused("POST", "/keys/attrs/create", { kty: "EC", attributes: [] }, "Property 'attributes' must be an object.");
  await refused("POST", "/keys/tags/create", { kty: "EC", tags: "owner=me" }, "Property 'tags' must be an object.");
  await refused("POST", "/keys/tags/create", { kty: "EC", tags: { owner: 5 } }, "Tag 'owner' must have a string value.");
  await refused("POST", "/keys/tags/create", { kty: "EC", tags: { "": "empty name" } }, /^Tag '' is too long: names are 1-512 characters/);
});

test("null is an absent field, as the service reads it", async () => {
  const res = await raw("POST", "/keys/nulls/create", { kty: "EC", crv: null, key_ops: null, tags: null, attributes: { enabled: null, nbf: null, exp: null, exportable: null } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.attributes.enabled, true);
  assert.deepEqual(res.body.key.key_ops.sort(), ["sign", "verify"]);
  assert.equal((await raw("POST", "/rng", { count: null })).status, 400, "rng's count has no default: null is a missing count");
});

test("the integer bounds are inclusive: count 1 to 128, nbf and exp from 0", async () => {
  for (const count of [1, 128]) {
    const res = await raw("POST", "/rng", { count });
    assert.equal(res.status, 200, `count ${count}: ${res.text}`);
    assert.equal(Buffer.from(res.body.value, "base64url").length, count);
  }
  for (const count of [0, 129, -1]) await refused("POST", "/rng", { count }, `Property 'count' must be an integer between 1 and 128.`);
  assert.equal((await raw("POST", "/keys/epoch/create", { kty: "EC", attributes: { nbf: 0 } })).status, 200, "nbf 0: the epoch");
  await refused("POST", "/keys/before-epoch/create", { kty: "EC", attributes: { exp: -1 } }, /^Property 'exp' must be an integer between 0 and /);
});

test("base64url is strict: whole groups, padding only to complete the last one, nothing else", () => {
  for (const value of ["", "AA", "AAA", "AAAA", "AA==", "AAA=", "AAAAAA==", "-_-_"]) assert.equal(isBase64url(value), true, value);
  for (const value of ["A", "AAAAA", "AA=", "A===", "AAAA=", "AA==AA", "*AAAA", "AAAA*", "AA AA", "AA+/"]) assert.equal(isBase64url(value), false, value);
});

test("a client's value is named shortened or by its type, never echoed whole", async () => {
  const long = "k".repeat(100);
  await refused("PUT", "/keys/described", { key: { kty: long } }, `Unsupported key type: "${"k".repeat(40)}…". Use RSA or EC.`);
  await refused("PUT", "/keys/described", { key: { kty: "RSA-ish" } }, 'Unsupported key type: "RSA-ish". Use RSA or EC.');
  await refused("PUT", "/keys/described", { key: { kty: { nested: long } } }, "Unsupported key type: an object. Use RSA or EC.");
  await refused("PUT", "/keys/described", { key: { kty: [long] } }, "Unsupported key type: an array. Use RSA or EC.");
  await refused("PUT", "/keys/described", { key: { kty: null } }, "Unsupported key type: null. Use RSA or EC.");
  await refused("PUT", "/keys/described", { key: { kty: 5 } }, "Unsupported key type: 5. Use RSA or EC.");
});
