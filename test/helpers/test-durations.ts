/**
 * How long each test file took on this machine (`.kvq/test/durations.json`): written by
 * run-in-order.ts as each file ends, read by test/run.ts to start the longest files first. Files are
 * named relative to the project with "/" on every OS, so the record survives a move and a Windows
 * checkout reads the same names.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

/** A test file as the durations file names it; undefined for one outside the project. */
export function durationKey(file: string): string | undefined {
  const key = path.relative(ROOT, path.resolve(file)).split(path.sep).join("/");
  return key.startsWith("../") ? undefined : key;
}

/** Milliseconds by file; empty when there is no record yet or it cannot be read. */
export function readDurations(durationsFile: string): Record<string, number> {
  try {
    return JSON.parse(readFileSync(durationsFile, "utf8")) as Record<string, number>;
  } catch {
    return {};
  }
}

/** Adds one file's time at once, so a later crash keeps it. */
export function recordDuration(durationsFile: string, file: string, ms: number): void {
  const key = durationKey(file);
  if (!key) return;
  const durations = readDurations(durationsFile);
  durations[key] = Math.round(ms);
  writeFileSync(durationsFile, `${JSON.stringify(durations, null, 1)}\n`);
}
