/**
 * Cryptography with a key that never leaves the vault: encrypt, decrypt, wrap, unwrap, sign, verify.
 * Each checks what the service checks: the key is enabled and within nbf/exp, the operation is in
 * its key_ops, the algorithm fits the key, and the input has the right size.
 */
import { EC_ALGORITHMS, ecSign, ecVerify, type EcSignatureAlgorithm } from "../crypto/ec";
import { publicKeyObject, privateKeyObject } from "../crypto/key-material";
import { digestLength, rsaDecrypt, rsaEncrypt, rsaSign, rsaVerify, type RsaEncryptionAlgorithm, type RsaSignatureAlgorithm } from "../crypto/rsa";
import { ok, type Operation, type VaultContext, type VaultRequest } from "../context";
import { badParameter, disabledObject, VaultError, operationNotAllowed } from "../errors";
import { findVersion } from "../lifecycle";
import type { StoredKeyVersion } from "../model";
import { base64urlField, bodyObject, requiredString } from "../validate";
import { checkKeyName } from "./keys";

const RSA_ENCRYPTION: RsaEncryptionAlgorithm[] = ["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"];
const RSA_SIGNATURE: RsaSignatureAlgorithm[] = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

/** Bytes of overhead each padding takes from the modulus (RFC 8017 §7.1.1, §7.2.1). */
const PADDING_OVERHEAD: Record<RsaEncryptionAlgorithm, number> = { "RSA-OAEP": 42, "RSA-OAEP-256": 66, RSA1_5: 11 };

function usableVersion(ctx: VaultContext, req: VaultRequest, operation: string) {
  const found = findVersion(ctx, "keys", checkKeyName(req.params.name), req.params.version);
  const v = found.version;
  const now = ctx.clock.nowSeconds();
  if (!v.enabled) throw disabledObject("keys", operation);
  if (v.nbf !== undefined && now < v.nbf) throw new VaultError(403, "Forbidden", `Operation ${operation} is not allowed before the key's activation date.`, "KeyNotYetValid");
  if (v.exp !== undefined && now >= v.exp) throw new VaultError(403, "Forbidden", `Operation ${operation} is not allowed on an expired key.`, "KeyExpired");
  if (!v.keyOps.includes(operation)) throw operationNotAllowed(operation);
  return found;
}

function rsaEncryptionAlgorithm(v: StoredKeyVersion, alg: string): RsaEncryptionAlgorithm {
  if (!(RSA_ENCRYPTION as string[]).includes(alg)) throw badParameter(`Algorithm ${alg} is not supported. Use ${RSA_ENCRYPTION.join(", ")}.`);
  if (v.jwk.kty !== "RSA") throw badParameter(`Algorithm ${alg} needs an RSA key; this key is ${v.jwk.kty}.`);
  return alg as RsaEncryptionAlgorithm;
}

const encryptLike = (operation: "encrypt" | "wrapKey"): Operation => (ctx, req) => {
  const body = bodyObject(req.body);
  const { object: key, version } = usableVersion(ctx, req, operation);
  const alg = rsaEncryptionAlgorithm(version, requiredString(body, "alg"));
  const value = base64urlField(body, "value");
  const modulusBytes = Buffer.from(version.jwk.n ?? "", "base64url").length;
  const max = modulusBytes - PADDING_OVERHEAD[alg];
  if (value.length > max) throw badParameter(`The value is ${value.length} bytes; ${alg} with this key takes at most ${max}.`);
  const result = rsaEncrypt(alg, publicKeyObject(version.jwk), value);
  return ok({ kid: ctx.wire.keyId(key.name, version.version), value: result.toString("base64url") });
};

const decryptLike = (operation: "decrypt" | "unwrapKey"): Operation => async (ctx, req) => {
  const body = bodyObject(req.body);
  const { object: key, version } = usableVersion(ctx, req, operation);
  const alg = rsaEncryptionAlgorithm(version, requiredString(body, "alg"));
  const value = base64urlField(body, "value");
  const plaintext = await rsaDecrypt(ctx.privateOps, alg, privateKeyObject(version.jwk), value);
  if (!plaintext) throw badParameter(`The value could not be decrypted with ${alg} and this key.`);
  return ok({ kid: ctx.wire.keyId(key.name, version.version), value: plaintext.toString("base64url") });
};

export const encrypt = encryptLike("encrypt");
export const wrapKey = encryptLike("wrapKey");
export const decrypt = decryptLike("decrypt");
export const unwrapKey = decryptLike("unwrapKey");

/** Checks the signature algorithm against the key and the digest's length against the algorithm. */
function signatureScheme(v: StoredKeyVersion, alg: string, digest: Buffer) {
  if ((RSA_SIGNATURE as string[]).includes(alg)) {
    if (v.jwk.kty !== "RSA") throw badParameter(`Algorithm ${alg} needs an RSA key; this key is ${v.jwk.kty}.`);
    const rsaAlg = alg as RsaSignatureAlgorithm;
    if (digest.length !== digestLength(rsaAlg)) throw badParameter(`${alg} signs a ${digestLength(rsaAlg)}-byte digest; got ${digest.length} bytes.`);
    return { kind: "RSA" as const, alg: rsaAlg };
  }
  if (Object.hasOwn(EC_ALGORITHMS, alg)) {
    const spec = EC_ALGORITHMS[alg as EcSignatureAlgorithm];
    if (v.jwk.kty !== "EC" || v.jwk.crv !== spec.crv) throw badParameter(`Algorithm ${alg} needs an EC key on curve ${spec.crv}.`);
    if (digest.length !== spec.digestBytes) throw badParameter(`${alg} signs a ${spec.digestBytes}-byte digest; got ${digest.length} bytes.`);
    return { kind: "EC" as const };
  }
  throw badParameter(`Algorithm ${alg} is not supported. Use ${[...RSA_SIGNATURE, ...Object.keys(EC_ALGORITHMS)].join(", ")}.`);
}

export const sign: Operation = async (ctx, req) => {
  const body = bodyObject(req.body);
  const { object: key, version } = usableVersion(ctx, req, "sign");
  const digest = base64urlField(body, "value");
  const scheme = signatureScheme(version, requiredString(body, "alg"), digest);
  const signature = scheme.kind === "RSA" ? await rsaSign(ctx.privateOps, scheme.alg, privateKeyObject(version.jwk), digest) : ecSign(version.jwk, digest);
  return ok({ kid: ctx.wire.keyId(key.name, version.version), value: signature.toString("base64url") });
};

export const verify: Operation = (ctx, req) => {
  const body = bodyObject(req.body);
  const { version } = usableVersion(ctx, req, "verify");
  const digest = base64urlField(body, "digest");
  const signature = base64urlField(body, "value");
  const scheme = signatureScheme(version, requiredString(body, "alg"), digest);
  const valid =
    scheme.kind === "RSA" ? rsaVerify(scheme.alg, publicKeyObject(version.jwk), digest, signature) : ecVerify(version.jwk, digest, signature);
  return ok({ value: valid });
};
