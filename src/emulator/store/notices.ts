/** What a start found, in the learner's language: the lines the emulator prints and kvq doctor repeats. */
import { t } from "../../i18n";
import type { LostRecord } from "./legacy";
import type { DamageReport, StoreReport } from "./open";

export function describeDamage(dir: string, damage: DamageReport): string {
  const m = t().commands.emulator;
  const lost = damage.lost.map(describeLost);
  if (damage.wal) lost.push(m.lost.wal(damage.wal.commitsLost, damage.wal.offset));
  if (damage.structure && lost.length === 0) lost.push(m.lost.structure(damage.structure));
  return m.damaged(dir, damage.kept, lost, damage.keptIn);
}

function describeLost(lost: LostRecord): string {
  const m = t().commands.emulator.lost;
  if (lost.why === "gap") return m.gap(lost.count ?? 1);
  if (lost.name !== undefined) return m.record(lost.state === "deleted", lost.name, m.why[lost.why]);
  return m.records(lost.count, m.why[lost.why]);
}

export function storeNotices(dir: string, report: StoreReport): string[] {
  const notices: string[] = [];
  if (report.migrated) {
    notices.push(t().commands.emulator.migrated(report.migrated.records, report.migrated.from.map((f) => f.split(/[\\/]/).pop()!), report.migrated.movedTo));
  }
  if (report.damage) notices.push(describeDamage(dir, report.damage));
  return notices;
}
