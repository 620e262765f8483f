/**
 * The vault's objects in memory, kept on disk in `vault.db` (database.ts).
 *
 * Reads are Map lookups. Operations change records in memory and say so (`put`, `remove`,
 * `changed`); the changes of one synchronous run (one request's) are queued together, and while
 * one commit is on its way the next requests' changes gather for the one after it (group commit).
 * The server answers a request only after `synced()`: after every change made so far, its own
 * and any it could have read, is committed and fsync'd.
 *
 * A commit that fails (a full disk, an I/O error) is undone in memory too: the store reads the
 * committed records back and every request still waiting is answered with the error. So a change
 * answered with an error is neither kept nor seen, and the next write, once there is room, is
 * made on the committed state.
 */
import { nameKey, type ObjectKind, type SettingKind, type StoreKind, type StoredKinds, type StoredSettings } from "../model";
import type { Database, SqlValue } from "./database";
import { isSettingKind, OBJECT_KINDS, SETTING_KINDS, type RecordState } from "./kinds";
import { rowStatements, SELECT_ROWS, type Row } from "./schema";

/** The records of one kind in one state (live or soft-deleted), by name, case-insensitively. */
export class RecordMap<T> {
  /** @internal */ readonly map = new Map<string, T>();

  constructor(
    private readonly onChange: (state: RecordState, id: string) => void,
    private readonly state: RecordState,
  ) {}

  get = (name: string): T | undefined => this.map.get(nameKey(name));
  values = (): IterableIterator<T> => this.map.values();
  get size(): number {
    return this.map.size;
  }

  put(name: string, value: T): void {
    this.map.set(nameKey(name), value);
    this.onChange(this.state, nameKey(name));
  }

  remove(name: string): void {
    this.map.delete(nameKey(name));
    this.onChange(this.state, nameKey(name));
  }

  /** Say that the record under this name was changed in place (a version added, an attribute set). */
  changed(name: string): void {
    this.onChange(this.state, nameKey(name));
  }
}

/** One kind's objects: the live ones and the soft-deleted ones. */
export class ObjectCollection<Live, Deleted> {
  readonly live: RecordMap<Live>;
  readonly deleted: RecordMap<Deleted>;

  constructor(onChange: (state: RecordState, id: string) => void) {
    this.live = new RecordMap<Live>(onChange, "live");
    this.deleted = new RecordMap<Deleted>(onChange, "deleted");
  }

  /** Live and soft-deleted together (a deleted object still holds its material). */
  count = (): number => this.live.size + this.deleted.size;
}

type Collections = { [K in ObjectKind]: ObjectCollection<StoredKinds[K]["live"], StoredKinds[K]["deleted"]> };
/** Each setting's records (never soft-deleted: "live" only). */
type Settings = { [K in SettingKind]: RecordMap<StoredSettings[K]> };

/** A decoded record, as the start-up (open.ts) hands the store what it read. */
export interface LoadedRecord {
  kind: StoreKind;
  state: RecordState;
  id: string;
  value: unknown;
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Why a change was not kept: the database's error, with its code (SQLITE_FULL for a full disk). */
export class StoreWriteError extends Error {
  override readonly name = "StoreWriteError";
  constructor(override readonly cause: Error & { code?: string }) {
    super(cause.message);
  }
  get code(): string | undefined {
    return this.cause.code;
  }
}

/** The answer to a request whose change (or what it read) was not kept. */
export function storeFailureMessage(error: Error & { code?: string }): string {
  const cause = error.code === "SQLITE_FULL" ? "the disk is full" : `${error.code ?? "error"}: ${error.message}`;
  return (
    `The emulator could not save a change to its state folder (${cause}). Nothing of this request was kept: the vault is as it was before it. ` +
    (error.code === "SQLITE_FULL" ? "Free some disk space, then try again." : "Check the disk and the state folder, then try again.")
  );
}

/** After writes stop for this long, the write-ahead log is folded into the file (and emptied). */
const CHECKPOINT_WHEN_IDLE_MS = 1000;

export class VaultStore {
  private readonly collections: Collections;
  private readonly settingRecords: Settings;
  private readonly dirty = new Map<string, Omit<Row, "body">>();
  private queued = new Map<string, Row>();
  private queuedSeq = 0;
  private seq = 0;
  private committedSeq = 0;
  private waiters: Waiter[] = [];
  private emitScheduled = false;
  private writing: Promise<void> | undefined;
  /** Set while a failed commit is being undone: every request that waits meanwhile gets its error. */
  private undoing: Promise<void> | undefined;
  /** Set when the committed state could not even be read back: nothing can be trusted to be kept. */
  private broken: StoreWriteError | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private lastFailure: StoreWriteError | undefined;

  private constructor(private readonly db: Database | undefined) {
    const onChange = (kind: StoreKind) => (state: RecordState, id: string) => this.markChanged(kind, state, id);
    this.collections = Object.fromEntries(OBJECT_KINDS.map((kind) => [kind, new ObjectCollection(onChange(kind))])) as unknown as Collections;
    this.settingRecords = Object.fromEntries(SETTING_KINDS.map((kind) => [kind, new RecordMap(onChange(kind), "live")])) as unknown as Settings;
  }

