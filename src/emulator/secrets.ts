/**
 * The emulator's own secrets, made on first start and kept in the state folder (mode 0600):
 * the managed-identity header, the key that signs access tokens, the key that encrypts backups,
 * and the tenant the vault belongs to.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, type JsonWebKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { writeFileAtomicSync } from "../util/atomic-write";
import { EmulatorStateError } from "./store/state-error";

export interface EmulatorSecrets {
  tenantId: string;
  /** The value clients send as X-IDENTITY-HEADER to the managed-identity endpoint. */
  identityHeader: string;
  tokenSigningKey: KeyObject;
  tokenVerifyKey: KeyObject;
  /** AES-256-GCM key for backup blobs. */
  backupKey: Buffer;
}

interface SecretsFile {
  format: 1;
  tenantId: string;
  identityHeader: string;
  tokenSigningKey: JsonWebKey;
  backupKey: string;
}

/**
 * Reads the secrets, or makes and saves them on first start. An unreadable file stops the start
 * (new secrets would silently lock out every client and backup), unless `replaceInvalid` is set:
 * `--reset` asks to start over, so it may replace them.
 */
export function loadOrCreateSecrets(file: string, options: { replaceInvalid?: boolean } = {}): EmulatorSecrets {
  let text: string | undefined;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT" && !options.replaceInvalid) throw invalidSecrets(file, (error as Error).message);
  }
  if (text !== undefined) {
    try {
      return parseSecrets(JSON.parse(text) as SecretsFile);
    } catch (error) {
      if (!options.replaceInvalid) throw invalidSecrets(file, (error as Error).message);
    }
  }
  const stored: SecretsFile = {
    format: 1,
    tenantId: randomUUID(),
    identityHeader: randomBytes(24).toString("base64url"),
    tokenSigningKey: generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" }),
    backupKey: randomBytes(32).toString("base64url"),
  };
  try {
    writeFileAtomicSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  } catch (error) {
    throw new EmulatorStateError(`Cannot write the emulator's secrets file ${file}: ${(error as Error).message}. Check that the state folder is writable, or choose another with --state DIR.`);
  }
  return parseSecrets(stored);
}

function parseSecrets(stored: SecretsFile): EmulatorSecrets {
  const tokenSigningKey = createPrivateKey({ key: stored.tokenSigningKey, format: "jwk" });
  const backupKey = Buffer.from(stored.backupKey, "base64url");
  if (stored.format !== 1 || typeof stored.tenantId !== "string" || typeof stored.identityHeader !== "string" || backupKey.length !== 32) {
    throw new Error("unexpected fields");
  }
  return {
    tenantId: stored.tenantId,
    identityHeader: stored.identityHeader,
    tokenSigningKey,
    tokenVerifyKey: createPublicKey(tokenSigningKey),
    backupKey,
  };
}

const invalidSecrets = (file: string, detail: string) =>
  new EmulatorStateError(
    `The emulator's secrets file ${file} is not valid (${detail}). Nothing was changed.\n` +
      "It holds the identity header and the keys that sign tokens and seal backups. To make new ones, delete that file " +
      "(the vault's keys are kept; clients need the new IDENTITY_HEADER, so start with --env-file .env, and older backups " +
      'can no longer be restored), or run "kvq emulator --reset", which also deletes every key in that state folder.',
  );
