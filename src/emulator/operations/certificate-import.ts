/**
 * POST /certificates/{name}/import `{value, pwd?, policy?, attributes?, tags?}`: a certificate issued
 * elsewhere, with its private key, becomes a version of its own — its key the managed key (which signs
 * what the certificate's public key verifies), its secret the certificate with its key (and chain) in
 * the policy's content type, without the import's password.
 *
 * As the service reads it: the value is a base64 PKCS#12 unless the body's policy says
 * application/x-pem-file (the service does not sniff: azure-sdk-for-net#13043; @azure/keyvault-certificates
 * 4.10.3 sends no policy at all, so its PEM imports are read as PKCS#12, on the service as here); a
 * policy given must name its content type. The policy is the certificate's own facts (subject, SANs,
 * key, usages, validity) with the body's policy over them, its issuer `Unknown` and its lifetime action
 * EmailContacts (recorded: can_import_a_certificate_from_a_certificates_base64_secret_value,
 * test_import_certificate_password_encoded_no_policy). An import replaces a pending operation that is
 * not in progress. Bad input is refused before anything is written.
 */
import { createPrivateKey, type JsonWebKey } from "node:crypto";
import { ok, type Operation } from "../context";
import { ContentError, readPemContent, readPkcs12Content, type CertificateContent } from "../crypto/certificate-content";
import { readCertificate, type CertificateFacts } from "../crypto/certificate-reader";
import { DEFAULT_KEY_OPS, importPrivateJwk, keySizeBits, type PrivateJwk } from "../crypto/key-material";
import { badParameter } from "../errors";
import { addVersion, newVersionFields, versionInput } from "../lifecycle";
import type { StoredCertificatePolicy, StoredCertificateVersion, StoredKeyVersion, StoredSecretVersion } from "../model";
import { bodyObject, optionalObject, optionalString, requiredString, type Json } from "../validate";
import { contentError, expiredImport, importPolicyInvalid } from "./certificate-errors";
import { CERTIFICATE_CURVES, PEM, PKCS12, readPolicy } from "./certificate-policy";
import { assertNameFree, assertNoOperationInProgress, checkCertificateName, secretValue } from "./certificates";

/** The content type the body's policy names: PKCS#12 without a policy; a policy must name one. */
function contentTypeOf(policy: unknown): string {
  if (policy === undefined || policy === null) return PKCS12;
  if (typeof policy !== "object" || Array.isArray(policy)) throw importPolicyInvalid();
  const secretProps = (policy as Json).secret_props;
  const contentType = typeof secretProps === "object" && secretProps !== null ? (secretProps as Json).contentType : undefined;
  if (contentType !== PKCS12 && contentType !== PEM) throw importPolicyInvalid();
  return contentType;
}

/**
 * A PEM import's value: the PEM text (as the JS SDK and the Azure CLI send it) or the base64 of that
 * text (the Python SDK base64-encodes every import's bytes; its own sample import_certificate.py
 * imports a PEM file so, with the PEM content type).
 */
function pemText(value: string): string {
  if (value.includes("-----BEGIN") || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return value;
  const text = Buffer.from(value, "base64").toString("utf8");
  return text.includes("-----BEGIN") ? text : value;
}

async function readContent(contentType: string, value: string, password: string): Promise<CertificateContent> {
  try {
    return contentType === PEM ? readPemContent(pemText(value), password) : await readPkcs12Content(value, password);
  } catch (error) {
    throw error instanceof ContentError ? contentError(error.problem) : error;
  }
}

/** The key as the vault keeps it: RSA 2048-4096 or EC P-256/384/521, as a certificate's key is. */
function keyOf(pkcs8: Buffer): PrivateJwk {
  const jwk = importPrivateJwk(createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }).export({ format: "jwk" }) as JsonWebKey);
  if (jwk.kty === "EC" && !CERTIFICATE_CURVES.includes(jwk.crv!)) {
    throw badParameter(`Unsupported curve for a certificate's key: ${jwk.crv}. Import a certificate whose key is on ${CERTIFICATE_CURVES.join(", ")}.`);
  }
  return jwk;
}

/** The policy an imported certificate has: its own facts, the body's policy (if any) over them, its key always its own. */
function importedPolicy(input: unknown, facts: CertificateFacts, jwk: PrivateJwk, contentType: string, now: number): StoredCertificatePolicy {
  const key_props: StoredCertificatePolicy["key_props"] =
    jwk.kty === "RSA"
      ? { exportable: true, kty: "RSA", key_size: keySizeBits(jwk), reuse_key: false }
      : { exportable: true, kty: "EC", crv: jwk.crv, reuse_key: false };
  const hasSans = Object.keys(facts.sans ?? {}).length > 0;
  const derived: StoredCertificatePolicy = {
    key_props,
    secret_props: { contentType },
    x509_props: {
      subject: facts.subject,
      ...(hasSans ? { sans: facts.sans } : {}),
      ekus: facts.ekus,
      key_usage: facts.keyUsage,
      validity_months: facts.validityMonths,
      basic_constraints: { ca: facts.ca },
    },
    lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: "EmailContacts" } }],
    issuer: { name: "Unknown" },
    enabled: true,
    created: now,
    updated: now,
  };
  if (input === undefined || input === null) return derived;
  const policy = readPolicy(input, now, derived);
  const { kty, key_size, crv } = key_props;
  policy.key_props = { exportable: policy.key_props.exportable, kty, ...(kty === "RSA" ? { key_size } : { crv }), reuse_key: policy.key_props.reuse_key };
  return policy;
}

export const importCertificate: Operation = async (ctx, req) => {
  const name = checkCertificateName(req.params.name);
  const body = bodyObject(req.body);
  const value = requiredString(body, "value");
  const password = optionalString(body, "pwd") ?? "";
  const contentType = contentTypeOf(body.policy);
  const attributes = optionalObject(body, "attributes");
  const input = versionInput("certificates", { attributes: attributes && { enabled: (attributes as Json).enabled }, tags: body.tags });
  assertNameFree(ctx, name);
  assertNoOperationInProgress(ctx, name);

  const content = await readContent(contentType, value, password);
  const jwk = keyOf(content.key);
  const facts = readCertificate(content.leaf);
  const now = ctx.clock.nowSeconds();
  if (facts.exp <= now) throw expiredImport(new Date(facts.exp * 1000));
  const policy = importedPolicy(body.policy, facts, jwk, contentType, now);
  const secret = await secretValue(policy, content.leaf, jwk, content.chain);
  // Checked again after the last wait, as a create does: from here on the three are written together.
  assertNameFree(ctx, name);
  assertNoOperationInProgress(ctx, name);

  const fields = { ...newVersionFields(ctx, input), nbf: facts.nbf, exp: facts.exp };
  const backing = { ...fields, tags: undefined, managed: true };
  const keyVersion: StoredKeyVersion = { ...backing, jwk, keyOps: [...DEFAULT_KEY_OPS[jwk.kty]], exportable: policy.key_props.exportable };
  const secretVersion: StoredSecretVersion = { ...backing, value: secret, contentType };
  const version: StoredCertificateVersion = { ...fields, cer: content.leaf.toString("base64") };
  addVersion(ctx, "keys", name, keyVersion);
  addVersion(ctx, "secrets", name, secretVersion);
  const certificate = addVersion(ctx, "certificates", name, version);
  certificate.policy = policy;
  delete certificate.operation;
  ctx.store.of("certificates").live.changed(name);
  return ok(ctx.wire.certificateBundle(certificate, version));
};
