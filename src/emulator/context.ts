/** What every operation of the vault works with. */
import type { VaultClock } from "./clock";
import type { KeyGenerator } from "./crypto/keygen";
import type { CryptoWorkers } from "./crypto/worker-pool";
import type { EmulatorLimits } from "./limits";
import type { VaultStore } from "./store/vault-store";
import type { VaultSettings, WireMapper } from "./wire";

export interface VaultContext {
  vaultUrl: string;
  store: VaultStore;
  clock: VaultClock;
  settings: VaultSettings & { deleteDelayMs: number; recoverDelayMs: number; issueDelayMs: number; limits: EmulatorLimits };
  wire: WireMapper;
  keygen: KeyGenerator;
  /** Workers for RSA private-key operations (sign, decrypt), apart from key generation's. */
  privateOps: CryptoWorkers;
  /** AES-256-GCM key that seals backup blobs. */
  backupKey: Buffer;
}

/** A request as the operations see it: route parameters, query and the parsed JSON body. */
export interface VaultRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  apiVersion: string;
}

export interface VaultResponse {
  status: number;
  body?: unknown;
  /** Headers of the answer's own (a pending certificate's Location and Retry-After). */
  headers?: Record<string, string>;
}

export type Operation = (ctx: VaultContext, req: VaultRequest) => VaultResponse | Promise<VaultResponse>;

export const ok = (body: unknown): VaultResponse => ({ status: 200, body });
