/**
 * A small file system of its own for disk-full tests: a tmpfs mounted on a temp folder (root on
 * Linux, as CI runs). Elsewhere `mountSmallDisk` says why it cannot, for the test's skip reason.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, openSync, closeSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface SmallDisk {
  dir: string;
  /** Fills what room is left with a file of its own; `free()` deletes it. */
  fill(): { free(): void };
  unmount(): void;
}

export function mountSmallDisk(megabytes: number): SmallDisk | string {
  if (process.platform !== "linux") return "a tmpfs of a fixed size needs Linux";
  if (process.getuid?.() !== 0) return "mounting a tmpfs needs root";
  const dir = mkdtempSync(path.join(tmpdir(), "kvq-small-disk-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${megabytes}m,mode=0700`, "tmpfs", dir], { stdio: "pipe" });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return `mount -t tmpfs failed here (${String((error as { stderr?: Buffer }).stderr ?? error).trim()})`;
  }
  return {
    dir,
    fill() {
      const filler = path.join(dir, `filler-${Date.now()}`);
      const fd = openSync(filler, "w");
      const block = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) writeSync(fd, block);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
      }
      // The last partial block too: down to the last byte.
      try {
        for (;;) writeSync(fd, block, 0, 512);
      } catch {
        // full
      }
      closeSync(fd);
      return { free: () => rmSync(filler, { force: true }) };
    },
    unmount() {
      execFileSync("umount", ["-l", dir], { stdio: "pipe" });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
