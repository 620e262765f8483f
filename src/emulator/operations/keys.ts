/** Creating, importing, reading, updating, listing and deleting keys. */
import { CURVES, DEFAULT_KEY_OPS, importPrivateJwk, isCurveName, KNOWN_KEY_OPS, RSA_SIZES, type KeySpec, type KeyType, type PrivateJwk } from "../crypto/key-material";
import { ok, type Operation, type VaultContext } from "../context";
import { badParameter } from "../errors";
import { quotaExceeded } from "../limits";
import { assertNameNotDeleted, assertNotBeingRecovered, findKey, findVersion, isBeingRecovered, newVersionId } from "../lifecycle";
import type { StoredKeyVersion } from "../model";
import { paginate } from "./paging";
import {
  bodyObject, checkKeyName, optionalAttributes, optionalBoolean, optionalInteger, optionalString, optionalStringArray,
  optionalTags, describe, type AttributesInput, type Json,
} from "../validate";

/** A standard (software) vault makes RSA and EC keys; HSM and symmetric keys need Premium or Managed HSM. */
function parseKeySpec(body: Json): KeySpec {
  const kty = optionalString(body, "kty");
  if (kty === "RSA-HSM" || kty === "EC-HSM" || kty === "oct" || kty === "oct-HSM") {
    throw badParameter(`Key type ${kty} is not supported by a standard vault: this emulator is a standard (software) vault. Use RSA or EC.`);
  }
  if (kty !== "RSA" && kty !== "EC") throw badParameter(`Unsupported key type: ${describe(body.kty)}. Use RSA or EC.`);
  if (kty === "RSA") {
    const size = optionalInteger(body, "key_size") ?? 2048;
    if (!(RSA_SIZES as readonly number[]).includes(size)) throw badParameter(`Unsupported RSA key size ${size}. Use 2048, 3072 or 4096.`);
    const publicExponent = optionalInteger(body, "public_exponent") ?? 65537;
    if (publicExponent !== 3 && publicExponent !== 65537) throw badParameter("The public exponent must be 3 or 65537.");
    if (body.crv !== undefined && body.crv !== null) throw badParameter("Property 'crv' applies to EC keys only.");
    return { kty, size, publicExponent };
  }
  const crv = optionalString(body, "crv") ?? "P-256";
  if (!isCurveName(crv)) throw badParameter(`Unsupported curve: ${crv}. Use one of ${Object.keys(CURVES).join(", ")}.`);
  if (body.key_size !== undefined && body.key_size !== null) throw badParameter("Property 'key_size' applies to RSA keys only.");
  return { kty, crv };
}

function parseKeyOps(body: Json, kty: KeyType): string[] {
  const ops = optionalStringArray(body, "key_ops");
  if (!ops) return [...DEFAULT_KEY_OPS[kty]];
  const unknown = ops.filter((op) => !KNOWN_KEY_OPS.has(op));
  if (unknown.length > 0) throw badParameter(`Unknown key operation(s): ${unknown.join(", ")}.`);
  return [...new Set(ops)];
}

function checkAttributes(attributes: AttributesInput | undefined): void {
  if (attributes?.nbf !== undefined && attributes.exp !== undefined && attributes.nbf > attributes.exp) {
    throw badParameter("The key's 'nbf' (not before) must not be later than its 'exp' (expiry).");
  }
}

/** What a new version takes from the request besides its key material. */
interface VersionInput {
  keyOps: string[];
  attributes?: AttributesInput;
  tags?: Record<string, string>;
}

function parseVersionInput(body: Json, keyOps: string[]): VersionInput {
  const attributes = optionalAttributes(body);
  checkAttributes(attributes);
  return { keyOps, attributes, tags: optionalTags(body) };
}

/** Adds a version to a key (creating the key on its first version). */
function addVersion(ctx: VaultContext, name: string, jwk: PrivateJwk, { keyOps, attributes, tags }: VersionInput) {
  assertNameNotDeleted(ctx, name);
  assertNotBeingRecovered(ctx, name);
  assertRoomFor(ctx, name);
  const now = ctx.clock.nowSeconds();
  const version: StoredKeyVersion = {
    version: newVersionId(),
    jwk,
    keyOps,
    enabled: attributes?.enabled ?? true,
    nbf: attributes?.nbf,
    exp: attributes?.exp,
    exportable: attributes?.exportable,
    created: now,
    updated: now,
    tags,
  };
  const existing = ctx.store.of("keys").live.get(name);
  if (existing) {
    existing.versions.push(version);
    ctx.store.of("keys").live.changed(name);
    return ok(ctx.wire.keyBundle(existing, version));
  }
  const key = { name, versions: [version] };
  ctx.store.of("keys").live.put(key.name, key);
  return ok(ctx.wire.keyBundle(key, version));
}

