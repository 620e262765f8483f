/**
 * Runs a test plants in a run ledger folder, as a notebook's clean-up step finds them: a key, a
 * secret and a certificate (with its own key and secret) live in the vault with a run's tags, and
 * that run's ledger (format 1, as src/run-ledger.ts writes it) naming the three as pending. Written out here, not with RunLedger: the notebooks' clean-up
 * reads it, so it is what is being tested.
 *
 * - `owner: "gone"`: a run that died before its clean-up (no owner process): the next clean-up in
 *   that folder must finish it.
 * - `owner: "running"`: a run still going in another process on this machine (this test process):
 *   no clean-up may touch it, whichever notebook runs beside it.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import type { TestVault } from "./emulator";

export interface PlantedRun {
  runId: string;
  key: string;
  secret: string;
  certificate: string;
}

export async function plantRun(vault: TestVault, ledgerDir: string, options: { owner: "gone" | "running"; label: string }): Promise<PlantedRun> {
  const suffix = randomBytes(3).toString("hex");
  const runId = `${options.owner === "gone" ? "20250101T000000Z" : "20250102T000000Z"}-${suffix.slice(0, 4)}`;
  const planted = { runId, key: `${options.label}-key-${suffix}`, secret: `${options.label}-secret-${suffix}`, certificate: `${options.label}-cert-${suffix}` };
  const tags = (tutorial: string) => ({ "kvq-tutorial": tutorial, "kvq-run": runId, "kvq-attendee": "tester" });
  await vault.client.createEcKey(planted.key, { tags: tags("keys-quickstart") });
  await vault.secretClient.setSecret(planted.secret, `value of ${options.label}`, { tags: tags("secrets-quickstart") });
  const policy = { issuerName: "Self", subject: `cn=${planted.certificate}` };
  await (await vault.certificateClient.beginCreateCertificate(planted.certificate, policy, { tags: tags("certificates-quickstart"), intervalInMs: 20 })).pollUntilDone();
  const recordedAt = new Date(Date.now() - 3_600_000).toISOString();
  const ledger = {
    format: 1,
    runId,
    vaultUrl: vault.emulator.env.KEY_VAULT_URL,
    startedAt: recordedAt,
    attendee: "tester",
    keys: [
      { name: planted.key, kind: "key", recordedAt, status: "pending" },
      { name: planted.secret, kind: "secret", recordedAt, status: "pending" },
      { name: planted.certificate, kind: "certificate", recordedAt, status: "pending" },
    ],
    ...(options.owner === "running" ? { owner: { pid: process.pid, host: hostname() } } : {}),
  };
  writeFileSync(path.join(ledgerDir, `${runId}.json`), JSON.stringify(ledger, null, 2));
  return planted;
}