  /** A vault kept in memory only. */
  static inMemory(): VaultStore {
    return new VaultStore(undefined);
  }

  /** A vault kept in `db`, starting from the records read from it. */
  static persisted(db: Database, records: LoadedRecord[]): VaultStore {
    const store = new VaultStore(db);
    store.fill(records);
    return store;
  }

  /** The objects of one kind: `store.of("keys").live.get(name)`. */
  of<K extends ObjectKind>(kind: K): Collections[K] {
    return this.collections[kind];
  }

  /** The records of one setting: `store.settings("certificate-issuers").get(name)`. */
  settings<K extends SettingKind>(kind: K): Settings[K] {
    return this.settingRecords[kind];
  }

  /** The map a row of this kind and state lives in. */
  private records(kind: StoreKind, state: RecordState): RecordMap<unknown> {
    return (isSettingKind(kind) ? this.settingRecords[kind] : this.collections[kind][state]) as RecordMap<unknown>;
  }

  /**
   * Counts failed commits being undone (twice each: at the start of the undo and at its end). A
   * request that began in another epoch than it ends in may have changed or read what was undone.
   */
  epoch = 0;

  /**
   * Resolves when every change made so far is committed; rejects (StoreWriteError) if any was not
   * kept, or if a commit failed since `since` (the epoch in which the caller began its work).
   */
  synced(since = this.epoch): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    this.emit();
    if (this.undoing) return this.undoing.then(() => Promise.reject(this.lastFailure));
    if (since !== this.epoch) return Promise.reject(this.lastFailure);
    if (this.seq <= this.committedSeq) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ seq: this.seq, resolve, reject }));
  }

  /** Everything committed, and the write-ahead log folded into `vault.db`. */
  async flush(): Promise<void> {
    await this.synced().catch(() => undefined);
    await this.writing;
    await this.db?.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    await this.synced().catch(() => undefined);
    await this.writing;
    await this.db?.close({ checkpoint: true });
  }

  private markChanged(kind: StoreKind, state: RecordState, id: string): void {
    if (!this.db) return;
    this.dirty.set(rowKey(kind, state, id), { kind, state, id });
    if (this.emitScheduled) return;
    this.emitScheduled = true;
    // A request's changes are made in one synchronous run: they are queued together.
    queueMicrotask(() => this.emit());
  }

  /** Turns the changes made since the last call into rows queued for the next commit. */
  private emit(): void {
    this.emitScheduled = false;
    if (this.dirty.size === 0) return;
    for (const [key, { kind, state, id }] of this.dirty) {
      const value = this.records(kind, state).map.get(id);
      this.queued.set(key, { kind, state, id, body: value === undefined ? null : JSON.stringify(value) });
    }
    this.dirty.clear();
    this.queuedSeq = ++this.seq;
    this.writing ??= this.writeLoop();
  }

  private async writeLoop(): Promise<void> {
    clearTimeout(this.idleTimer);
    while (this.queued.size > 0) {
      const rows = this.queued;
      const seq = this.queuedSeq;
      this.queued = new Map();
      try {
        await this.db!.commit(rowStatements(rows.values()));
        this.committedSeq = seq;
        this.waiters = this.waiters.filter((w) => (w.seq <= seq ? (w.resolve(), false) : true));
      } catch (error) {
        await this.undo(new StoreWriteError(error as Error));
      }
    }
    this.writing = undefined;
    this.idleTimer = setTimeout(() => void this.db?.exec("PRAGMA wal_checkpoint(TRUNCATE)").catch(() => undefined), CHECKPOINT_WHEN_IDLE_MS);
    this.idleTimer.unref();
  }

  /**
   * A commit failed: nothing since the last good one is kept. Every waiting request gets the error,
   * the records are read back from the file, and changes made meanwhile (made on top of the lost
   * ones) are dropped with them.
   */
  private async undo(failure: StoreWriteError): Promise<void> {
    this.lastFailure = failure;
    this.epoch++;
    let done!: () => void;
    this.undoing = new Promise<void>((resolve) => (done = resolve));
    try {
      const rows = await this.db!.query(SELECT_ROWS);
      this.fill(rows.map(decodeCommitted));
    } catch (error) {
      this.broken = new StoreWriteError(error as Error);
    }
    this.dirty.clear();
    this.queued.clear();
    this.committedSeq = this.seq;
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.broken ?? failure);
    this.epoch++;
    this.undoing = undefined;
    done();
  }

  private fill(records: LoadedRecord[]): void {
    for (const kind of OBJECT_KINDS) {
      this.collections[kind].live.map.clear();
      this.collections[kind].deleted.map.clear();
    }
    for (const kind of SETTING_KINDS) this.settingRecords[kind].map.clear();
    for (const { kind, state, id, value } of records) this.records(kind, state).map.set(id, value);
  }
}

const rowKey = (kind: string, state: string, id: string) => `${kind}\u0000${state}\u0000${id}`;

/** A row this store committed a moment ago: checked when the file was opened, written by us since. */
const decodeCommitted = ([, kind, state, id, body]: SqlValue[]): LoadedRecord => ({
  kind: kind as StoreKind,
  state: state as RecordState,
  id: id as string,
  value: JSON.parse(body as string),
});
