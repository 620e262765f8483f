/** Where things live in this project, built with node:path so they hold on Windows too. */
import path from "node:path";

/** The repository root: the folder above src/. */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** Project-local, git-ignored working folder (emulator state, run ledgers). */
export const WORK_DIR = path.join(PROJECT_ROOT, ".kvq");

export const DEFAULT_EMULATOR_STATE_DIR = path.join(WORK_DIR, "emulator");

export const NOTEBOOKS_DIR = path.join(PROJECT_ROOT, "notebooks");

export const BUILD_DIR = path.join(PROJECT_ROOT, "build");
