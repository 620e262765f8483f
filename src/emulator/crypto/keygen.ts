/**
 * Key generation with a small pool of ready RSA-2048 keys, the size the quickstart creates.
 * An RSA-2048 key takes ~100 ms of CPU; with the pool a create answers at once and the pool is
 * refilled on the thread pool in the background. The pool starts filling on the vault's first
 * authenticated request, not at start-up, so starting stays instant and an idle vault uses no CPU.
 */
import { generatePrivateJwk, type KeySpec, type PrivateJwk } from "./key-material";

const isPooled = (spec: KeySpec) =>
  spec.kty === "RSA" && (spec.size ?? 2048) === 2048 && (spec.publicExponent ?? 65537) === 65537;

export class KeyGenerator {
  private readonly ready: Promise<PrivateJwk>[] = [];

  constructor(private readonly poolSize = 4) {}

  generate(spec: KeySpec): Promise<PrivateJwk> {
    if (this.poolSize === 0 || !isPooled(spec)) return generatePrivateJwk(spec);
    const key = this.ready.shift() ?? generatePrivateJwk(spec);
    this.warm();
    return key;
  }

  /** Fills the pool up to its size. */
  warm(): void {
    while (this.ready.length < this.poolSize) {
      const key = generatePrivateJwk({ kty: "RSA", size: 2048 });
      key.catch(() => undefined); // a failure surfaces to the request that takes this key
      this.ready.push(key);
    }
  }

  /** Waits for pending generations, so a closing process leaves no work on the thread pool. */
  async drain(): Promise<void> {
    await Promise.allSettled(this.ready.splice(0));
  }
}
