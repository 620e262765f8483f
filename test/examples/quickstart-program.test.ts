/**
 * The program to keep (examples/quickstart/kv_keys.ts): it makes the same Azure SDK calls as the
 * quickstart notebook, in the same order; it imports nothing but the three packages a fresh project
 * installs; and it runs against the emulator with nothing but the environment a learner would set —
 * leaving no key, live or deleted, behind.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startTestVault, type TestVault } from "../helpers/emulator";
import { SHORT_RUN } from "../../src/emulator/index";
import { PROJECT_ROOT } from "../helpers/cli";
import { runProgram } from "./run-program";
import { sdkSteps } from "./sdk-steps";

const PROGRAM_DIR = path.join(PROJECT_ROOT, "examples", "quickstart");
const PROGRAM = path.join(PROGRAM_DIR, "kv_keys.ts");
const program = () => readFileSync(PROGRAM, "utf8");
const notebookCode = (file: string) =>
  (JSON.parse(readFileSync(path.join(PROJECT_ROOT, "notebooks", file), "utf8")) as { cells: { cell_type: string; source: string[] | string }[] }).cells
    .filter((c) => c.cell_type === "code")
    .map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source))
    .join("\n");

test("setup.md's commands install the versions examples/quickstart/package.json records (both editions)", () => {
  const recorded = JSON.parse(readFileSync(path.join(PROGRAM_DIR, "package.json"), "utf8")) as Record<"dependencies" | "devDependencies", Record<string, string>>;
  for (const setup of ["setup.md", "setup.zh-TW.md"]) {
    const text = readFileSync(path.join(PROJECT_ROOT, setup), "utf8");
    const installed = (dev: boolean) =>
      Object.fromEntries(
        [...text.matchAll(dev ? /^npm install --save-dev (.+)$/gm : /^npm install (?!--save-dev)(.+)$/gm)]
          .flatMap((m) => m[1]!.split(/\s+/))
          .map((spec) => /^(@?[^@\s]+)@(.+)$/.exec(spec))
          .map((m) => (m ? [m[1], m[2]] : ["(unpinned)", "none"])),
      );
    assert.deepEqual(installed(false), recorded.dependencies, `${setup}: npm install`);
    assert.deepEqual(installed(true), recorded.devDependencies, `${setup}: npm install --save-dev`);
  }
});

test("the program and the quickstart notebook make the same SDK calls in the same order", () => {
  const inProgram = sdkSteps(program());
  const inNotebook = sdkSteps(notebookCode("quickstart.ipynb"));
  assert.deepEqual(inProgram, inNotebook, "examples/quickstart/kv_keys.ts and notebooks/quickstart.ipynb disagree: change both");
  // Every step the seed teaches is there, and visible as an SDK call.
  for (const step of ["vault URL from KEY_VAULT_NAME", "new DefaultAzureCredential", "new KeyClient", "createRsaKey", "getKey", "beginDeleteKey", "pollUntilDone", "purgeDeletedKey"]) {
    assert.ok(inNotebook.includes(step), `the notebook does not show ${step}`);
  }
});

test("the step comparison notices a difference", () => {
  assert.notDeepEqual(sdkSteps(program().replace("await client.purgeDeletedKey(keyName);", "")), sdkSteps(notebookCode("quickstart.ipynb")));
  assert.notDeepEqual(sdkSteps(program().replace("client.getKey(keyName)", "Promise.resolve(key)")), sdkSteps(notebookCode("quickstart.ipynb")));
});

test("the program needs only @azure/keyvault-keys, @azure/identity and dotenv", () => {
  const imports = [...program().matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]).sort();
  assert.deepEqual(imports, ["@azure/identity", "@azure/keyvault-keys", "dotenv"]);
  const pkg = JSON.parse(readFileSync(path.join(PROGRAM_DIR, "package.json"), "utf8"));
  assert.deepEqual(Object.keys(pkg.dependencies).sort(), ["@azure/identity", "@azure/keyvault-keys", "dotenv"]);
  assert.equal(pkg.type, "module");
});

describe("the program against the emulator", () => {
  let vault: TestVault;
  before(async () => {
    vault = await startTestVault(SHORT_RUN);
  });
  after(() => vault?.stop());

  test("runs end to end with `tsx kv_keys.ts` and leaves nothing in the vault", async () => {
    const { code, stdout, stderr } = await runProgram(vault, PROGRAM_DIR, ["kv_keys.ts", "program-test-key"]);
    assert.equal(code, 0, `${stdout}\n${stderr}`);
    assert.match(stdout, /Created program-test-key, version [0-9a-f]{32}/);
    assert.match(stdout, /Read it back: program-test-key, same key: true/);
    assert.match(stdout, /Creating program-test-key again failed: 409 Conflict/);
    assert.match(stdout, /Recovered program-test-key, same key: true/);
    assert.match(stdout, /Purged program-test-key\. Done\./);
    const left: string[] = [];
    for await (const k of vault.client.listPropertiesOfKeys()) left.push(k.name);
    for await (const k of vault.client.listDeletedKeys()) left.push(`${k.name} (deleted)`);
    assert.deepEqual(left, []);
  });
});
