/** Rotating a key now, and the policy that says when the service would rotate it. */
import { ok, type Operation } from "../context";
import { badParameter } from "../errors";
import { keySizeBits, publicExponent, RSA_SIZES, type KeySpec } from "../crypto/key-material";
import { findKey, newVersionId } from "../lifecycle";
import { assertRoomFor } from "./keys";
import { currentVersion, type LifetimeAction, type StoredKeyVersion } from "../model";
import { bodyObject, checkKeyName, optionalObject, optionalString, type Json } from "../validate";

const DURATION = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?!$)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Seconds in an ISO 8601 duration such as "P90D" or "P1Y2M" (a year as 365 days, a month as 30). */
export function durationSeconds(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0));
  return ((y * 365 + mo * 30 + d) * 24 + h) * 3600 + mi * 60 + s;
}

export const rotateKey: Operation = async (ctx, req) => {
  const key = findKey(ctx, checkKeyName(req.params.name));
  const current = currentVersion(key);
  assertRoomFor(ctx, key.name);
  const spec: KeySpec =
    current.jwk.kty === "RSA"
      ? { kty: "RSA", size: keySizeBits(current.jwk), publicExponent: publicExponent(current.jwk) }
      : { kty: "EC", crv: current.jwk.crv };
  if (spec.kty === "RSA" && !((RSA_SIZES as readonly number[]).includes(spec.size!) && spec.publicExponent! % 2 === 1 && spec.publicExponent! <= 0xffffffff)) {
    // Keys imported before import checked these (a vault from an older emulator) cannot be made again.
    throw badParameter(`This key cannot be rotated: new RSA keys are 2048, 3072 or 4096 bits with an odd exponent below 2^32; this one is ${spec.size} bits.`);
  }
  const jwk = await ctx.keygen.generate(spec);
  const now = ctx.clock.nowSeconds();
  const expiry = key.rotationPolicy?.expiryTime ? durationSeconds(key.rotationPolicy.expiryTime) : undefined;
  const version: StoredKeyVersion = {
    version: newVersionId(),
    jwk,
    keyOps: [...current.keyOps],
    enabled: true,
    exp: expiry !== undefined ? now + expiry : undefined,
    created: now,
    updated: now,
    tags: current.tags ? { ...current.tags } : undefined,
  };
  // The key may have been deleted while the new material was generated.
  const live = findKey(ctx, key.name);
  assertRoomFor(ctx, live.name);
  live.versions.push(version);
  ctx.store.of("keys").live.changed(live.name);
  return ok(ctx.wire.keyBundle(live, version));
};

export const getKeyRotationPolicy: Operation = (ctx, req) => {
  const key = findKey(ctx, checkKeyName(req.params.name));
  return ok(ctx.wire.rotationPolicy(key.name, key.rotationPolicy));
};

export const updateKeyRotationPolicy: Operation = (ctx, req) => {
  const key = findKey(ctx, checkKeyName(req.params.name));
  const body = bodyObject(req.body);
  const lifetimeActions = parseLifetimeActions(body.lifetimeActions);
  const attributes = optionalObject(body, "attributes");
  const expiryTime = attributes ? optionalString(attributes, "expiryTime") : undefined;
  if (expiryTime !== undefined) {
    const seconds = durationSeconds(expiryTime);
    if (seconds === undefined) throw badParameter(`expiryTime '${expiryTime}' is not an ISO 8601 duration such as P90D.`);
    if (seconds < 28 * 86_400) throw badParameter("expiryTime must be at least 28 days (P28D).");
  }
  const now = ctx.clock.nowSeconds();
  key.rotationPolicy = { lifetimeActions, expiryTime, created: key.rotationPolicy?.created ?? now, updated: now };
  ctx.store.of("keys").live.changed(key.name);
  return ok(ctx.wire.rotationPolicy(key.name, key.rotationPolicy));
};

function parseLifetimeActions(value: unknown): LifetimeAction[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badParameter("Property 'lifetimeActions' must be an array.");
  return value.map((raw, i) => {
    const action = bodyObject(raw);
    const trigger = optionalObject(action, "trigger") ?? {};
    const type = optionalString(optionalObject(action, "action") ?? {}, "type");
    const normalized = type?.toLowerCase() === "rotate" ? "Rotate" : type?.toLowerCase() === "notify" ? "Notify" : undefined;
    if (!normalized) throw badParameter(`lifetimeActions[${i}].action.type must be Rotate or Notify.`);
    const parsedTrigger = parseTrigger(trigger, i);
    if (normalized === "Notify" && !parsedTrigger.timeBeforeExpiry) throw badParameter(`lifetimeActions[${i}]: Notify needs a timeBeforeExpiry trigger.`);
    return { trigger: parsedTrigger, action: { type: normalized } };
  });
}

function parseTrigger(trigger: Json, i: number): LifetimeAction["trigger"] {
  const timeAfterCreate = optionalString(trigger, "timeAfterCreate");
  const timeBeforeExpiry = optionalString(trigger, "timeBeforeExpiry");
  if ((timeAfterCreate === undefined) === (timeBeforeExpiry === undefined)) {
    throw badParameter(`lifetimeActions[${i}].trigger needs exactly one of timeAfterCreate and timeBeforeExpiry.`);
  }
  for (const value of [timeAfterCreate, timeBeforeExpiry]) {
    if (value !== undefined && durationSeconds(value) === undefined) throw badParameter(`'${value}' is not an ISO 8601 duration such as P30D.`);
  }
  return timeAfterCreate !== undefined ? { timeAfterCreate } : { timeBeforeExpiry };
}
