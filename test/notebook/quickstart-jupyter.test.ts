/**
 * The quickstart notebooks themselves, executed in real Jupyter (Debian's nbconvert) with the tslab
 * kernel against the emulator: every cell succeeds, the output is plain text, and afterwards the
 * vault holds no live or deleted key of the tutorial's.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startTestVault, tempDir, tutorialKeysIn, type TestVault } from "../helpers/emulator";
import { assertJupyter, executeWithNbconvert, needsJupyter, PROJECT_ROOT, streamText } from "../helpers/jupyter";

/** Each edition runs in its language; the helpers' lines come out in it (the cells' own prints are code, the same in both). */
const EDITIONS = [
  { file: "quickstart.ipynb", lang: "en", where: /Where: {4}the local emulator/, purged: /Purged quickstart-tester-\d{8}-[0-9a-z]{6}\./, meaning: /A soft-deleted key still holds this name/ },
  { file: "quickstart.zh-TW.ipynb", lang: "zh-TW", where: /位置： {5}本機模擬器/, purged: /Purged quickstart-tester-\d{8}-[0-9a-z]{6}\./, meaning: /已虛刪除的金鑰還占用著這個名稱/ },
];

describe("the quickstart notebooks in real Jupyter", needsJupyter(), () => {
  let vault: TestVault;
  before(async () => {
    assertJupyter();
    vault = await startTestVault({ deleteDelayMs: 0 });
  });
  after(() => vault?.stop());

  for (const edition of EDITIONS) {
    test(`${edition.file}: every cell runs in ${edition.lang}, output is plain, nothing is left in the vault`, async () => {
      const result = await executeWithNbconvert(path.join(PROJECT_ROOT, "notebooks", edition.file), {
        // The emulator's variables come from this process; the developer's own .env is not read.
        env: { ...vault.emulator.env, KVQ_ENV_FILE: "none", KVQ_LEDGER_DIR: tempDir("kvq-nb-ledger-"), ATTENDEE: "tester", KVQ_LANG: edition.lang },
        timeoutSeconds: 120,
      });
      assert.equal(result.exitCode, 0, `nbconvert failed:\n${result.stderr.slice(-3000)}`);
      const cells = result.notebook!.cells;
      const code = cells.filter((c) => c.cell_type === "code");
      const text = code.map((c) => streamText(c)).join("\n");
      assert.doesNotMatch(text, /\u001b\[/, "no escape codes");
      assert.doesNotMatch(text, /Ora \{|\[object Object\]/, "no leftover values printed");
      assert.match(text, edition.where);
      assert.match(text, /Key name: quickstart-tester-\d{8}-[0-9a-z]{6}/);
      assert.match(text, /✔ Created quickstart-tester-/);
      assert.match(text, /Same key as the one created: true/);
      assert.match(text, /failed: 409 Conflict \/ ObjectIsDeletedButRecoverable/);
      assert.match(text, edition.meaning);
      assert.match(text, /Recovered id matches the original: true/);
      assert.match(text, edition.purged);
      assert.equal(code.flatMap((c) => c.outputs ?? []).filter((o) => o?.name === "stderr").length, 0, "nothing on stderr");
      assert.deepEqual(await tutorialKeysIn(vault), []);
    });
  }
});
