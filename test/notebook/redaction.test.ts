/**
 * No secret of any kind reaches an artifact: a notebook prints access tokens (two in one line), an
 * Authorization header, the client secret and the identity header, and fails with them in its
 * error. `kvq run`'s log, its --json lines, the executed notebook, `kvq learn`'s screen, and the docs rendered from a
 * notebook someone executed elsewhere (`kvq docs --from`) must each show none of them.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { docsMarkdown } from "../../src/notebook/docs";
import { parseNotebook } from "../../src/notebook/notebook-file";
import { PROJECT_ROOT, runKvq } from "../helpers/cli";
import { startTestVault, tempDir, type TestVault } from "../helpers/emulator";
import { buildNotebook } from "../helpers/jupyter";
import { b64url, fakeJwt } from "../helpers/secrets";

const NOTEBOOK = path.join(PROJECT_ROOT, "test", "fixtures", "notebooks", "prints-every-secret.ipynb");
const ISOLATED = { KVQ_ENV_FILE: "none", KEY_VAULT_URL: "", KEYVAULT_URI: "", KEY_VAULT_NAME: "", ATTENDEE: "tester" };

const secrets = {
  AZURE_CLIENT_SECRET: `client-secret-${b64url(18)}`,
  // A complete service principal, else the runner refuses the half-set one before the kernel starts.
  AZURE_CLIENT_ID: "00000000-0000-4000-8000-000000000001",
  AZURE_TENANT_ID: "00000000-0000-4000-8000-000000000002",
  KVQ_TEST_JWT_A: fakeJwt(),
  KVQ_TEST_JWT_B: fakeJwt(),
  KVQ_TEST_OPAQUE_TOKEN: b64url(40),
};
let vault: TestVault;
let env: NodeJS.ProcessEnv;
/** Every secret value the notebook can print, the emulator's identity header included. */
let planted: Record<string, string>;

before(async () => {
  vault = await startTestVault();
  env = { ...ISOLATED, ...vault.emulator.env, ...secrets, KVQ_LEDGER_DIR: tempDir("kvq-redaction-ledgers-") };
  const { AZURE_CLIENT_ID: _id, AZURE_TENANT_ID: _tenant, ...values } = secrets;
  planted = { ...values, IDENTITY_HEADER: vault.emulator.env.IDENTITY_HEADER };
  assert.ok(planted.IDENTITY_HEADER.length >= 6);
});
after(() => vault.stop());

function assertNoSecret(where: string, text: string): void {
  for (const [name, value] of Object.entries(planted)) assert.ok(!text.includes(value), `${name} leaked into ${where}:\n${text}`);
}

test("kvq run: the log, stderr and the executed notebook show every secret redacted", async () => {
  const out = path.join(tempDir("kvq-redaction-"), "executed.ipynb");
  const result = await runKvq(["run", "--vault", vault.emulator.url, "--notebook", NOTEBOOK, "--out", out], { env });
  assert.equal(result.code, 1, result.stdout + result.stderr);
  const executed = readFileSync(out, "utf8");
  for (const [where, text] of [["stdout", result.stdout], ["stderr", result.stderr], ["executed notebook", executed]] as const) assertNoSecret(where, text);
  // What was printed is there, redacted: the check above would pass on a log that lost the lines.
  assert.match(result.stdout, /tokens: \[redacted token\] and \[redacted token\]/);
  assert.match(result.stdout, /Authorization: Bearer \[redacted token\]/);
  assert.match(result.stdout, /client secret: \[redacted\]; identity header: \[redacted\]/);
  assert.match(result.stdout, /denied for \[redacted\] with \[redacted token\] and \[redacted token\]/);
  assert.match(executed, /x-identity-header: \[redacted\]; token \[redacted token\]/);
  assert.match(executed, /result: \[redacted\] \[redacted token\]/);
  assert.match(executed, /"text\/html": \[\s*"<b>\[redacted\]<\/b> \[redacted token\]"/, "display data (HTML) is redacted too");
});

test("kvq run --json: no secret in any line", async () => {
  const result = await runKvq(["run", "--json", "--vault", vault.emulator.url, "--notebook", NOTEBOOK, "--out", path.join(tempDir("kvq-redaction-"), "x.ipynb")], { env });
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assertNoSecret("--json output", result.stdout + result.stderr);
  const lines = result.stdout.trim().split("\n").map((l) => JSON.parse(l));
  const text = JSON.stringify(lines);
  assert.match(text, /tokens: \[redacted token\] and \[redacted token\]/);
  assert.match(text, /denied for \[redacted\]/);
  assert.equal(lines.at(-1).run.status, "failed");
});

test("kvq learn: what each step prints, and the failed step's error, show every secret redacted", async () => {
  const progress = path.join(tempDir("kvq-redaction-learn-"), "progress.json");
  // Enter runs step 1, Enter runs step 2 (which fails), q quits.
  const result = await runKvq(["learn", "--vault", vault.emulator.url, "--notebook", NOTEBOOK], { env: { ...env, KVQ_LEARN_PROGRESS: progress }, input: "\n\nq\n" });
  assertNoSecret("kvq learn's output", result.stdout + result.stderr);
  assert.match(result.stdout, /tokens: \[redacted token\] and \[redacted token\]/);
  assert.match(result.stdout, /client secret: \[redacted\]; identity header: \[redacted\]/);
  assert.match(result.stdout, /denied for \[redacted\] with \[redacted token\]/);
});

test("docs from a notebook executed elsewhere (kvq docs --from): every secret in its outputs is redacted", () => {
  const notebook = buildNotebook(["console.log('x')", "1"]) as any;
  notebook.cells[0].outputs = [
    { output_type: "stream", name: "stdout", text: [`tokens: ${planted.KVQ_TEST_JWT_A} ${planted.KVQ_TEST_JWT_B}\n`, `Authorization: Bearer ${planted.KVQ_TEST_OPAQUE_TOKEN}\n`] },
    { output_type: "stream", name: "stderr", text: `secret ${planted.AZURE_CLIENT_SECRET}, header ${planted.IDENTITY_HEADER}\n` },
  ];
  notebook.cells[1].outputs = [
    { output_type: "execute_result", execution_count: 2, metadata: {}, data: { "text/plain": `'${planted.KVQ_TEST_JWT_B}'` } },
    { output_type: "error", ename: "Error", evalue: `denied for ${planted.AZURE_CLIENT_SECRET}`, traceback: [`Error: denied for ${planted.AZURE_CLIENT_SECRET} ${planted.KVQ_TEST_JWT_A}`] },
  ];
  const saved = { AZURE_CLIENT_SECRET: process.env.AZURE_CLIENT_SECRET, IDENTITY_HEADER: process.env.IDENTITY_HEADER };
  // kvq docs reads the secret values from its environment, as a learner's shell would hold them.
  Object.assign(process.env, { AZURE_CLIENT_SECRET: planted.AZURE_CLIENT_SECRET, IDENTITY_HEADER: planted.IDENTITY_HEADER });
  try {
    const markdown = docsMarkdown(parseNotebook(JSON.stringify(notebook), "elsewhere.ipynb"), "en");
    assertNoSecret("docs", markdown);
    assert.match(markdown, /tokens: \[redacted token\] \[redacted token\]/);
    assert.match(markdown, /secret \[redacted\], header \[redacted\]/);
    assert.match(markdown, /denied for \[redacted\]/);
  } finally {
    Object.assign(process.env, saved);
    if (saved.AZURE_CLIENT_SECRET === undefined) delete process.env.AZURE_CLIENT_SECRET;
  }
});
