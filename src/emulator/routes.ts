/**
 * Every route of the keys API in one table: method, path, the operation that answers it, and the
 * permission it needs — as an RBAC data action and as an access-policy key permission — so that an
 * injected 403 names what a real vault would (and the doctor can tell the learner what to grant).
 */
import type { Operation } from "./context";
import * as backup from "./operations/backup";
import * as deleted from "./operations/deleted-keys";
import * as crypto from "./operations/key-crypto";
import * as keys from "./operations/keys";
import * as rng from "./operations/rng";
import * as rotation from "./operations/rotation";
import { operationNotSpecified } from "./errors";

export interface Route {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Segments; ":name" captures one, ":version?" one that may be empty or absent, ":name=" one that may be empty. */
  path: string;
  operation: string;
  handler: Operation;
  /** RBAC data action under Microsoft.KeyVault/vaults/. */
  dataAction: string;
  /** Access-policy key permission. */
  permission: string;
  /** True for the operations the throttle counts as key creations. */
  creates?: boolean;
}

export const ROUTES: Route[] = [
  { method: "GET", path: "/keys", operation: "getKeys", handler: keys.getKeys, dataAction: "keys/read", permission: "list" },
  { method: "POST", path: "/keys/restore", operation: "restoreKey", handler: backup.restoreKey, dataAction: "keys/restore/action", permission: "restore" },
  { method: "POST", path: "/keys/:name/create", operation: "createKey", handler: keys.createKey, dataAction: "keys/create/action", permission: "create", creates: true },
  { method: "PUT", path: "/keys/:name", operation: "importKey", handler: keys.importKey, dataAction: "keys/import/action", permission: "import" },
  { method: "DELETE", path: "/keys/:name", operation: "deleteKey", handler: keys.deleteKey, dataAction: "keys/delete", permission: "delete" },
  { method: "GET", path: "/keys/:name/versions", operation: "getKeyVersions", handler: keys.getKeyVersions, dataAction: "keys/read", permission: "list" },
  { method: "POST", path: "/keys/:name/backup", operation: "backupKey", handler: backup.backupKey, dataAction: "keys/backup/action", permission: "backup" },
  { method: "POST", path: "/keys/:name/rotate", operation: "rotateKey", handler: rotation.rotateKey, dataAction: "keys/rotate/action", permission: "rotate", creates: true },
  { method: "GET", path: "/keys/:name/rotationpolicy", operation: "getKeyRotationPolicy", handler: rotation.getKeyRotationPolicy, dataAction: "keyrotationpolicies/read", permission: "getrotationpolicy" },
  { method: "PUT", path: "/keys/:name/rotationpolicy", operation: "updateKeyRotationPolicy", handler: rotation.updateKeyRotationPolicy, dataAction: "keyrotationpolicies/write", permission: "setrotationpolicy" },
  { method: "GET", path: "/keys/:name/:version?", operation: "getKey", handler: keys.getKey, dataAction: "keys/read", permission: "get" },
  { method: "PATCH", path: "/keys/:name/:version?", operation: "updateKey", handler: keys.updateKey, dataAction: "keys/update/action", permission: "update" },
  { method: "POST", path: "/keys/:name/:version?/encrypt", operation: "encrypt", handler: crypto.encrypt, dataAction: "keys/encrypt/action", permission: "encrypt" },
  { method: "POST", path: "/keys/:name/:version?/decrypt", operation: "decrypt", handler: crypto.decrypt, dataAction: "keys/decrypt/action", permission: "decrypt" },
  { method: "POST", path: "/keys/:name/:version?/wrapkey", operation: "wrapKey", handler: crypto.wrapKey, dataAction: "keys/wrap/action", permission: "wrapKey" },
  { method: "POST", path: "/keys/:name/:version?/unwrapkey", operation: "unwrapKey", handler: crypto.unwrapKey, dataAction: "keys/unwrap/action", permission: "unwrapKey" },
  { method: "POST", path: "/keys/:name/:version?/sign", operation: "sign", handler: crypto.sign, dataAction: "keys/sign/action", permission: "sign" },
  { method: "POST", path: "/keys/:name/:version?/verify", operation: "verify", handler: crypto.verify, dataAction: "keys/verify/action", permission: "verify" },
  // POST /keys/{name}/{version} names no operation (and POST /keys//create has an empty name): the
  // service answers 400 before it checks any permission (recorded: no RBAC assignment header).
  { method: "POST", path: "/keys/:name=/:version", operation: "noOperation", handler: () => { throw operationNotSpecified(); }, dataAction: "keys/read", permission: "get" },
  { method: "GET", path: "/deletedkeys", operation: "getDeletedKeys", handler: deleted.getDeletedKeys, dataAction: "deletedKeys/read", permission: "list" },
  { method: "GET", path: "/deletedkeys/:name", operation: "getDeletedKey", handler: deleted.getDeletedKey, dataAction: "deletedKeys/read", permission: "get" },
  { method: "DELETE", path: "/deletedkeys/:name", operation: "purgeDeletedKey", handler: deleted.purgeDeletedKey, dataAction: "deletedKeys/delete", permission: "purge" },
  { method: "POST", path: "/deletedkeys/:name/recover", operation: "recoverDeletedKey", handler: deleted.recoverDeletedKey, dataAction: "deletedKeys/recover/action", permission: "recover" },
  { method: "POST", path: "/rng", operation: "getRandomBytes", handler: rng.getRandomBytes, dataAction: "rng/action", permission: "get" },
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
