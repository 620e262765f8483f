/**
 * Every route of the vault in one table: method, path, the operation that answers it, and the
 * permission it needs — as an RBAC data action and as an access-policy permission of its kind — so
 * that an injected 403 names what a real vault would (and the doctor can tell the learner what to
 * grant), and what the throttle counts it as.
 */
import type { Operation } from "./context";
import { backupOperations } from "./operations/backup";
import * as crypto from "./operations/key-crypto";
import * as keys from "./operations/keys";
import { objectOperations } from "./operations/objects";
import * as rng from "./operations/rng";
import * as rotation from "./operations/rotation";
import * as secrets from "./operations/secrets";
import * as certificates from "./operations/certificates";
import * as issuers from "./operations/certificate-issuers";
import { importCertificate } from "./operations/certificate-import";
import * as certificateOperation from "./operations/certificate-operation";
import { methodNotAllowed, operationNotSpecified } from "./errors";
import type { ObjectKind } from "./model";

export interface Route {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Segments; ":name" captures one, ":version?" one that may be empty or absent, ":name=" one that may be empty. */
  path: string;
  operation: string;
  handler: Operation;
  /** RBAC data action under Microsoft.KeyVault/vaults/. */
  dataAction: string;
  /** The access-policy permission, e.g. "get"; of the route's `kind` ("keys get", "secrets get"). */
  permission: string;
  /** Whose permission it is: an access policy grants key, secret and certificate permissions apart. */
  kind: ObjectKind;
  /** Which of the service's transaction limits the request counts against (faults.ts). */
  throttle?: ThrottleBucket;
}

/**
 * The service's limits per vault per 10 s, by transaction type (learn.microsoft.com, Key Vault service
 * limits): creating a software key (20 for RSA-2048), and every secret transaction (4,000). The rest
 * (other key operations, 4,000) is not throttled here.
 */
export type ThrottleBucket = "keyCreates" | "secretTransactions";

const keyRoute = (route: Omit<Route, "kind">): Route => ({ kind: "keys", ...route });
/** Every secret operation is one secret transaction. */
const secretRoute = (route: Omit<Route, "kind" | "throttle">): Route => ({ kind: "secrets", throttle: "secretTransactions", ...route });

/**
 * A certificate's routes: RBAC's certificates/* data actions ("Key Vault Certificates Officer"), the
 * access policy's certificate permissions. A create makes a key: it counts against the key creates.
 */
const certificateRoute = (route: Omit<Route, "kind">): Route => ({ kind: "certificates", ...route });

const keyObjects = objectOperations("keys");
const keyBackup = backupOperations("keys");
const secretObjects = objectOperations("secrets");
const secretBackup = backupOperations("secrets");
const certificateObjects = objectOperations("certificates");
const certificateBackup = backupOperations("certificates");

