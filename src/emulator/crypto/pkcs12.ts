/**
 * A certificate's secret value: PKCS#12 (RFC 7292) or PEM, the certificate with its private key.
 *
 * PKCS#12 is made with pkijs (PeculiarVentures, the makers of @peculiar/x509, whose ASN.1 it shares;
 * it runs on Node's WebCrypto and takes any key as PKCS#8, RSA and EC alike — node-forge's PKCS#12
 * knows RSA keys only). As the service's secret, it has no password: the key sits in a plain key bag
 * and the whole is sealed with an HMAC-SHA-256 under the empty password, which OpenSSL (Node's
 * `tls.createSecureContext({ pfx })`, `openssl pkcs12`) and .NET read without asking for one.
 */
import { createHash, webcrypto } from "node:crypto";

type Pkijs = typeof import("pkijs");
let loaded: Pkijs | undefined;

/** Loaded on first use; pkijs takes Node's WebCrypto as its engine. */
function pkijs(): Pkijs {
  if (loaded) return loaded;
  loaded = require("pkijs") as Pkijs;
  loaded.setEngine("node", new loaded.CryptoEngine({ name: "node", crypto: webcrypto as unknown as ConstructorParameters<Pkijs["CryptoEngine"]>[0]["crypto"] }));
  return loaded;
}

const KEY_BAG = "1.2.840.113549.1.12.10.1.1";
const CERT_BAG = "1.2.840.113549.1.12.10.1.3";
/** PKCS#12 iterations for the MAC key (RFC 7292 recommends at least 1,024; OpenSSL makes 2,048). */
const MAC_ITERATIONS = 2048;

/**
 * The bags' localKeyID attribute (PKCS#9, 1.2.840.113549.1.9.21): the same value on the key and its
 * certificate pairs them, as OpenSSL and .NET write it (the SHA-1 of the certificate). Without it
 * `openssl pkcs12 -clcerts`, which the SDK's own tests and guides use to take the certificate out of
 * a secret, finds no certificate of the key's.
 */
function localKeyId(lib: Pkijs, certificateDer: Buffer) {
  const id = createHash("sha1").update(certificateDer).digest();
  // Attribute ::= SEQUENCE { type OID, values SET OF OCTET STRING }, in DER.
  const der = Buffer.concat([Buffer.from("302306092a864886f70d01091531160414", "hex"), id]);
  return lib.Attribute.fromBER(arrayBuffer(der));
}

const arrayBuffer = (bytes: Buffer): ArrayBuffer => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

/** A PKCS#12 of the certificate (DER) and its key (PKCS#8 DER), without a password. */
export async function toPkcs12(certificateDer: Buffer, keyPkcs8Der: Buffer): Promise<Buffer> {
  const lib = pkijs();
  const pairing = [localKeyId(lib, certificateDer)];
  const bag = (bagId: string, bagValue: unknown) => new lib.SafeBag({ bagId, bagValue: bagValue as never, bagAttributes: pairing });
  const pfx = new lib.PFX({
    parsedValue: {
      integrityMode: 0,
      authenticatedSafe: new lib.AuthenticatedSafe({
        parsedValue: {
          safeContents: [
            {
              privacyMode: 0,
              value: new lib.SafeContents({
                safeBags: [
                  bag(KEY_BAG, lib.PrivateKeyInfo.fromBER(arrayBuffer(keyPkcs8Der))),
                  bag(CERT_BAG, new lib.CertBag({ parsedValue: lib.Certificate.fromBER(arrayBuffer(certificateDer)) })),
                ],
              }),
            },
          ],
        },
      }),
    },
  });
  await pfx.parsedValue!.authenticatedSafe!.makeInternalValues({ safeContents: [{}] });
  await pfx.makeInternalValues({ password: new ArrayBuffer(0), iterations: MAC_ITERATIONS, pbkdf2HashAlgorithm: "SHA-256", hmacHashAlgorithm: "SHA-256" });
  return Buffer.from(pfx.toSchema().toBER(false));
}

const pemBlock = (label: string, der: Buffer) => `-----BEGIN ${label}-----\n${der.toString("base64").match(/.{1,64}/g)!.join("\n")}\n-----END ${label}-----\n`;

/** The PEM the service's `application/x-pem-file` secret holds: the private key, then the certificate. */
export const toPem = (certificateDer: Buffer, keyPkcs8Der: Buffer) => pemBlock("PRIVATE KEY", keyPkcs8Der) + pemBlock("CERTIFICATE", certificateDer);
