/**
 * Key material: generating, importing and describing the private keys a vault holds.
 *
 * Keys are kept as private JWKs (RFC 7517, base64url fields), the shape Key Vault itself speaks.
 * Only `publicJwk` ever leaves the emulator. RSA keys are generated in the emulator's own worker
 * threads (worker-pool.ts), so an RSA-4096 key blocks neither the event loop nor file I/O. EC keys
 * are made at once on the event loop: a P-256 key takes well under a millisecond, less than the
 * round trip to a worker.
 */
import { createECDH, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type JsonWebKey, type KeyObject } from "node:crypto";
import { badParameter } from "../errors";
import { describe, isBase64url } from "../validate";
import type { CryptoWorkers } from "./worker-pool";

export type KeyType = "RSA" | "EC";
/** Key Vault's curve names, and the names OpenSSL knows them by. */
export const CURVES = { "P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1", "P-256K": "secp256k1" } as const;
export type CurveName = keyof typeof CURVES;
/** Own keys only: `"constructor" in CURVES` is true for any object. */
export const isCurveName = (name: string): name is CurveName => Object.hasOwn(CURVES, name);
export const RSA_SIZES = [2048, 3072, 4096] as const;

/** What a standard (software) vault allows on each key type by default. */
export const DEFAULT_KEY_OPS: Record<KeyType, string[]> = {
  RSA: ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"],
  EC: ["sign", "verify"],
};
export const KNOWN_KEY_OPS = new Set(["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey", "import", "export"]);

/** A private JWK as Key Vault and Node both write it (base64url strings). */
export interface PrivateJwk {
  kty: KeyType;
  crv?: CurveName;
  n?: string; e?: string; d?: string; p?: string; q?: string; dp?: string; dq?: string; qi?: string;
  x?: string; y?: string;
}

export interface KeySpec {
  kty: KeyType;
  size?: number;
  crv?: CurveName;
  publicExponent?: number;
}

export async function generatePrivateJwk(spec: KeySpec, workers: CryptoWorkers): Promise<PrivateJwk> {
  if (spec.kty === "RSA") {
    return toPrivateJwk(await workers.generate("rsa", { modulusLength: spec.size ?? 2048, publicExponent: spec.publicExponent ?? 65537 }));
  }
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: CURVES[spec.crv ?? "P-256"] });
  return toPrivateJwk(privateKey.export({ format: "jwk" }));
}

function toPrivateJwk(jwk: JsonWebKey): PrivateJwk {
  if (jwk.kty === "EC") {
    // Node names secp256k1 "secp256k1"; Key Vault calls it "P-256K".
    const crv = jwk.crv === "secp256k1" ? "P-256K" : (jwk.crv as CurveName);
    return { kty: "EC", crv, x: jwk.x, y: jwk.y, d: jwk.d };
  }
  return { kty: "RSA", n: jwk.n, e: jwk.e, d: jwk.d, p: jwk.p, q: jwk.q, dp: jwk.dp, dq: jwk.dq, qi: jwk.qi };
}

/** The JWK with private fields removed: the only form of a key the emulator sends. */
export function publicJwk(jwk: PrivateJwk): { kty: KeyType; n?: string; e?: string; crv?: CurveName; x?: string; y?: string } {
  return jwk.kty === "RSA" ? { kty: "RSA", n: jwk.n, e: jwk.e } : { kty: "EC", crv: jwk.crv, x: jwk.x, y: jwk.y };
}

const nodeJwk = (jwk: PrivateJwk): JsonWebKey =>
  jwk.crv === "P-256K" ? ({ ...jwk, crv: "secp256k1" } as JsonWebKey) : (jwk as JsonWebKey);

const privateKeyCache = new WeakMap<PrivateJwk, KeyObject>();
const publicKeyCache = new WeakMap<PrivateJwk, KeyObject>();

/** The key as a Node KeyObject, parsed once per stored key. */
export function privateKeyObject(jwk: PrivateJwk): KeyObject {
  let key = privateKeyCache.get(jwk);
  if (!key) privateKeyCache.set(jwk, (key = createPrivateKey({ key: nodeJwk(jwk), format: "jwk" })));
  return key;
}

export function publicKeyObject(jwk: PrivateJwk): KeyObject {
  let key = publicKeyCache.get(jwk);
  if (!key) publicKeyCache.set(jwk, (key = createPublicKey(privateKeyObject(jwk))));
  return key;
}

/** Modulus length in bits (RSA) or the curve's field size (EC). */
export function keySizeBits(jwk: PrivateJwk): number {
  if (jwk.kty === "RSA") return Buffer.from(jwk.n ?? "", "base64url").length * 8;
  return { "P-256": 256, "P-384": 384, "P-521": 521, "P-256K": 256 }[jwk.crv ?? "P-256"];
}

const withoutLeadingZeros = (bytes: Buffer) => {
  const first = bytes.findIndex((b) => b !== 0);
  return first <= 0 ? bytes : bytes.subarray(first);
};

export function publicExponent(jwk: PrivateJwk): number {
  const e = Buffer.from(jwk.e ?? "AQAB", "base64url");
  return e.readUIntBE(0, Math.min(e.length, 6));
}

/**
 * Validates a JWK sent to the import operation and returns it as a private JWK.
 * Key Vault needs the private part: a public-only key cannot be imported.
 */
