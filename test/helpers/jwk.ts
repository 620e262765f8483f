/**
 * Moving keys between the SDK's JsonWebKey (fields as bytes) and Node's JWK (base64url strings),
 * so tests can import Node-made keys into the vault and check the vault's work with node:crypto.
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import type { JsonWebKey as SdkJsonWebKey } from "@azure/keyvault-keys";

/** A Node JWK as the SDK's JsonWebKey. Node calls P-256K "secp256k1". */
export function toSdkJwk(jwk: Record<string, unknown>): SdkJsonWebKey {
  const b = (v: unknown) => (typeof v === "string" ? Buffer.from(v, "base64url") : undefined);
  return {
    kty: jwk.kty as SdkJsonWebKey["kty"],
    crv: jwk.crv === "secp256k1" ? "P-256K" : (jwk.crv as SdkJsonWebKey["crv"]),
    n: b(jwk.n), e: b(jwk.e), d: b(jwk.d), p: b(jwk.p), q: b(jwk.q), dp: b(jwk.dp), dq: b(jwk.dq), qi: b(jwk.qi),
    x: b(jwk.x), y: b(jwk.y),
  };
}

/** The public key the vault returned, as a Node KeyObject (the only key material a client gets). */
export function publicKeyFromSdk(jwk: SdkJsonWebKey): KeyObject {
  const s = (v?: Uint8Array) => (v ? Buffer.from(v).toString("base64url") : undefined);
  if (jwk.kty === "RSA" || jwk.kty === "RSA-HSM") return createPublicKey({ key: { kty: "RSA", n: s(jwk.n), e: s(jwk.e) }, format: "jwk" });
  const crv = jwk.crv === "P-256K" ? "secp256k1" : jwk.crv;
  return createPublicKey({ key: { kty: "EC", crv, x: s(jwk.x), y: s(jwk.y) }, format: "jwk" });
}
