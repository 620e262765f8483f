/** What a start found, in the learner's language: the lines the emulator prints and kvq doctor repeats. */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
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

/** The damage reports a state folder still holds (its damaged-* and migrated-* folders), oldest first. */
export function damageReports(stateDir: string): DamageReport[] {
  let names: string[];
  try {
    names = readdirSync(stateDir).filter((f) => f.startsWith("damaged-") || f.startsWith("migrated-")).sort();
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    try {
      const report = JSON.parse(readFileSync(path.join(stateDir, name, "report.json"), "utf8")) as DamageReport;
      return Array.isArray(report.lost) ? [{ ...report, keptIn: path.join(stateDir, name) }] : [];
    } catch {
      return []; // a migrated folder without damage has no report
    }
  });
}

export function storeNotices(dir: string, report: StoreReport): string[] {
  const notices: string[] = [];
  if (report.migrated) {
    notices.push(t().commands.emulator.migrated(report.migrated.records, report.migrated.from.map((f) => f.split(/[\\/]/).pop()!), report.migrated.movedTo));
  }
  if (report.damage) notices.push(describeDamage(dir, report.damage));
  return notices;
}
