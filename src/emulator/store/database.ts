/**
 * The vault's database file (`vault.db`): SQLite through `libsql` (better-sqlite3's API, with its
 * binary in a platform package from the npm registry), held by a worker thread of its own.
 *
 * Why a worker: the API is synchronous, and a commit with `synchronous=FULL` waits for the disk
 * (an fsync); on the event loop every request would wait with it. In the worker the loop goes on
 * answering while one commit is on its way, and the changes that arrive meanwhile make the next
 * one (group commit, vault-store.ts). And why a thread that ends with the store: libsql's close()
 * leaves the connection open while any statement it prepared is alive, so only the thread's end
 * really lets go of the file and its lock (a restart in the same process needs that).
 *
 * What SQLite gives that the hand-written journal had to fake: a commit is atomic; a full disk
 * fails the transaction (SQLITE_FULL) and leaves the file as it was; and with
 * `locking_mode=EXCLUSIVE` the file is locked from the start to the end of this connection, by the
 * operating system, so a second emulator on the same folder is refused at once and a crashed
 * one's lock goes with its process.
 *
 * The worker's code is plain JavaScript passed as a string (as in crypto/worker-pool.ts): it runs
 * the same under tsx, from the CLI's build and in tests. It knows no schema: it runs the SQL it
 * is sent, so everything about rows stays in TypeScript.
 */
