/**
 * Setting, reading and updating secrets: what is a secret's own (its value and content type). Listing,
 * deleting, recovering, purging, backup and restore are every kind's (objects.ts, backup.ts).
 *
 * A value is stored (model.ts) and answered to get and set only: never to a list, an update, a delete
 * or a recover (as the service answers), and never written to a log or an error message.
 */
import { ok, type Operation } from "../context";
import { badParameter, disabledObject } from "../errors";
import { addVersion, findVersion, newVersionId, updateVersion } from "../lifecycle";
import type { StoredSecretVersion } from "../model";
import { bodyObject, checkAttributes, checkName, optionalAttributes, optionalString, optionalTags, type Json } from "../validate";

/** The service's bound on a value: 25 KB (learn.microsoft.com, Key Vault service limits, "Secrets"). */
export const MAX_SECRET_VALUE_BYTES = 25 * 1024;
/** A content type is a short label such as "text/plain" or "application/x-pkcs12". */
const MAX_CONTENT_TYPE_LENGTH = 255;

const checkSecretName = (name: string) => checkName("secrets", name);

function optionalContentType(body: Json): string | undefined {
  const contentType = optionalString(body, "contentType");
  if (contentType !== undefined && contentType.length > MAX_CONTENT_TYPE_LENGTH) {
    throw badParameter(`Property 'contentType' is ${contentType.length} characters; it takes at most ${MAX_CONTENT_TYPE_LENGTH}.`);
  }
  return contentType;
}

export const setSecret: Operation = (ctx, req) => {
  const name = checkSecretName(req.params.name);
  const body = bodyObject(req.body);
  // An empty value is a value (recorded: can_set_a_secret_with_empty_value). The value itself is never
  // echoed in an error: only its size.
  const value = optionalString(body, "value");
  if (value === undefined) throw badParameter("Property 'value' is required: the secret's value, a string (it may be empty).");
  const size = Buffer.byteLength(value, "utf8");
  if (size > MAX_SECRET_VALUE_BYTES) {
    throw badParameter(`The secret's value is ${size.toLocaleString("en-US")} bytes; a secret's value is at most 25 KB (${MAX_SECRET_VALUE_BYTES.toLocaleString("en-US")} bytes).`);
  }
  const contentType = optionalContentType(body);
  const attributes = optionalAttributes(body);
  checkAttributes("secrets", attributes);
  const tags = optionalTags(body, "secrets");
  const now = ctx.clock.nowSeconds();
  const version: StoredSecretVersion = {
    version: newVersionId(),
    value,
    contentType,
    enabled: attributes?.enabled ?? true,
    nbf: attributes?.nbf,
    exp: attributes?.exp,
    created: now,
    updated: now,
    tags,
  };
  return ok(ctx.wire.secretBundle(addVersion(ctx, "secrets", name, version), version));
};

/**
 * The latest version or a named one. A disabled version answers 403 SecretDisabled (recorded:
 * cant_get_a_disabled_secret); `exp` and `nbf` are for the caller to heed, not enforced on a get.
 */
export const getSecret: Operation = (ctx, req) => {
  const { object, version } = findVersion(ctx, "secrets", checkSecretName(req.params.name), req.params.version);
  if (!version.enabled) throw disabledObject("secrets", "get");
  return ok(ctx.wire.secretBundle(object, version));
};

/** Properties only (content type, attributes, tags): the answer has no value (recorded: can_update_a_disabled_secret). */
export const updateSecret: Operation = (ctx, req) => {
  const body = bodyObject(req.body);
  const { object, version } = findVersion(ctx, "secrets", checkSecretName(req.params.name), req.params.version);
  const contentType = optionalContentType(body);
  updateVersion(ctx, "secrets", object, version, body, () => {
    if (contentType !== undefined) version.contentType = contentType;
  });
  return ok(ctx.wire.secretBundle(object, version, { withValue: false }));
};
