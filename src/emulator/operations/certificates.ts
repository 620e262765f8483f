/**
 * Creating, reading and updating certificates: what is a certificate's own (its policy, its pending
 * operation, its key and secret). Listing, deleting, recovering and purging are every kind's
 * (objects.ts, lifecycle.ts: a certificate's key and secret go and come back with it).
 *
 * A create is a long-running operation, as on the service: POST /certificates/{name}/create answers
 * 202 with the pending operation, which the SDK's poller reads at /certificates/{name}/pending until
 * it is no longer "inProgress", then reads the certificate. The key is made as every key is
 * (ctx.keygen); a `Self` issuer's certificate is signed with it at once, and answered as issued
 * once the vault's `issueDelayMs` has passed. An `Unknown` issuer's stays pending until a merge
 * (certificate-operation.ts, with cancelling and deleting an operation; importing: certificate-import.ts).
 */
import { randomBytes, X509Certificate } from "node:crypto";
import { addMonths, BACKDATE_SECONDS, makeCsr, makeSelfSigned, pkcs8Der } from "../crypto/certificate";
import { DEFAULT_KEY_OPS, type PrivateJwk } from "../crypto/key-material";
import { toPem, toPkcs12 } from "../crypto/pkcs12";
import { ok, type Operation, type VaultContext } from "../context";
import { nameHeldByUnmanaged } from "../errors";
import { addVersion, assertNameNotDeleted, assertNotBeingRecovered, assertRoomFor, BACKING, findObject, findVersion, isManaged, newVersionFields, updateVersion, versionInput } from "../lifecycle";
import { type ObjectKind, type StoredCertificate, type StoredCertificateOperation, type StoredCertificatePolicy, type StoredCertificateVersion, type StoredKeyVersion, type StoredSecretVersion } from "../model";
import { LATEST_API_VERSION } from "../server";
import { bodyObject, checkName, optionalObject, type Json } from "../validate";
import { operationInProgress, pendingNotFound } from "./certificate-errors";
import { assertIssuerKnown } from "./certificate-issuers";
import { PEM, readPolicy } from "./certificate-policy";

export const checkCertificateName = (name: string) => checkName("certificates", name);

/** The service asks a poller to come back in 10 s (recorded: Retry-After on the 202 and each poll). */
const RETRY_AFTER_SECONDS = "10";

/** What backs a certificate (lifecycle.ts): its key and its secret. */
const CERTIFICATE_BACKING = BACKING.certificates!;

/** A certificate takes its name in three collections: its own, its key's and its secret's. */
export function assertNameFree(ctx: VaultContext, name: string): void {
  for (const kind of ["certificates", ...CERTIFICATE_BACKING] satisfies ObjectKind[]) {
    assertNameNotDeleted(ctx, kind, name);
    assertNotBeingRecovered(ctx, kind, name);
    assertRoomFor(ctx, kind, name);
    if (kind === "certificates") continue;
    const existing = ctx.store.of(kind).live.get(name);
    if (existing && !isManaged(existing)) throw nameHeldByUnmanaged(kind, name);
  }
}

/** A pending operation in progress holds its name: no new version is created or imported meanwhile (certificate-errors.ts). */
export function assertNoOperationInProgress(ctx: VaultContext, name: string): void {
  const certificate = ctx.store.of("certificates").live.get(name);
  if (certificate?.operation && operationStatus(ctx, certificate) === "inProgress") throw operationInProgress();
}

/** The secret's value: the certificate with its private key (and its chain), as the policy's content type says. */
export async function secretValue(policy: StoredCertificatePolicy, der: Buffer, jwk: PrivateJwk, chain: Buffer[] = []): Promise<string> {
  const key = pkcs8Der(jwk);
  return policy.secret_props.contentType === PEM ? toPem(der, key, chain) : (await toPkcs12(der, key, chain)).toString("base64");
}

/**
 * The operation's status now: a `Self` issuer's completes once its version's moment has passed; one
 * whose cancellation was asked for is cancelled once that moment (or a cancellation's) has passed.
 */
