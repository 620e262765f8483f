/**
 * Reading a state folder of an older emulator: a snapshot (`vault.json`) and a write-ahead journal
 * of the changes since (`vault.journal`, one `<crc32 hex> <json>` line per change). Read only: the
 * files are moved aside whole once their records are in `vault.db` (open.ts).
 *
 * Nothing intact is dropped. A journal line that fails its checksum costs that line, not the ones
 * after it (only an unfinished last line, which a crash leaves, is not damage); a gap in the
 * journal's sequence numbers is damage too (records missing, or the snapshot they follow). A
 * snapshot that does not parse is read key by key, so one damaged key costs only itself. Keys are
 * checked as the old format could not: their halves must belong together.
 */
import { readFileSync } from "node:fs";
import { crc32 } from "node:zlib";
import type { StoreKind } from "../model";
import { recordDamage, type RecordDamage, type RecordState } from "./kinds";
import type { LoadedRecord } from "./vault-store";

export const LEGACY_SNAPSHOT = "vault.json";
export const LEGACY_JOURNAL = "vault.journal";

/** One thing lost: a record (named when its name could be read) or a stretch of a file. */
export interface LostRecord {
  kind: StoreKind;
  state?: RecordState;
  name?: string;
  why: RecordDamage | "gap";
  /** How many records this stands for (an unreadable stretch may hold several). */
  count?: number;
}

export interface LegacyRead {
  records: LoadedRecord[];
  lost: LostRecord[];
  /** The files that were read (some may be missing). */
  files: string[];
}

interface JournalRecord {
  s: number;
  /** A line that failed its checksum but still told its sequence number: nothing of it is applied. */
  damaged?: true;
  k?: Record<string, unknown>;
  d?: Record<string, unknown>;
}

export function readLegacyState(snapshotFile: string, journalFile: string): LegacyRead | undefined {
  const snapshotText = readIfThere(snapshotFile);
  const journal = readIfThere(journalFile);
  if (snapshotText === undefined && journal === undefined) return undefined;
  const lost: LostRecord[] = [];
  const state = new Map<string, { state: RecordState; id: string; value: unknown }>();
  const put = (recordState: RecordState, id: string, value: unknown) => {
    const key = `${recordState}\u0000${id}`;
    if (value === null) state.delete(key);
    else state.set(key, { state: recordState, id, value });
  };

  let seq = 0;
  if (snapshotText !== undefined) {
    const snapshot = readSnapshot(snapshotText, lost);
    seq = snapshot.seq;
    for (const [id, value] of Object.entries(snapshot.keys)) put("live", id, value);
    for (const [id, value] of Object.entries(snapshot.deleted)) put("deleted", id, value);
  }

  if (journal !== undefined) {
    let expected = seq + 1;
    for (const line of journalLines(journal, lost)) {
      if (line.s <= seq) continue; // already in the snapshot (a crash between its write and the journal's emptying)
      if (line.s > expected) lost.push({ kind: "keys", why: "gap", count: line.s - expected });
      expected = Math.max(expected, line.s + 1);
      if (line.damaged) continue; // reported with its names; its sequence number still counts
      for (const [id, value] of Object.entries(line.k ?? {})) put("live", id, value);
      for (const [id, value] of Object.entries(line.d ?? {})) put("deleted", id, value);
    }
  }

  const records: LoadedRecord[] = [];
  for (const { state: recordState, id, value } of state.values()) {
    const damage = recordDamage("keys", recordState, id, value, true);
    if (damage) lost.push({ kind: "keys", state: recordState, name: id, why: damage });
    else records.push({ kind: "keys", state: recordState, id, value });
  }
  const files = [snapshotText !== undefined ? snapshotFile : undefined, journal !== undefined ? journalFile : undefined].filter((f): f is string => !!f);
  return { records, lost, files };
}