export const ROUTES: Route[] = [
  keyRoute({ method: "GET", path: "/keys", operation: "getKeys", handler: keyObjects.list, dataAction: "keys/read", permission: "list" }),
  keyRoute({ method: "POST", path: "/keys/restore", operation: "restoreKey", handler: keyBackup.restore, dataAction: "keys/restore/action", permission: "restore" }),
  keyRoute({ method: "POST", path: "/keys/:name/create", operation: "createKey", handler: keys.createKey, dataAction: "keys/create/action", permission: "create", throttle: "keyCreates" }),
  keyRoute({ method: "PUT", path: "/keys/:name", operation: "importKey", handler: keys.importKey, dataAction: "keys/import/action", permission: "import" }),
  keyRoute({ method: "DELETE", path: "/keys/:name", operation: "deleteKey", handler: keyObjects.remove, dataAction: "keys/delete", permission: "delete" }),
  keyRoute({ method: "GET", path: "/keys/:name/versions", operation: "getKeyVersions", handler: keyObjects.listVersions, dataAction: "keys/read", permission: "list" }),
  keyRoute({ method: "POST", path: "/keys/:name/backup", operation: "backupKey", handler: keyBackup.backup, dataAction: "keys/backup/action", permission: "backup" }),
  keyRoute({ method: "POST", path: "/keys/:name/rotate", operation: "rotateKey", handler: rotation.rotateKey, dataAction: "keys/rotate/action", permission: "rotate", throttle: "keyCreates" }),
  keyRoute({ method: "GET", path: "/keys/:name/rotationpolicy", operation: "getKeyRotationPolicy", handler: rotation.getKeyRotationPolicy, dataAction: "keyrotationpolicies/read", permission: "getrotationpolicy" }),
  keyRoute({ method: "PUT", path: "/keys/:name/rotationpolicy", operation: "updateKeyRotationPolicy", handler: rotation.updateKeyRotationPolicy, dataAction: "keyrotationpolicies/write", permission: "setrotationpolicy" }),
  keyRoute({ method: "GET", path: "/keys/:name/:version?", operation: "getKey", handler: keys.getKey, dataAction: "keys/read", permission: "get" }),
  keyRoute({ method: "PATCH", path: "/keys/:name/:version?", operation: "updateKey", handler: keys.updateKey, dataAction: "keys/update/action", permission: "update" }),
  keyRoute({ method: "POST", path: "/keys/:name/:version?/encrypt", operation: "encrypt", handler: crypto.encrypt, dataAction: "keys/encrypt/action", permission: "encrypt" }),
  keyRoute({ method: "POST", path: "/keys/:name/:version?/decrypt", operation: "decrypt", handler: crypto.decrypt, dataAction: "keys/decrypt/action", permission: "decrypt" }),
  keyRoute({ method: "POST", path: "/keys/:name/:version?/wrapkey", operation: "wrapKey", handler: crypto.wrapKey, dataAction: "keys/wrap/action", permission: "wrapKey" }),
  keyRoute({ method: "POST", path: "/keys/:name/:version?/unwrapkey", operation: "unwrapKey", handler: crypto.unwrapKey, dataAction: "keys/unwrap/action", permission: "unwrapKey" }),
  keyRoute({ method: "POST", path: "/keys/:name/:version?/sign", operation: "sign", handler: crypto.sign, dataAction: "keys/sign/action", permission: "sign" }),
  keyRoute({ method: "POST", path: "/keys/:name/:version?/verify", operation: "verify", handler: crypto.verify, dataAction: "keys/verify/action", permission: "verify" }),
  // POST /keys/{name}/{version} names no operation (and POST /keys//create has an empty name): the
  // service answers 400 before it checks any permission (recorded: no RBAC assignment header).
  keyRoute({ method: "POST", path: "/keys/:name=/:version", operation: "noOperation", handler: () => { throw operationNotSpecified(); }, dataAction: "keys/read", permission: "get" }),
  keyRoute({ method: "GET", path: "/deletedkeys", operation: "getDeletedKeys", handler: keyObjects.listDeleted, dataAction: "keys/read", permission: "list" }),
  keyRoute({ method: "GET", path: "/deletedkeys/:name", operation: "getDeletedKey", handler: keyObjects.getDeleted, dataAction: "keys/read", permission: "get" }),
  keyRoute({ method: "DELETE", path: "/deletedkeys/:name", operation: "purgeDeletedKey", handler: keyObjects.purgeDeleted, dataAction: "keys/purge/action", permission: "purge" }),
  keyRoute({ method: "POST", path: "/deletedkeys/:name/recover", operation: "recoverDeletedKey", handler: keyObjects.recoverDeleted, dataAction: "keys/recover/action", permission: "recover" }),
  keyRoute({ method: "POST", path: "/rng", operation: "getRandomBytes", handler: rng.getRandomBytes, dataAction: "rng/action", permission: "get" }),
  secretRoute({ method: "GET", path: "/secrets", operation: "getSecrets", handler: secretObjects.list, dataAction: "secrets/readMetadata/action", permission: "list" }),
  secretRoute({ method: "POST", path: "/secrets/restore", operation: "restoreSecret", handler: secretBackup.restore, dataAction: "secrets/restore/action", permission: "restore" }),
  secretRoute({ method: "PUT", path: "/secrets/:name", operation: "setSecret", handler: secrets.setSecret, dataAction: "secrets/setSecret/action", permission: "set" }),
  secretRoute({ method: "DELETE", path: "/secrets/:name", operation: "deleteSecret", handler: secretObjects.remove, dataAction: "secrets/delete", permission: "delete" }),
  secretRoute({ method: "GET", path: "/secrets/:name/versions", operation: "getSecretVersions", handler: secretObjects.listVersions, dataAction: "secrets/readMetadata/action", permission: "list" }),
  secretRoute({ method: "POST", path: "/secrets/:name/backup", operation: "backupSecret", handler: secretBackup.backup, dataAction: "secrets/backup/action", permission: "backup" }),
  secretRoute({ method: "GET", path: "/secrets/:name/:version?", operation: "getSecret", handler: secrets.getSecret, dataAction: "secrets/getSecret/action", permission: "get" }),
  secretRoute({ method: "PATCH", path: "/secrets/:name/:version?", operation: "updateSecret", handler: secrets.updateSecret, dataAction: "secrets/update/action", permission: "set" }),
  secretRoute({ method: "GET", path: "/deletedsecrets", operation: "getDeletedSecrets", handler: secretObjects.listDeleted, dataAction: "secrets/readMetadata/action", permission: "list" }),
  secretRoute({ method: "GET", path: "/deletedsecrets/:name", operation: "getDeletedSecret", handler: secretObjects.getDeleted, dataAction: "secrets/readMetadata/action", permission: "get" }),
  secretRoute({ method: "DELETE", path: "/deletedsecrets/:name", operation: "purgeDeletedSecret", handler: secretObjects.purgeDeleted, dataAction: "secrets/purge/action", permission: "purge" }),
  secretRoute({ method: "POST", path: "/deletedsecrets/:name/recover", operation: "recoverDeletedSecret", handler: secretObjects.recoverDeleted, dataAction: "secrets/recover/action", permission: "recover" }),
  certificateRoute({ method: "GET", path: "/certificates", operation: "getCertificates", handler: certificateObjects.list, dataAction: "certificates/read", permission: "list" }),
  // The vault's contacts and issuers: RBAC's certificatecontacts/* and certificatecas/* data actions; the
  // access policy's managecontacts and its issuer permissions, where manageissuers grants get, list
  // and delete too (the spec: "certificates/manageissuers/getissuers"). Listed before the certificate
  // routes their paths would match (/certificates/{name}/{version}).
  certificateRoute({ method: "GET", path: "/certificates/contacts", operation: "getCertificateContacts", handler: issuers.getCertificateContacts, dataAction: "certificatecontacts/write", permission: "managecontacts" }),
  certificateRoute({ method: "PUT", path: "/certificates/contacts", operation: "setCertificateContacts", handler: issuers.setCertificateContacts, dataAction: "certificatecontacts/write", permission: "managecontacts" }),
  certificateRoute({ method: "DELETE", path: "/certificates/contacts", operation: "deleteCertificateContacts", handler: issuers.deleteCertificateContacts, dataAction: "certificatecontacts/write", permission: "managecontacts" }),
  certificateRoute({ method: "GET", path: "/certificates/issuers", operation: "getCertificateIssuers", handler: issuers.getCertificateIssuers, dataAction: "certificatecas/read", permission: "manageissuers/listissuers" }),
  certificateRoute({ method: "GET", path: "/certificates/issuers/:name", operation: "getCertificateIssuer", handler: issuers.getCertificateIssuer, dataAction: "certificatecas/read", permission: "manageissuers/getissuers" }),
  certificateRoute({ method: "PUT", path: "/certificates/issuers/:name", operation: "setCertificateIssuer", handler: issuers.setCertificateIssuer, dataAction: "certificatecas/write", permission: "setissuers" }),
  certificateRoute({ method: "PATCH", path: "/certificates/issuers/:name", operation: "updateCertificateIssuer", handler: issuers.updateCertificateIssuer, dataAction: "certificatecas/write", permission: "setissuers" }),
  certificateRoute({ method: "DELETE", path: "/certificates/issuers/:name", operation: "deleteCertificateIssuer", handler: issuers.deleteCertificateIssuer, dataAction: "certificatecas/delete", permission: "manageissuers/deleteissuers" }),
  certificateRoute({ method: "POST", path: "/certificates/restore", operation: "restoreCertificate", handler: certificateBackup.restore, dataAction: "certificates/restore/action", permission: "restore" }),
  certificateRoute({ method: "POST", path: "/certificates/:name/create", operation: "createCertificate", handler: certificates.createCertificate, dataAction: "certificates/create/action", permission: "create", throttle: "keyCreates" }),
  certificateRoute({ method: "POST", path: "/certificates/:name/import", operation: "importCertificate", handler: importCertificate, dataAction: "certificates/import/action", permission: "import" }),
  certificateRoute({ method: "POST", path: "/certificates/:name/backup", operation: "backupCertificate", handler: certificateBackup.backup, dataAction: "certificates/backup/action", permission: "backup" }),
  certificateRoute({ method: "DELETE", path: "/certificates/:name", operation: "deleteCertificate", handler: certificateObjects.remove, dataAction: "certificates/delete", permission: "delete" }),
  certificateRoute({ method: "GET", path: "/certificates/:name/versions", operation: "getCertificateVersions", handler: certificateObjects.listVersions, dataAction: "certificates/read", permission: "list" }),
  certificateRoute({ method: "GET", path: "/certificates/:name/pending", operation: "getCertificateOperation", handler: certificates.getCertificateOperation, dataAction: "certificates/read", permission: "get" }),
  // The REST reference: a cancellation needs certificates/update, deleting the operation certificates/delete, a merge certificates/create.
  certificateRoute({ method: "PATCH", path: "/certificates/:name/pending", operation: "updateCertificateOperation", handler: certificateOperation.updateCertificateOperation, dataAction: "certificates/update/action", permission: "update" }),
  certificateRoute({ method: "DELETE", path: "/certificates/:name/pending", operation: "deleteCertificateOperation", handler: certificateOperation.deleteCertificateOperation, dataAction: "certificates/delete", permission: "delete" }),
  certificateRoute({ method: "POST", path: "/certificates/:name/pending/merge", operation: "mergeCertificate", handler: certificateOperation.mergeCertificate, dataAction: "certificates/create/action", permission: "create" }),
  certificateRoute({ method: "GET", path: "/certificates/:name/policy", operation: "getCertificatePolicy", handler: certificates.getCertificatePolicy, dataAction: "certificates/read", permission: "get" }),
  certificateRoute({ method: "PATCH", path: "/certificates/:name/policy", operation: "updateCertificatePolicy", handler: certificates.updateCertificatePolicy, dataAction: "certificates/update/action", permission: "update" }),
  certificateRoute({ method: "GET", path: "/certificates/:name/:version?", operation: "getCertificate", handler: certificates.getCertificate, dataAction: "certificates/read", permission: "get" }),
  certificateRoute({ method: "PATCH", path: "/certificates/:name/:version?", operation: "updateCertificate", handler: certificates.updateCertificate, dataAction: "certificates/update/action", permission: "update" }),
  certificateRoute({ method: "GET", path: "/deletedcertificates", operation: "getDeletedCertificates", handler: certificateObjects.listDeleted, dataAction: "certificates/read", permission: "list" }),
  certificateRoute({ method: "GET", path: "/deletedcertificates/:name", operation: "getDeletedCertificate", handler: certificateObjects.getDeleted, dataAction: "certificates/read", permission: "get" }),
  certificateRoute({ method: "DELETE", path: "/deletedcertificates/:name", operation: "purgeDeletedCertificate", handler: certificateObjects.purgeDeleted, dataAction: "certificates/purge/action", permission: "purge" }),
  certificateRoute({ method: "POST", path: "/deletedcertificates/:name/recover", operation: "recoverDeletedCertificate", handler: certificateObjects.recoverDeleted, dataAction: "certificates/recover/action", permission: "recover" }),
  // Last, so that every POST /certificates/{name}/{operation} above is matched first: a POST no
  // route takes (POST /certificates//create, an empty name) is to a certificate version's path,
  // which takes no POST: the service answers 405 before it checks any permission (recorded:
  // cannot_create_a_certificate_with_an_empty_name).
  certificateRoute({ method: "POST", path: "/certificates/:name=/:version", operation: "postToCertificateVersion", handler: () => { throw methodNotAllowed("POST"); }, dataAction: "certificates/read", permission: "get" }),
];