export function operationStatus(ctx: VaultContext, certificate: StoredCertificate): StoredCertificateOperation["status"] {
  const op = certificate.operation!;
  if (op.status !== "inProgress") return op.status;
  const version = certificate.versions.find((v) => v.version === op.version);
  if (op.cancellationRequested) return version?.readyAtMs !== undefined && ctx.clock.nowMs() < version.readyAtMs ? "inProgress" : "cancelled";
  return version && !ctx.wire.isIssuing(version) ? "completed" : "inProgress";
}

/** The operation's answer; while it is in progress, Retry-After, and on the create's 202 where to poll (recorded: no Location on a poll). */
function operationAnswer(ctx: VaultContext, certificate: StoredCertificate, status = 200) {
  const now = operationStatus(ctx, certificate);
  return {
    status,
    body: ctx.wire.certificateOperation(certificate.name, certificate.operation!, now),
    headers:
      now === "inProgress"
        ? {
            ...(status === 202 && { Location: `${ctx.vaultUrl}/certificates/${certificate.name}/pending?api-version=${LATEST_API_VERSION}&request_id=${certificate.operation!.requestId}` }),
            "Retry-After": RETRY_AFTER_SECONDS,
          }
        : undefined,
  };
}

export const createCertificate: Operation = async (ctx, req) => {
  const name = checkCertificateName(req.params.name);
  const body = bodyObject(req.body);
  const now = ctx.clock.nowSeconds();
  const existing = ctx.store.of("certificates").live.get(name);
  const policy = readPolicy(body.policy, now, existing?.policy);
  const input = versionInput("certificates", { attributes: optionalObject(body, "attributes"), tags: (body as Json).tags });
  assertIssuerKnown(ctx, policy.issuer.name);
  assertNameFree(ctx, name);
  assertNoOperationInProgress(ctx, name);
  const { key_props: keyProps } = policy;
  const jwk = await ctx.keygen.generate(keyProps.kty === "RSA" ? { kty: "RSA", size: keyProps.key_size } : { kty: "EC", crv: keyProps.crv as "P-256" });
  const csr = await makeCsr(jwk, policy);
  const self = policy.issuer.name === "Self";
  const der = self ? await makeSelfSigned(jwk, policy, ctx.clock.nowSeconds()) : undefined;
  const value = der ? await secretValue(policy, der, jwk) : undefined;
  // Checked again, after the last await: the name may have been taken while the key, the
  // certificate and its secret were being made. From here on nothing waits, so the three are
  // written together or not at all.
  assertNameFree(ctx, name);
  assertNoOperationInProgress(ctx, name);

  const fields = newVersionFields(ctx, input);
  // A pending version has the validity it asks for (recorded: can_merge_a_self_signed_certificate, its GET while pending).
  const validity = der ? validitySeconds(der) : requestedValidity(policy, ctx.clock.nowSeconds());
  const version: StoredCertificateVersion = { ...fields, ...validity, cer: der?.toString("base64") };
  const backing = { ...fields, ...validity, tags: undefined, managed: true };
  const keyVersion: StoredKeyVersion = { ...backing, jwk, keyOps: [...DEFAULT_KEY_OPS[jwk.kty]], exportable: keyProps.exportable };
  addVersion(ctx, "keys", name, keyVersion);
  if (value !== undefined) {
    const secretVersion: StoredSecretVersion = { ...backing, value, contentType: policy.secret_props.contentType };
    addVersion(ctx, "secrets", name, secretVersion);
  }
  // The issuing moment starts with the answer (after every await), so the 202 always says "inProgress".
  if (self) version.readyAtMs = ctx.clock.nowMs() + ctx.settings.issueDelayMs;
  const certificate = addVersion(ctx, "certificates", name, version);
  certificate.policy = policy;
  certificate.operation = {
    requestId: randomBytes(16).toString("hex"),
    issuer: policy.issuer.name,
    csr: csr.toString("base64"),
    version: version.version,
    cancellationRequested: false,
    status: "inProgress",
  };
  ctx.store.of("certificates").live.changed(name);
  return operationAnswer(ctx, certificate, 202);
};

