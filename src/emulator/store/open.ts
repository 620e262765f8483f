/**
 * Opening the vault's state at start: take the folder's lock, read every record, and deal with what
 * is found — an older emulator's files to migrate, or damage to report.
 *
 * - The lock is the database's own (database.ts): a second emulator on a folder in use is refused
 *   at once, with the address of the one that runs (last-run.json), and what to do.
 * - Damage never makes things worse. Every record is checked (SQLite's quick_check for the file's
 *   structure, a CRC for each record, its shape, and the write-ahead log for commits SQLite would
 *   silently skip). If anything is wrong, the files are copied aside unchanged into
 *   `damaged-<time>/` with a report.json, a new `vault.db` is made from every intact record, and
 *   the learner is told what was lost and what to do (and `kvq doctor` tells it again).
 * - An older emulator's `vault.json` + `vault.journal` are moved into `vault.db` in one
 *   transaction, then moved aside into `migrated-<time>/`; a crash in between repeats nothing.
 */
import { randomBytes } from "node:crypto";
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { readEmulatorRecord } from "../../emulator-record";
import { processAlive } from "../../util/process-alive";
import type { StoreKind } from "../model";
import { CommitGate, Database, DatabaseError, type SqlValue, type Statement } from "./database";
import { recordDamage, STORE_KINDS, type RecordState } from "./kinds";
import { LEGACY_JOURNAL, LEGACY_SNAPSHOT, readLegacyState, type LostRecord } from "./legacy";
import { APPLICATION_ID, CREATE_SCHEMA, FORMAT, rowChecksum, rowStatements, SELECT_ROWS, setMeta } from "./schema";
import { EmulatorStateError } from "./state-error";
import { VaultStore, type LoadedRecord } from "./vault-store";
import { findWalDamage, type WalDamage } from "./wal-check";

export const DB_FILE = "vault.db";
/** Folders a start leaves beside the state: damaged files kept as they were, and migrated ones. */
export const DAMAGED_PREFIX = "damaged-";
export const MIGRATED_PREFIX = "migrated-";
export const DAMAGE_REPORT = "report.json";

/** What a start found and did, for the learner (printed by the emulator) and for kvq doctor. */
export interface StoreReport {
  migrated?: { from: string[]; records: number; movedTo: string };
  damage?: DamageReport;
}

export interface DamageReport {
  /** When it was found (ISO time). */
  at: string;
  /** The files found damaged, as they were named then. */
  files: string[];
  /** Where they are kept, unchanged. */
  keptIn: string;
  /** Records kept (intact) and what was lost. */
  kept: number;
  lost: LostRecord[];
  /** SQLite's own finding on the file's structure, when it had one. */
  structure?: string;
  wal?: WalDamage;
}

const messages = () => (require("../../i18n") as typeof import("../../i18n")).t().commands.emulator;

export interface OpenOptions {
  /** Forget every record (the lock is taken first: a running emulator's file is never wiped). */
  reset?: boolean;
  /** For tests: commits wait while it is shut. */
  gate?: CommitGate;
}

