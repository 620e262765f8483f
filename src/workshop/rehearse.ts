/**
 * `kvq rehearse`: many attendees' full flows at once against an emulator held to the real create
 * limit (20 per 10 s), so an instructor sees before class what a shared vault does under a room
 * of learners: the "vault is busy" waits, the retries, how long until everyone is done, and that
 * nothing is left behind. The flows are the notebook's steps through the same helpers (not one
 * kernel per attendee: the vault is what is being rehearsed).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DefaultAzureCredential } from "@azure/identity";
import { KeyClient } from "@azure/keyvault-keys";
import { cleanupRuns } from "../cleanup";
import { clientOptionsFor, TUTORIAL_MAX_RETRIES } from "../client-options";
import { startEmulator, type FaultRule } from "../emulator/index";
import { checkEnvironment } from "../env";
import { t } from "../i18n";
import { chooseKeyName } from "../object-names";
import { kindOf, type VaultObjectClient } from "../kinds/index";
import { isTutorialObject, RunLedger } from "../run-ledger";
import { errorFacts } from "../vault-errors";

/** The real service's limit on RSA-2048 software-key creates per vault per 10 s (FACTS.md §2). */
export const AZURE_CREATE_LIMIT = 20;
/** Create requests one attendee makes: the key, and the deliberate 409 of the reuse step. */
export const CREATES_PER_ATTENDEE = 2;
/** Seconds an attendee may wait for "the vault is busy" before the class feels stuck. */
export const ACCEPTABLE_WAIT_SECONDS = 30;

export const STEPS = ["settings", "name", "create", "get", "delete", "reuse (409)", "recover + delete", "clean up"] as const;
export type StepName = (typeof STEPS)[number];

export interface AttendeeResult {
  attendee: string;
  ok: boolean;
  /** The reuse step met "the vault is busy" after all retries instead of the 409 (the notebook prints that and goes on). */
  busyInsteadOfConflict?: boolean;
  error?: string;
  /** Milliseconds per step. */
  steps: Partial<Record<StepName, number>>;
  retries: number;
}

export interface StepStats {
  step: StepName;
  p50: number;
  p95: number;
  max: number;
}

export interface RehearsalReport {
  attendees: number;
  finished: number;
  failed: AttendeeResult[];
  retries: number;
  /** Attendees whose reuse step saw 429 instead of the 409. */
  busyInsteadOfConflict: number;
  /** Wall time until the last attendee finished, seconds. */
  seconds: number;
  steps: StepStats[];
  leftoverKeys: string[];
  azure: string[];
}

export interface RehearseOptions {
  attendees: number;
  /** Creates allowed per 10 s; default the real limit. */
  throttle?: number;
  /** Delete/recover poller interval; default the SDK's 2 s, as in the notebook. */
  pollIntervalMs?: number;
  /** The vault refuses purges, as one with purge protection does: each attendee's key stays soft-deleted. */
  purgeProtection?: boolean;
  /** Operations the vault fails, as the class's vault might (an access policy without purge, a firewall …). */
  faults?: FaultRule[];
  onAttendeeDone?: (result: AttendeeResult, done: number) => void;
}

