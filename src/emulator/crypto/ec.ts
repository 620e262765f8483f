/**
 * ECDSA over a digest the client computed, as Key Vault signs (ES256, ES256K, ES384, ES512).
 *
 * Node's `crypto.sign` hashes its input and offers no "sign this digest" call, so signing uses
 * @noble/curves (audited, pure JS) with `prehash: false`. Signatures are r || s (IEEE P1363),
 * the JWS encoding Key Vault returns.
 */
import type * as Nist from "@noble/curves/nist.js";
import type * as Secp256k1 from "@noble/curves/secp256k1.js";
import type { CurveName, PrivateJwk } from "./key-material";

export type EcSignatureAlgorithm = "ES256" | "ES256K" | "ES384" | "ES512";

/** The curve each algorithm requires, and the digest length it signs. */
export const EC_ALGORITHMS: Record<EcSignatureAlgorithm, { crv: CurveName; digestBytes: number }> = {
  ES256: { crv: "P-256", digestBytes: 32 },
  ES256K: { crv: "P-256K", digestBytes: 32 },
  ES384: { crv: "P-384", digestBytes: 48 },
  ES512: { crv: "P-521", digestBytes: 64 },
};

// Loaded on first use: most vaults (and the quickstart) never sign with an EC key.
function curve(crv: CurveName) {
  if (crv === "P-256K") return (require("@noble/curves/secp256k1.js") as typeof Secp256k1).secp256k1;
  const nist = require("@noble/curves/nist.js") as typeof Nist;
  return { "P-256": nist.p256, "P-384": nist.p384, "P-521": nist.p521 }[crv];
}

function scalarBytes(crv: CurveName, b64: string | undefined): Uint8Array {
  const size = crv === "P-521" ? 66 : crv === "P-384" ? 48 : 32;
  const raw = Buffer.from(b64 ?? "", "base64url");
  return raw.length >= size ? raw : Buffer.concat([Buffer.alloc(size - raw.length), raw]);
}

export function ecSign(jwk: PrivateJwk, digest: Buffer): Buffer {
  const crv = jwk.crv ?? "P-256";
  const signature = curve(crv).sign(digest, scalarBytes(crv, jwk.d), { prehash: false });
  return Buffer.from(signature);
}

export function ecVerify(jwk: PrivateJwk, digest: Buffer, signature: Buffer): boolean {
  const crv = jwk.crv ?? "P-256";
  const point = Buffer.concat([Buffer.from([4]), scalarBytes(crv, jwk.x), scalarBytes(crv, jwk.y)]);
  try {
    // lowS: false — a valid signature from another implementation may carry a high S.
    return curve(crv).verify(signature, digest, point, { prehash: false, lowS: false });
  } catch {
    return false;
  }
}
