/**
 * Test files that share one process (run-in-order.ts): each process costs about a second of CPU
 * before its first test (Node, tsx, the SDK, the emulator's modules), and the quick files spend no
 * more than that on their tests. A shared process runs its files one after the other, each inside a
 * suite named by its path, so a file's top-level before/after hooks stay its own, and its tests
 * are reported under its name.
 *
 * The entry is a small generated file under .kvq/test/shared/ (Node's runner runs files, not
 * lists); it is named after its members, so the same group reuses the same file.
 */
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { writeFileAtomicSync } from "../../src/util/atomic-write";
import { durationKey } from "./test-durations";

const ROOT = path.resolve(__dirname, "..", "..");
const ENTRIES = path.join(ROOT, ".kvq", "test", "shared");

/** Several files given as one argument share a process: joined with the OS's path list separator. */
export const joinShared = (files: string[]) => files.join(path.delimiter);
export const splitShared = (argument: string) => argument.split(path.delimiter).filter((f) => f !== "");

/** The suite name a member's tests are reported under: its path from the project, with "/". */
export const memberName = (file: string) => durationKey(file) ?? path.resolve(file);

/** Writes the entry that runs `files` in one process, in the order given; returns its path. */
export function sharedEntry(files: string[]): string {
  const lines = [
    '"use strict";',
    "// Made by test/helpers/shared-process.ts for npm test: these test files in one process, each in a suite of its own.",
    'const { describe } = require("node:test");',
    ...files.map((file) => `describe(${JSON.stringify(memberName(file))}, () => { require(${JSON.stringify(path.resolve(file))}); });`),
    "",
  ];
  const text = lines.join("\n");
  mkdirSync(ENTRIES, { recursive: true });
  const entry = path.join(ENTRIES, `${createHash("sha1").update(text).digest("hex").slice(0, 12)}.test.cjs`);
  writeFileAtomicSync(entry, text); // two npm tests in one tree may write the same entry
  return entry;
}