/** What a pending version (no certificate yet) answers as its validity: its policy's, from ten minutes ago. */
function requestedValidity(policy: StoredCertificatePolicy, now: number): { nbf: number; exp: number } {
  return { nbf: now - BACKDATE_SECONDS, exp: Math.floor(addMonths(new Date(now * 1000), policy.x509_props.validity_months).getTime() / 1000) };
}

/**
 * A certificate as a restore brings it back (recorded: can_restore_a_certificate): without its create
 * operation (the answer names no pending), and its policy without an empty `sans`, which the service
 * does not keep through a backup.
 */
export function asRestoredCertificate(certificate: StoredCertificate): void {
  delete certificate.operation;
  const { sans } = certificate.policy.x509_props;
  if (sans && !Object.values(sans).some((names) => names && names.length > 0)) delete certificate.policy.x509_props.sans;
}

/** nbf and exp, as the certificate says (the service's attributes carry its validity). */
export function validitySeconds(der: Buffer): { nbf: number; exp: number } {
  const cert = new X509Certificate(der);
  return { nbf: Math.floor(Date.parse(cert.validFrom) / 1000), exp: Math.floor(Date.parse(cert.validTo) / 1000) };
}

export const getCertificateOperation: Operation = (ctx, req) => {
  const certificate = findObject(ctx, "certificates", checkCertificateName(req.params.name));
  // A request_id is a filter: another operation's id is answered as no operation (learn.microsoft.com,
  // "Monitor and manage certificate creation").
  const requestId = req.query.get("request_id");
  if (!certificate.operation || (requestId && requestId !== certificate.operation.requestId)) throw pendingNotFound(certificate.name);
  return operationAnswer(ctx, certificate);
};

export const getCertificate: Operation = (ctx, req) => {
  const { object, version } = findVersion(ctx, "certificates", checkCertificateName(req.params.name), req.params.version);
  return ok(ctx.wire.certificateBundle(object, version));
};

/** Properties only: enabled, nbf/exp are the certificate's own; tags. The key's and secret's follow `enabled`. */
export const updateCertificate: Operation = (ctx, req) => {
  const body = bodyObject(req.body);
  const { object, version } = findVersion(ctx, "certificates", checkCertificateName(req.params.name), req.params.version);
  updateVersion(ctx, "certificates", object, version, { attributes: optionalObject(body, "attributes") && { enabled: (body.attributes as Json).enabled }, tags: body.tags });
  if (body.policy !== undefined) object.policy = readPolicy(body.policy, ctx.clock.nowSeconds(), object.policy);
  for (const kind of CERTIFICATE_BACKING) {
    const backing = ctx.store.of(kind).live.get(object.name);
    const same = backing?.versions.find((v) => v.version === version.version);
    if (backing && same && isManaged(backing)) updateVersion(ctx, kind, backing as never, same as never, { attributes: { enabled: version.enabled } });
  }
  return ok(ctx.wire.certificateBundle(object, version));
};

export const getCertificatePolicy: Operation = (ctx, req) => {
  const certificate = findObject(ctx, "certificates", checkCertificateName(req.params.name));
  return ok(ctx.wire.certificatePolicy(certificate.name, certificate.policy));
};

/** The fields an update gives change; the others are kept (recorded: can_update_a_certificates_policy). */
export const updateCertificatePolicy: Operation = (ctx, req) => {
  const certificate = findObject(ctx, "certificates", checkCertificateName(req.params.name));
  certificate.policy = readPolicy(bodyObject(req.body), ctx.clock.nowSeconds(), certificate.policy);
  ctx.store.of("certificates").live.changed(certificate.name);
  return ok(ctx.wire.certificatePolicy(certificate.name, certificate.policy));
};
