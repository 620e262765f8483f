/**
 * The project's notebooks themselves — the quickstart, beyond-the-quickstart, the secrets and the
 * certificates quickstarts, each in English and Traditional Chinese — executed in real Jupyter (Debian's nbconvert)
 * with the tslab kernel against the emulator: every cell succeeds, the output is plain text, each
 * notebook's clean-up finds what an earlier run left (and nothing of another notebook's), and
 * afterwards the vault holds no live or deleted object of the tutorial's, of any kind.
 *
 * Each notebook runs on the kernel its metadata names, as JupyterLab and VS Code start it, with no
 * language setting at all (KVQ_LANG and the locale removed): the zh-TW editions speak Traditional
 * Chinese through their own kernelspec.
 *
 * Shared, since what is tested is each notebook and its kernel, not Jupyter's start-up: one
 * nbconvert process per language runs that language's four notebooks one after another (each on
 * a fresh kernel of its own, as `jupyter nbconvert --execute a b c d` does), the two languages at
 * once, against one vault. Each language has its own ledger folder, in which an earlier run that
 * died before its clean-up left a key, a secret and a certificate: the first keys notebook of the
 * language must clean the key, the secrets quickstart the secret, the certificates quickstart the
 * certificate (its key and secret with it), and no other notebook may report an earlier run;
 * beside it, a run still going in another process (this test's), whose objects no clean-up may touch.
 * A certificate's key and secret carry no tags: what each notebook named must be gone by name, of any kind.
 * The languages take their notebooks in opposite orders, so each notebook's clean-up is the one that
 * meets the earlier run in one of its editions.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { before, describe, test } from "node:test";
import { objectsNamedIn, startTestVault, tempDir, tutorialLeftoversIn, type TestVault } from "../helpers/emulator";
import { SHORT_RUN } from "../../src/emulator/index";
import { plantRun, type PlantedRun } from "../helpers/ledger";
import { assertJupyter, executeNotebooksWithNbconvert, needsJupyter, PROJECT_ROOT, streamText, type NbconvertBatchResult } from "../helpers/jupyter";

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
const SECRETS = [
  /value: {3}'my first secret, kept by Key Vault'/,
  /https:\/\/localhost:\d+\/secrets\/quickstart-tester-\d{8}-[0-9a-z]{6}\/[0-9a-f]{32}/,
  /Forgotten: your secret is now ''\./,
  /Read back: your secret is 'my first secret, kept by Key Vault'\./,
  /First version still reads the same value: true/,
  /409 Conflict \/ ObjectIsDeletedButRecoverable/,
  /Purged quickstart-tester-\d{8}-[0-9a-z]{6}\./,
];
const CERTIFICATES = [
  /Certificate name: quickstart-tester-\d{8}-[0-9a-z]{6}/,
  /✔ Issued quickstart-tester-/,
  /The poller now: done: true, version: ([0-9a-f]{32})\nid: https:\/\/localhost:\d+\/certificates\/quickstart-tester-[\w-]+\/\1\n/,
  /issuer: +CN=MyCert \(the subject itself: true\)\nsigned by its own key \(self-signed\): true/,
  /thumbprint: [0-9a-f]{40} \(the vault's: true\)/,
  /key: +https:\/\/localhost:\d+\/keys\/quickstart-tester-[\w-]+\/[0-9a-f]{32}\n +managed: true\n/,
  /verified by the vault: true\nverified here, with the certificate: true/,
  /managed: true, holds application\/x-pem-file, names the key: true/,
  /the secret's private key belongs to the certificate: true\nthe public key's SHA-256, from the certificate and from the private key:\n {2}([0-9a-f]{64})\n {2}\1\n/,
  /its key is gone: +true\nits secret is gone: true/,
  /failed: 409 Conflict \/ ObjectIsDeletedButRecoverable/,
  /Recovered, same version: true/,
  /Purged quickstart-tester-\d{8}-[0-9a-z]{6}\./,
];
const EN = {
  where: /Where: {4}the local emulator/,
  cleaned: /-rsa: deleted and purged\./,
  meaning: /A soft-deleted key still holds this name/,
  secretMeaning: /A soft-deleted secret still holds this name/,
  certificateMeaning: /A soft-deleted certificate still holds this name, with its key and secret/,
};
const ZH = { where: /位置： {5}本機模擬器/, cleaned: /-rsa：已刪除並清除。/, meaning: /已虛刪除的金鑰還占用著這個名稱/, secretMeaning: /已虛刪除的祕密還占用著這個名稱/, certificateMeaning: /已虛刪除的憑證（連同它的金鑰和祕密）/ };
/** What the clean-up says of an object it deleted and purged, per language (src/i18n: cleanup.purged). */
const PURGED = { en: (name: string) => `${name}: deleted and purged.`, "zh-TW": (name: string) => `${name}：已刪除並清除。` };

