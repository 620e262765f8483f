/**
 * Reading what a client sends to make a certificate of its own: an import's value (PEM text or a
 * base64 PKCS#12) and a merge's x5c chain. Each reader answers the certificate that goes with the key
 * (the leaf), the other certificates (its chain) and the key (PKCS#8 DER), or says why it cannot with
 * a `ContentError` whose reason the operation turns into the service's message.
 */
import { createPrivateKey } from "node:crypto";
import { certificatePublicKey, privateKeyPublicKey } from "./certificate-reader";
import { readPkcs12 } from "./pkcs12";

export type ContentProblem =
  /** The PKCS#12 value is not base64. */
  | "base64"
  /** The PKCS#12 cannot be read: not one, or a wrong password. */
  | "pkcs12"
  /** The PEM text is not what the service reads: a certificate and an unencrypted or encrypted PKCS#8 key. */
  | "pem"
  /** No certificate goes with a private key (none given, or one that belongs to no certificate given). */
  | "noPrivateKey"
  /** A merge's x5c has no item that is a certificate. */
  | "x5cEmpty"
  /** No certificate of a merge's x5c is the pending version's key's. */
  | "noLeaf";

export class ContentError extends Error {
  constructor(readonly problem: ContentProblem) {
    super(problem);
  }
}

export interface CertificateContent {
  leaf: Buffer;
  chain: Buffer[];
  key: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** `read(bytes)`, or the content's own problem (`unreadable`) when the bytes are no certificate or key. */
function readOr<T>(unreadable: ContentProblem, read: () => T): T {
  try {
    return read();
  } catch {
    throw new ContentError(unreadable);
  }
}

/**
 * The certificate among `certificates` that the one key (PKCS#8 DER) is the private half of; the rest
 * are its chain. `unreadable` is the problem of a certificate or key that cannot be read at all.
 */
function pair(certificates: Buffer[], keys: Buffer[], unreadable: ContentProblem): CertificateContent {
  const publicKeys = certificates.map((der) => readOr(unreadable, () => certificatePublicKey(der)));
  // The service takes "only one certificate containing private key" (its message for anything else).
  if (keys.length !== 1) throw new ContentError("noPrivateKey");
  const publicKey = readOr(unreadable, () => privateKeyPublicKey(keys[0]));
  const index = publicKeys.findIndex((candidate) => candidate.equals(publicKey));
  if (index < 0) throw new ContentError("noPrivateKey");
  return { leaf: certificates[index], chain: certificates.filter((_, i) => i !== index), key: keys[0] };
}

/** An import's base64 PKCS#12 under its password (`pwd`, "" when none was given). */
export async function readPkcs12Content(value: string, password: string): Promise<CertificateContent> {
  const text = value.replace(/\s+/g, "");
  if (text.length === 0 || text.length % 4 === 1 || !BASE64.test(text)) throw new ContentError("base64");
  let contents;
  try {
    contents = await readPkcs12(Buffer.from(text, "base64"), password);
  } catch {
    throw new ContentError("pkcs12");
  }
  return pair(contents.certificates, contents.keys, "pkcs12");
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\n([A-Za-z0-9+/=\n]+?)\n?-----END \1-----/g;

/**
 * An import's PEM text: certificates and one PKCS#8 private key, unencrypted or encrypted under the
 * password. The service reads PKCS#8 only ("BEGIN RSA PRIVATE KEY", PKCS#1, is refused: winterdom.com,
 * "Importing KeyVault certificates") and Unix line ends only (its FAQ: "The specified PEM X.509
 * certificate content is in an unexpected format" — verify the file uses \n), and so does this.
 */
export function readPemContent(value: string, password: string): CertificateContent {
  if (value.includes("\r")) throw new ContentError("pem");
  const certificates: Buffer[] = [];
  const keys: Buffer[] = [];
  for (const [block, label, body] of value.matchAll(PEM_BLOCK)) {
    const der = Buffer.from(body.replace(/\n/g, ""), "base64");
    if (label === "CERTIFICATE") certificates.push(der);
    else if (label === "PRIVATE KEY") keys.push(der);
    else if (label === "ENCRYPTED PRIVATE KEY") {
      try {
        keys.push(createPrivateKey({ key: block, format: "pem", passphrase: password }).export({ format: "der", type: "pkcs8" }));
      } catch {
        throw new ContentError("pem");
      }
    } else throw new ContentError("pem");
  }
  if (certificates.length === 0) throw new ContentError("pem");
  return pair(certificates, keys, "pem");
}

/**
 * A merge's x5c: base64 items, each a certificate in DER or in text (PEM, or bare base64 — the SDK's
 * own sample sends the base64 of a PEM file's body with its END line, recorded: can_merge_a_self_signed_certificate).
 * The leaf is the one whose public key is `publicKey` (SPKI DER); the rest are its chain, in order.
 */
export function readX5c(items: string[], publicKey: Buffer): { leaf: Buffer; chain: Buffer[] } {
  const certificates: Buffer[] = [];
  for (const item of items) {
    const bytes = Buffer.from(item, "base64");
    if (bytes[0] === 0x30) {
      certificates.push(bytes);
      continue;
    }
    const text = bytes.toString("latin1");
    const bodies = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => m[1]);
    if (bodies.length === 0) bodies.push(text.replace(/-----[A-Z ]+-----/g, ""));
    for (const body of bodies) {
      const base64 = body.replace(/\s+/g, "");
      if (base64 && BASE64.test(base64)) certificates.push(Buffer.from(base64, "base64"));
    }
  }
  const readable = certificates.flatMap((der) => {
    try {
      return [{ der, key: certificatePublicKey(der) }];
    } catch {
      return [];
    }
  });
  if (readable.length === 0) throw new ContentError("x5cEmpty");
  const leaf = readable.find((c) => c.key.equals(publicKey))?.der;
  if (!leaf) throw new ContentError("noLeaf");
  return { leaf, chain: readable.map((c) => c.der).filter((der) => der !== leaf) };
}
