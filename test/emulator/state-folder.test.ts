/**
 * The state folder holds the CA's key, the secrets and every private key (state-folder.ts): a folder
 * its group or other users can write to stops the start — they could swap the CA or secrets.json —
 * and one they can only read or enter is tightened to the owner alone. Each write bit on its own.
 * (hardening.test.ts tries 0777 and 0755 through the same start.)
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { EmulatorStateError, startEmulator } from "../../src/emulator/index";
import { tempDir } from "../helpers/emulator";

const dirs: string[] = [];
const folderWithMode = (mode: number) => {
  const dir = tempDir();
  dirs.push(dir);
  chmodSync(dir, mode);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const POSIX = { skip: process.platform === "win32" ? "Windows folders are guarded by ACLs, not modes" : undefined };

test("a folder its group can write to is refused, as one anyone can write to: 0770, 0720, 0702, 0722", POSIX, async () => {
  for (const mode of [0o770, 0o720, 0o702, 0o722]) {
    const dir = folderWithMode(mode);
    const shown = mode.toString(8).padStart(4, "0");
    await assert.rejects(startEmulator({ port: 0, stateDir: dir, persist: false }), (error: Error) => {
      assert.ok(error instanceof EmulatorStateError, `${shown}: ${error}`);
      assert.match(error.message, new RegExp(`can be written by other users \\(mode ${shown}\\)`));
      assert.ok(error.message.includes(`chmod 700 ${dir}`), error.message);
      return true;
    });
    assert.deepEqual(readdirSync(dir), [], `${shown}: nothing was used or made`);
    assert.equal(statSync(dir).mode & 0o777, mode, `${shown}: the folder is left as it was`);
  }
});

test("a folder others can only read or enter is tightened to 0700, and used: 0750, 0705, 0710", POSIX, async () => {
  for (const mode of [0o750, 0o705, 0o710]) {
    const dir = folderWithMode(mode);
    const emulator = await startEmulator({ port: 0, stateDir: dir, persist: false });
    await emulator.close();
    assert.equal(statSync(dir).mode & 0o777, 0o700, mode.toString(8));
    assert.ok(existsSync(path.join(dir, "tls", "ca.pem")), "the emulator used it");
  }
});
