/**
 * `kvq rehearse`: many attendees' full flows of a tutorial at once against an emulator held to the
 * real limit that tutorial meets (key creates: 20 per 10 s, a certificate create among them;
 * secret transactions: 4,000 per 10 s),
 * so an instructor sees before class what a shared vault does under a room of learners: the
 * "vault is busy" waits, the retries, how long until everyone is done, and that nothing is left
 * behind. The flows are the notebooks' steps through the same helpers (not one kernel per
 * attendee: the vault is what is being rehearsed); each tutorial's is an entry of
 * rehearsal-flows.ts, and everything here is written once for all of them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential } from "@azure/identity";
import { cleanupRuns } from "../cleanup";
import { clientOptionsFor, TUTORIAL_MAX_RETRIES } from "../client-options";
import { startEmulator, type Emulator, type FaultRule } from "../emulator/index";
import { checkEnvironment } from "../env";
import { t } from "../i18n";
import { newObjectClient } from "../kinds/clients";
import { kindOf, type KindId, type VaultObjectClient } from "../kinds/index";
import { chooseName } from "../object-names";
import { isTutorialObject, QUICKSTART_TAG_VALUES, RunLedger } from "../run-ledger";
import { errorFacts } from "../vault-errors";
import { FLOWS, stepsOf, type AttendeeRun, type RehearsalTutorial, type StepName, type TutorialFlow } from "./rehearsal-flows";

export { FLOWS, REHEARSAL_TUTORIALS, stepsOf, type RehearsalTutorial, type StepName } from "./rehearsal-flows";

/** Seconds an attendee may wait for "the vault is busy" before the class feels stuck. */
export const ACCEPTABLE_WAIT_SECONDS = 30;

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
  /** The notebook rehearsed, and the kind of object it makes. */
  tutorial: RehearsalTutorial;
  kind: KindId;
  attendees: number;
  /** The emulator's limit per 10 s, of the kind's transactions (`limit`: keyCreates, secretTransactions). */
  throttle: number;
  limit: TutorialFlow["limit"];
  /** Requests the limit counted (429s are not counted, as on the service). */
  countedRequests: number;
  finished: number;
  failed: AttendeeResult[];
  retries: number;
  /** Attendees whose reuse step saw 429 instead of the 409. */
  busyInsteadOfConflict: number;
  /** Wall time until the last attendee finished, seconds. */
  seconds: number;
  steps: StepStats[];
  /** The tutorial's objects (of its kind) still in the vault, live or "(deleted)". */
  leftovers: string[];
  azure: string[];
}

export interface RehearseOptions {
  attendees: number;
  /** Which notebook's flow; default the keys quickstart. */
  tutorial?: RehearsalTutorial;
  /** The limit per 10 s of the tutorial's kind (key creates, secret transactions); default Azure's. */
  throttle?: number;
  /** Delete/recover poller interval; default the SDK's 2 s, as in the notebook. */
  pollIntervalMs?: number;
  /** The vault refuses purges, as one with purge protection does: each attendee's object stays soft-deleted. */
  purgeProtection?: boolean;
  /** Operations the vault fails, as the class's vault might (an access policy without purge, a firewall …). */
  faults?: FaultRule[];
  onAttendeeDone?: (result: AttendeeResult, done: number) => void;
}

