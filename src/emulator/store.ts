/**
 * The vault's state in memory, and on disk in the state folder: a snapshot (`vault.json`) and a
 * write-ahead journal of the changes since (`vault.journal`, see journal.ts).
 *
 * Operations change the records in memory; every change marks its name dirty, and the changes of
 * one request (a delete removes a key and adds a deleted one) become one journal record. The server
 * answers a write only after `synced()`, i.e. after that record is fsync'd. Now and then (and on
 * close) the journal is compacted into a new snapshot, written atomically and fsync'd. A snapshot
 * that does not parse stops the start with its path and what to do: it is never silently replaced;
 * a journal torn by a crash is replayed up to its last whole record.
 */
import { closeSync, fsyncSync, openSync, promises as fs, readFileSync } from "node:fs";
import path from "node:path";
import { Journal, replayJournal, type JournalRecord } from "./journal";
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
  if (state.seq !== undefined && !Number.isSafeInteger(state.seq)) throw problem('"seq" must be a whole number');
  if (!isRecord(state.keys) || !isRecord(state.deleted)) throw problem('expected "keys" and "deleted" objects');
  for (const [id, key] of Object.entries(state.keys)) {
    if (!isValidKey(key)) throw problem(`key "${id}" is malformed`);
  }
  for (const [id, deleted] of Object.entries(state.deleted)) {
    if (!isValidDeleted(deleted)) throw problem(`deleted key "${id}" is malformed`);
  }
  return state as VaultState;
}

const ownValue = <T>(record: Record<string, T>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);

const isRecord = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);

const isValidDeleted = (deleted: unknown): deleted is StoredDeletedKey =>
  isRecord(deleted) && isValidKey(deleted.key) && typeof deleted.deletedDate === "number" && typeof deleted.scheduledPurgeDate === "number";

/** A journal record is replayed only if every entry in it is a well-formed record (or null: gone). */
const isValidRecord = (record: JournalRecord) =>
  (record.k === undefined || (isRecord(record.k) && Object.values(record.k).every((v) => v === null || isValidKey(v)))) &&
  (record.d === undefined || (isRecord(record.d) && Object.values(record.d).every((v) => v === null || isValidDeleted(v))));

function isValidKey(key: unknown): key is StoredKey {
  if (!isRecord(key) || typeof key.name !== "string" || !Array.isArray(key.versions) || key.versions.length === 0) return false;
  return key.versions.every(
    (v: unknown) => isRecord(v) && typeof v.version === "string" && isRecord(v.jwk) && Array.isArray(v.keyOps) && typeof v.created === "number",
  );
}

/** Past this size the journal is folded into a new snapshot. */
const COMPACT_AT_BYTES = 8 * 1024 * 1024;

export class VaultStore {
  private seq: number;
  private readonly dirtyKeys = new Set<string>();
  private readonly dirtyDeleted = new Set<string>();
  private emitQueued = false;
  /** Counts changes: a request that changed nothing need not wait for the disk. */
  revision = 0;
  private readonly journal: Journal | undefined;

  private constructor(
    readonly state: VaultState,
    /** Where to persist; undefined keeps the vault in memory only. */
    private readonly files: { snapshot: string; journal: string } | undefined,
    seq: number,
    journalBytes: number,
  ) {
    this.seq = seq;
    if (files) this.journal = new Journal(files.journal, seq, journalBytes, () => this.writeSnapshot(), COMPACT_AT_BYTES);
  }

  static inMemory(): VaultStore {
    return new VaultStore(emptyState(), undefined, 0, 0);
  }

  /** The snapshot, with the journal's whole records replayed over it. */
  static open(snapshot: string, journal: string): VaultStore {
    const state = loadState(snapshot);
    let seq = state.seq ?? 0;
    const { records } = replayJournal(journal, isValidRecord);
    let bytes = 0;
    for (const record of records) {
      bytes += JSON.stringify(record).length + 10;
      if (record.s <= seq) continue;
      for (const [id, key] of Object.entries(record.k ?? {})) key ? (state.keys[id] = key as StoredKey) : delete state.keys[id];
      for (const [id, d] of Object.entries(record.d ?? {})) d ? (state.deleted[id] = d as StoredDeletedKey) : delete state.deleted[id];
      seq = record.s;
    }
    return new VaultStore(state, { snapshot, journal }, seq, bytes);
  }

