/**
 * The vault's clock: real time plus an offset, so tests and learners can fast-forward through a
 * soft-delete retention period (like Lowkey Vault's time shift). Only the vault's objects live on
 * this clock; tokens and certificates use real time, because clients check them against theirs.
 */
export class VaultClock {
  constructor(private offsetMs = 0) {}

  nowMs = (): number => Date.now() + this.offsetMs;
  nowSeconds = (): number => Math.floor(this.nowMs() / 1000);

  /** Moves the vault's time forward (or back, with a negative value). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  get offset(): number {
    return this.offsetMs;
  }
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "90d", "2h", "30m", "15s", "500ms" or plain milliseconds; undefined when it does not parse. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * UNITS[match[2] ?? "ms"]);
}