/** The local bounds on keys per vault and versions per key (limits.ts). */
export function assertRoomFor(ctx: VaultContext, name: string): void {
  const { limits } = ctx.settings;
  const existing = ctx.store.of("keys").live.get(name);
  if (existing && existing.versions.length >= limits.versionsPerKey) throw quotaExceeded(`versions of one key`, limits.versionsPerKey);
  if (!existing && ctx.store.of("keys").count() >= limits.keys) throw quotaExceeded("keys (live and deleted)", limits.keys);
}

export const createKey: Operation = async (ctx, req) => {
  const name = checkKeyName(req.params.name);
  const body = bodyObject(req.body);
  const spec = parseKeySpec(body);
  const input = parseVersionInput(body, parseKeyOps(body, spec.kty));
  // Fail fast before spending CPU on a key whose name is taken; checked again after generation,
  // since the key may have been deleted meanwhile.
  assertNameNotDeleted(ctx, name);
  assertRoomFor(ctx, name);
  const jwk = await ctx.keygen.generate(spec);
  return addVersion(ctx, name, jwk, input);
};

export const importKey: Operation = (ctx, req) => {
  const name = checkKeyName(req.params.name);
  const body = bodyObject(req.body);
  if (optionalBoolean(body, "Hsm")) throw badParameter("HSM-protected import needs a Premium vault; this emulator is a standard vault.");
  const jwk = importPrivateJwk(body.key);
  const keyOps = parseKeyOps({ key_ops: (body.key as Json).key_ops }, jwk.kty);
  return addVersion(ctx, name, jwk, parseVersionInput(body, keyOps));
};

export const getKey: Operation = (ctx, req) => {
  const name = checkKeyName(req.params.name);
  const { key, version } = findVersion(ctx, name, req.params.version);
  return ok(ctx.wire.keyBundle(key, version));
};

export const updateKey: Operation = (ctx, req) => {
  const name = checkKeyName(req.params.name);
  const body = bodyObject(req.body);
  const { key, version } = findVersion(ctx, name, req.params.version);
  const attributes = optionalAttributes(body);
  const keyOps = optionalStringArray(body, "key_ops") ? parseKeyOps(body, version.jwk.kty) : undefined;
  const tags = optionalTags(body);
  const nbf = attributes?.nbf ?? version.nbf;
  const exp = attributes?.exp ?? version.exp;
  checkAttributes({ nbf, exp });
  if (attributes?.enabled !== undefined) version.enabled = attributes.enabled;
  if (attributes?.nbf !== undefined) version.nbf = attributes.nbf;
  if (attributes?.exp !== undefined) version.exp = attributes.exp;
  if (keyOps) version.keyOps = keyOps;
  if (tags) version.tags = tags;
  version.updated = ctx.clock.nowSeconds();
  ctx.store.of("keys").live.changed(key.name);
  return ok(ctx.wire.keyBundle(key, version));
};

export const getKeys: Operation = (ctx, req) => {
  const keys = [...ctx.store.of("keys").live.values()]
    .filter((k) => !isBeingRecovered(ctx, k))
    .sort(byName);
  return ok(paginate(ctx, req, "/keys", keys.map((k) => ({ sortKey: k.name.toLowerCase(), item: () => ctx.wire.keyItem(k) }))));
};

export const getKeyVersions: Operation = (ctx, req) => {
  const name = checkKeyName(req.params.name);
  // A name that does not exist has no versions: the service answers an empty list, not 404.
  const key = ctx.store.of("keys").live.get(name);
  if (!key || isBeingRecovered(ctx, key)) return ok({ value: [], nextLink: null });
  const entries = key.versions.map((v, index) => ({
    sortKey: String(index).padStart(8, "0"),
    item: () => ctx.wire.keyItem(key, v, true),
  }));
  return ok(paginate(ctx, req, `/keys/${key.name}/versions`, entries));
};

export const deleteKey: Operation = (ctx, req) => {
  const name = checkKeyName(req.params.name);
  const key = findKey(ctx, name);
  const nowMs = ctx.clock.nowMs();
  const deletedDate = Math.floor(nowMs / 1000);
  const deleted = {
    key,
    deletedDate,
    scheduledPurgeDate: deletedDate + ctx.settings.retentionDays * 86_400,
    deletingUntilMs: nowMs + ctx.settings.deleteDelayMs,
  };
  ctx.store.of("keys").live.remove(key.name);
  ctx.store.of("keys").deleted.put(deleted.key.name, deleted);
  return ok(ctx.wire.deletedKeyBundle(deleted));
};

const byName = (a: { name: string }, b: { name: string }) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1);
