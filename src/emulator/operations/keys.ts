/** Creating, importing, reading and updating keys (listing and deleting are every kind's: objects.ts). */
import { CURVES, DEFAULT_KEY_OPS, importPrivateJwk, isCurveName, KNOWN_KEY_OPS, RSA_SIZES, type KeySpec, type KeyType, type PrivateJwk } from "../crypto/key-material";
import { ok, type Operation, type VaultContext } from "../context";
import { badParameter } from "../errors";
import { addVersion as addObjectVersion, assertNameNotDeleted, assertRoomFor, findVersion, newVersionId, updateVersion } from "../lifecycle";
import type { StoredKeyVersion } from "../model";
import {
  bodyObject, checkAttributes, checkName, optionalAttributes, optionalBoolean, optionalInteger, optionalString, optionalStringArray,
  optionalTags, describe, type AttributesInput, type Json,
} from "../validate";

export const checkKeyName = (name: string) => checkName("keys", name);

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

/** What a new version takes from the request besides its key material. */
interface VersionInput {
  keyOps: string[];
  attributes?: AttributesInput;
  tags?: Record<string, string>;
}

function parseVersionInput(body: Json, keyOps: string[]): VersionInput {
  const attributes = optionalAttributes(body);
  checkAttributes("keys", attributes);
  return { keyOps, attributes, tags: optionalTags(body, "keys") };
}

/** Adds a version to a key (creating the key on its first version). */
function addVersion(ctx: VaultContext, name: string, jwk: PrivateJwk, { keyOps, attributes, tags }: VersionInput) {
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
  return ok(ctx.wire.keyBundle(addObjectVersion(ctx, "keys", name, version), version));
}

export const createKey: Operation = async (ctx, req) => {
  const name = checkKeyName(req.params.name);
  const body = bodyObject(req.body);
  const spec = parseKeySpec(body);
  const input = parseVersionInput(body, parseKeyOps(body, spec.kty));
  // Fail fast before spending CPU on a key whose name is taken; checked again after generation,
  // since the key may have been deleted meanwhile.
  assertNameNotDeleted(ctx, "keys", name);
  assertRoomFor(ctx, "keys", name);
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
  const { object: key, version } = findVersion(ctx, "keys", name, req.params.version);
  return ok(ctx.wire.keyBundle(key, version));
};

export const updateKey: Operation = (ctx, req) => {
  const name = checkKeyName(req.params.name);
  const body = bodyObject(req.body);
  const { object: key, version } = findVersion(ctx, "keys", name, req.params.version);
  const keyOps = optionalStringArray(body, "key_ops") ? parseKeyOps(body, version.jwk.kty) : undefined;
  updateVersion(ctx, "keys", key, version, body, () => {
    if (keyOps) version.keyOps = keyOps;
  });
  return ok(ctx.wire.keyBundle(key, version));
};