type Lang = "en" | "zh-TW";
/** The names a notebook's output gives its objects (the vault is shared: a name says whose an object is). */
const namesIn = (text: string) => new Set(text.match(/\b(?:quickstart|beyond)-tester-\d{8}-[0-9a-z]{6}(?:-(?:ec|rsa))?\b/g) ?? []);
/** Which of the earlier run's objects the notebook's clean-up must report (the others report no earlier run). */
type Meets = "key" | "secret" | "certificate" | undefined;

/** Per language, the notebooks in the order its nbconvert runs them; opposite orders for the keys notebooks, and for the secrets and certificates ones. */
const RUNS: Record<Lang, { file: string; expect: RegExp[]; meets: Meets }[]> = {
  en: [
    { file: "quickstart.ipynb", expect: [EN.where, EN.meaning, ...QUICKSTART], meets: "key" },
    { file: "beyond-the-quickstart.ipynb", expect: [EN.where, EN.cleaned, ...BEYOND], meets: undefined },
    { file: "secrets-quickstart.ipynb", expect: [EN.where, EN.secretMeaning, ...SECRETS], meets: "secret" },
    { file: "certificates-quickstart.ipynb", expect: [EN.where, EN.certificateMeaning, ...CERTIFICATES], meets: "certificate" },
  ],
  "zh-TW": [
    { file: "beyond-the-quickstart.zh-TW.ipynb", expect: [ZH.where, ZH.cleaned, ...BEYOND], meets: "key" },
    { file: "quickstart.zh-TW.ipynb", expect: [ZH.where, ZH.meaning, ...QUICKSTART], meets: undefined },
    { file: "certificates-quickstart.zh-TW.ipynb", expect: [ZH.where, ZH.certificateMeaning, ...CERTIFICATES], meets: "certificate" },
    { file: "secrets-quickstart.zh-TW.ipynb", expect: [ZH.where, ZH.secretMeaning, ...SECRETS], meets: "secret" },
  ],
};
const LANGS = Object.keys(RUNS) as Lang[];

