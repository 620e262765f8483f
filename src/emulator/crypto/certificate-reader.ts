/**
 * What an X.509 certificate says, read with @peculiar/x509 in the terms of a Key Vault policy: the
 * subject as the service writes it for an imported certificate, the SANs, key usages, EKUs, whether it
 * is a CA, its validity in seconds and in the service's months, and its public key, which ties it to
 * a private key (an import's) or to a pending version's key (a merge's).
 */
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import type { StoredCertificatePolicy } from "../model";
import { KEY_USAGE_BITS, x509 } from "./certificate";

export interface CertificateFacts {
  /** The subject as the service answers an imported certificate's: "O=Contoso, S=WA, C=US" (recorded). */
  subject: string;
  sans: StoredCertificatePolicy["x509_props"]["sans"];
  keyUsage: string[];
  ekus: string[];
  ca: boolean;
  nbf: number;
  exp: number;
  validityMonths: number;
}

/**
 * The service writes an imported certificate's subject as .NET's X500DistinguishedName does: the
 * relative names last first, ", " between them, "S" for a state (recorded:
 * test_import_certificate_password_encoded_no_policy, "O=Internet Widgits Pty Ltd, S=Some-State, C=AU"
 * for a certificate whose subject is C=AU, ST=Some-State, O=...).
 */
const DOTNET_NAMES: Record<string, string> = { ST: "S" };

/** A value with a separator, quote or leading/trailing space in it is quoted, its quotes doubled (as .NET writes it). */
const quoted = (value: string) => (/[,+=";<>#\n\r]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

function serviceSubject(der: Buffer): string {
  const lib = x509();
  const name = new lib.X509Certificate(der).subjectName.toJSON();
  return name
    .map((rdn) =>
      Object.entries(rdn)
        .flatMap(([type, values]) => values.map((value) => `${DOTNET_NAMES[type] ?? type}=${quoted(value)}`))
        .join(" + "),
    )
    .reverse()
    .join(", ");
}

/**
 * A validity in the policy's months, as the service counts an imported certificate's: 365 days are 12
 * months, 36,500 days 1,197 (recorded: can_import_a_certificate_from_a_certificates_base64_secret_value,
 * test_import_certificate_password_encoded_no_policy) — months of 30.5 days, rounded, at least one.
 */
export const validityMonths = (nbf: number, exp: number) => Math.max(1, Math.round((exp - nbf) / 86_400 / 30.5));

export function readCertificate(der: Buffer): CertificateFacts {
  const lib = x509();
  const cert = new lib.X509Certificate(der);
  const keyUsage = cert.getExtension(lib.KeyUsagesExtension);
  const eku = cert.getExtension(lib.ExtendedKeyUsageExtension);
  const basic = cert.getExtension(lib.BasicConstraintsExtension);
  const san = cert.getExtension(lib.SubjectAlternativeNameExtension);
  const sans: CertificateFacts["sans"] = {};
  const field = { dns: "dns_names", email: "emails", url: "uris", ip: "ipAddresses", upn: "upns" } as const;
  for (const { type, value } of san?.names.toJSON() ?? []) {
    const key = field[type as keyof typeof field];
    if (key) (sans[key] ??= []).push(value);
  }
  const nbf = Math.floor(cert.notBefore.getTime() / 1000);
  const exp = Math.floor(cert.notAfter.getTime() / 1000);
  return {
    subject: serviceSubject(der),
    sans,
    keyUsage: keyUsage ? Object.entries(KEY_USAGE_BITS).filter(([, bit]) => (keyUsage.usages & bit) !== 0).map(([usage]) => usage) : [],
    ekus: eku ? eku.usages.map(String) : [],
    ca: basic?.ca ?? false,
    nbf,
    exp,
    validityMonths: validityMonths(nbf, exp),
  };
}

/** The certificate's public key, SPKI DER: equal for a certificate and the private key it was issued for. */
export const certificatePublicKey = (der: Buffer): Buffer => new X509Certificate(der).publicKey.export({ format: "der", type: "spki" });

/** A private key's public half, SPKI DER (`key` is PKCS#8 DER). */
export const privateKeyPublicKey = (pkcs8: Buffer): Buffer =>
  createPublicKey(createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" })).export({ format: "der", type: "spki" });
