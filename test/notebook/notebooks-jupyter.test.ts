/**
 * The project's notebooks themselves — the quickstart and beyond-the-quickstart, each in English and
 * Traditional Chinese — executed in real Jupyter (Debian's nbconvert) with the tslab kernel against the
 * emulator: every cell succeeds, the output is plain text, and afterwards the vault holds no live or
 * deleted key of the tutorial's.
 *
 * Each notebook runs on the kernel its metadata names, as JupyterLab and VS Code start it, with no
 * language setting at all (KVQ_LANG and the locale removed): the zh-TW editions speak Traditional
 * Chinese through their own kernelspec.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startTestVault, tempDir, tutorialKeysIn, type TestVault } from "../helpers/emulator";
import { SHORT_RUN } from "../../src/emulator/index";
import { assertJupyter, executeWithNbconvert, needsJupyter, PROJECT_ROOT, streamText } from "../helpers/jupyter";

const QUICKSTART = [
  /Key name: quickstart-tester-\d{8}-[0-9a-z]{6}/,
  /✔ Created quickstart-tester-/,
  /Same key as the one created: true/,
  /failed: 409 Conflict \/ ObjectIsDeletedButRecoverable/,
  /Recovered id matches the original: true/,
  /Purged quickstart-tester-\d{8}-[0-9a-z]{6}\./,
];
const BEYOND = [
  /beyond-tester-\d{8}-[0-9a-z]{6}-ec: EC on P-256/,
  /operations: encrypt, decrypt, sign, verify, wrapKey, unwrapKey/,
  /decrypted in the vault: "Meet at the usual place at noon\."/,
  /verified locally with the public key: true\na changed document verifies: false/,
  /verified by the vault: true\nverified locally with node:crypto: true/,
  /unwrapped in the vault, same AES key: true/,
  /Signing with the disabled key was refused: 403 Forbidden \/ KeyDisabled\nenabled again: true/,
  /page 1: 1 key\npage 2: 1 key/,
  /2 versions; the first is still there: true/,
  /purged beyond-tester-\d{8}-[0-9a-z]{6}-ec: gone for good/,
  /restored beyond-tester-\d{8}-[0-9a-z]{6}-rsa: current version [0-9a-f]{32}, as before: true/,
];
const EN = { where: /Where: {4}the local emulator/, cleaned: /-rsa: deleted and purged\./, meaning: /A soft-deleted key still holds this name/ };
const ZH = { where: /位置： {5}本機模擬器/, cleaned: /-rsa：已刪除並清除。/, meaning: /已虛刪除的金鑰還占用著這個名稱/ };

const EDITIONS = [
  { file: "quickstart.ipynb", expect: [EN.where, EN.meaning, ...QUICKSTART] },
  { file: "quickstart.zh-TW.ipynb", expect: [ZH.where, ZH.meaning, ...QUICKSTART] },
  { file: "beyond-the-quickstart.ipynb", expect: [EN.where, EN.cleaned, ...BEYOND] },
  { file: "beyond-the-quickstart.zh-TW.ipynb", expect: [ZH.where, ZH.cleaned, ...BEYOND] },
];

// Two notebooks at a time: each waits on its kernel and the vault far more than on the CPU.
describe("the notebooks in real Jupyter", { ...needsJupyter(), concurrency: 2 }, () => {
  // A vault per notebook: the check for leftovers must see only that notebook's keys.
  const vaults: TestVault[] = [];
  before(() => assertJupyter());
  after(async () => {
    for (const vault of vaults) await vault.stop();
  });

  for (const edition of EDITIONS) {
    test(`${edition.file}: every cell runs in its language with no setting, output is plain, nothing is left in the vault`, async () => {
      const vault = await startTestVault(SHORT_RUN);
      vaults.push(vault);
      const result = await executeWithNbconvert(path.join(PROJECT_ROOT, "notebooks", edition.file), {
        // The emulator's variables come from this process; the developer's own .env is not read. No
        // language variable at all: the notebook's kernel decides.
        env: { ...vault.emulator.env, KVQ_ENV_FILE: "none", KVQ_LEDGER_DIR: tempDir("kvq-nb-ledger-"), ATTENDEE: "tester", KVQ_LANG: undefined, LANG: "C.UTF-8", LC_ALL: undefined, LC_MESSAGES: undefined },
        kernelName: "from-notebook",
        timeoutSeconds: 120,
      });
      assert.equal(result.exitCode, 0, `nbconvert failed:\n${result.stderr.slice(-3000)}`);
      const code = result.notebook!.cells.filter((c) => c.cell_type === "code");
      const text = code.map((c) => streamText(c)).join("\n");
      assert.doesNotMatch(text, /\u001b\[/, "no escape codes");
      assert.doesNotMatch(text, /Ora \{|\[object Object\]|undefined/, "no leftover values printed");
      for (const expected of edition.expect) assert.match(text, expected);
      assert.equal(code.flatMap((c) => c.outputs ?? []).filter((o) => o?.name === "stderr").length, 0, "nothing on stderr");
      assert.deepEqual(await tutorialKeysIn(vault), []);
    });
  }
});
