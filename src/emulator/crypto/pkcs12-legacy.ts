/**
 * PKCS#12's own password-based encryption (RFC 7292 Appendix B and C: pbeWithSHAAnd3-KeyTripleDES-CBC,
 * pbeWithSHAAnd40BitRC2-CBC), which pkijs does not decrypt (it reads PBES2 only). These are what
 * Windows, .NET and Key Vault's own PKCS#12 secrets use (recorded: a certificate's secret, its key and
 * certificate bags under 3-key 3DES) and what `openssl pkcs12 -export -legacy` makes (RC2-40 for the
 * certificates). Node's OpenSSL has no RC2 without its legacy provider, so node-forge decrypts them.
 */
/** The part of node-forge used here (it ships no types of its own; it speaks "binary strings"). */
interface ForgeBuffer {
  getBytes(): string;
}
interface Forge {
  asn1: { fromDer(bytes: string): unknown };
  util: { createBuffer(bytes: string): ForgeBuffer };
  pki: { pbe: { getCipher(oid: string, params: unknown, password: string): { update(data: ForgeBuffer): void; finish(): boolean; output: ForgeBuffer } } };
}
let loaded: Forge | undefined;

/** Loaded on first use: most vaults never import a legacy PKCS#12. */
const forge = (): Forge => (loaded ??= require("node-forge") as Forge);

/** The PBE algorithms of RFC 7292 Appendix C that node-forge decrypts. */
export const LEGACY_PBE = new Set(["1.2.840.113549.1.12.1.3", "1.2.840.113549.1.12.1.6"]);

const binary = (bytes: ArrayBuffer | Uint8Array) => Buffer.from(bytes as Uint8Array).toString("binary");

/**
 * Decrypts `encrypted` with the PBE algorithm `oid` and its DER parameters (salt, iterations) under
 * the password, as a PKCS#12 EncryptedData or a shrouded key bag holds it. Throws on a wrong password
 * (the padding does not check out) or an algorithm it does not know.
 */
export function decryptLegacyPbe(oid: string, paramsDer: ArrayBuffer, encrypted: ArrayBuffer, password: string): Buffer {
  const lib = forge();
  const cipher = lib.pki.pbe.getCipher(oid, lib.asn1.fromDer(binary(paramsDer)), password);
  cipher.update(lib.util.createBuffer(binary(encrypted)));
  if (!cipher.finish()) throw new Error("The PKCS#12 content does not decrypt under this password.");
  return Buffer.from(cipher.output.getBytes(), "binary");
}
