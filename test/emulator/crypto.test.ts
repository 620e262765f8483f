/**
 * Cryptography with keys that stay in the vault, through the real CryptographyClient, and every
 * result checked independently with node:crypto: the vault's signatures verify with the public JWK
 * it returned, data encrypted outside with that JWK decrypts inside, and (with imported keys whose
 * private half the test knows) the vault's own encryption decrypts outside.
 *
 * Where the SDK works locally: with the key's public JWK fetched, CryptographyClient encrypts and
 * wraps with RSA-OAEP and RSA1_5 itself and verifies RS and PS data locally; RSA-OAEP-256,
 * decrypt, unwrap, sign and verify (of a digest) always go to the vault. A client whose identity
 * lacks the "get" permission (a 403 on its first GET) does everything remotely: that path is used
 * below to make the vault itself encrypt. The SDK's local verifyData for PS* is broken upstream
 * (it asks Node for a "PS256" hash), so PS* is verified with `verify` (remote) and node:crypto.
 */
import assert from "node:assert/strict";
import {
  constants, createHash, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes, sign as nodeSign, verify as nodeVerify,
  type KeyObject,
} from "node:crypto";
import { after, before, test } from "node:test";
import type { KeyVaultKey, SignatureAlgorithm } from "@azure/keyvault-keys";
import { rawRequest, startTestVault, type TestVault } from "../helpers/emulator";
import { publicKeyFromSdk, toSdkJwk } from "../helpers/jwk";

let vault: TestVault;
let rsaKey: KeyVaultKey;
/** An RSA key made by Node and imported, so the test holds its private half. */
let known: { key: KeyVaultKey; privateKey: KeyObject };

before(async () => {
  vault = await startTestVault();
  rsaKey = await vault.client.createRsaKey("crypto-rsa");
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  known = { key: await vault.client.importKey("crypto-known", toSdkJwk(privateKey.export({ format: "jwk" }))), privateKey };
});
after(() => vault.stop());

const ENCRYPTION = ["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"] as const;
type EncryptionAlgorithm = (typeof ENCRYPTION)[number];
const HASH = { "256": "sha256", "384": "sha384", "512": "sha512" } as const;
const hashOf = (alg: string) => HASH[alg.slice(2, 5) as keyof typeof HASH];

/** node:crypto's padding for each Key Vault algorithm. */
function nodeEncrypt(alg: EncryptionAlgorithm, key: KeyObject, data: Buffer): Buffer {
  if (alg === "RSA1_5") return publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, data);
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: alg === "RSA-OAEP" ? "sha1" : "sha256" }, data);
}

function nodeDecrypt(alg: EncryptionAlgorithm, key: KeyObject, data: Buffer): Buffer {
  if (alg !== "RSA1_5") return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: alg === "RSA-OAEP" ? "sha1" : "sha256" }, data);
  // Node >= 20.11 refuses PKCS#1 v1.5 decryption (CVE-2023-46809): undo the padding by hand (RFC 8017 §7.2.2).
  const em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, data);
  assert.equal(em[0], 0);
  assert.equal(em[1], 2);
  return em.subarray(em.indexOf(0, 2) + 1);
}

/** A client that cannot read the key (its first GET gets 403), so the SDK sends every operation to the vault. */
function remoteOnlyClient(keyId: string) {
  const fault = vault.emulator.faults.inject({ operation: "getKey", fault: "ForbiddenByRbac", times: 1 });
  return { client: vault.cryptoClient(keyId), fault };
}

test("encrypts and decrypts with each RSA algorithm through the SDK", async () => {
  const crypto = vault.cryptoClient(rsaKey.id!);
  for (const algorithm of ENCRYPTION) {
    const plaintext = randomBytes(algorithm === "RSA-OAEP-256" ? 190 : 100);
    const encrypted = await crypto.encrypt({ algorithm, plaintext });
    assert.equal(encrypted.result.length, 256);
    assert.equal(encrypted.keyID, rsaKey.id);
    const decrypted = await crypto.decrypt({ algorithm, ciphertext: encrypted.result });
    assert.deepEqual(Buffer.from(decrypted.result), plaintext, algorithm);
    assert.equal(decrypted.keyID, rsaKey.id);
  }
});

test("data encrypted with node:crypto and the public JWK decrypts in the vault", async () => {
  const publicKey = publicKeyFromSdk((await vault.client.getKey("crypto-rsa")).key!);
  const crypto = vault.cryptoClient(rsaKey.id!);
  for (const algorithm of ENCRYPTION) {
    const plaintext = randomBytes(32);
    const decrypted = await crypto.decrypt({ algorithm, ciphertext: nodeEncrypt(algorithm, publicKey, plaintext) });
    assert.deepEqual(Buffer.from(decrypted.result), plaintext, algorithm);
  }
});

