/**
 * Guarding and tidying the state folder before the vault uses it:
 * - its permissions: it holds the CA key, the secrets and every private key, so a folder that
 *   other users can write to (they could swap the CA or secrets.json) stops the start, and one
 *   they can only read is tightened to the owner alone;
 * - temp files left by a write a crash interrupted (full copies of the vault): removed;
 * - `last-run.json`: where the vault last listened, for diagnosis ("wrong port?").
 */
import { chmodSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { writeFileAtomicSync } from "../util/atomic-write";
import { EmulatorStateError } from "./store/state-error";
import { processAlive } from "../util/process-alive";

/** The message catalogs load only for a refusal: the emulator's start needs them for nothing else. */
const messages = () => (require("../i18n") as typeof import("../i18n")).t().commands.emulator;

/** POSIX only: Windows folders are guarded by ACLs, which a mode cannot describe. */
export function guardFolderPermissions(dir: string): void {
  if (process.platform === "win32") return;
  const stat = statSync(dir);
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0 && stat.uid !== uid) {
    throw new EmulatorStateError(messages().stateFolderForeign(dir, stat.uid));
  }
  const mode = stat.mode & 0o777;
  if (mode & 0o022) {
    throw new EmulatorStateError(messages().stateFolderWritable(dir, mode.toString(8).padStart(4, "0")));
  }
  if (mode & 0o077) chmodSync(dir, 0o700);
}

/** `.name.<pid>.<8 hex>.tmp`, as util/atomic-write and the store name their temp files. */
const TEMP_FILE = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp(-wal|-shm)?$/;

/** Removes temp files of writes that never finished: their process is gone. Returns how many. */
export function removeLeftoverTemps(dirs: string[]): number {
  let removed = 0;
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const match = TEMP_FILE.exec(name);
      if (!match || isAlive(Number(match[1]))) continue;
      rmSync(path.join(dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}

// Our own PID counts as dead: this process has not started writing yet.
const isAlive = (pid: number) => pid !== process.pid && processAlive(pid);

/** Read by src/emulator-record.ts to tell "the emulator is not running" from "it runs on another port". */
export interface LastRun {
  port: number;
  identityPort: number;
  pid: number;
  url: string;
  identityEndpoint: string;
}

/** Written atomically on each start, so a tool can tell which port the vault last used. */
export function writeLastRun(stateDir: string, run: LastRun): void {
  writeFileAtomicSync(path.join(stateDir, "last-run.json"), `${JSON.stringify(run)}\n`, { mode: 0o600 });
}
