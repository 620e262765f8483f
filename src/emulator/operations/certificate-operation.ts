/**
 * A certificate's pending operation (`/certificates/{name}/pending`) beyond reading it (certificates.ts):
 * cancelling it, deleting it, and merging into it the certificate an outside CA signed for its CSR.
 *
 * As the service does (recorded: can_read_cancel_and_delete_a_certificates_operation,
 * test_async_request_cancellation_and_deletion; learn.microsoft.com, "Monitor and manage certificate
 * creation"): a cancellation is only asked for — the operation answers inProgress with
 * cancellation_requested, then cancelled, and its version is never issued (it stays disabled, without
 * a certificate); a deleted operation answers 404 PendingCertificateNotFound; a merge completes an
 * `Unknown` issuer's operation (or a cancelled one) with the certificate whose public key is the pending
 * version's key, its chain going into the secret.
 */
import type { KeyObject } from "node:crypto";
import { ok, type Operation, type VaultContext, type VaultResponse } from "../context";
import { ContentError, readX5c } from "../crypto/certificate-content";
import { publicKeyObject } from "../crypto/key-material";
import { badParameter, nameHeldByUnmanaged } from "../errors";
import { addVersion, assertNameNotDeleted, assertRoomFor, findObject, isManaged, updateVersion } from "../lifecycle";
import { LATEST_API_VERSION } from "../server";
import type { StoredCertificate, StoredCertificateVersion, StoredKeyVersion, StoredSecretVersion } from "../model";
import { bodyObject, optionalBoolean, optionalObject, type Json } from "../validate";
import { cancelNotInProgress, contentError, mergeCompleted, mergeWhileIssuing, pendingNotFound } from "./certificate-errors";
import { checkCertificateName, operationStatus, secretValue, validitySeconds } from "./certificates";

/** The certificate of that name and its pending operation, or the service's 404s. */
function withOperation(ctx: VaultContext, name: string): StoredCertificate & { operation: NonNullable<StoredCertificate["operation"]> } {
  const certificate = findObject(ctx, "certificates", checkCertificateName(name));
  if (!certificate.operation) throw pendingNotFound(certificate.name);
  return certificate as StoredCertificate & { operation: NonNullable<StoredCertificate["operation"]> };
}

/** The operation as it stands, answered without the 202's Location and Retry-After (recorded: the PATCH's and DELETE's answers). */
const operationBody = (ctx: VaultContext, certificate: StoredCertificate): VaultResponse =>
  ok(ctx.wire.certificateOperation(certificate.name, certificate.operation!, operationStatus(ctx, certificate)));

const pendingVersion = (certificate: StoredCertificate): StoredCertificateVersion | undefined =>
  certificate.versions.find((v) => v.version === certificate.operation?.version);

/** Removes the secret version a pending version made ahead of its issuing (a `Self` issuer's), leaving the others. */
function dropSecretVersion(ctx: VaultContext, name: string, version: string): void {
  const secrets = ctx.store.of("secrets").live;
  const secret = secrets.get(name);
  if (!secret || !isManaged(secret) || !secret.versions.some((v) => v.version === version)) return;
  secret.versions = secret.versions.filter((v) => v.version !== version);
  if (secret.versions.length === 0) secrets.remove(name);
  else secrets.changed(name);
}

/**
 * PATCH /certificates/{name}/pending `{cancellation_requested}`. A request to cancel is kept, and the
 * operation is cancelled when the version's issuing moment ends (an `Unknown` issuer's: a moment from
 * now); the version never gets its certificate or secret.
 */
export const updateCertificateOperation: Operation = (ctx, req) => {
  const body = bodyObject(req.body);
  const requested = optionalBoolean(body, "cancellation_requested");
  if (requested === undefined) throw badParameter("Property 'cancellation_requested' is required: true asks the pending operation to stop.");
  const certificate = withOperation(ctx, req.params.name);
  const status = operationStatus(ctx, certificate);
  if (status !== "inProgress") throw cancelNotInProgress(status);
  if (requested && !certificate.operation.cancellationRequested) {
    certificate.operation.cancellationRequested = true;
    const version = pendingVersion(certificate);
    if (version) {
      version.readyAtMs ??= ctx.clock.nowMs() + ctx.settings.issueDelayMs;
      delete version.cer;
      dropSecretVersion(ctx, certificate.name, version.version);
    }
    ctx.store.of("certificates").live.changed(certificate.name);
  }
  return operationBody(ctx, certificate);
};