export async function rehearse(options: RehearseOptions): Promise<RehearsalReport> {
  const stateDir = mkdtempSync(path.join(tmpdir(), "kvq-rehearse-"));
  const ledgerDir = path.join(stateDir, "runs");
  // Ready keys for the first attendees' creates; no more than there are attendees to take them.
  const keyPoolSize = Math.min(8, options.attendees);
  const emulator = await startEmulator({
    port: 0,
    stateDir,
    throttle: options.throttle ?? AZURE_CREATE_LIMIT,
    keyPoolSize,
    purgeProtection: options.purgeProtection,
    faults: options.faults,
  });
  const previousEnv = { ...process.env };
  Object.assign(process.env, emulator.env);
  try {
    const credential = new DefaultAzureCredential();
    const started = performance.now();
    let done = 0;
    const results = await Promise.all(
      Array.from({ length: options.attendees }, async (_, i) => {
        const result = await attendeeFlow(`attendee-${String(i + 1).padStart(3, "0")}`, emulator.url, emulator.caPem, credential, ledgerDir, options.pollIntervalMs);
        options.onAttendeeDone?.(result, ++done);
        return result;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const audit = new KeyClient(emulator.url, credential, clientOptionsFor(emulator.url, { ca: emulator.caPem, onThrottle: () => undefined }));
    return {
      attendees: options.attendees,
      finished: results.filter((r) => r.ok).length,
      failed: results.filter((r) => !r.ok),
      retries: results.reduce((n, r) => n + r.retries, 0),
      busyInsteadOfConflict: results.filter((r) => r.busyInsteadOfConflict).length,
      seconds,
      steps: STEPS.map((step) => stats(step, results.map((r) => r.steps[step]).filter((v): v is number => v !== undefined))),
      leftoverKeys: await tutorialKeysIn(audit),
      azure: azureExpectations(options.attendees, results.filter((r) => !r.ok).length),
    };
  } finally {
    await emulator.close();
    for (const name of Object.keys(emulator.env)) if (previousEnv[name] === undefined) delete process.env[name];
    Object.assign(process.env, previousEnv);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** One attendee through the notebook's steps, timed. */
async function attendeeFlow(attendee: string, vaultUrl: string, ca: string, credential: DefaultAzureCredential, ledgerDir: string, pollIntervalMs?: number): Promise<AttendeeResult> {
  const result: AttendeeResult = { attendee, ok: false, steps: {}, retries: 0 };
  const client = new KeyClient(vaultUrl, credential, clientOptionsFor(vaultUrl, { ca, onThrottle: () => result.retries++ }));
  const poll = { intervalInMs: pollIntervalMs };
  const step = async <T>(name: StepName, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const value = await work();
    result.steps[name] = performance.now() - started;
    return value;
  };
  let ledger: RunLedger | undefined;
  try {
    await step("settings", async () => {
      const check = checkEnvironment(process.env);
      if (!check.ok) throw new Error(check.problems.map((p) => p.message).join("; "));
    });
    const name = await step("name", async () => (await chooseKeyName(client, { prefix: `quickstart-${attendee}` })).name);
    ledger = RunLedger.start({ vaultUrl, dir: ledgerDir, attendee });
    const run = ledger;
    run.track(name);
    await step("create", () => client.createRsaKey(name, { keySize: 2048, tags: run.tags }));
    await step("get", () => client.getKey(name));
    await step("delete", async () => (await client.beginDeleteKey(name, poll)).pollUntilDone());
    await step("reuse (409)", async () => {
      const outcome = await client.createRsaKey(name, { tags: run.tags }).then(
        () => "created",
        (error) => errorFacts(error).innerCode ?? String(errorFacts(error).statusCode),
      );
      // The notebook's cell prints whatever came back; a 429 after all retries is an answer too.
      if (outcome === "429") result.busyInsteadOfConflict = true;
      else if (outcome !== "ObjectIsDeletedButRecoverable") throw new Error(t().rehearse.expectedConflict(outcome));
    });
    await step("recover + delete", async () => {
      await (await client.beginRecoverDeletedKey(name, poll)).pollUntilDone();
      await (await client.beginDeleteKey(name, poll)).pollUntilDone();
    });
    await step("clean up", async () => {
      const [{ results }] = await cleanupRuns(client, [run], { pollIntervalMs });
      const failed = results.filter((r) => r.outcome === "failed");
      if (failed.length > 0) throw new Error(failed.map((r) => r.message).join("; "));
    });
    result.ok = true;
  } catch (error) {
    result.error = errorFacts(error).message.split("\n")[0];
    // A failed flow still cleans up after itself, as the notebook's last cell would.
    if (ledger) await cleanupRuns(client, [ledger], { pollIntervalMs }).catch(() => undefined);
  }
  return result;
}

/** Every tutorial object the vault still holds, live or deleted (any kind: the listing is kinds/'). */
async function tutorialKeysIn(client: VaultObjectClient): Promise<string[]> {
  const kind = kindOf(client);
  const names: string[] = [];
  for await (const live of kind.listLive(client)) if (isTutorialObject(live.tags)) names.push(live.name);
  for await (const deleted of kind.listDeleted(client)) if (isTutorialObject(deleted.tags)) names.push(`${deleted.name} (deleted)`);
  return names;
}

function stats(step: StepName, values: number[]): StepStats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] / 1000);
  return { step, p50: at(0.5), p95: at(0.95), max: at(1) };
}

/**
 * What the instructor should expect on Azure: the create requests of N attendees who reach the
 * create step together arrive in waves of 20 per 10 s; each later wave is one more 429 and retry.
 * The lines are in the current language. When attendees of the rehearsal did not finish, the
 * advice says so instead of promising that everyone finishes: one verdict, one exit code, one advice.
 */
export function azureExpectations(attendees: number, failedInRehearsal = 0): string[] {
  const m = t().rehearse;
  const creates = attendees * CREATES_PER_ATTENDEE;
  const waves = Math.ceil(creates / AZURE_CREATE_LIMIT);
  const worstWait = (waves - 1) * 10;
  const lines = [m.creates(attendees, creates, AZURE_CREATE_LIMIT), waves <= 1 ? m.nobodyWaits : m.lastOnesWait(worstWait, waves - 1)];
  // Attendees per vault for a simultaneous burst: never waiting, and waiting at most ACCEPTABLE_WAIT_SECONDS.
  const noWait = AZURE_CREATE_LIMIT / CREATES_PER_ATTENDEE;
  const acceptable = ((ACCEPTABLE_WAIT_SECONDS / 10 + 1) * AZURE_CREATE_LIMIT) / CREATES_PER_ATTENDEE;
  if (failedInRehearsal > 0) {
    lines.push(m.notEveryoneFinished(failedInRehearsal, attendees));
  } else if (waves - 1 > TUTORIAL_MAX_RETRIES) {
    lines.push(m.tooManyRetries(TUTORIAL_MAX_RETRIES, Math.ceil(attendees / acceptable)));
  } else if (worstWait > ACCEPTABLE_WAIT_SECONDS) {
    lines.push(m.vaultPerTable(ACCEPTABLE_WAIT_SECONDS, Math.ceil(attendees / acceptable), acceptable, noWait));
  } else {
    lines.push(m.oneVault(acceptable, noWait));
  }
  return lines;
}
