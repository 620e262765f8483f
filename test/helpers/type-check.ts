/**
 * npm test's type-check of the whole project: `tsc -b` on a tsconfig in .kvq/test/ that extends the
 * project's and keeps the incremental state there. -b first asks whether any source changed since
 * the last check that passed (0.3 s of CPU); `tsc -p --incremental` builds the whole program,
 * the SDK's and Node's declarations included, to find that out (5 s of CPU on every run).
 *
 * -b does not look at the packages' declarations, so the state is dropped when npm changed
 * node_modules (its lockfile there, node_modules/.package-lock.json) or TypeScript's version
 * changed: the next check is a whole one.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

/** tsc's arguments for the check; writes its tsconfig and drops outdated state in `work`. */
export function typeCheckArgs(root: string, work: string): string[] {
  const config = path.join(work, "tsconfig.check.json");
  const state = path.join(work, "check.tsbuildinfo");
  const text = `${JSON.stringify({ extends: path.relative(work, path.join(root, "tsconfig.json")).split(path.sep).join("/"), compilerOptions: { incremental: true, tsBuildInfoFile: "./check.tsbuildinfo" } }, null, 1)}\n`;
  // Rewritten only when it changes: a newer tsconfig makes -b check everything again.
  if (readOr(config) !== text) writeFileSync(config, text);

  const stampFile = path.join(work, "check.stamp");
  // TypeScript's package.json holds its version.
  const stamp = JSON.stringify([packagesStamp(root), readOr(path.join(root, "node_modules", "typescript", "package.json"))]);
  if (readOr(stampFile) !== stamp) {
    rmSync(state, { force: true });
    writeFileSync(stampFile, stamp);
  }
  return ["-b", config];
}

const readOr = (file: string) => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
};

/** What npm leaves in node_modules after each install: its own lockfile's size and time. */
function packagesStamp(root: string): string {
  const stat = statSync(path.join(root, "node_modules", ".package-lock.json"), { throwIfNoEntry: false });
  return stat ? `${stat.size}:${stat.mtimeMs}` : "none";
}