function readIfThere(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

interface Snapshot {
  seq: number;
  keys: Record<string, unknown>;
  deleted: Record<string, unknown>;
}

function readSnapshot(text: string, lost: LostRecord[]): Snapshot {
  try {
    const parsed = JSON.parse(text) as Partial<Snapshot> & { format?: unknown };
    if (parsed && parsed.format === 1 && isObject(parsed.keys) && isObject(parsed.deleted) && (parsed.seq === undefined || Number.isSafeInteger(parsed.seq))) {
      return { seq: parsed.seq ?? 0, keys: parsed.keys, deleted: parsed.deleted };
    }
  } catch {
    // read it key by key below
  }
  return salvageSnapshot(text, lost);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The snapshot was written by JSON.stringify: `{"format":1,"keys":{"<id>":{"name":…},…},"deleted":
 * {"<id>":{"key":{"name":…},…},…},"seq":N}`. Each entry is found by its opening (`"<id>":{"name"`
 * for a live key, `"<id>":{"key"` for a deleted one) and parsed alone, so damage inside one entry
 * costs that entry; damage to an opening hides the entry, which is then counted as unreadable.
 */
function salvageSnapshot(text: string, lost: LostRecord[]): Snapshot {
  const snapshot: Snapshot = { seq: Number([...text.matchAll(/"seq":(\d+)/g)].pop()?.[1] ?? 0), keys: {}, deleted: {} };
  const opening = /"([0-9a-z-]{1,127})":\{"(name|key)":/g;
  let end = 0;
  for (let match = opening.exec(text); match; match = opening.exec(text)) {
    const start = match.index + match[0].indexOf("{");
    if (start < end) continue; // inside the entry just read (a deleted key's own "key":{"name"…)
    const close = matchingBrace(text, start);
    let value: unknown;
    try {
      value = close === undefined ? undefined : JSON.parse(text.slice(start, close + 1));
    } catch {
      value = undefined;
    }
    const state: RecordState = match[2] === "name" ? "live" : "deleted";
    if (value === undefined) {
      lost.push({ kind: "keys", state, name: match[1], why: "unreadable" });
      continue;
    }
    (state === "live" ? snapshot.keys : snapshot.deleted)[match[1]] = value;
    end = close! + 1;
  }
  // The file as a whole: what was in a part that no opening could be found in is not known.
  lost.push({ kind: "keys", why: "unreadable" });
  return snapshot;
}

/** The index of the brace that closes the one at `start`, minding strings; undefined if none. */
function matchingBrace(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      if (--depth === 0) return i;
    }
  }
  return undefined;
}

/** The journal's whole, intact lines. A damaged line is reported (with its names, if they can be read) and skipped. */
function journalLines(text: string, lost: LostRecord[]): JournalRecord[] {
  const records: JournalRecord[] = [];
  const lines = text.split("\n");
  const unfinished = lines.pop(); // after the last newline: "" when the file ends whole, a torn line after a crash
  void unfinished;
  for (const line of lines) {
    // The torn part of a line with a whole record after it is lost, and counted as a gap in the sequence.
    const record = parseLine(line) ?? recordAfterTornText(line);
    if (record) {
      records.push(record);
      continue;
    }
    // Damaged: its names and sequence number, if its JSON still reads (the changes themselves cannot be trusted).
    let guess: JournalRecord | undefined;
    try {
      guess = JSON.parse(line.slice(9)) as JournalRecord;
    } catch {
      // nothing readable
    }
    const names = guess ? [...Object.keys(guess.k ?? {}), ...Object.keys(guess.d ?? {})] : [];
    if (names.length === 0) lost.push({ kind: "keys", why: "checksum" });
    for (const name of names) lost.push({ kind: "keys", name, why: "checksum" });
    if (guess && Number.isSafeInteger(guess.s)) records.push({ s: guess.s, damaged: true });
  }
  return records;
}

/**
 * Older emulators, after a write the disk had no room for, appended the next records to the torn
 * one's remains: a whole record can follow garbage on the same line.
 */
function recordAfterTornText(line: string): JournalRecord | undefined {
  const starts = [...line.matchAll(/[0-9a-f]{8} \{"s":\d+[,}]/g)].map((m) => m.index!).filter((i) => i > 0);
  return starts.length > 0 ? parseLine(line.slice(starts[starts.length - 1])) : undefined;
}

function parseLine(line: string): JournalRecord | undefined {
  if (line.indexOf(" ") !== 8) return undefined;
  const json = line.slice(9);
  if (crc32(json).toString(16).padStart(8, "0") !== line.slice(0, 8)) return undefined;
  try {
    const record = JSON.parse(json) as JournalRecord;
    return isObject(record) && Number.isSafeInteger(record.s) ? record : undefined;
  } catch {
    return undefined;
  }
}
