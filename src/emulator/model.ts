/**
 * What the vault stores: keys with their versions, soft-deleted keys, rotation policies.
 * Plain JSON-serialisable records (they are persisted as they are); times in Unix seconds, as the
 * service reports them.
 */
import type { PrivateJwk } from "./crypto/key-material";

export interface StoredKeyVersion {
  version: string;
  jwk: PrivateJwk;
  keyOps: string[];
  enabled: boolean;
  nbf?: number;
  exp?: number;
  exportable?: boolean;
  created: number;
  updated: number;
  tags?: Record<string, string>;
}

export interface LifetimeAction {
  trigger: { timeAfterCreate?: string; timeBeforeExpiry?: string };
  action: { type: string };
}

export interface StoredRotationPolicy {
  lifetimeActions: LifetimeAction[];
  expiryTime?: string;
  created: number;
  updated: number;
}

export interface StoredKey {
  /** The name as first created: Key Vault names are case-insensitive but keep their case. */
  name: string;
  /** Oldest first; the last one is the current version. */
  versions: StoredKeyVersion[];
  rotationPolicy?: StoredRotationPolicy;
  /** Until this moment (emulator clock, ms) a recovered key is "being recovered": still 404 to reads. */
  recoveringUntilMs?: number;
}

export interface StoredDeletedKey {
  key: StoredKey;
  deletedDate: number;
  scheduledPurgeDate: number;
  /** Until this moment (emulator clock, ms) the key is "being deleted": not yet listed, name still busy. */
  deletingUntilMs: number;
}

/**
 * Every kind of object the vault keeps, each with its live records and its soft-deleted ones (a
 * live record holds its versions). The store (store/) is written against this map and knows no
 * kind by name: a new kind is a line here and a line in store/kinds.ts, no storage code.
 */
export interface StoredKinds {
  keys: { live: StoredKey; deleted: StoredDeletedKey };
}

export type ObjectKind = keyof StoredKinds;

/** Lookup key for a name: Key Vault object names are case-insensitive. */
export const nameKey = (name: string) => name.toLowerCase();

export const currentVersion = (key: StoredKey): StoredKeyVersion => key.versions[key.versions.length - 1];