export async function rehearse(options: RehearseOptions): Promise<RehearsalReport> {
  const tutorial = options.tutorial ?? "quickstart";
  const flow: TutorialFlow = FLOWS[tutorial];
  const throttle = options.throttle ?? flow.azureLimit;
  const stateDir = mkdtempSync(path.join(tmpdir(), "kvq-rehearse-"));
  const ledgerDir = path.join(stateDir, "runs");
  const emulator = await startEmulator({
    port: 0,
    stateDir,
    throttle: { [flow.limit]: throttle },
    keyPoolSize: flow.keyPoolSize(options.attendees),
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
        const attendee = `attendee-${String(i + 1).padStart(3, "0")}`;
        const result = await attendeeFlow(flow, attendee, emulator, credential, ledgerDir, options.pollIntervalMs);
        options.onAttendeeDone?.(result, ++done);
        return result;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    // Read before the audit below, whose listing is counted too.
    const countedRequests = emulator.faults.transactions(flow.limit);
    const audit = newObjectClient(flow.kind, emulator.url, credential, clientOptionsFor(emulator.url, { ca: emulator.caPem, onThrottle: () => undefined }));
    const failed = results.filter((r) => !r.ok);
    return {
      tutorial,
      kind: flow.kind,
      attendees: options.attendees,
      throttle,
      limit: flow.limit,
      countedRequests,
      finished: results.length - failed.length,
      failed,
      retries: results.reduce((n, r) => n + r.retries, 0),
      busyInsteadOfConflict: results.filter((r) => r.busyInsteadOfConflict).length,
      seconds,
      steps: stepsOf(tutorial).map((step) => stats(step, results.map((r) => r.steps[step]).filter((v): v is number => v !== undefined))),
      leftovers: await tutorialObjectsIn(audit),
      azure: azureExpectations(options.attendees, failed.length, tutorial),
    };
  } finally {
    await emulator.close();
    for (const name of Object.keys(emulator.env)) if (previousEnv[name] === undefined) delete process.env[name];
    Object.assign(process.env, previousEnv);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** One attendee through the notebook's steps, timed: settings and a free name, then the flow's own. */
async function attendeeFlow(flow: TutorialFlow, attendee: string, vault: Emulator, credential: TokenCredential, ledgerDir: string, pollIntervalMs?: number): Promise<AttendeeResult> {
  const result: AttendeeResult = { attendee, ok: false, steps: {}, retries: 0 };
  const clientOptions = clientOptionsFor(vault.url, { ca: vault.caPem, onThrottle: () => result.retries++ });
  const client = newObjectClient(flow.kind, vault.url, credential, clientOptions);
  const timed = async <T>(name: StepName, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const value = await work();
    result.steps[name] = performance.now() - started;
    return value;
  };
  let ledger: RunLedger | undefined;
  try {
    await timed("settings", async () => {
      const check = checkEnvironment(process.env);
      if (!check.ok) throw new Error(check.problems.map((p) => p.message).join("; "));
    });
    const name = await timed("name", async () => (await chooseName(client, { prefix: `quickstart-${attendee}` })).name);
    ledger = RunLedger.start({ vaultUrl: vault.url, dir: ledgerDir, attendee, tutorial: QUICKSTART_TAG_VALUES[flow.kind] });
    ledger.track(name, flow.kind);
    const run: AttendeeRun = {
      attendee,
      client,
      kind: kindOf(client),
      name,
      ledger,
      poll: { intervalInMs: pollIntervalMs },
      credential,
      clientOptions,
      earlier: {},
      sawBusyInsteadOfConflict: () => (result.busyInsteadOfConflict = true),
    };
    for (const step of flow.steps) run.earlier[step.name] = await timed(step.name, () => step.run(run));
    result.ok = true;
  } catch (error) {
    result.error = errorFacts(error).message.split("\n")[0];
    // A failed flow still cleans up after itself, as the notebook's last cell would.
    if (ledger) await cleanupRuns(client, [ledger], { pollIntervalMs }).catch(() => undefined);
  }
  return result;
}

/** Every tutorial object of the client's kind the vault still holds, live or deleted. */
async function tutorialObjectsIn(client: VaultObjectClient): Promise<string[]> {
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
 * What the instructor should expect on Azure: the requests of N attendees that count against the
 * tutorial's limit (its key creates, its secret transactions), all in the same moment at worst,
 * arrive in waves of the limit per 10 s; each later wave is one more 429 and retry. The lines are
 * in the current language. When attendees of the rehearsal did not finish, the advice says so
 * instead of promising that everyone finishes: one verdict, one exit code, one advice.
 */
export function azureExpectations(attendees: number, failedInRehearsal = 0, tutorial: RehearsalTutorial = "quickstart"): string[] {
  const m = t().rehearse;
  const { kind, azureLimit: limit, requestsPerAttendee: perAttendee } = FLOWS[tutorial];
  const requests = attendees * perAttendee;
  const waves = Math.ceil(requests / limit);
  const worstWait = (waves - 1) * 10;
  const lines = [m.requests[kind](attendees, requests, perAttendee, limit), waves <= 1 ? m.nobodyWaits : m.lastOnesWait(worstWait, waves - 1)];
  // Attendees per vault for a simultaneous burst: never waiting, and waiting at most ACCEPTABLE_WAIT_SECONDS.
  const noWait = Math.floor(limit / perAttendee);
  const acceptable = Math.floor(((ACCEPTABLE_WAIT_SECONDS / 10 + 1) * limit) / perAttendee);
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
