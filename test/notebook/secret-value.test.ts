/**
 * The learner's secret value is the lesson in the live cell and nowhere else: a value planted with
 * --param secretValue= reaches no artifact of a run — stdout, stderr, --json, the executed notebook
 * (its injected cell included), the docs page rendered from it — in either edition, unless
 * --keep-secret-values asks for it (which shows the notebook really printed it).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { parseNotebook } from "../../src/notebook/notebook-file";
import { renderMarkdown } from "../../src/notebook/render-markdown";
import { runKvq } from "../helpers/cli";
import { tempDir } from "../helpers/emulator";

const ENV = { KVQ_ENV_FILE: "none", KEY_VAULT_URL: "", KEY_VAULT_NAME: "", KEYVAULT_URI: "" };

/** Every file a run left in a folder, read as text. */
const filesIn = (dir: string) => readdirSync(dir, { recursive: true, encoding: "utf8" }).map((f) => path.join(dir, f)).filter((f) => f.endsWith(".ipynb") || f.endsWith(".json"));

// Both editions at once: each waits on its kernel more than on the CPU.
describe("a secret value given to the secrets quickstart", { concurrency: true }, () => {
  for (const [lang, json] of [["en", true], ["zh-TW", false]] as const) {
    test(`${lang}${json ? ", --json" : ""}: reaches no artifact, and the live cells did print it`, async () => {
      const planted = `kvq-planted-${randomBytes(9).toString("hex")}`;
      const dir = tempDir("kvq-secret-value-");
      const out = path.join(dir, "executed.ipynb");
      const args = ["run", "secrets-quickstart", "--lang", lang, "--param", `secretValue=${planted}`, "--out", out, ...(json ? ["--json"] : [])];
      const result = await runKvq(args, { env: { ...ENV, KVQ_LEDGER_DIR: path.join(dir, "runs") }, timeoutMs: 120_000 });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const executed = readFileSync(out, "utf8");
      const artifacts: Array<[string, string]> = [
        ["stdout", result.stdout],
        ["stderr", result.stderr],
        ["the docs page", renderMarkdown(parseNotebook(executed, out))],
        ...filesIn(dir).map((f) => [f, readFileSync(f, "utf8")] as [string, string]),
      ];
      for (const [where, text] of artifacts) assert.ok(!text.includes(planted), `the planted value leaked into ${where}`);
      // It was printed (set, read back), and redacted where it was: the lesson ran.
      assert.match(executed, /value: {3}'\[redacted\]'/);
      assert.match(executed, /Read back: your secret is '\[redacted\]'/);
      assert.match(executed, /secretValue: string = \\"\[redacted\]\\"/, "the injected parameters cell holds it redacted");
    });
  }

  test("--keep-secret-values keeps it, as asked", async () => {
    const planted = `kvq-kept-${randomBytes(6).toString("hex")}`;
    const out = path.join(tempDir("kvq-secret-kept-"), "executed.ipynb");
    const result = await runKvq(["run", "secrets-quickstart", "--until", "6", "--param", `secretValue=${planted}`, "--keep-secret-values", "--out", out], { env: ENV, timeoutMs: 120_000 });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(readFileSync(out, "utf8"), new RegExp(`Read back: your secret is '${planted}'`));
  });
});