test("the vault's own encryption and key wrapping decrypt with the private key outside it", async () => {
  const { client, fault } = remoteOnlyClient(known.key.id!);
  for (const algorithm of ENCRYPTION) {
    const plaintext = randomBytes(48);
    const encrypted = await client.encrypt({ algorithm, plaintext });
    assert.deepEqual(nodeDecrypt(algorithm, known.privateKey, Buffer.from(encrypted.result)), plaintext, algorithm);
    const cek = randomBytes(32);
    const wrapped = await client.wrapKey(algorithm, cek);
    assert.deepEqual(nodeDecrypt(algorithm, known.privateKey, Buffer.from(wrapped.result)), cek, `wrap ${algorithm}`);
  }
  assert.equal(fault.hits, 1, "the SDK fell back to remote operations after one 403");
});

test("wraps and unwraps a content key with each RSA algorithm", async () => {
  const crypto = vault.cryptoClient(rsaKey.id!);
  for (const algorithm of ENCRYPTION) {
    const cek = randomBytes(32);
    const wrapped = await crypto.wrapKey(algorithm, cek);
    const unwrapped = await crypto.unwrapKey(algorithm, wrapped.result);
    assert.deepEqual(Buffer.from(unwrapped.result), cek, algorithm);
  }
});

test("RS and PS signatures verify with node:crypto and in the vault", async () => {
  const crypto = vault.cryptoClient(rsaKey.id!);
  const publicKey = publicKeyFromSdk(rsaKey.key!);
  const data = Buffer.from("The quick brown fox");
  for (const algorithm of ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] as const) {
    const hash = hashOf(algorithm);
    const digest = createHash(hash).update(data).digest();
    const signed = await crypto.sign(algorithm, digest);
    assert.equal(signed.result.length, 256);
    const padding = algorithm.startsWith("PS")
      ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: digest.length }
      : { padding: constants.RSA_PKCS1_PADDING };
    assert.ok(nodeVerify(hash, data, { key: publicKey, ...padding }, signed.result), `node verifies ${algorithm}`);
    assert.equal((await crypto.verify(algorithm, digest, signed.result)).result, true, `vault verifies ${algorithm}`);
    const tampered = Buffer.from(signed.result);
    tampered[10] ^= 1;
    assert.equal((await crypto.verify(algorithm, digest, tampered)).result, false, `tampered ${algorithm}`);
    const otherDigest = createHash(hash).update("other data").digest();
    assert.equal((await crypto.verify(algorithm, otherDigest, signed.result)).result, false);
  }
  // signData hashes locally and signs in the vault; RS verifyData runs locally in the SDK.
  const signedData = await crypto.signData("RS256", data);
  assert.ok(nodeVerify("sha256", data, publicKey, signedData.result));
  assert.equal((await crypto.verifyData("RS256", data, signedData.result)).result, true);
});

test("signatures made by node:crypto with an imported key verify in the vault", async () => {
  const crypto = vault.cryptoClient(known.key.id!);
  const data = Buffer.from("signed outside the vault");
  for (const algorithm of ["RS256", "PS256", "PS512"] as const) {
    const hash = hashOf(algorithm);
    // JWA's PS* use a salt as long as the hash (RFC 7518 §3.5).
    const options = algorithm.startsWith("PS") ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: hash === "sha256" ? 32 : 64 } : {};
    const signature = nodeSign(hash, data, { key: known.privateKey, ...options });
    const digest = createHash(hash).update(data).digest();
    assert.equal((await crypto.verify(algorithm, digest, signature)).result, true, algorithm);
  }
});

test("ES signatures (r || s) verify with node:crypto and in the vault, on every curve", async () => {
  const cases: [SignatureAlgorithm, "P-256" | "P-256K" | "P-384" | "P-521"][] = [
    ["ES256", "P-256"],
    ["ES256K", "P-256K"],
    ["ES384", "P-384"],
    ["ES512", "P-521"],
  ];
  const data = Buffer.from("elliptic");
  for (const [algorithm, curve] of cases) {
    const key = await vault.client.createEcKey(`crypto-${algorithm.toLowerCase()}`, { curve });
    const crypto = vault.cryptoClient(key.id!);
    const hash = algorithm === "ES256K" ? "sha256" : hashOf(algorithm);
    const digest = createHash(hash).update(data).digest();
    const signed = await crypto.sign(algorithm, digest);
    const size = { "P-256": 32, "P-256K": 32, "P-384": 48, "P-521": 66 }[curve];
    assert.equal(signed.result.length, 2 * size, `${algorithm} is IEEE P1363 r || s`);
    const publicKey = publicKeyFromSdk(key.key!);
    assert.ok(nodeVerify(hash, data, { key: publicKey, dsaEncoding: "ieee-p1363" }, signed.result), `node verifies ${algorithm}`);
    assert.equal((await crypto.verify(algorithm, digest, signed.result)).result, true, `vault verifies ${algorithm}`);
    const tampered = Buffer.from(signed.result);
    tampered[5] ^= 1;
    assert.equal((await crypto.verify(algorithm, digest, tampered)).result, false);

    // And the other way: node:crypto signs with an imported key, the vault verifies.
    const pair = generateKeyPairSync("ec", { namedCurve: curve === "P-256K" ? "secp256k1" : curve });
    const imported = await vault.client.importKey(`crypto-imported-${algorithm.toLowerCase()}`, toSdkJwk(pair.privateKey.export({ format: "jwk" })));
    const signature = nodeSign(hash, data, { key: pair.privateKey, dsaEncoding: "ieee-p1363" });
    assert.equal((await vault.cryptoClient(imported.id!).verify(algorithm, digest, signature)).result, true, `imported ${algorithm}`);
  }
});