  /** Keys held, live and soft-deleted. */
  count = (): number => Object.keys(this.state.keys).length + Object.keys(this.state.deleted).length;

  // Own properties only: "constructor" is a valid key name, and a plain object inherits one.
  getKey = (name: string): StoredKey | undefined => ownValue(this.state.keys, nameKey(name));
  getDeleted = (name: string): StoredDeletedKey | undefined => ownValue(this.state.deleted, nameKey(name));

  putKey(key: StoredKey): void {
    this.state.keys[nameKey(key.name)] = key;
    this.keyChanged(key.name);
  }

  removeKey(name: string): void {
    delete this.state.keys[nameKey(name)];
    this.keyChanged(name);
  }

  putDeleted(deleted: StoredDeletedKey): void {
    this.state.deleted[nameKey(deleted.key.name)] = deleted;
    this.mark(this.dirtyDeleted, deleted.key.name);
  }

  removeDeleted(name: string): void {
    delete this.state.deleted[nameKey(name)];
    this.mark(this.dirtyDeleted, name);
  }

  /** Record that something inside a stored key (a version, its attributes) was changed in place. */
  keyChanged(name: string): void {
    this.mark(this.dirtyKeys, name);
  }

  /** Resolves when every change made so far is on disk (fsync'd); rejects if it could not be written. */
  synced(): Promise<void> {
    this.emit();
    return this.journal ? this.journal.durable(this.seq) : Promise.resolve();
  }

  /** Everything on disk, folded into the snapshot (the journal left empty). */
  async flush(): Promise<void> {
    this.emit();
    await this.journal?.compact();
  }

  async close(): Promise<void> {
    await this.flush();
    await this.journal?.close();
  }

  private mark(set: Set<string>, name: string): void {
    this.revision++;
    if (!this.journal) return;
    set.add(nameKey(name));
    if (this.emitQueued) return;
    this.emitQueued = true;
    // The changes of one request are made in one synchronous run: they become one record.
    queueMicrotask(() => this.emit());
  }

  private emit(): void {
    this.emitQueued = false;
    if (!this.journal || (this.dirtyKeys.size === 0 && this.dirtyDeleted.size === 0)) return;
    const record: JournalRecord = { s: ++this.seq };
    if (this.dirtyKeys.size > 0) record.k = Object.fromEntries([...this.dirtyKeys].map((id) => [id, ownValue(this.state.keys, id) ?? null]));
    if (this.dirtyDeleted.size > 0) record.d = Object.fromEntries([...this.dirtyDeleted].map((id) => [id, ownValue(this.state.deleted, id) ?? null]));
    this.dirtyKeys.clear();
    this.dirtyDeleted.clear();
    this.journal.append(record);
  }

  /** Writes the whole state as the new snapshot, durably; returns the sequence number it covers. */
  private async writeSnapshot(): Promise<number> {
    this.emit();
    const seq = this.seq;
    const text = JSON.stringify({ ...this.state, seq });
    await writeDurably(this.files!.snapshot, text);
    return seq;
  }
}

/**
 * Temp file, fsync, rename, fsync of the folder: after a crash the file is the old one or the new
 * one, whole. (util/atomic-write does not fsync; the snapshot must be on disk before the journal is emptied.)
 */
async function writeDurably(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Math.random().toString(16).slice(2, 10).padEnd(8, "0")}.tmp`);
  try {
    const handle = await fs.open(temp, "w", 0o600); // private key material
    try {
      await handle.writeFile(text);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  syncFolder(path.dirname(file));
}

/** Makes a rename durable. Windows cannot open a folder for fsync; NTFS journals renames itself. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // not supported here
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
