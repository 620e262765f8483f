/**
 * The vault's write-ahead journal: one line per change, appended and fsync'd before the request
 * that made the change is answered. Many requests share one fsync (group commit): while one batch
 * is being written, the changes that arrive meanwhile wait and go out together in the next.
 *
 * A line is `<crc32 hex> <json>\n`. A crash can tear only the end of the file (it is append-only),
 * so replay stops at the first line that is incomplete or fails its checksum, keeps everything
 * before it, and cuts the torn tail off so new lines do not follow garbage: a crash never stops
 * the next start.
 *
 * Why a journal of our own and not SQLite: better-sqlite3 needs a native build on machines where
 * its prebuilt binary cannot be downloaded (this one), and Node 20 has no node:sqlite. The vault is
 * a small map of JSON records kept wholly in memory; an append-only file plus a periodic snapshot
 * is all the durability it needs, in ~150 lines with no native code.
 */
import { closeSync, ftruncateSync, openSync, promises as fs, readFileSync } from "node:fs";
import { crc32 } from "node:zlib";

export interface JournalRecord {
  /** Sequence number: records at or below the snapshot's `seq` are already in the snapshot. */
  s: number;
  /** Key records by name key: the whole record as it is now, or null when it is gone. */
  k?: Record<string, unknown>;
  /** Soft-deleted key records by name key, the same way. */
  d?: Record<string, unknown>;
}

const lineFor = (record: JournalRecord) => {
  const json = JSON.stringify(record);
  return `${crc32(json).toString(16).padStart(8, "0")} ${json}\n`;
};

/**
 * Reads the whole records of a journal, in order. Cuts a torn or corrupt tail off the file (so that
 * appending continues after the last good record) and says how many bytes it dropped.
 */
export function replayJournal(file: string, valid: (record: JournalRecord) => boolean): { records: JournalRecord[]; droppedBytes: number } {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { records: [], droppedBytes: 0 };
    throw error;
  }
  const records: JournalRecord[] = [];
  let good = 0;
  while (good < data.length) {
    const end = data.indexOf(0x0a, good);
    if (end < 0) break;
    const record = parseLine(data.toString("utf8", good, end));
    if (!record || !valid(record)) break;
    records.push(record);
    good = end + 1;
  }
  if (good < data.length) {
    const fd = openSync(file, "r+");
    try {
      ftruncateSync(fd, good);
    } finally {
      closeSync(fd);
    }
  }
  return { records, droppedBytes: data.length - good };
}

function parseLine(line: string): JournalRecord | undefined {
  const space = line.indexOf(" ");
  if (space !== 8) return undefined;
  const json = line.slice(9);
  if (crc32(json).toString(16).padStart(8, "0") !== line.slice(0, 8)) return undefined;
  try {
    const record = JSON.parse(json) as JournalRecord;
    return typeof record === "object" && record !== null && Number.isSafeInteger(record.s) ? record : undefined;
  } catch {
    return undefined;
  }
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class Journal {
  private handle: fs.FileHandle | undefined;
  private pending: { seq: number; line: string }[] = [];
  private waiters: Waiter[] = [];
  private durableSeq: number;
  private writing: Promise<void> = Promise.resolve();
  /** Set from the loop's first line: a record appended while it runs (even in its synchronous start) joins it. */
  private running = false;
  private compactRequested = false;
  /** Bytes in the journal file; the store compacts it into the snapshot past a limit. */
  bytes: number;

  constructor(
    private readonly file: string,
    /** The sequence number everything on disk has reached (snapshot and journal). */
    startSeq: number,
    startBytes: number,
    /** Writes a snapshot of everything up to now and returns its sequence number; the journal is then emptied. */
    private readonly snapshot: () => Promise<number>,
    private readonly compactAtBytes: number,
  ) {
    this.durableSeq = startSeq;
    this.bytes = startBytes;
  }

  append(record: JournalRecord): void {
    this.pending.push({ seq: record.s, line: lineFor(record) });
    this.kick();
  }

  /** Resolves once the record with this sequence number (and all before it) is on disk. */
  durable(seq: number): Promise<void> {
    if (seq <= this.durableSeq) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  /** Writes a snapshot now and empties the journal (on close, and when asked to flush). */
  async compact(): Promise<void> {
    this.compactRequested = true;
    this.kick();
    while (this.running) await this.writing;
  }

  async close(): Promise<void> {
    while (this.running) await this.writing;
    await this.handle?.close();
    this.handle = undefined;
  }

  private kick(): void {
    if (!this.running) this.writing = this.writeLoop();
  }

  private async writeLoop(): Promise<void> {
    this.running = true;
    try {
      while (this.pending.length > 0 || this.compactRequested) {
        if (this.compactRequested || this.bytes >= this.compactAtBytes) {
          this.compactRequested = false;
          await this.compactNow();
          continue;
        }
        const batch = this.pending.splice(0);
        const text = batch.map((p) => p.line).join("");
        try {
          this.handle ??= await fs.open(this.file, "a", 0o600);
          await this.handle.write(text);
          await this.handle.datasync();
          this.bytes += Buffer.byteLength(text);
          this.settle(batch[batch.length - 1].seq);
        } catch (error) {
          this.fail(batch[batch.length - 1].seq, error as Error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async compactNow(): Promise<void> {
    // The snapshot holds every change made so far, pending ones included: they need no line of their own.
    this.pending = [];
    try {
      const seq = await this.snapshot();
      this.handle ??= await fs.open(this.file, "a", 0o600);
      await this.handle.truncate(0);
      await this.handle.datasync();
      this.bytes = 0;
      this.settle(seq);
    } catch (error) {
      this.fail(Infinity, error as Error);
    }
  }

  private settle(seq: number): void {
    this.durableSeq = Math.max(this.durableSeq, seq);
    this.waiters = this.waiters.filter((w) => (w.seq <= this.durableSeq ? (w.resolve(), false) : true));
  }

  private fail(upTo: number, error: Error): void {
    this.waiters = this.waiters.filter((w) => (w.seq <= upTo ? (w.reject(error), false) : true));
  }
}
