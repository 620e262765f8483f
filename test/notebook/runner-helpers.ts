/** Shared by the runner tests: fixture paths, temp folders, and checks that nothing is left behind. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";

export const FIXTURES = path.resolve(__dirname, "..", "fixtures", "notebooks");
export const fixture = (name: string) => path.join(FIXTURES, name);

const made: string[] = [];
/** A fresh folder under the OS temp dir, removed when the test process exits. */
export function tempDir(prefix = "kvq-runner-"): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  if (made.push(dir) === 1) process.on("exit", () => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return dir;
}

/** A non-TTY stream that keeps what is written. */
export function captureStream(): Writable & { text(): string; isTTY: boolean } {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  }) as Writable & { text(): string; isTTY: boolean };
  stream.isTTY = false;
  stream.text = () => text;
  return stream;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Processes whose command line mentions `needle` (a test's own connection folder: the kernel's argv
 * carries its connection file). Linux reads /proc; elsewhere the check is skipped (returns []).
 */
export function processesMentioning(needle: string): number[] {
  if (process.platform !== "linux") return [];
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(needle)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found.filter((pid) => pid !== process.pid);
}

/** Nothing left: no connection file in `connectionDir`, no process started with one from it. */
export function leftovers(connectionDir: string): { files: string[]; processes: number[] } {
  return { files: readdirSync(connectionDir), processes: processesMentioning(connectionDir) };
}
