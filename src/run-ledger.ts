/**
 * The ledger of a tutorial run: the names of the objects it created (keys, secrets: each entry
 * says its kind), written to a small file before each one is created. A run that dies halfway
 * leaves its ledger behind, and the next run's cleanup (or `kvq cleanup`) finds it and finishes
 * the job. The tags every tutorial object carries say which run made it, so cleanup never touches
 * an object the tutorial did not create.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { attendeeName } from "./attendee";
import type { KindId } from "./kinds/index";
import { WORK_DIR } from "./paths";
import { writeFileAtomicSync } from "./util/atomic-write";
import { processAlive } from "./util/process-alive";

export const TUTORIAL_TAG = "kvq-tutorial";
/** The tag's value names the quickstart that made the object, one per kind; cleanup accepts each of them. */
export const QUICKSTART_TAG_VALUES: Readonly<Record<KindId, string>> = { key: "keys-quickstart", secret: "secrets-quickstart", certificate: "certificates-quickstart" };
export const TUTORIAL_TAG_VALUE = QUICKSTART_TAG_VALUES.key;
export const TUTORIAL_TAG_VALUES: readonly string[] = Object.values(QUICKSTART_TAG_VALUES);
export const RUN_TAG = "kvq-run";
export const ATTENDEE_TAG = "kvq-attendee";

export interface LedgerKey {
  name: string;
  /** Absent in ledgers written before secrets: a key. */
  kind?: KindId;
  recordedAt: string;
  /** "pending" until cleanup has dealt with it. */
  status: "pending" | "cleaned";
  /** What cleanup did: purged, already gone, or waiting for the service to purge it. */
  outcome?: string;
}

interface LedgerFile {
  format: 1;
  runId: string;
  vaultUrl: string;
  startedAt: string;
  attendee?: string;
  /** The tag value its objects carry (TUTORIAL_TAG_VALUES); absent: the keys quickstart's. */
  tutorial?: string;
  /** Every object the run recorded, of every kind (the field kept its first name: old ledgers still read). */
  keys: LedgerKey[];
  /** Set when every key is cleaned; a closed ledger is history (the runner's summary), not work. */
  closedAt?: string;
  /** The process that runs it (the notebook's kernel): while it lives, the run is not another run's to clean. */
  owner?: { pid: number; host: string };
  /**
   * The `kvq run` or `kvq learn` that started the kernel (RUNNER_SESSION_VARIABLE), so the runner
   * finds its own runs by this id, not by a clock or by how a vault URL was spelled.
   */
  session?: string;
}

/** Set by `kvq run` and `kvq learn` in the kernel's environment; RunLedger.start records it. */
export const RUNNER_SESSION_VARIABLE = "KVQ_RUNNER_SESSION";

/** Closed ledgers are kept this long for the record, then removed the next time the folder is listed. */
const KEEP_CLOSED_MS = 7 * 86_400_000;

/** Ledgers live in .kvq/runs/ unless KVQ_LEDGER_DIR says otherwise (tests, rehearsals). */
export const defaultLedgerDir = () => process.env.KVQ_LEDGER_DIR || path.join(WORK_DIR, "runs");

/** Sortable and readable: 20261128T143512Z-3f9a. */
export const newRunId = (now = new Date()) => `${now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}-${randomBytes(2).toString("hex")}`;

/** True when the tags say the tutorial made the object (and, given a run id, that run). */
export function isTutorialObject(tags: Record<string, string> | undefined, runId?: string): boolean {
  return TUTORIAL_TAG_VALUES.includes(tags?.[TUTORIAL_TAG] ?? "") && (runId === undefined || tags![RUN_TAG] === runId);
}
/** The name it had when there were only keys. */
export const isTutorialKey = isTutorialObject;

/** One object a run recorded and has not cleaned. */
export interface PendingObject {
  name: string;
  kind: KindId;
}

const kindOfEntry = (entry: LedgerKey): KindId => entry.kind ?? "key";
const sameEntry = (entry: LedgerKey, name: string, kind: KindId) => entry.name.toLowerCase() === name.toLowerCase() && kindOfEntry(entry) === kind;

export class LedgerError extends Error {
  override readonly name = "LedgerError";
}

export class RunLedger {
  private constructor(
    readonly file: string,
    private readonly data: LedgerFile,
  ) {}

  /**
   * Starts the ledger of a new run (for the attendee ATTENDEE or the OS user names, unless given);
   * `tutorial` is the tag value its objects carry (default "keys-quickstart").
   */
  static start(options: { vaultUrl: string; dir?: string; runId?: string; attendee?: string; tutorial?: string }): RunLedger {
    const dir = options.dir ?? defaultLedgerDir();
    mkdirSync(dir, { recursive: true });
    const runId = options.runId ?? newRunId();
    const ledger = new RunLedger(path.join(dir, `${runId}.json`), {
      format: 1,
      runId,
      vaultUrl: options.vaultUrl,
      startedAt: new Date().toISOString(),
      attendee: options.attendee ?? attendeeName(),
      ...(options.tutorial && options.tutorial !== TUTORIAL_TAG_VALUE ? { tutorial: options.tutorial } : {}),
      keys: [],
      owner: { pid: process.pid, host: hostname() },
      ...(process.env[RUNNER_SESSION_VARIABLE] ? { session: process.env[RUNNER_SESSION_VARIABLE] } : {}),
    });
    ledger.save();
    return ledger;
  }

  /** Reads an existing ledger; a damaged file is reported, never overwritten. */
  static open(file: string): RunLedger {
    try {
      const data = JSON.parse(readFileSync(file, "utf8")) as LedgerFile;
      if (data.format !== 1 || typeof data.runId !== "string" || typeof data.vaultUrl !== "string" || !Array.isArray(data.keys)) {
        throw new Error("unexpected content");
      }
      return new RunLedger(file, data);
    } catch (error) {
      throw new LedgerError(`The run ledger ${file} cannot be read (${(error as Error).message}). It was left as it is: look at it, then delete it if it is not needed.`);
    }
  }