export const OPERATIONS = new Set(ROUTES.map((r) => r.operation));

interface CompiledRoute {
  route: Route;
  segments: { literal?: string; param?: string; optional?: boolean; emptyOk?: boolean }[];
}

const compiled: CompiledRoute[] = ROUTES.map((route) => ({
  route,
  segments: route.path
    .split("/")
    .slice(1)
    .map((s) => (s.startsWith(":") ? { param: s.slice(1).replace(/[?=]$/, ""), optional: s.endsWith("?"), emptyOk: s.endsWith("=") } : { literal: s })),
}));

export type RouteMatch = { route: Route; params: Record<string, string> } | { methodNotAllowed: true } | undefined;

/**
 * Matches a decoded path. An optional segment may be given, empty or left out: `/keys/name/{version}`,
 * `/keys/name/` (the SDK's "latest") and `/keys/name` all match `/keys/:name/:version?`, and
 * `/keys/name//sign` (the SDK) and `/keys/name/sign` (other clients; the service signs with the
 * latest version) both match the sign route. Literal routes are listed before the ones they would shadow.
 */
export function matchRoute(method: string, segments: string[]): RouteMatch {
  const match = matchExactly(method, segments);
  // "/secrets/" with no route of its own is the collection's path: PUT there is the service's 405
  // "HTTP PUT not allowed" (recorded: cannot_create_a_secret_with_an_empty_name), not a 404.
  if (match || segments.length < 2 || segments[segments.length - 1] !== "") return match;
  return matchExactly(method, segments.slice(0, -1));
}

