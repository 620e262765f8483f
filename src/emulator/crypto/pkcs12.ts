/**
 * A certificate's secret value: PKCS#12 (RFC 7292) or PEM, the certificate with its private key
 * (and the chain that issued it, once merged or imported); and reading an imported PKCS#12.
 *
 * PKCS#12 is made with pkijs (PeculiarVentures, the makers of @peculiar/x509, whose ASN.1 it shares;
 * it runs on Node's WebCrypto and takes any key as PKCS#8, RSA and EC alike — node-forge's PKCS#12
 * knows RSA keys only). As the service's secret, it has no password: the key sits in a plain key bag
 * and the whole is sealed with an HMAC-SHA-256 under the empty password, which OpenSSL (Node's
 * `tls.createSecureContext({ pfx })`, `openssl pkcs12`) and .NET read without asking for one.
 */
import { createHash, webcrypto } from "node:crypto";
import { decryptLegacyPbe, LEGACY_PBE } from "./pkcs12-legacy";

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
const SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2";
const CERT_BAG = "1.2.840.113549.1.12.10.1.3";
const X509_CERT = "1.2.840.113549.1.9.22.1";
const DATA = "1.2.840.113549.1.7.1";
const ENCRYPTED_DATA = "1.2.840.113549.1.7.6";
const PBES2 = "1.2.840.113549.1.5.13";
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

/** A PKCS#12 of the certificate (DER), its key (PKCS#8 DER) and the chain's certificates, without a password. */
export async function toPkcs12(certificateDer: Buffer, keyPkcs8Der: Buffer, chain: Buffer[] = []): Promise<Buffer> {
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
                  ...[certificateDer, ...chain].map((der) => bag(CERT_BAG, new lib.CertBag({ parsedValue: lib.Certificate.fromBER(arrayBuffer(der)) }))),
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

/** The PEM the service's `application/x-pem-file` secret holds: the private key, then the certificate (and its chain). */
export const toPem = (certificateDer: Buffer, keyPkcs8Der: Buffer, chain: Buffer[] = []) =>
  pemBlock("PRIVATE KEY", keyPkcs8Der) + [certificateDer, ...chain].map((der) => pemBlock("CERTIFICATE", der)).join("");

/** What a PKCS#12 holds: its certificates (DER) and private keys (PKCS#8 DER), in the order found. */
interface Pkcs12Contents {
  certificates: Buffer[];
  keys: Buffer[];
}

/**
 * Reads a PKCS#12 under its password ("" for none): checks its MAC where it has one, decrypts its
 * encrypted bags (PBES2 through pkijs, PKCS#12's own 3DES and RC2 PBE through pkcs12-legacy.ts) and
 * collects its certificates and keys. Throws on anything it cannot read, a wrong password included
 * (its MAC or its padding fails).
 */
export async function readPkcs12(bytes: Buffer, password: string): Promise<Pkcs12Contents> {
  const lib = pkijs();
  const utf8 = arrayBuffer(Buffer.from(password, "utf8"));
  const pfx = lib.PFX.fromBER(arrayBuffer(bytes));
  await pfx.parseInternalValues({ password: utf8, checkIntegrity: pfx.macData !== undefined });
  const authenticatedSafe = pfx.parsedValue?.authenticatedSafe;
  if (!authenticatedSafe) throw new Error("The PKCS#12 has no authenticated safe.");

  type Octets = { getValue(): ArrayBuffer };
  /** Decrypts what `algorithm` encrypted: PKCS#12's own PBE here, PBES2 by pkijs (`pbes2`). */
  const decrypt = (algorithm: InstanceType<Pkijs["AlgorithmIdentifier"]>, encrypted: ArrayBuffer, pbes2: () => Promise<ArrayBuffer>): Promise<ArrayBuffer> => {
    if (LEGACY_PBE.has(algorithm.algorithmId)) {
      return Promise.resolve(arrayBuffer(decryptLegacyPbe(algorithm.algorithmId, algorithm.algorithmParams.toBER(false), encrypted, password)));
    }
    if (algorithm.algorithmId !== PBES2) throw new Error(`The PKCS#12 is encrypted with ${algorithm.algorithmId}, which this emulator does not read.`);
    return pbes2();
  };

  const contents: Pkcs12Contents = { certificates: [], keys: [] };
  for (const info of authenticatedSafe.safeContents) {
    let safeContents: InstanceType<Pkijs["SafeContents"]>;
    if (info.contentType === DATA) {
      safeContents = lib.SafeContents.fromBER((info.content as Octets).getValue());
    } else if (info.contentType === ENCRYPTED_DATA) {
      const encrypted = new lib.EncryptedData({ schema: info.content });
      const { contentEncryptionAlgorithm } = encrypted.encryptedContentInfo;
      const plain = await decrypt(contentEncryptionAlgorithm, encrypted.encryptedContentInfo.getEncryptedContent(), () => encrypted.decrypt({ password: utf8 }));
      safeContents = lib.SafeContents.fromBER(plain);
    } else {
      throw new Error("The PKCS#12 holds content sealed to a certificate (EnvelopedData), which needs a recipient's key.");
    }
    for (const safeBag of safeContents.safeBags) {
      if (safeBag.bagId === KEY_BAG) {
        contents.keys.push(Buffer.from((safeBag.bagValue as InstanceType<Pkijs["PrivateKeyInfo"]>).toSchema().toBER(false)));
      } else if (safeBag.bagId === SHROUDED_KEY_BAG) {
        const shrouded = safeBag.bagValue as InstanceType<Pkijs["PKCS8ShroudedKeyBag"]>;
        const pbes2 = () => {
          const encryptedContentInfo = new lib.EncryptedContentInfo({ contentType: DATA, contentEncryptionAlgorithm: shrouded.encryptionAlgorithm, encryptedContent: shrouded.encryptedData });
          return lib.getCrypto(true).decryptEncryptedContentInfo({ password: utf8, encryptedContentInfo });
        };
        contents.keys.push(Buffer.from(await decrypt(shrouded.encryptionAlgorithm, shrouded.encryptedData.getValue(), pbes2)));
      } else if (safeBag.bagId === CERT_BAG) {
        const certBag = safeBag.bagValue as InstanceType<Pkijs["CertBag"]>;
        if (certBag.certId !== X509_CERT) continue; // SDSI certificates, which no client sends
        contents.certificates.push(Buffer.from((certBag.certValue as Octets).getValue()));
      }
    }
  }
  return contents;
}
