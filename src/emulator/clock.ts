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
