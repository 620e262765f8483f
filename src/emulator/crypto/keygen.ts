/**
 * Key generation with a small pool of ready RSA-2048 keys, the size the quickstart creates.
 * An RSA-2048 key takes ~100 ms of CPU; with the pool a create answers at once and the pool is
 * refilled in the background by the emulator's key-generation workers. The pool starts filling on
 * the vault's first authenticated request, not at start-up, so starting stays instant and an idle
 * vault uses no CPU. Past `maxPending` queued generations a create answers 429 with Retry-After.
 */
import { busy } from "../limits";
import { generatePrivateJwk, type KeySpec, type PrivateJwk } from "./key-material";
import { CryptoWorkers } from "./worker-pool";

const isPooled = (spec: KeySpec) =>
  spec.kty === "RSA" && (spec.size ?? 2048) === 2048 && (spec.publicExponent ?? 65537) === 65537;

export class KeyGenerator {
  private readonly ready: Promise<PrivateJwk>[] = [];
  private readonly workers = new CryptoWorkers();
  private closed = false;

  constructor(
    private readonly poolSize = 4,
    private readonly maxPending = 64,
  ) {}

  generate(spec: KeySpec): Promise<PrivateJwk> {
    if (spec.kty === "RSA" && this.workers.pending >= this.maxPending + this.poolSize) return Promise.reject(busy(Math.max(1, Math.ceil(this.workers.pending / 10))));
    if (this.poolSize === 0 || !isPooled(spec)) return generatePrivateJwk(spec, this.workers);
    const key = this.ready.shift() ?? generatePrivateJwk(spec, this.workers);
    this.warm();
    return key;
  }

  /** Fills the pool up to its size. */
  warm(): void {
    while (!this.closed && this.ready.length < this.poolSize) {
      const key = generatePrivateJwk({ kty: "RSA", size: 2048 }, this.workers);
      key.catch(() => undefined); // a failure surfaces to the request that takes this key
      this.ready.push(key);
    }
  }

  /** Stops the workers, so a closing process leaves no thread behind. */
  async drain(): Promise<void> {
    this.closed = true;
    this.ready.splice(0);
    await this.workers.close();
  }
}
