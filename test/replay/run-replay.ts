/**
 * The replay suite's run: every recording of every kind against one emulator, and the tally the
 * test asserts and the report prints. One emulator serves all recordings (each uses names of its
 * own), set up as the recorded vault was: soft delete with 7 days' retention, purge allowed.
 */
import { startTestVault, type TestVault } from "../helpers/emulator";
import type { Difference } from "./compare";
import { unaccepted } from "./deviations";
import { replayRecording, type RecordingResult } from "./engine";
import { KINDS, type ObjectKind } from "./kinds";
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

export async function startReplayVault(): Promise<TestVault> {
  // Short "being deleted/recovered" windows: the SDK's pollers really poll, in milliseconds.
  return startTestVault({ ...RECORDED_VAULT, persist: false, deleteDelayMs: 40, recoverDelayMs: 40, keyPoolSize: 2 });
}

export async function replayAll(vault: TestVault, used: Set<string>, kinds: ObjectKind[] = KINDS): Promise<{ runs: KindRun[]; tally: ReplayTally }> {
  const target = { url: vault.emulator.url, ca: vault.emulator.caPem, token: () => vault.token() };
  const work = kinds.flatMap((kind) => loadRecordings(kind.folder).map((recording) => ({ kind, recording })));
  // A few at a time: each recording waits on its polls far more than on the CPU.
  const runs: KindRun[] = new Array(work.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      while (next < work.length) {
        const k = next++;
        const { kind, recording } = work[k];
        const result = await replayRecording(recording, target, kind);
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
