/**
 * Client options for a vault URL. For a real vault: nothing that changes how the client talks to
 * it — only a notice when the vault answers 429 ("busy"), so the code reads like the official
 * quickstart. For the local emulator (a loopback URL) also: trust its CA for this client only, and
 * accept a challenge for vault.azure.net from a host that is not under it (FACTS.md §4).
 * TLS verification stays on either way.
 */
import { readFileSync } from "node:fs";
import type { KeyClientOptions } from "@azure/keyvault-keys";
import { t } from "./i18n";
import { defaultThrottleMessage, throttleNoticePolicy, type ThrottleNotice } from "./throttle-notice";

export interface ClientOptionsSource {
  /** The emulator's CA certificate (PEM). Default: read from the file KVQ_EMULATOR_CA (or NODE_EXTRA_CA_CERTS) names. */
  ca?: string;
  env?: NodeJS.ProcessEnv;
  /** Called when the vault answers 429; default: print "The vault is busy … waiting N s". */
  onThrottle?: (notice: ThrottleNotice) => void;
  /** Retries of a failed request; default TUTORIAL_MAX_RETRIES. */
  maxRetries?: number;
}

/**
 * The tutorial retries a throttled request up to 10 times (the SDK's default is 3): in a workshop
 * sharing one vault, waiting — with "the vault is busy" on screen — is better than failing. Each
 * 429 retry waits the Retry-After the service asked for.
 */
export const TUTORIAL_MAX_RETRIES = 10;

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** True for a vault on this machine (the emulator), false for anything else. */
export function isLocalVaultUrl(vaultUrl: string): boolean {
  try {
    const host = new URL(vaultUrl).hostname.toLowerCase();
    return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

export class EmulatorCaError extends Error {
  override readonly name = "EmulatorCaError";
}

export function clientOptionsFor(vaultUrl: string, source: ClientOptionsSource = {}): KeyClientOptions {
  const notify = source.onThrottle ?? ((notice) => console.log(defaultThrottleMessage(notice)));
  const options: KeyClientOptions = {
    additionalPolicies: [{ policy: throttleNoticePolicy(notify), position: "perRetry" }],
    retryOptions: { maxRetries: source.maxRetries ?? TUTORIAL_MAX_RETRIES },
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