/** DELETE /certificates/{name}/pending: answers the operation as it stood, then it is gone (its certificate stays). */
export const deleteCertificateOperation: Operation = (ctx, req) => {
  const certificate = withOperation(ctx, req.params.name);
  const answer = operationBody(ctx, certificate);
  delete (certificate as StoredCertificate).operation;
  ctx.store.of("certificates").live.changed(certificate.name);
  return answer;
};

/** x5c: a non-empty array of strings, or the service's answer to an x5c with no valid item. */
function readX5cItems(body: Json): string[] {
  const items = body.x5c;
  if (!Array.isArray(items) || items.length === 0 || items.some((item) => typeof item !== "string")) throw contentError("x5cEmpty");
  return items as string[];
}

/** The pending version's key, whose public half the merged certificate must carry. */
function pendingKey(ctx: VaultContext, certificate: StoredCertificate, version: string): { jwk: StoredKeyVersion["jwk"]; publicKey: KeyObject; keyVersion: StoredKeyVersion } {
  const key = ctx.store.of("keys").live.get(certificate.name);
  const keyVersion = key?.versions.find((v) => v.version === version);
  if (!keyVersion) throw pendingNotFound(certificate.name);
  return { jwk: keyVersion.jwk, publicKey: publicKeyObject(keyVersion.jwk), keyVersion };
}

/** What must hold for a merge into `certificate`, checked before and again after the secret is made. */
function assertMergeable(ctx: VaultContext, certificate: StoredCertificate & { operation: object }): void {
  const status = operationStatus(ctx, certificate);
  const op = certificate.operation as NonNullable<StoredCertificate["operation"]>;
  if (status === "completed") throw mergeCompleted(certificate.name);
  if (status === "inProgress" && op.issuer !== "Unknown") throw mergeWhileIssuing(op.issuer);
  assertNameNotDeleted(ctx, "secrets", certificate.name);
  const secret = ctx.store.of("secrets").live.get(certificate.name);
  if (secret && !isManaged(secret)) throw nameHeldByUnmanaged("secrets", certificate.name);
  assertRoomFor(ctx, "secrets", certificate.name);
}

/**
 * POST /certificates/{name}/pending/merge `{x5c, attributes?, tags?}`: 201 with the certificate, its
 * Location the certificate's (recorded: can_merge_a_self_signed_certificate).
 */
export const mergeCertificate: Operation = async (ctx, req) => {
  const body = bodyObject(req.body);
  const certificate = withOperation(ctx, req.params.name);
  const op = certificate.operation;
  assertMergeable(ctx, certificate);
  const items = readX5cItems(body);
  const version = pendingVersion(certificate);
  if (!version) throw pendingNotFound(certificate.name);
  const { jwk, publicKey, keyVersion } = pendingKey(ctx, certificate, version.version);
  let merged: { leaf: Buffer; chain: Buffer[] };
  try {
    merged = readX5c(items, publicKey.export({ format: "der", type: "spki" }));
  } catch (error) {
    throw error instanceof ContentError ? contentError(error.problem) : error;
  }
  const attributes = optionalObject(body, "attributes");
  const value = await secretValue(certificate.policy, merged.leaf, jwk, merged.chain);

  // Checked again after the wait: the certificate, its operation and the secret's name are as they were.
  const again = withOperation(ctx, certificate.name);
  if (again !== certificate || again.operation.requestId !== op.requestId) throw pendingNotFound(certificate.name);
  assertMergeable(ctx, certificate);

  const validity = validitySeconds(merged.leaf);
  version.cer = merged.leaf.toString("base64");
  delete version.readyAtMs;
  Object.assign(version, validity);
  updateVersion(ctx, "certificates", certificate, version, { attributes: attributes && { enabled: (attributes as Json).enabled }, tags: body.tags });
  Object.assign(keyVersion, validity);
  ctx.store.of("keys").live.changed(certificate.name);
  const { enabled, created, updated } = version;
  const secretVersion: StoredSecretVersion = { version: version.version, enabled, ...validity, created, updated, managed: true, value, contentType: certificate.policy.secret_props.contentType };
  addVersion(ctx, "secrets", certificate.name, secretVersion);
  op.status = "completed";
  op.cancellationRequested = false;
  ctx.store.of("certificates").live.changed(certificate.name);
  return {
    status: 201,
    body: ctx.wire.certificateBundle(certificate, version),
    headers: { Location: `${ctx.vaultUrl}/certificates/${certificate.name}?api-version=${LATEST_API_VERSION}` },
  };
};