export async function openVaultStore(stateDir: string, options: OpenOptions = {}): Promise<{ store: VaultStore; report: StoreReport }> {
  const file = path.join(stateDir, DB_FILE);
  const report: StoreReport = {};
  let db = await openLocked(stateDir, file, options.gate).catch(async (error: DatabaseError) => {
    if (error.code !== "SQLITE_NOTADB" && error.code !== "SQLITE_CORRUPT") throw error;
    // SQLite will not even open it: kept aside whole, what can be read of a copy goes into a new file.
    const salvaged = await salvageUnreadable(stateDir, file, error);
    report.damage = salvaged.damage;
    const fresh = await openLocked(stateDir, file, options.gate);
    await fresh.exec(CREATE_SCHEMA);
    await fresh.commit(insertRows(salvaged.keep));
    return fresh;
  });
  try {
    if (options.reset) {
      await db.close();
      for (const f of [file, `${file}-wal`, `${file}-shm`, path.join(stateDir, LEGACY_SNAPSHOT), path.join(stateDir, LEGACY_JOURNAL)]) rmSync(f, { force: true });
      db = await openLocked(stateDir, file, options.gate);
    }
    const read = await readDatabase(db, file);
    let records = read.records;
    if (read.damaged) {
      const at = new Date();
      const keptIn = path.join(stateDir, `${DAMAGED_PREFIX}${stamp(at)}`);
      const files = [file, `${file}-wal`].filter((f) => existsSync(f));
      copyAside(files, keptIn);
      db = await rebuild(stateDir, db, read.keep, options.gate);
      report.damage = { at: at.toISOString(), files, keptIn, kept: records.length, lost: read.lost, structure: read.structure, wal: read.wal };
      writeDamageReport(keptIn, report.damage);
    }
    if (read.migrated === undefined) {
      const migration = await migrateLegacy(stateDir, db, records.length > 0);
      if (migration) {
        records = migration.records;
        report.migrated = migration.migrated;
        if (migration.damage) report.damage = migration.damage;
      }
    } else {
      moveLegacyAside(stateDir, new Date()); // a migration whose files a crash left in place
    }
    return { store: VaultStore.persisted(db, records), report };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** Opens the file with its lock, or says who holds it. */
async function openLocked(stateDir: string, file: string, gate?: CommitGate): Promise<Database> {
  try {
    return await Database.open(file, { gate });
  } catch (error) {
    if ((error as DatabaseError).code === "SQLITE_BUSY") throw await inUse(stateDir, file);
    throw error;
  }
}

/**
 * The lock is taken: by an emulator (its last-run.json names it, once it listens: wait a moment
 * for one that is starting), or by some other program with the file open.
 */
async function inUse(stateDir: string, file: string): Promise<EmulatorStateError> {
  for (let waited = 0; waited <= 3000; waited += 100) {
    const record = readEmulatorRecord(stateDir);
    if (record && record.pid !== undefined && processAlive(record.pid)) {
      return new EmulatorStateError(messages().stateFolderInUse(stateDir, record.url, record.pid));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return new EmulatorStateError(messages().stateFileLocked(file));
}

interface DatabaseRead {
  records: LoadedRecord[];
  /** Rows to carry into a rebuilt file: the intact ones, and those of kinds this emulator does not know. */
  keep: SqlValue[][];
  lost: LostRecord[];
  damaged: boolean;
  structure?: string;
  wal?: WalDamage;
  /** Set when this file already took in an older emulator's files. */
  migrated?: string;
}

async function readDatabase(db: Database, file: string): Promise<DatabaseRead> {
  const [[applicationId]] = await db.query("PRAGMA application_id");
  const [[version]] = await db.query("PRAGMA user_version");
  const tables = (await db.query("SELECT name FROM sqlite_master WHERE type = 'table'")).map(([name]) => name);
  const read: DatabaseRead = { records: [], keep: [], lost: [], damaged: false };
  if (applicationId === 0 && tables.length === 0) {
    await db.exec(CREATE_SCHEMA); // a new file
    return read;
  }
  if (applicationId !== APPLICATION_ID || !tables.includes("objects") || !tables.includes("meta")) {
    // SQLite reads it, but it is not this vault's: damaged beyond its header, or another program's file.
    return { ...read, damaged: true, structure: messages().notThisVaultsFile(file) };
  }
  if (Number(version) > FORMAT) throw new EmulatorStateError(messages().stateFileTooNew(file, Number(version)));

  // Both asked at once: the rows are checked here while the worker runs SQLite's structure check.
  const scan = db.queryJoined(SELECT_ROWS, BODY).catch(() => undefined);
  const structure = db.query("PRAGMA quick_check").catch((error: Error) => [[error.message]]);
  read.wal = findWalDamage(`${file}-wal`);
  if (read.wal) read.damaged = true;
  const scanned = await scan;
  let rows: SqlValue[][];
  let values: unknown[] | undefined;
  if (scanned) {
    rows = withBodies(scanned);
    try {
      values = JSON.parse(`[${scanned.joined}]`) as unknown[];
    } catch {
      values = undefined; // some body is not JSON: each is parsed alone below
    }
  } else {
    read.damaged = true;
    rows = await salvageRows(db, read.lost);
  }
  const lostBefore = read.lost.length;
  const verified = verifyRows(rows, read.damaged, read.lost, values);
  if (read.lost.length > lostBefore) read.damaged = true;
  read.records = verified.records;
  read.keep = verified.keep;
  const check = await structure;
  if (!(check.length === 1 && check[0][0] === "ok")) {
    read.damaged = true;
    read.structure = check.map(([line]) => line).slice(0, 5).join("; ");
  }
  read.migrated = ((await db.query("SELECT value FROM meta WHERE name = 'migrated-from'").catch(() => []))[0]?.[0] as string | undefined) ?? undefined;
  return read;
}

/** The records of the rows that pass every check; the others are added to `lost`. */
function verifyRows(rows: SqlValue[][], checkMaterial: boolean, lost: LostRecord[], values?: unknown[]) {
  const records: LoadedRecord[] = [];
  const keep: SqlValue[][] = [];
  for (const [index, row] of rows.entries()) {
    const [, kind, state, id, body, sum] = row;
    if (!(STORE_KINDS as unknown[]).includes(kind)) {
      keep.push(row); // a kind a newer emulator stored: kept as it is, not served
      continue;
    }
    const damage = rowDamage(kind as StoreKind, state as RecordState, id, body, sum, checkMaterial, values?.[index]);
    if (damage.why) {
      lost.push({ kind: kind as StoreKind, state: state === "deleted" ? "deleted" : "live", name: typeof id === "string" ? id : undefined, why: damage.why });
      continue;
    }
    records.push({ kind: kind as StoreKind, state: state as RecordState, id: id as string, value: damage.value });
    keep.push(row);
  }
  return { records, keep };
}

/** The column of SELECT_ROWS that holds the record's JSON. */
const BODY = 4;

/** The rows of a joined query with their bodies cut back out of the joined string. */
function withBodies({ rows, lengths, joined }: { rows: SqlValue[][]; lengths: number[]; joined: string }): SqlValue[][] {
  let at = 0;
  return rows.map((row, i) => {
    row[BODY] = joined.slice(at, at + lengths[i]);
    at += lengths[i] + 1;
    return row;
  });
}

/**
 * Why a row cannot be used (`why`), or its record (`value`). `parsed` is its body already parsed,
 * trusted only once the checksum has passed.
 */
function rowDamage(kind: StoreKind, state: RecordState, id: SqlValue, body: SqlValue, sum: SqlValue, checkMaterial: boolean, parsed?: unknown) {
  if (typeof id !== "string" || typeof body !== "string" || (state !== "live" && state !== "deleted")) return { why: "malformed" as const };
  if (rowChecksum(kind, state, id, body) !== sum) return { why: "checksum" as const };
  let value = parsed;
  if (value === undefined) {
    try {
      value = JSON.parse(body);
    } catch {
      return { why: "malformed" as const };
    }
  }
  // A salvage checks key material too: the file was damaged, and a checksum alone is 32 bits.
  return { why: recordDamage(kind, state, id, value, checkMaterial), value };
}

/**
 * A scan that cannot get past a damaged page: read the rows by rowid instead, a range at a time and,
 * where a range fails, one by one. Lookups that fail are counted; rowids that were never used cost nothing.
 */
async function salvageRows(db: Database, lost: LostRecord[]): Promise<SqlValue[][]> {
  // Without the highest rowid, a bound: no page holds more than 100 rows of ours. Lookups that fail then say little.
  const known = await db
    .query("SELECT max(rowid) FROM objects")
    .then(([[n]]) => Number(n ?? 0))
    .catch(() => undefined);
  const max = known ?? Number((await db.query("PRAGMA page_count").catch(() => [[1000]]))[0][0]) * 100;
  const rows: SqlValue[][] = [];
  const RANGE = 256;
  const ranges: SqlValue[][] = [];
  for (let start = 1; start <= max; start += RANGE) ranges.push([start, start + RANGE - 1]);
  const results = await db.queryEach(`${SELECT_ROWS} WHERE rowid BETWEEN ? AND ?`, ranges);
  let unreadable = 0;
  for (const [i, result] of results.entries()) {
    if ("rows" in result) {
      rows.push(...result.rows);
      continue;
    }
    const [from, to] = ranges[i] as number[];
    const single = await db.queryEach(`${SELECT_ROWS} WHERE rowid = ?`, Array.from({ length: to - from + 1 }, (_, k) => [from + k]));
    for (const one of single) "rows" in one ? rows.push(...one.rows) : unreadable++;
  }
  if (unreadable > 0) lost.push({ kind: "keys", why: "unreadable", count: known === undefined ? undefined : unreadable });
  return rows;
}

/** A new `vault.db` from the rows kept, put in place of the damaged one (already copied aside). */
async function rebuild(stateDir: string, damaged: Database, keep: SqlValue[][], gate?: CommitGate): Promise<Database> {
  const file = path.join(stateDir, DB_FILE);
  const temp = path.join(stateDir, `.${DB_FILE}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const fresh = await Database.open(temp);
  try {
    await fresh.exec(CREATE_SCHEMA);
    await fresh.commit(insertRows(keep));
  } finally {
    await fresh.close({ checkpoint: true });
  }
  rmSync(`${temp}-wal`, { force: true });
  // Between the old connection's end and the new one's start another emulator could take the
  // folder; it would find the new file, whole.
  await damaged.close();
  for (const f of [`${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  renameSync(temp, file);
  syncFolder(stateDir);
  return openLocked(stateDir, file, gate);
}

const insertRows = (rows: SqlValue[][]): Statement[] =>
  rows.map(([, kind, state, id, body, sum]) => ["INSERT INTO objects (kind, state, id, body, checksum) VALUES (?, ?, ?, ?, ?)", [kind, state, id, body, sum]]);

/**
 * A file SQLite will not open (its header damaged, or cut short of a whole page): moved aside whole,
 * and read from a copy made whole again (padded to its page size), row by row where it can be.
 */
async function salvageUnreadable(stateDir: string, file: string, error: Error): Promise<{ damage: DamageReport; keep: SqlValue[][] }> {
  const at = new Date();
  const keptIn = path.join(stateDir, `${DAMAGED_PREFIX}${stamp(at)}`);
  const files = [file, `${file}-wal`].filter((f) => existsSync(f));
  mkdirSync(keptIn, { recursive: true, mode: 0o700 });
  for (const f of files) renameSync(f, path.join(keptIn, path.basename(f)));
  rmSync(`${file}-shm`, { force: true });
  syncFolder(stateDir);

  const copy = path.join(stateDir, `.${DB_FILE}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const lost: LostRecord[] = [];
  let keep: SqlValue[][] = [];
  let records = 0;
  try {
    const original = readFileSync(path.join(keptIn, DB_FILE));
    const pageSize = original.length >= 18 ? original.readUInt16BE(16) || 65536 : 4096;
    const whole = Buffer.concat([original, Buffer.alloc((pageSize - (original.length % pageSize)) % pageSize)]);
    if (whole.length >= 100) whole.writeUInt32BE(whole.length / pageSize, 28); // the header's page count, as the file is now
    writeFileSync(copy, whole, { mode: 0o600 });
    if (existsSync(path.join(keptIn, `${DB_FILE}-wal`))) copyFileSync(path.join(keptIn, `${DB_FILE}-wal`), `${copy}-wal`);
    const db = await Database.open(copy);
    try {
      const verified = verifyRows(await salvageRows(db, lost), true, lost);
      keep = verified.keep;
      records = verified.records.length;
    } finally {
      await db.close();
    }
  } catch {
    // nothing of it can be read
  } finally {
    for (const f of [copy, `${copy}-wal`]) rmSync(f, { force: true });
  }
  if (records === 0 && lost.length === 0) lost.push({ kind: "keys", why: "unreadable" });
  const damage: DamageReport = { at: at.toISOString(), files, keptIn, kept: records, lost, structure: error.message };
  writeDamageReport(keptIn, damage);
  return { damage, keep };
}

/** An older emulator's files, moved into the database in one transaction. */
async function migrateLegacy(stateDir: string, db: Database, haveRecords: boolean) {
  const snapshotFile = path.join(stateDir, LEGACY_SNAPSHOT);
  const journalFile = path.join(stateDir, LEGACY_JOURNAL);
  const legacy = readLegacyState(snapshotFile, journalFile);
  if (!legacy || haveRecords) return undefined; // nothing to migrate (or a vault.db of its own already: its files stay where they are)
  const at = new Date();
  await db.commit([
    ...rowStatements(legacy.records.map(({ kind, state, id, value }) => ({ kind, state, id, body: JSON.stringify(value) }))),
    setMeta("migrated-from", JSON.stringify({ at: at.toISOString(), files: legacy.files.map((f) => path.basename(f)) })),
  ]);
  const movedTo = moveLegacyAside(stateDir, at)!;
  const migrated = { from: legacy.files, records: legacy.records.length, movedTo };
  if (legacy.lost.length === 0) return { records: legacy.records, migrated };
  const damage: DamageReport = { at: at.toISOString(), files: legacy.files, keptIn: movedTo, kept: legacy.records.length, lost: legacy.lost };
  writeDamageReport(movedTo, damage);
  return { records: legacy.records, migrated, damage };
}

function moveLegacyAside(stateDir: string, at: Date): string | undefined {
  const files = [LEGACY_SNAPSHOT, LEGACY_JOURNAL].map((f) => path.join(stateDir, f)).filter((f) => existsSync(f));
  if (files.length === 0) return undefined;
  const folder = path.join(stateDir, `${MIGRATED_PREFIX}${stamp(at)}`);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  for (const f of files) renameSync(f, path.join(folder, path.basename(f)));
  syncFolder(stateDir);
  return folder;
}

function copyAside(files: string[], folder: string): void {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  for (const f of files) {
    const target = path.join(folder, path.basename(f));
    copyFileSync(f, target);
    const fd = openSync(target, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  syncFolder(path.dirname(folder));
}

function writeDamageReport(folder: string, report: DamageReport): void {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  writeFileSync(path.join(folder, DAMAGE_REPORT), `${JSON.stringify(report, null, 2)}\n`, { mode: 0o600 });
}

/** 2026-12-04T20-01-02-123Z: a time that sorts, and is a file name on every system. */
const stamp = (at: Date) => at.toISOString().replace(/[:.]/g, "-");

/** Makes renames durable. Windows cannot open a folder for fsync; NTFS journals renames itself. */
export function syncFolder(dir: string): void {
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
