/**
 * Crash-safe file replacement: write a temporary file beside the target, then rename it over the
 * target. A reader sees the old file or the new one, never half of either.
 */
import { randomBytes } from "node:crypto";
import { promises as fs, renameSync, writeFileSync, rmSync } from "node:fs";
import path from "node:path";

export interface AtomicWriteOptions {
  /** File mode for a new file, e.g. 0o600 for secrets. */
  mode?: number;
}

const tempPathFor = (file: string) =>
  path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);

export async function writeFileAtomic(file: string, data: string | Buffer, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = tempPathFor(file);
  try {
    await fs.writeFile(temp, data, { mode: options.mode ?? 0o644 });
    await renameWithRetry(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

export function writeFileAtomicSync(file: string, data: string | Buffer, options: AtomicWriteOptions = {}): void {
  const temp = tempPathFor(file);
  try {
    writeFileSync(temp, data, { mode: options.mode ?? 0o644 });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** On Windows a rename fails with EPERM/EBUSY while another process has the target open; that passes. */
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fs.rename(from, to);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt >= 10 || (code !== "EPERM" && code !== "EBUSY" && code !== "EACCES")) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
    }
  }
}
