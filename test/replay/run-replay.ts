/**
 * The replay suite's run: every recording of every kind against an emulator set up as the recorded
 * vault was, and the tally the test asserts and the report prints. One emulator serves all
 * recordings of the same vault (each uses names of its own): the keys' and secrets' had soft delete
 * with 7 days' retention, purge allowed; a kind recorded elsewhere (certificates: 90 days) gets one
 * of its own for the run.
 */
import { startTestVault, type TestVault } from "../helpers/emulator";
import type { Difference } from "./compare";
import { unaccepted } from "./deviations";
import { replayRecording, type RecordingResult } from "./engine";
import { KINDS, type ObjectKind, type RecordedVault } from "./kinds";
import { loadRecordings, type Recording } from "./recording";

/** The recorded vault: `CustomizedRecoverable+Purgeable`, `recoverableDays: 7`. */
export const RECORDED_VAULT = { retentionDays: 7, purgeProtection: false } as const;

export interface ReplayTally {
  recordings: number;
  exchanges: number;
  compared: number;
  collapsed: number;
  /** Compared answers with no difference at all, or only accepted ones. */
  matching: number;
  differing: number;
  acceptedOnly: number;
}

export interface KindRun {
  kind: ObjectKind;
  recording: Recording;
  result: RecordingResult;
  /** Each compared entry's differences no deviation accepts. */
  failures: { index: number; request: string; differences: Difference[] }[];
}

export async function startReplayVault(recorded: RecordedVault = RECORDED_VAULT): Promise<TestVault> {
  // Short "being deleted/recovered" windows: the SDK's pollers really poll, in milliseconds. A
  // certificate's issuing moment long enough that the requests a recording sends right after a
  // create still find it in progress, as the service's did, on a busy machine too.
  return startTestVault({ ...recorded, persist: false, deleteDelayMs: 40, recoverDelayMs: 40, issueDelayMs: 1000, keyPoolSize: 2 });
}

const sameVault = (a: RecordedVault, b: RecordedVault) => a.retentionDays === b.retentionDays && a.purgeProtection === b.purgeProtection;

export async function replayAll(vault: TestVault, used: Set<string>, kinds: ObjectKind[] = KINDS): Promise<{ runs: KindRun[]; tally: ReplayTally }> {
  const others = new Map<ObjectKind, TestVault>();
  try {
    for (const kind of kinds) {
      if (!kind.vault || sameVault(kind.vault, RECORDED_VAULT)) continue;
      // The replay asks each vault for its tokens itself: the process's environment (IDENTITY_ENDPOINT …)
      // stays the caller's vault's, whose clients keep signing in there.
      const env = { ...process.env };
      const other = await startReplayVault(kind.vault);
      for (const name of Object.keys(other.emulator.env)) env[name] === undefined ? delete process.env[name] : (process.env[name] = env[name]);
      others.set(kind, other);
    }
    return await replayOn(vault, others, used, kinds);
  } finally {
    for (const other of others.values()) await other.stop();
  }
}

async function replayOn(vault: TestVault, others: Map<ObjectKind, TestVault>, used: Set<string>, kinds: ObjectKind[]): Promise<{ runs: KindRun[]; tally: ReplayTally }> {
  const targetOf = (kind: ObjectKind) => {
    const v = others.get(kind) ?? vault;
    return { url: v.emulator.url, ca: v.emulator.caPem, token: () => v.token() };
  };
  const work = kinds.flatMap((kind) => loadRecordings(kind.folder).map((recording) => ({ kind, recording })));
  // A few at a time: each recording waits on its polls far more than on the CPU.
  const runs: KindRun[] = new Array(work.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (next < work.length) {
        const k = next++;
        const { kind, recording } = work[k];
        const result = await replayRecording(recording, targetOf(kind), kind);
        const failures = result.entries
          .filter((e) => e.outcome === "compared")
          .map((e) => ({ index: e.index, request: e.request, differences: unaccepted(e.differences, used) }))
          .filter((f) => f.differences.length > 0);
        runs[k] = { kind, recording, result, failures };
      }
    }),
  );
  const tally: ReplayTally = { recordings: runs.length, exchanges: 0, compared: 0, collapsed: 0, matching: 0, differing: 0, acceptedOnly: 0 };
  for (const run of runs) {
    tally.exchanges += run.recording.entries.length;
    for (const e of run.result.entries) {
      if (e.outcome === "collapsed") {
        tally.collapsed++;
        continue;
      }
      tally.compared++;
      const failing = run.failures.some((f) => f.index === e.index);
      if (failing) tally.differing++;
      else {
        tally.matching++;
        if (e.differences.length > 0) tally.acceptedOnly++;
      }
    }
  }
  return { runs, tally };
}

/** The failures, one line per difference, for a test's message and the report. */
export function describeFailures(runs: KindRun[]): string {
  return runs
    .flatMap((run) =>
      run.failures.flatMap((f) =>
        f.differences.map((d) => `${run.kind.name}/${run.recording.name} #${f.index} ${f.request}: ${d.where}: recorded ${show(d.recorded)}, emulator ${show(d.actual)}`),
      ),
    )
    .join("\n");
}

const show = (v: unknown) => {
  const text = v === undefined ? "(absent)" : JSON.stringify(v);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
};
