/**
 * The emulator's own secrets, made on first start and kept in the state folder (mode 0600):
 * the managed-identity header, the key that signs access tokens, the key that encrypts backups,
 * and the tenant the vault belongs to.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, type JsonWebKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { writeFileAtomicSync } from "../util/atomic-write";
import { EmulatorStateError } from "./store";

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

export function loadOrCreateSecrets(file: string): EmulatorSecrets {
  let stored: SecretsFile;
  try {
    stored = JSON.parse(readFileSync(file, "utf8")) as SecretsFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new EmulatorStateError(
        `The emulator's secrets file ${file} cannot be read (${(error as Error).message}). ` +
          `Run "kvq emulator --reset" to make new ones (this also deletes the vault's keys).`,
      );
    }
    stored = {
      format: 1,
      tenantId: randomUUID(),
      identityHeader: randomBytes(24).toString("base64url"),
      tokenSigningKey: generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" }),
      backupKey: randomBytes(32).toString("base64url"),
    };
    writeFileAtomicSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
  try {
    const tokenSigningKey = createPrivateKey({ key: stored.tokenSigningKey, format: "jwk" });
    const backupKey = Buffer.from(stored.backupKey, "base64url");
    if (stored.format !== 1 || typeof stored.identityHeader !== "string" || backupKey.length !== 32) throw new Error("unexpected fields");
    return {
      tenantId: stored.tenantId,
      identityHeader: stored.identityHeader,
      tokenSigningKey,
      tokenVerifyKey: createPublicKey(tokenSigningKey),
      backupKey,
    };
  } catch (error) {
    throw new EmulatorStateError(
      `The emulator's secrets file ${file} is not valid (${(error as Error).message}). ` +
        `Run "kvq emulator --reset" to make new ones (this also deletes the vault's keys).`,
    );
  }
}
