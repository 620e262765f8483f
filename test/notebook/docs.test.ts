/**
 * Docs and secrets: the committed docs/ are exactly what a fresh run regenerates (so regeneration is
 * byte-identical, and CI catches stale docs), and a planted secret appears nowhere — not in the
 * runner's log, the executed notebook, or docs rendered from it.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { renderMarkdown } from "../../src/notebook/render-markdown";
import { parseNotebook } from "../../src/notebook/notebook-file";
import { PROJECT_ROOT, runKvq } from "../helpers/cli";
import { tempDir } from "../helpers/emulator";

// One process per notebook, both at once: each waits on its kernel more than on the CPU.
describe("kvq docs --check", { concurrency: true }, () => {
for (const tutorial of ["quickstart", "beyond-the-quickstart", "secrets-quickstart", "certificates-quickstart"]) {
  test(`kvq docs ${tutorial} --check: docs/ matches a fresh regeneration, in both languages`, async () => {
    const result = await runKvq(["docs", tutorial, "--check"], { env: { KVQ_ENV_FILE: "none" }, timeoutMs: 240_000 });
    assert.equal(result.code, 0, `docs/ is stale or did not regenerate identically:\n${result.stdout}${result.stderr}`);
    assert.match(result.stdout, new RegExp(`docs/${tutorial}\\.md is up to date`));
    assert.match(result.stdout, new RegExp(`docs/${tutorial}\\.zh-TW\\.md is up to date`));
  });
}
});

test("a planted secret never leaves the kernel: not in the log, the executed notebook, or the docs", async () => {
  const sentinel = `kvq-sentinel-${randomBytes(12).toString("hex")}`;
  const out = path.join(tempDir("kvq-secret-"), "executed.ipynb");
  const result = await runKvq(["run", "--notebook", path.join(PROJECT_ROOT, "test", "fixtures", "notebooks", "prints-secrets.ipynb"), "--out", out], {
    env: { KVQ_ENV_FILE: "none", KEY_VAULT_URL: "", KEY_VAULT_NAME: "", KEYVAULT_URI: "", AZURE_CLIENT_SECRET: sentinel },
  });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const executed = readFileSync(out, "utf8");
  const identityHeader = /header: (.*)/.exec(result.stdout)?.[1];
  for (const [where, text] of [["stdout", result.stdout], ["stderr", result.stderr], ["executed notebook", executed]] as const) {
    assert.doesNotMatch(text, new RegExp(sentinel), `the client secret leaked into ${where}`);
  }
  assert.match(result.stdout, /secret: \[redacted\]/);
  assert.equal(identityHeader, "[redacted]", "the emulator's identity header is redacted too");
  const markdown = renderMarkdown(parseNotebook(executed, out));
  assert.doesNotMatch(markdown, new RegExp(sentinel));
});
