/**
 * X.509 for a certificate's versions, made with @peculiar/x509 over Node's WebCrypto: the CSR of a
 * new version and the certificate a `Self` issuer signs with the version's own key, as the service
 * makes them (recorded: certificates_client__lro__create): a 16-byte random serial, not before ten
 * minutes ago, the policy's subject as issuer and subject, key usage (critical), basic constraints,
 * EKUs, SANs, authority and subject key identifiers, SHA-256 with the key's algorithm.
 */
import { createHash, randomBytes, webcrypto } from "node:crypto";
import type { StoredCertificatePolicy } from "../model";
import { privateKeyObject, publicJwk, type PrivateJwk } from "./key-material";

type X509 = typeof import("@peculiar/x509");
let loaded: X509 | undefined;

/** Loaded on first use (most vaults make no certificate); x509 2.x needs its Reflect polyfill first (tls.ts). */
export function x509(): X509 {
  if (loaded) return loaded;
  require("reflect-metadata");
  loaded = require("@peculiar/x509") as X509;
  loaded.cryptoProvider.set(webcrypto as unknown as Parameters<X509["cryptoProvider"]["set"]>[0]);
  return loaded;
}

/** The service starts a certificate's validity ten minutes before it is made (recorded: nbf = created - 600). */
export const BACKDATE_SECONDS = 600;

/** WebCrypto's curve names are Key Vault's, but secp256k1, which WebCrypto does not sign with. */
const signingAlgorithm = (jwk: PrivateJwk) =>
  jwk.kty === "RSA"
    ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }
    : { name: "ECDSA", namedCurve: jwk.crv!, hash: { "P-256": "SHA-256", "P-384": "SHA-384", "P-521": "SHA-512", "P-256K": "SHA-256" }[jwk.crv!] };

async function cryptoKeys(jwk: PrivateJwk) {
  const algorithm = signingAlgorithm(jwk);
  const privateKey = await webcrypto.subtle.importKey("jwk", jwk as webcrypto.JsonWebKey, algorithm, true, ["sign"]);
  const publicKey = await webcrypto.subtle.importKey("jwk", publicJwk(jwk) as webcrypto.JsonWebKey, algorithm, true, ["verify"]);
  return { algorithm, privateKey, publicKey };
}

/**
 * "cn=MyCert, o=Contoso": the policy's subject, its attribute names as X.500 writes them ("S", as the
 * service writes a state in an imported certificate's subject, is "ST").
 */
export function subjectName(subject: string): string {
  return subject
    .split(/,(?=\s*[A-Za-z][A-Za-z0-9.]*\s*=)/)
    .map((part) => part.trim().replace(/^([A-Za-z][A-Za-z0-9]*)\s*=\s*/, (_, type: string) => `${type.toUpperCase() === "S" ? "ST" : type.toUpperCase()}=`))
    .join(", ");
}

/** The policy's subject parsed as X.509 would carry it; throws on a subject that is no name. */
export function checkSubject(subject: string): void {
  const { Name } = x509();
  new Name(subjectName(subject));
}

export const KEY_USAGE_BITS: Record<string, number> = {
  digitalSignature: 1, nonRepudiation: 2, keyEncipherment: 4, dataEncipherment: 8, keyAgreement: 16, keyCertSign: 32, cRLSign: 64, encipherOnly: 128, decipherOnly: 256,
};
export const KEY_USAGES = Object.keys(KEY_USAGE_BITS);

function extensions(lib: X509, policy: StoredCertificatePolicy) {
  const x = policy.x509_props;
  const list: import("@peculiar/x509").Extension[] = [];
  const usage = x.key_usage.reduce((bits, name) => bits | KEY_USAGE_BITS[name], 0);
  if (usage) list.push(new lib.KeyUsagesExtension(usage, true));
  list.push(new lib.BasicConstraintsExtension(x.basic_constraints.ca, undefined, false));
  if (x.ekus.length > 0) list.push(new lib.ExtendedKeyUsageExtension(x.ekus, false));
  const names = [
    ...(x.sans?.dns_names ?? []).map((value) => ({ type: "dns" as const, value })),
    ...(x.sans?.emails ?? []).map((value) => ({ type: "email" as const, value })),
    ...(x.sans?.uris ?? []).map((value) => ({ type: "url" as const, value })),
    ...(x.sans?.ipAddresses ?? []).map((value) => ({ type: "ip" as const, value })),
    ...(x.sans?.upns ?? []).map((value) => ({ type: "upn" as const, value })),
  ];
  if (names.length > 0) list.push(new lib.SubjectAlternativeNameExtension(names, false));
  return list;
}

/** A CSR for the version's key (what the pending operation answers, and what an outside issuer signs). */
export async function makeCsr(jwk: PrivateJwk, policy: StoredCertificatePolicy): Promise<Buffer> {
  const lib = x509();
  const { algorithm, privateKey, publicKey } = await cryptoKeys(jwk);
  const csr = await lib.Pkcs10CertificateRequestGenerator.create({
    name: subjectName(policy.x509_props.subject),
    keys: { privateKey, publicKey },
    signingAlgorithm: algorithm,
    extensions: extensions(lib, policy),
  });
  return Buffer.from(csr.rawData);
}

/** A certificate signed by its own key: a `Self` issuer's. `nowSeconds` is the vault's clock. */
export async function makeSelfSigned(jwk: PrivateJwk, policy: StoredCertificatePolicy, nowSeconds: number): Promise<Buffer> {
  const lib = x509();
  const { algorithm, privateKey, publicKey } = await cryptoKeys(jwk);
  const notBefore = new Date((nowSeconds - BACKDATE_SECONDS) * 1000);
  const notAfter = addMonths(new Date(nowSeconds * 1000), policy.x509_props.validity_months);
  const name = subjectName(policy.x509_props.subject);
  const cert = await lib.X509CertificateGenerator.create({
    // A positive 16-byte serial (its top bit clear), as the service's.
    serialNumber: (randomBytes(16)[0] & 0x7f).toString(16).padStart(2, "0") + randomBytes(15).toString("hex"),
    subject: name,
    issuer: name,
    notBefore,
    notAfter,
    signingAlgorithm: algorithm,
    publicKey,
    signingKey: privateKey,
    extensions: [
      ...extensions(lib, policy),
      await lib.AuthorityKeyIdentifierExtension.create(publicKey, false),
      await lib.SubjectKeyIdentifierExtension.create(publicKey),
    ],
  });
  return Buffer.from(cert.rawData);
}

/** The end of a validity of `months` from `start`, as the service counts it (recorded: 12 months = 365 days from creation). */
export function addMonths(start: Date, months: number): Date {
  const end = new Date(start.getTime());
  end.setUTCMonth(end.getUTCMonth() + months);
  return end;
}

/** `x5t`: the SHA-1 thumbprint of the certificate's DER, base64url (RFC 7517 §4.8). */
export const thumbprint = (der: Buffer) => createHash("sha1").update(der).digest("base64url");

/** The private key in PKCS#8 DER, for a PKCS#12 or PEM secret. */
export const pkcs8Der = (jwk: PrivateJwk): Buffer => privateKeyObject(jwk).export({ format: "der", type: "pkcs8" });
