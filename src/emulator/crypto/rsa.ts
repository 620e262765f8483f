/**
 * RSA operations as Key Vault performs them.
 *
 * Two things Node cannot do directly, so they are spelled out here:
 * - Key Vault signs a *digest* the client computed. `crypto.sign` always hashes its input, so the
 *   signature encodings (RFC 8017 §9.2 EMSA-PKCS1-v1_5, §9.1 EMSA-PSS) are built here and only the
 *   raw RSA operation is left to OpenSSL.
 * - Node ≥ 20.11 refuses RSA1_5 private decryption (CVE-2023-46809). The emulator decrypts with no
 *   padding and removes the PKCS#1 v1.5 padding itself (RFC 8017 §7.2.2).
 * The operations with the private key run in the emulator's crypto workers (worker-pool.ts).
 */
import type { CryptoWorkers } from "./worker-pool";
import { constants, createHash, publicDecrypt, publicEncrypt, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";

export type RsaEncryptionAlgorithm = "RSA-OAEP" | "RSA-OAEP-256" | "RSA1_5";
export type RsaSignatureAlgorithm = "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512";
type Hash = "sha256" | "sha384" | "sha512";

/** DER prefixes of DigestInfo for each hash (RFC 8017 §9.2, note 1). */
const DIGEST_INFO: Record<Hash, Buffer> = {
  sha256: Buffer.from("3031300d060960864801650304020105000420", "hex"),
  sha384: Buffer.from("3041300d060960864801650304020205000430", "hex"),
  sha512: Buffer.from("3051300d060960864801650304020305000440", "hex"),
};
const HASH_BYTES: Record<Hash, number> = { sha256: 32, sha384: 48, sha512: 64 };

export const hashOfSignature = (alg: RsaSignatureAlgorithm): Hash => `sha${alg.slice(2)}` as Hash;

export function rsaEncrypt(alg: RsaEncryptionAlgorithm, key: KeyObject, plaintext: Buffer): Buffer {
  if (alg === "RSA1_5") return publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, plaintext);
  return publicEncrypt(
    { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: alg === "RSA-OAEP" ? "sha1" : "sha256" },
    plaintext,
  );
}

/** Returns undefined when the ciphertext does not decrypt (wrong key, wrong algorithm, tampered). */
export async function rsaDecrypt(workers: CryptoWorkers, alg: RsaEncryptionAlgorithm, key: KeyObject, ciphertext: Buffer): Promise<Buffer | undefined> {
  try {
    if (alg !== "RSA1_5") {
      return await workers.rsaPrivate({
        kind: "privateDecrypt",
        key,
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: alg === "RSA-OAEP" ? "sha1" : "sha256",
        data: ciphertext,
      });
    }
    const em = await workers.rsaPrivate({ kind: "privateDecrypt", key, padding: constants.RSA_NO_PADDING, data: ciphertext });
    // EM = 0x00 || 0x02 || PS (at least 8 non-zero bytes) || 0x00 || M
    const separator = em.indexOf(0, 2);
    if (em[0] !== 0 || em[1] !== 2 || separator < 10) return undefined;
    return em.subarray(separator + 1);
  } catch {
    return undefined;
  }
}

export function rsaSign(workers: CryptoWorkers, alg: RsaSignatureAlgorithm, key: KeyObject, digest: Buffer): Promise<Buffer> {
  const hash = hashOfSignature(alg);
  if (alg.startsWith("RS")) {
    return workers.rsaPrivate({ kind: "privateEncrypt", key, padding: constants.RSA_PKCS1_PADDING, data: Buffer.concat([DIGEST_INFO[hash], digest]) });
  }
  const modulusBits = key.asymmetricKeyDetails?.modulusLength ?? 2048;
  const em = pssEncode(hash, digest, modulusBits - 1);
  return workers.rsaPrivate({ kind: "privateEncrypt", key, padding: constants.RSA_NO_PADDING, data: leftPad(em, Math.ceil(modulusBits / 8)) });
}

export function rsaVerify(alg: RsaSignatureAlgorithm, key: KeyObject, digest: Buffer, signature: Buffer): boolean {
  const hash = hashOfSignature(alg);
  const modulusBits = key.asymmetricKeyDetails?.modulusLength ?? 2048;
  if (signature.length !== Math.ceil(modulusBits / 8)) return false;
  try {
    if (alg.startsWith("RS")) {
      const expected = Buffer.concat([DIGEST_INFO[hash], digest]);
      const actual = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    }
    const em = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, signature);
    const emLen = Math.ceil((modulusBits - 1) / 8);
    return pssVerify(hash, digest, em.subarray(em.length - emLen), modulusBits - 1);
  } catch {
    return false;
  }
}

/** Digest sizes each signature algorithm accepts, checked before signing. */
export const digestLength = (alg: RsaSignatureAlgorithm) => HASH_BYTES[hashOfSignature(alg)];

// EMSA-PSS with MGF1 over the same hash and a salt as long as the hash (RFC 8017 §9.1, as JWA PS* specifies).
function pssEncode(hash: Hash, mHash: Buffer, emBits: number): Buffer {
  const hLen = HASH_BYTES[hash];
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(hLen);
  const h = createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  const db = Buffer.alloc(emLen - hLen - 1);
  db[db.length - hLen - 1] = 0x01;
  salt.copy(db, db.length - hLen);
  xorInPlace(db, mgf1(hash, h, db.length));
  db[0] &= 0xff >> (8 * emLen - emBits);
  return Buffer.concat([db, h, Buffer.from([0xbc])]);
}

function pssVerify(hash: Hash, mHash: Buffer, em: Buffer, emBits: number): boolean {
  const hLen = HASH_BYTES[hash];
  const emLen = Math.ceil(emBits / 8);
  if (em.length !== emLen || em[emLen - 1] !== 0xbc || emLen < 2 * hLen + 2) return false;
  const db = Buffer.from(em.subarray(0, emLen - hLen - 1));
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topBits = 0xff >> (8 * emLen - emBits);
  if ((db[0] & ~topBits) !== 0) return false;
  xorInPlace(db, mgf1(hash, h, db.length));
  db[0] &= topBits;
  const separator = db.length - hLen - 1;
  if (db[separator] !== 0x01 || db.subarray(0, separator).some((b) => b !== 0)) return false;
  const salt = db.subarray(separator + 1);
  const expected = createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  return timingSafeEqual(expected, h);
}

function mgf1(hash: Hash, seed: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  const counter = Buffer.alloc(4);
  for (let i = 0, produced = 0; produced < length; i++, produced += HASH_BYTES[hash]) {
    counter.writeUInt32BE(i);
    blocks.push(createHash(hash).update(seed).update(counter).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function xorInPlace(target: Buffer, mask: Buffer): void {
  for (let i = 0; i < target.length; i++) target[i] ^= mask[i];
}

const leftPad = (b: Buffer, length: number) => (b.length >= length ? b : Buffer.concat([Buffer.alloc(length - b.length), b]));
