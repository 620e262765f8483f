/**
 * Client options for a vault URL. What they change, exactly:
 *
 * - Throttling: a request the vault answers with 429 (Key Vault's VaultRequestTypeLimitReached)
 *   or 503 with Retry-After is retried up to 10 times (the SDK's default is 3), each after the
 *   Retry-After the service asked for, with "The vault is busy … waiting N s" printed each time.
 * - Connection failures fail fast: connection refused and a host name that does not resolve are
 *   retried once (about a second), a TLS certificate that is not trusted not at all, a dropped or
 *   timed-out connection up to 3 times (the SDK's default); then the request fails with a
 *   VaultUnreachableError naming the address tried and the likely cause (emulator not running, or
 *   running on another port; a vault name that does not exist; a host that is no vault address;
 *   a proxy replacing certificates). Without these options the SDK retries such failures for
 *   minutes in silence.
 * - Other errors (401, 403, 404, 409 …) are not retried, as without these options.
 * - For the local emulator (a loopback URL) also: trust the emulator's CA for this client only,
 *   and accept a sign-in challenge for vault.azure.net from a host that is not under it (FACTS.md §4).
 *
 * - Deletes and recovers the vault accepted are remembered in this process until they are seen
 *   finished, so the tutorial's keyState can tell a key being deleted from one that is gone
 *   (lifecycle-requests.ts); requests and answers are not changed.
 *
 * TLS verification stays on either way. `maxRetries` caps every kind of retry (tests pass a small number).
 */
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import type { KeyClientOptions } from "@azure/keyvault-keys";
import { t } from "./i18n";
import { defaultThrottleMessage, throttleNoticePolicy, type ThrottleNotice } from "./throttle-notice";
import { connectionFailFastPolicy } from "./connection-policy";
import { lifecycleRequestsPolicy } from "./lifecycle-requests";
import { isLocalVaultUrl } from "./vault-url";

export interface ClientOptionsSource {
  /** The emulator's CA certificate (PEM). Default: read from the file KVQ_EMULATOR_CA (or NODE_EXTRA_CA_CERTS) names. */
  ca?: string;
  env?: NodeJS.ProcessEnv;
  /** Called when the vault answers 429; default: print "The vault is busy … waiting N s". */
  onThrottle?: (notice: ThrottleNotice) => void;
  /** Caps every retry of a request (throttled or not); default TUTORIAL_MAX_RETRIES. */
  maxRetries?: number;
}

/**
 * The tutorial retries a throttled request up to 10 times (the SDK's default is 3): in a workshop
 * sharing one vault, waiting — with "the vault is busy" on screen — is better than failing. Each
 * 429 retry waits the Retry-After the service asked for. Connection failures have budgets of their
 * own (connection-policy.ts), far smaller.
 */
export const TUTORIAL_MAX_RETRIES = 10;

export { isLocalVaultUrl } from "./vault-url";

/** The emulator's CA cannot be had: its message is the fix, so a notebook cell prints that, not a stack trace. */
export class EmulatorCaError extends Error {
  override readonly name = "EmulatorCaError";
  [inspect.custom](): string {
    return `${this.name}: ${this.message}`;
  }
}

/** Options every kind's client takes (KeyClient, SecretClient): no serviceVersion, whose type each package spells its own way. */
export type VaultClientOptions = Omit<KeyClientOptions, "serviceVersion">;

export function clientOptionsFor(vaultUrl: string, source: ClientOptionsSource = {}): VaultClientOptions {
  const maxRetries = source.maxRetries ?? TUTORIAL_MAX_RETRIES;
  const notify = source.onThrottle ?? ((notice) => console.log(defaultThrottleMessage(notice)));
  const options: VaultClientOptions = {
    additionalPolicies: [
      { policy: throttleNoticePolicy(notify), position: "perRetry" },
      { policy: connectionFailFastPolicy({ maxRetries, local: isLocalVaultUrl(vaultUrl), env: source.env ?? process.env }), position: "perRetry" },
      { policy: lifecycleRequestsPolicy(), position: "perCall" },
    ],
    retryOptions: { maxRetries },
  };
  if (!isLocalVaultUrl(vaultUrl)) return options;
  return { ...options, disableChallengeResourceVerification: true, tlsOptions: { ca: source.ca ?? readEmulatorCa(source.env ?? process.env) } };
}

/** Where the emulator's CA is: its own variable first, since a NODE_EXTRA_CA_CERTS set in the shell wins over .env. */
export const emulatorCaFile = (env: NodeJS.ProcessEnv) => env.KVQ_EMULATOR_CA || env.NODE_EXTRA_CA_CERTS;

function readEmulatorCa(env: NodeJS.ProcessEnv): string {
  const file = emulatorCaFile(env);
  if (!file) {
    throw new EmulatorCaError(t().clientOptions.caNotNamed);
  }
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new EmulatorCaError(t().clientOptions.caUnreadable(file, (error as NodeJS.ErrnoException).code ?? (error as Error).message));
  }
}
