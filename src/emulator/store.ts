/**
 * The vault's state in memory, and its file in the state folder.
 *
 * Every change marks the state dirty; one write runs at a time and the next one picks up all the
 * changes made meanwhile, so a burst of requests costs one or two writes, not one each. Writes
 * are atomic (temp file + rename). A state file that does not parse stops the start with its path
 * and what to do: it is never silently replaced.
 */
import { readFileSync } from "node:fs";
import { writeFileAtomic } from "../util/atomic-write";
import { emptyState, nameKey, type StoredDeletedKey, type StoredKey, type VaultState } from "./model";

export class EmulatorStateError extends Error {
  override readonly name = "EmulatorStateError";
}

export function loadState(file: string): VaultState {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyState();
    throw new EmulatorStateError(`Cannot read the emulator's state file ${file}: ${(error as Error).message}`);
  }
  const problem = (detail: string) =>
    new EmulatorStateError(
      `The emulator's state file ${file} is not valid (${detail}). Nothing was changed.\n` +
        `To keep its keys, restore or repair that file. To start over with an empty vault, run ` +
        `"kvq emulator --reset" (this deletes every key in that state folder), or choose another folder with --state DIR.`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw problem(`not JSON: ${(error as Error).message}`);
  }
  const state = parsed as Partial<VaultState>;
  if (!state || typeof state !== "object" || state.format !== 1) throw problem('expected an object with "format": 1');
  if (!isRecord(state.keys) || !isRecord(state.deleted)) throw problem('expected "keys" and "deleted" objects');
  for (const [id, key] of Object.entries(state.keys)) {
    if (!isValidKey(key)) throw problem(`key "${id}" is malformed`);
  }
  for (const [id, deleted] of Object.entries(state.deleted)) {
    if (!isRecord(deleted) || !isValidKey(deleted.key) || typeof deleted.deletedDate !== "number" || typeof deleted.scheduledPurgeDate !== "number") {
      throw problem(`deleted key "${id}" is malformed`);
    }
  }
  return state as VaultState;
}

const ownValue = <T>(record: Record<string, T>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);

const isRecord = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);

function isValidKey(key: unknown): key is StoredKey {
  if (!isRecord(key) || typeof key.name !== "string" || !Array.isArray(key.versions) || key.versions.length === 0) return false;
  return key.versions.every(
    (v: unknown) => isRecord(v) && typeof v.version === "string" && isRecord(v.jwk) && Array.isArray(v.keyOps) && typeof v.created === "number",
  );
}

export class VaultStore {
  private writing: Promise<void> | undefined;
  private dirty = false;
  private lastError: Error | undefined;

  constructor(
    readonly state: VaultState,
    /** Where to persist; undefined keeps the vault in memory only. */
    private readonly file: string | undefined,
  ) {}

  // Own properties only: "constructor" is a valid key name, and a plain object inherits one.
  getKey = (name: string): StoredKey | undefined => ownValue(this.state.keys, nameKey(name));
  getDeleted = (name: string): StoredDeletedKey | undefined => ownValue(this.state.deleted, nameKey(name));

  putKey(key: StoredKey): void {
    this.state.keys[nameKey(key.name)] = key;
    this.changed();
  }

  removeKey(name: string): void {
    delete this.state.keys[nameKey(name)];
    this.changed();
  }

  putDeleted(deleted: StoredDeletedKey): void {
    this.state.deleted[nameKey(deleted.key.name)] = deleted;
    this.changed();
  }

  removeDeleted(name: string): void {
    delete this.state.deleted[nameKey(name)];
    this.changed();
  }

  /** Record that something inside a stored record was changed in place. */
  changed(): void {
    if (!this.file) return;
    this.dirty = true;
    if (!this.writing) this.writing = this.writeLoop();
  }

  /** Resolves when everything changed so far is on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.lastError) throw this.lastError;
  }

  private async writeLoop(): Promise<void> {
    try {
      while (this.dirty && this.file) {
        this.dirty = false;
        try {
          // mode 0600: the file holds private key material.
          await writeFileAtomic(this.file, JSON.stringify(this.state), { mode: 0o600 });
          this.lastError = undefined;
        } catch (error) {
          this.lastError = error as Error;
        }
      }
    } finally {
      this.writing = undefined;
    }
  }
}
