/**
 * Key Vault's error responses, as the service writes them (FACTS.md §3):
 * `{"error": {"code", "message", "innererror"?: {"code"}}}`.
 *
 * Every failure inside the emulator is a `VaultError`; the server turns it into this body, so
 * nothing a client sends can end in a 500 with a stack trace.
 */
import type { ObjectKind } from "./model";

export interface VaultErrorBody {
  error: { code: string; message: string; innererror?: { code: string } };
}

export class VaultError extends Error {
  override readonly name = "VaultError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly innerCode?: string,
    /** Extra response headers, e.g. `Retry-After` on a 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody(): VaultErrorBody {
    const error: VaultErrorBody["error"] = { code: this.code, message: this.message };
    if (this.innerCode) error.innererror = { code: this.innerCode };
    return { error };
  }
}

/**
 * How the service names each kind in its messages and codes: "A key with (name/id) …", "Secret x is
 * currently …", KeyNotFound / SecretNotFound (recorded: test/fixtures/recordings/keyvault-*).
 */
export const KIND_WORDS = {
  keys: { Noun: "Key", noun: "key", notFound: "KeyNotFound" },
  secrets: { Noun: "Secret", noun: "secret", notFound: "SecretNotFound" },
  certificates: { Noun: "Certificate", noun: "certificate", notFound: "CertificateNotFound" },
} as const satisfies Record<ObjectKind, { Noun: string; noun: string; notFound: string }>;

const recoveryHint = (kind: ObjectKind) =>
  `If you recently deleted this ${KIND_WORDS[kind].noun} you may be able to recover it using the correct recovery command. ` +
  "For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182";

export const notFound = (kind: ObjectKind, nameOrId: string) =>
  new VaultError(404, KIND_WORDS[kind].notFound, `A ${KIND_WORDS[kind].noun} with (name/id) ${nameOrId} was not found in this key vault. ${recoveryHint(kind)}`);

export const deletedNotFound = (kind: ObjectKind, name: string) => new VaultError(404, KIND_WORDS[kind].notFound, `Deleted ${KIND_WORDS[kind].Noun} not found: ${name}`);

export const beingRecovered = (kind: ObjectKind, name: string) =>
  new VaultError(409, "Conflict", `${KIND_WORDS[kind].Noun} ${name} is currently being recovered; retry later.`, "ObjectIsBeingRecovered");

export const deletedButRecoverable = (kind: ObjectKind, name: string) =>
  new VaultError(
    409,
    "Conflict",
    `${KIND_WORDS[kind].Noun} ${name} is currently in a deleted but recoverable state, and its name cannot be reused; ` +
      `in this state, the ${KIND_WORDS[kind].noun} can only be recovered or purged.`,
    "ObjectIsDeletedButRecoverable",
  );

export const beingDeleted = (kind: ObjectKind, name: string) =>
  new VaultError(409, "Conflict", `${KIND_WORDS[kind].Noun} ${name} is currently being deleted and cannot be re-created; retry later.`, "ObjectIsBeingDeleted");

export const purgeWhileBeingDeleted = (kind: ObjectKind) =>
  new VaultError(409, "Conflict", `${KIND_WORDS[kind].Noun} is currently being deleted.`, "ObjectIsBeingDeleted");

/** An operation on a disabled version (recorded: a get of a disabled secret; a key's crypto likewise). */
export const disabledObject = (kind: ObjectKind, operation: string) =>
  new VaultError(403, "Forbidden", `Operation ${operation} is not allowed on a disabled ${KIND_WORDS[kind].noun}.`, `${KIND_WORDS[kind].Noun}Disabled`);

/**
 * The service's one answer to a restore whose name is taken, or still being purged (recorded:
 * keys_client__restore_keys_and_recover_backups), naming the backup's current version.
 */
export const restoreConflict = (kind: ObjectKind, id: string) => {
  const { noun } = KIND_WORDS[kind];
  return new VaultError(
    409,
    "Conflict",
    `There was a conflict restoring the ${noun} '${id}'. This can happen if either: a second ${noun} with the same name was created after the first ${noun} was deleted; thus trying to restore a ${noun} whose name is already in use. To fix this, rename the second ${noun} to something else so that the restore works. The second probable cause of this exception is when multiple operations are performed in parallel against the ${noun}. To avoid this error, perform operations against a ${noun} in a sequential manner.`,
  );
};

/**
 * A certificate's key or secret changed on its own: it lives and dies with its certificate. The
 * service refuses it; its exact wording is not recorded (no recording deletes a managed key), so
 * this message names what to do instead.
 */
export const managedObject = (kind: ObjectKind, name: string, operation: string) =>
  new VaultError(
    403,
    "Forbidden",
    `Operation ${operation} is not allowed on ${KIND_WORDS[kind].noun} ${name}: it is managed by certificate ${name}. ${operation[0].toUpperCase()}${operation.slice(1)} the certificate instead.`,
    "ManagedObjectOperationNotAllowed",
  );

/** A name a certificate would take is held by a key or secret of its own (not one of a certificate's). */
export const nameHeldByUnmanaged = (kind: ObjectKind, name: string) =>
  new VaultError(409, "Conflict", `A ${KIND_WORDS[kind].noun} named ${name} exists and is not managed by a certificate: a certificate's key and secret take its name. Choose another name.`);

/** An operation segment the keys API does not have: POST /keys/{name}/{anything else}, or an empty name. */
export const operationNotSpecified = () => badParameter("Operation not specified");

/** The service's answer to a restore of a blob it cannot read (its code has spaces in it). */
export const malformedBackup = () => new VaultError(400, "Malformed backup blob", "Backup blob contains invalid or corrupt version.");

export const purgeProtected = () =>
  new VaultError(
    403,
    "Forbidden",
    'Operation "purge" is not allowed because purge protection is enabled for this vault. ' +
      "Key Vault service will automatically purge it after the retention period has passed.",
  );

export const badParameter = (message: string) => new VaultError(400, "BadParameter", message);

export const operationNotAllowed = (op: string) =>
  new VaultError(403, "Forbidden", `Operation ${op} is not permitted on this key.`, "KeyOperationForbidden");

export const unauthorized = (message: string) => new VaultError(401, "Unauthorized", message);

export const notFoundRoute = (method: string, path: string) =>
  new VaultError(404, "NotFound", `The requested resource ${method} ${path} was not found in this key vault.`);

/** A path the vault has, with a method it does not take there (recorded: PUT /secrets/ answers "HTTP PUT not allowed"). */
export const methodNotAllowed = (method: string) => new VaultError(405, "MethodNotAllowed", `HTTP ${method} not allowed`);

export const throttled = (retryAfterSeconds: number) =>
  new VaultError(
    429,
    "Throttled",
    "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached",
    undefined,
    { "Retry-After": String(retryAfterSeconds) },
  );

/** The 403s that the service gives for a missing role, access policy or network rule (FACTS.md §3). */
export const FORBIDDEN_REASONS = {
  /** `action` is the data action under Microsoft.KeyVault/vaults/, e.g. "keys/create/action" (routes.ts). */
  ForbiddenByRbac: (action: string) =>
    `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: appid=kvq-emulator\r\nAction: 'Microsoft.KeyVault/vaults/${action}'\r\nResource: 'kvq-emulator'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: kvq-emulator;location=local`,
  /** `action` is the access-policy permission with its kind, e.g. "keys create", "secrets get" (routes.ts). */
  ForbiddenByPolicy: (action: string) =>
    `The user, group or application 'appid=kvq-emulator' does not have ${action} permission on key vault 'kvq-emulator;location=local'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
  ForbiddenByFirewall: () => "Client address is not authorized and caller is not a trusted service.",
  ForbiddenByConnection: () => "Public network access is disabled and request is not from a trusted service nor via an approved private link.",
} as const;
export type ForbiddenReason = keyof typeof FORBIDDEN_REASONS;

export const forbidden = (reason: ForbiddenReason, action: string) =>
  new VaultError(403, "Forbidden", FORBIDDEN_REASONS[reason](action), reason);