  /**
   * The open ledgers in the folder (optionally one vault's; with `includeClosed`, finished ones
   * too), oldest first, and the files that could not be read.
   */
  static list(options: { dir?: string; vaultUrl?: string; includeClosed?: boolean; session?: string } = {}): { ledgers: RunLedger[]; unreadable: LedgerError[] } {
    const dir = options.dir ?? defaultLedgerDir();
    const ledgers: RunLedger[] = [];
    const unreadable: LedgerError[] = [];
    if (!existsSync(dir)) return { ledgers, unreadable };
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
      try {
        const ledger = RunLedger.open(path.join(dir, file));
        if (ledger.closedAt && Date.now() - ledger.closedAt.getTime() > KEEP_CLOSED_MS) {
          rmSync(ledger.file, { force: true });
          continue;
        }
        if (ledger.closedAt && !options.includeClosed) continue;
        if (options.session !== undefined && ledger.data.session !== options.session) continue;
        if (!options.vaultUrl || ledger.vaultUrl === options.vaultUrl) ledgers.push(ledger);
      } catch (error) {
        unreadable.push(error as LedgerError);
      }
    }
    return { ledgers, unreadable };
  }

  get runId(): string {
    return this.data.runId;
  }
  get vaultUrl(): string {
    return this.data.vaultUrl;
  }
  get startedAt(): Date {
    return new Date(this.data.startedAt);
  }
  get attendee(): string | undefined {
    return this.data.attendee;
  }
  get keys(): readonly LedgerKey[] {
    return this.data.keys;
  }
  get closedAt(): Date | undefined {
    return this.data.closedAt ? new Date(this.data.closedAt) : undefined;
  }
  /**
   * True while another process on this machine still runs this ledger's run — a second notebook
   * open beside this one. Its keys are in use: cleaning them would pull a key from under it. A
   * reused PID errs the safe way (the keys wait for a later clean-up or `kvq cleanup`).
   */
  get runsElsewhere(): boolean {
    const owner = this.data.owner;
    return Boolean(owner && owner.host === hostname() && owner.pid !== process.pid && processAlive(owner.pid));
  }

  /** The objects recorded and not cleaned, each with its kind. */
  get pending(): PendingObject[] {
    return this.data.keys.filter((k) => k.status === "pending").map((k) => ({ name: k.name, kind: kindOfEntry(k) }));
  }

  /** The names of the pending keys (the keys quickstart's view of `pending`). */
  get pendingKeys(): string[] {
    return this.pending.filter((p) => p.kind === "key").map((p) => p.name);
  }

  /** The tags every object of this run carries: cleanup's proof that the tutorial made it. */
  get tags(): Record<string, string> {
    return {
      [TUTORIAL_TAG]: this.data.tutorial ?? TUTORIAL_TAG_VALUE,
      [RUN_TAG]: this.runId,
      ...(this.data.attendee ? { [ATTENDEE_TAG]: this.data.attendee } : {}),
    };
  }

  /** Records a name *before* the object is created, so a crash right after creating it still leaves a trace. */
  track(name: string, kind: KindId = "key"): void {
    const existing = this.data.keys.find((k) => sameEntry(k, name, kind));
    if (existing) existing.status = "pending";
    else this.data.keys.push({ name, ...(kind === "key" ? {} : { kind }), recordedAt: new Date().toISOString(), status: "pending" });
    this.save();
  }

  markCleaned(name: string, outcome: string, kind: KindId = "key"): void {
    const key = this.data.keys.find((k) => sameEntry(k, name, kind));
    if (!key) return;
    key.status = "cleaned";
    key.outcome = outcome;
    this.save();
  }

  /** Closes the ledger once every key is cleaned (it stays a week, as history); returns whether it did. */
  closeIfClean(): boolean {
    if (this.pending.length > 0) return false;
    if (!this.data.closedAt) {
      this.data.closedAt = new Date().toISOString();
      this.save();
    }
    return true;
  }

  private save(): void {
    writeFileAtomicSync(this.file, `${JSON.stringify(this.data, null, 2)}\n`);
  }
}

/**
 * What runs did with the names they recorded, for a summary that adds up. A name counts as created
 * once the vault held it: clean-up found it live or deleted, the notebook purged it, or it is still
 * pending (left on purpose with --keep-keys, or a clean-up that failed: the vault may hold it). A
 * name clean-up found nowhere, or found on someone else's key, was not created by the run (the
 * vault refused the create, or the step never ran). Every kind is counted alike; `kind` narrows
 * the count to one.
 */
export interface RunKeyCounts {
  created: string[];
  cleaned: string[];
  left: string[];
  notCreated: string[];
}

const NOT_CREATED_OUTCOMES = new Set(["already-gone", "left-alone"]);

export function countRunKeys(ledgers: readonly RunLedger[], kind?: KindId): RunKeyCounts {
  const keys = ledgers.flatMap((l) => l.keys).filter((k) => kind === undefined || kindOfEntry(k) === kind);
  const notCreated = keys.filter((k) => k.status === "cleaned" && NOT_CREATED_OUTCOMES.has(k.outcome ?? ""));
  const created = keys.filter((k) => !notCreated.includes(k));
  return {
    created: created.map((k) => k.name),
    cleaned: created.filter((k) => k.status === "cleaned").map((k) => k.name),
    left: created.filter((k) => k.status === "pending").map((k) => k.name),
    notCreated: notCreated.map((k) => k.name),
  };
}