// The two languages at once: each waits on its kernels and the vault far more than on the CPU.
describe("the notebooks in real Jupyter", needsJupyter(), () => {
  let vault: TestVault;
  const earlierRuns = {} as Record<Lang, PlantedRun>;
  /** A run still going in another process (this one), in each ledger folder: no notebook may touch its objects. */
  const runningRuns = {} as Record<Lang, PlantedRun>;
  const batches = {} as Record<Lang, NbconvertBatchResult>;
  /** Every tutorial object left in the vault once all eight notebooks have run, named with its kind. */
  let leftovers: string[] = [];
  /** Every object of any kind, tagged or not, left under a name a notebook printed or an earlier run planted. */
  let leftUnderNames: string[] = [];

  before(async () => {
    assertJupyter();
    vault = await startTestVault(SHORT_RUN);
    try {
      await Promise.all(
        LANGS.map(async (lang) => {
          const ledgerDir = tempDir(`kvq-nb-ledger-${lang}-`);
          earlierRuns[lang] = await plantRun(vault, ledgerDir, { owner: "gone", label: `earlier-${lang}` });
          runningRuns[lang] = await plantRun(vault, ledgerDir, { owner: "running", label: `running-${lang}` });
          batches[lang] = await executeNotebooksWithNbconvert(
            RUNS[lang].map((run) => path.join(PROJECT_ROOT, "notebooks", run.file)),
            {
              // The emulator's variables come from this process; the developer's own .env is not read. No
              // language variable at all: the notebook's kernel decides.
              env: { ...vault.emulator.env, KVQ_ENV_FILE: "none", KVQ_LEDGER_DIR: ledgerDir, ATTENDEE: "tester", KVQ_LANG: undefined, LANG: "C.UTF-8", LC_ALL: undefined, LC_MESSAGES: undefined },
              kernelName: "from-notebook",
              timeoutSeconds: 120,
              // Every notebook runs even when one before it fails: its own test says so, naming the cell.
              allowErrors: true,
            },
          );
        }),
      );
      leftovers = await tutorialLeftoversIn(vault);
      const printed = LANGS.flatMap((lang) => batches[lang].notebooks.flatMap((n) => (n.notebook?.cells ?? []).map((c) => streamText(c)))).join("\n");
      leftUnderNames = await objectsNamedIn(vault, [...namesIn(printed), ...LANGS.map((lang) => earlierRuns[lang].certificate)]);
    } finally {
      await vault.stop();
    }
  });

  for (const lang of LANGS) {
    for (const [index, edition] of RUNS[lang].entries()) {
      const meets = edition.meets ? `cleans the earlier run's ${edition.meets}` : "reports no earlier run";
      test(`${edition.file}: every cell runs in its language with no setting, output is plain, ${meets}, nothing of its own is left in the vault`, () => {
        const batch = batches[lang];
        const executed = batch.notebooks[index]!;
        assert.equal(executed.path, path.join(PROJECT_ROOT, "notebooks", edition.file));
        assert.ok(executed.notebook, `nbconvert wrote no executed copy of ${edition.file} (exit ${batch.exitCode}):\n${(executed.log || batch.stderr).slice(-3000)}`);
        const code = executed.notebook.cells.filter((c) => c.cell_type === "code");
        const failed = code.flatMap((c) => (c.outputs ?? []).filter((o) => o.output_type === "error").map((o) => `cell ${c.id}: ${o.ename}: ${o.evalue}`));
        assert.deepEqual(failed, [], `${edition.file}: a cell failed`);
        assert.ok(code.every((c) => typeof c.execution_count === "number"), `${edition.file}: a code cell did not run`);
        const text = code.map((c) => streamText(c)).join("\n");
        assert.doesNotMatch(text, /\u001b\[/, "no escape codes");
        assert.doesNotMatch(text, /Ora \{|\[object Object\]|undefined/, "no leftover values printed");
        for (const expected of edition.expect) assert.match(text, expected);
        assert.equal(code.flatMap((c) => c.outputs ?? []).filter((o) => o?.name === "stderr").length, 0, "nothing on stderr");

        // The clean-up step: the earlier run's object of this notebook's kind, or no earlier run at all.
        const cleanup = streamText(code.find((c) => c.id === "cleanup")!);
        const earlier = earlierRuns[lang];
        const fromEarlier = cleanup.split("\n").filter((line) => line.startsWith("[earlier run "));
        const expected = edition.meets ? [`[earlier run ${earlier.runId}] ${PURGED[lang](earlier[edition.meets])}`] : [];
        assert.deepEqual(fromEarlier, expected, `${edition.file}'s clean-up step:\n${cleanup}`);

        // Nothing this notebook named in its output is left (the vault is shared: the names say whose a leftover is),
        // of any kind, tagged or not: a certificate's key and secret have no tags of their own.
        const names = namesIn(text);
        assert.ok(names.size > 0, "the notebook names what it created");
        assert.deepEqual(leftovers.filter((leftover) => names.has(leftover.split(" ")[1]!)), [], `${edition.file} left objects in the vault`);
        assert.deepEqual(leftUnderNames.filter((left) => names.has(left.split(" ")[1]!)), [], `${edition.file} left objects in the vault`);
        // The certificates quickstart reads a private key: it never shows one.
        assert.doesNotMatch(text, /-----BEGIN|PRIVATE KEY/, "no private key in the output");
      });
    }
  }

  test("afterwards the vault holds no tutorial object of any kind (the earlier runs' included) but the running runs' own, untouched", () => {
    const running = LANGS.flatMap((lang) => [`key ${runningRuns[lang].key}`, `secret ${runningRuns[lang].secret}`, `certificate ${runningRuns[lang].certificate}`]);
    assert.deepEqual(leftovers.filter((l) => !running.includes(l)), [], "tutorial objects left in the vault");
    assert.deepEqual(running.filter((r) => !leftovers.includes(r)), [], "a notebook cleaned an object of a run still going elsewhere");
    // The earlier runs' certificates were purged with their keys and secrets, which carry no tags.
    assert.deepEqual(leftUnderNames, [], "objects left under the names the notebooks printed or the earlier runs planted");
  });
});