test("uses the version named in the key id, or the latest when none is named", async () => {
  const v1 = await vault.client.createEcKey("crypto-versions");
  const v2 = await vault.client.rotateKey("crypto-versions");
  const token = await vault.token();
  const body = JSON.stringify({ alg: "ES256", value: randomBytes(32).toString("base64url") });
  // The SDK sends an empty version (`//sign`); other clients leave the segment out.
  for (const path of ["/keys/crypto-versions//sign", "/keys/crypto-versions/sign"]) {
    const res = await rawRequest(vault.emulator, { method: "POST", path: `${path}?api-version=7.5`, token, body });
    assert.equal(res.status, 200, path);
    assert.equal(res.body.kid, v2.id);
  }
  const digest = createHash("sha256").update("v1").digest();
  const signed = await vault.cryptoClient(v1.id!).sign("ES256", digest);
  assert.equal(signed.keyID, v1.id);
  assert.ok(nodeVerify("sha256", Buffer.from("v1"), { key: publicKeyFromSdk(v1.key!), dsaEncoding: "ieee-p1363" }, signed.result));
});

test("refuses what the service refuses: wrong digest size, algorithm, key type, operation, state", async () => {
  const token = await vault.token();
  const call = (name: string, op: string, body: unknown) =>
    rawRequest(vault.emulator, { method: "POST", path: `/keys/${name}/${op}?api-version=7.5`, token, body: JSON.stringify(body) });
  const digest32 = randomBytes(32).toString("base64url");

  const wrongSize = await call("crypto-rsa", "sign", { alg: "RS384", value: digest32 });
  assert.equal(wrongSize.status, 400);
  assert.match(wrongSize.body.error.message, /48-byte digest; got 32/);
  assert.equal((await call("crypto-rsa", "sign", { alg: "ES256", value: digest32 })).status, 400);
  assert.equal((await call("crypto-es384", "sign", { alg: "ES256", value: digest32 })).status, 400);
  assert.equal((await call("crypto-es256", "sign", { alg: "RS256", value: digest32 })).status, 400);
  // An EC key's operations are sign and verify: encrypt is refused before the algorithm is read.
  assert.equal((await call("crypto-es256", "encrypt", { alg: "RSA-OAEP", value: digest32 })).status, 403);
  const unknown = await call("crypto-rsa", "sign", { alg: "RS1", value: digest32 });
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.error.message, /Algorithm RS1 is not supported/);
  assert.equal((await call("crypto-rsa", "encrypt", { alg: "A256GCM", value: digest32 })).status, 400);
  const tooLong = await call("crypto-rsa", "encrypt", { alg: "RSA-OAEP", value: randomBytes(215).toString("base64url") });
  assert.equal(tooLong.status, 400);
  assert.match(tooLong.body.error.message, /at most 214/);
  const garbage = await call("crypto-rsa", "decrypt", { alg: "RSA-OAEP", value: randomBytes(256).toString("base64url") });
  assert.equal(garbage.status, 400);
  assert.equal(garbage.body.error.code, "BadParameter");

  // An operation the key does not allow, and a disabled key: 403.
  await vault.client.createEcKey("crypto-verify-only", { keyOps: ["verify"] });
  const notAllowed = await call("crypto-verify-only", "sign", { alg: "ES256", value: digest32 });
  assert.equal(notAllowed.status, 403);
  assert.equal(notAllowed.body.error.innererror.code, "KeyOperationForbidden");
  await vault.client.createEcKey("crypto-disabled", { enabled: false });
  const disabled = await call("crypto-disabled", "sign", { alg: "ES256", value: digest32 });
  assert.equal(disabled.status, 403);
  assert.match(disabled.body.error.message, /disabled/);
  await vault.client.createEcKey("crypto-expired", { expiresOn: new Date(Date.now() - 60_000) });
  assert.equal((await call("crypto-expired", "sign", { alg: "ES256", value: digest32 })).status, 403);
  await vault.client.createEcKey("crypto-future", { notBefore: new Date(Date.now() + 3_600_000) });
  assert.equal((await call("crypto-future", "sign", { alg: "ES256", value: digest32 })).status, 403);
  assert.equal((await call("crypto-missing", "sign", { alg: "ES256", value: digest32 })).status, 404);
});