export function importPrivateJwk(input: unknown): PrivateJwk {
  if (!input || typeof input !== "object") throw badParameter("The 'key' property must be a JSON Web Key object.");
  const k = input as Record<string, unknown>;
  const kty = k.kty === "RSA" || k.kty === "RSA-HSM" ? "RSA" : k.kty === "EC" || k.kty === "EC-HSM" ? "EC" : undefined;
  if (!kty) throw badParameter(`Unsupported key type: ${describe(k.kty)}. Use RSA or EC.`);
  const fields = kty === "RSA" ? ["n", "e", "d", "p", "q", "dp", "dq", "qi"] : ["x", "y", "d"];
  const jwk: PrivateJwk = { kty };
  for (const field of fields) {
    const value = k[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== "string" || !isBase64url(value)) {
      throw badParameter(`The JSON Web Key field '${field}' must be a base64url string.`);
    }
    (jwk as unknown as Record<string, string>)[field] = Buffer.from(value, "base64url").toString("base64url");
  }
  // An RSA modulus is an unsigned integer: JWK encoders that write it as a signed one (a leading 0x00
  // byte, as Node's own DER-based tools can) mean the same key. The service answers such an import
  // with the modulus normalised (recorded: keys_client__import_keys), and so does the emulator.
  if (jwk.n) jwk.n = withoutLeadingZeros(Buffer.from(jwk.n, "base64url")).toString("base64url");
  if (kty === "EC") {
    if (typeof k.crv !== "string" || !isCurveName(k.crv)) {
      throw badParameter(`Unsupported curve: ${describe(k.crv)}. Use one of ${Object.keys(CURVES).join(", ")}.`);
    }
    jwk.crv = k.crv as CurveName;
  }
  if (!jwk.d) throw badParameter("The imported key must include its private part ('d').");
  try {
    // Parse it once: this rejects inconsistent or truncated key material.
    privateKeyObject(jwk);
  } catch {
    throw badParameter("The JSON Web Key is not a valid private key.");
  }
  if (kty === "RSA") checkImportedRsa(jwk);
  if (!keyHalvesMatch(jwk)) throw badParameter("The JSON Web Key's private part does not belong to its public part.");
  return jwk;
}

/**
 * The RSA keys a standard vault takes: 2048, 3072 or 4096 bits, with an odd public exponent that
 * fits in 32 bits (what rotation can generate again: Node's keygen refuses larger exponents).
 */
function checkImportedRsa(jwk: PrivateJwk): void {
  const bits = keySizeBits(jwk);
  if (!(RSA_SIZES as readonly number[]).includes(bits)) throw badParameter(`Unsupported RSA key size ${bits}. Import a 2048, 3072 or 4096-bit key.`);
  const e = Buffer.from(jwk.e ?? "", "base64url");
  const significant = e.subarray(e.findIndex((b) => b !== 0));
  const exponent = significant.length === 0 || e.every((b) => b === 0) ? 0 : significant.length > 4 ? Infinity : significant.readUIntBE(0, significant.length);
  if (exponent < 3 || exponent > 0xffffffff || exponent % 2 === 0) {
    throw badParameter("The RSA public exponent ('e') must be an odd number from 3 to 2^32-1 (usually 65537, 'AQAB').");
  }
}

const big = (b64: string | undefined) => BigInt(`0x${Buffer.from(b64 ?? "", "base64url").toString("hex") || "0"}`);

/**
 * Whether a key's private half belongs to its public half: for RSA, n = p·q and d, dp, dq, qi fit
 * p, q and e; for EC, d·G is the point (x, y). A stored key that fails this was damaged, and would
 * sign what its own public key cannot verify. Arithmetic, no signing (but for an RSA key imported
 * without its primes): well under a millisecond a key.
 */
export function keyHalvesMatch(jwk: PrivateJwk): boolean {
  try {
    if (jwk.kty === "EC") {
      const ecdh = createECDH(CURVES[jwk.crv ?? "P-256"]);
      ecdh.setPrivateKey(Buffer.from(jwk.d ?? "", "base64url"));
      const point = ecdh.getPublicKey();
      const size = (point.length - 1) / 2;
      const coordinate = (b64: string | undefined) => Buffer.from(b64 ?? "", "base64url").toString("hex").padStart(size * 2, "0");
      return point.subarray(1, 1 + size).toString("hex") === coordinate(jwk.x) && point.subarray(1 + size).toString("hex") === coordinate(jwk.y);
    }
    const [n, e, d, p, q] = [jwk.n, jwk.e, jwk.d, jwk.p, jwk.q].map(big);
    if (n === 0n || e === 0n || d === 0n) return false;
    if (!jwk.p && !jwk.q) return signsForItsPublicKey(jwk); // imported without its primes: no arithmetic to check
    if (p <= 1n || q <= 1n || p * q !== n) return false;
    if ((e * d) % (p - 1n) !== 1n || (e * d) % (q - 1n) !== 1n) return false;
    if (jwk.dp && big(jwk.dp) !== d % (p - 1n)) return false;
    if (jwk.dq && big(jwk.dq) !== d % (q - 1n)) return false;
    return !jwk.qi || (big(jwk.qi) * q) % p === 1n;
  } catch {
    return false;
  }
}

function signsForItsPublicKey(jwk: PrivateJwk): boolean {
  const data = Buffer.from("kvq key check");
  const publicKey = createPublicKey({ key: { kty: "RSA", n: jwk.n, e: jwk.e }, format: "jwk" });
  return verify("sha256", data, publicKey, sign("sha256", data, privateKeyObject(jwk)));
}