import { closeSync, openSync } from "node:fs";
import { Worker } from "node:worker_threads";

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.libsql);
let db;
const gate = workerData.commitGate ? new Int32Array(workerData.commitGate) : undefined;
const statements = new Map();
const prepared = (sql) => {
  let s = statements.get(sql);
  if (!s) statements.set(sql, (s = db.prepare(sql)));
  return s;
};
const run = {
  open({ file }) {
    db = new Database(file, { timeout: 0 });
    // EXCLUSIVE before WAL: the WAL index then lives in this connection's memory (no -shm file),
    // and the lock taken by the first write is held until the connection ends.
    db.exec("PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; BEGIN EXCLUSIVE; COMMIT");
    return null;
  },
  exec({ sql }) {
    db.exec(sql);
    return null;
  },
  /** Rows as arrays; with each, the rows of several parameter lists, an error apiece. */
  query({ sql, params }) {
    return prepared(sql).raw(true).all(...(params || []));
  },
  /** The rows, but one column's texts joined by commas into one string: one string to copy, and one JSON.parse. */
  queryJoined({ sql, column }) {
    const rows = prepared(sql).raw(true).all();
    const lengths = [];
    const texts = [];
    for (const row of rows) {
      const text = typeof row[column] === "string" ? row[column] : "null";
      lengths.push(text.length);
      texts.push(text);
      row[column] = null;
    }
    return { rows, lengths, joined: texts.join(",") };
  },
  queryEach({ sql, paramsList }) {
    return paramsList.map((params) => {
      try {
        return { rows: prepared(sql).raw(true).all(...params) };
      } catch (error) {
        return { error: { code: error.code, message: error.message } };
      }
    });
  },
  /** One transaction: every statement, or none. */
  commit({ statements: list }) {
    db.exec("BEGIN IMMEDIATE");
    try {
      for (const [sql, params] of list) prepared(sql).run(...params);
      if (gate) while (Atomics.load(gate, 0) === 1) Atomics.wait(gate, 0, 1, 50);
      db.exec("COMMIT");
    } catch (error) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw error;
    }
    return null;
  },
  close({ checkpoint }) {
    if (db && checkpoint) {
      try {
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      } catch {}
    }
    return null;
  },
};
parentPort.on("message", ({ id, op, args }) => {
  try {
    parentPort.postMessage({ id, result: run[op](args) });
  } catch (error) {
    parentPort.postMessage({ id, error: { code: error && error.code, message: String((error && error.message) || error) } });
  }
});`;

/** A failure inside the database, with SQLite's code (SQLITE_FULL, SQLITE_BUSY, SQLITE_CORRUPT, …). */
export class DatabaseError extends Error {
  override readonly name = "DatabaseError";
  constructor(
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export type SqlValue = string | number | null;
export type Statement = [sql: string, params: SqlValue[]];

/** For tests: a commit waits, inside its transaction and before COMMIT, while the gate is shut. */
export class CommitGate {
  readonly buffer = new SharedArrayBuffer(4);
  private readonly cell = new Int32Array(this.buffer);
  shut(): void {
    Atomics.store(this.cell, 0, 1);
  }
  open(): void {
    Atomics.store(this.cell, 0, 0);
    Atomics.notify(this.cell, 0);
  }
}

interface Pending {
  resolve: (value: any) => void;
  reject: (error: Error) => void;
}

export class Database {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private ended = false;

  private constructor(gate?: CommitGate) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // The worker needs no TypeScript loader; inheriting tsx's would only slow its start.
      execArgv: [],
      workerData: { libsql: require.resolve("libsql"), commitGate: gate?.buffer },
    });
    this.worker.on("message", ({ id, result, error }: { id: number; result?: unknown; error?: { code?: string; message: string } }) => {
      const call = this.pending.get(id);
      this.pending.delete(id);
      if (this.pending.size === 0) this.worker.unref();
      if (!call) return;
      if (error) call.reject(new DatabaseError(error.code, error.message));
      else call.resolve(result);
    });
    this.worker.on("error", (error) => this.failAll(new DatabaseError("WORKER", error.message)));
    this.worker.on("exit", () => this.failAll(new DatabaseError("WORKER", "The database's thread has ended.")));
    this.worker.unref();
  }

  /** Opens the file and takes its lock. A file another process holds fails with SQLITE_BUSY at once. */
  static async open(file: string, options: { gate?: CommitGate } = {}): Promise<Database> {
    // Made here, private (it holds every private key): SQLite would make it 0644, and its -wal like it.
    closeSync(openSync(file, "a", 0o600));
    const db = new Database(options.gate);
    try {
      await db.call("open", { file });
      return db;
    } catch (error) {
      await db.end();
      throw error;
    }
  }

  exec = (sql: string): Promise<void> => this.call("exec", { sql });
  query = (sql: string, params: SqlValue[] = []): Promise<SqlValue[][]> => this.call("query", { sql, params });
  /**
   * A query whose `column` holds long texts (the records' JSON): they come back joined into one
   * string, with their lengths, instead of one string each (on a start with thousands of records,
   * thousands of strings to copy between threads and to collect).
   */
  queryJoined = (sql: string, column: number): Promise<{ rows: SqlValue[][]; lengths: number[]; joined: string }> => this.call("queryJoined", { sql, column });
  queryEach = (sql: string, paramsList: SqlValue[][]): Promise<({ rows: SqlValue[][] } | { error: { code?: string; message: string } })[]> =>
    this.call("queryEach", { sql, paramsList });
  /** Runs the statements in one transaction, fsync'd before it resolves; on any error none of them happened. */
  commit = (statements: Statement[]): Promise<void> => this.call("commit", { statements });

  /** Ends the connection (with `checkpoint`, first folding the write-ahead log into the file). */
  async close(options: { checkpoint?: boolean } = {}): Promise<void> {
    if (this.ended) return;
    await this.call("close", options).catch(() => undefined);
    await this.end();
  }

  private call<T>(op: string, args: unknown): Promise<T> {
    if (this.ended) return Promise.reject(new DatabaseError("CLOSED", "The vault's database is closed."));
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.worker.ref(); // a call on its way keeps the process alive; an idle connection does not
      this.worker.postMessage({ id, op, args });
    });
  }

  private async end(): Promise<void> {
    this.ended = true;
    this.worker.ref();
    await this.worker.terminate();
  }

  private failAll(error: Error): void {
    this.ended = true;
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
  }
}