function matchExactly(method: string, segments: string[]): RouteMatch {
  let pathMatched = false;
  for (const { route, segments: pattern } of compiled) {
    const params = matchSegments(pattern, segments, 0, 0, {});
    if (!params) continue;
    if (route.method === method) return { route, params };
    pathMatched = true;
  }
  return pathMatched ? { methodNotAllowed: true } : undefined;
}

function matchSegments(
  pattern: CompiledRoute["segments"],
  segments: string[],
  p: number,
  s: number,
  params: Record<string, string>,
): Record<string, string> | undefined {
  if (p === pattern.length) return s === segments.length ? params : undefined;
  const part = pattern[p];
  const segment = segments[s];
  if (part.literal !== undefined) {
    return segment?.toLowerCase() === part.literal ? matchSegments(pattern, segments, p + 1, s + 1, params) : undefined;
  }
  const param = part.param!;
  if (segment === "") return part.optional || part.emptyOk ? matchSegments(pattern, segments, p + 1, s + 1, { ...params, [param]: "" }) : undefined;
  if (segment !== undefined) {
    const taken = matchSegments(pattern, segments, p + 1, s + 1, { ...params, [param]: segment });
    if (taken || !part.optional) return taken;
  }
  // Left out: the next part of the pattern takes this segment.
  return part.optional ? matchSegments(pattern, segments, p + 1, s, { ...params, [param]: "" }) : undefined;
}
