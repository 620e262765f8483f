/**
 * Issue 26, point 2: a key whose delete (or recover) was accepted and has not finished is a state
 * of its own. The quickstart's own cells in the real tslab kernel against an emulator whose deletes
 * take a minute: "Delete the key" interrupted after its DELETE was accepted, then "Try to reuse the
 * name" says the key is being deleted and to wait (not "there is no key"), and a clean-up in another
 * process keeps it in the ledger instead of calling it gone.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { DefaultAzureCredential } from "@azure/identity";
import { KeyClient } from "@azure/keyvault-keys";
import { cleanupKey } from "../../src/cleanup";
import { clientOptionsFor } from "../../src/client-options";
import { keyState } from "../../src/object-state";
import { startKernel, type Kernel } from "../../src/notebook/kernel";
import { cellSource, readNotebook } from "../../src/notebook/notebook-file";
import { NOTEBOOKS_DIR } from "../../src/paths";
import { startTestVault, type TestVault } from "../helpers/emulator";
import { tempDir } from "./runner-helpers";

const stdout = (r: { outputs: any[] }) => r.outputs.map((o) => (o.output_type === "stream" ? String(o.text) : "")).join("");

let vault: TestVault;
let kernel: Kernel;
before(async () => {
  vault = await startTestVault({ deleteDelayMs: 60_000 });
  kernel = await startKernel({
    cwd: NOTEBOOKS_DIR,
    env: { ...vault.emulator.env, KVQ_ENV_FILE: "none", KVQ_LEDGER_DIR: tempDir("kvq-ledger-"), KVQ_LANG: "en", ATTENDEE: "tester" },
    interruptGraceMs: 3000,
  });
});
after(async () => {
  await kernel?.close();
  await vault?.stop();
});

test("an interrupted delete: the reuse step says 'being deleted: wait', and a clean-up elsewhere keeps the key in the ledger", async () => {
  const notebook = await readNotebook(path.join(NOTEBOOKS_DIR, "quickstart.ipynb"));
  const cell = (id: string) => cellSource(notebook.cells.find((c) => c.id === id)!);
  for (const id of ["env", "client", "parameters", "name", "create"]) {
    const result = await kernel.execute(cell(id));
    assert.equal(result.status, "ok", `${id}: ${stdout(result)}`);
  }
  // Before any delete, the step says the key is live.
  assert.match(stdout(await kernel.execute(cell("conflict"))), /is still live: run "Delete the key" first/);

  // The DELETE is accepted at once; the poller then waits for a minute: stop it after a second.
  const deletion = await kernel.execute(cell("delete"), { timeoutMs: 1500 });
  assert.equal(deletion.stoppedBy, "timeout");
  const reuse = stdout(await kernel.execute(cell("conflict")));
  assert.match(reuse, /is still being deleted: the vault accepted the delete and has not finished it/);
  assert.match(reuse, /Wait a few seconds and run this step again\./);
  assert.doesNotMatch(reuse, /There is no key/);

  // Another process (the runner, after the learner quits) sees 404 for both reads; the purge's 409 tells it.
  const name = /^Key name: (\S+)$/m.exec(stdout(await kernel.execute('console.log(`Key name: ${name}`)')))![1]!;
  const elsewhere = new KeyClient(vault.emulator.url, new DefaultAzureCredential(), clientOptionsFor(vault.emulator.url, { ca: vault.emulator.caPem }));
  assert.equal(await keyState(elsewhere, name), "absent", "a process that did not ask for the delete cannot see it under way by reading");
  const cleaned = await cleanupKey(elsewhere, name, { maxWaitMs: 600, graceMs: 100 });
  assert.equal(cleaned.outcome, "failed", cleaned.message);
  assert.match(cleaned.message, /still being deleted after waiting; it stays in the run's ledger/);
});

test("keyState names all five states through the SDK, the transitions included", async () => {
  const recovering = await startTestVault({ deleteDelayMs: 0, recoverDelayMs: 60_000 });
  try {
    const client = recovering.client;
    assert.equal(await keyState(client, "never-made"), "absent");
    await client.createRsaKey("k-state");
    assert.equal(await keyState(client, "k-state"), "live");
    await (await client.beginDeleteKey("k-state")).pollUntilDone();
    assert.equal(await keyState(client, "k-state"), "soft-deleted");
    // The recover is accepted; its poller is never waited for.
    await client.beginRecoverDeletedKey("k-state", { intervalInMs: 60_000 }).catch(() => undefined);
    assert.equal(await keyState(client, "k-state"), "being-recovered");
  } finally {
    await recovering.stop();
  }
});
