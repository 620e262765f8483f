/**
 * Client options for a vault URL. For a real vault: none — the code reads exactly like the
 * official quickstart. For the local emulator (a loopback URL): trust its CA for this client only,
 * and accept a challenge for vault.azure.net from a host that is not under it (FACTS.md §4).
 * TLS verification stays on either way.
 */
import { readFileSync } from "node:fs";
import type { KeyClientOptions } from "@azure/keyvault-keys";

export interface ClientOptionsSource {
  /** The emulator's CA certificate (PEM). Default: read from the file NODE_EXTRA_CA_CERTS names. */
  ca?: string;
  env?: NodeJS.ProcessEnv;
}

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
  if (!isLocalVaultUrl(vaultUrl)) return {};
  return { disableChallengeResourceVerification: true, tlsOptions: { ca: source.ca ?? readEmulatorCa(source.env ?? process.env) } };
}

function readEmulatorCa(env: NodeJS.ProcessEnv): string {
  const file = env.NODE_EXTRA_CA_CERTS;
  if (!file) {
    throw new EmulatorCaError(
      "The vault URL points at this machine, but NODE_EXTRA_CA_CERTS does not name the emulator's CA certificate. " +
        "Start the emulator with `npx kvq emulator --env-file .env` (it writes the variable), then load .env again.",
    );
  }
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new EmulatorCaError(
      `Cannot read the emulator's CA certificate at ${file} (NODE_EXTRA_CA_CERTS): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. ` +
        "Start the emulator once (`npx kvq emulator --env-file .env`) to create it.",
    );
  }
}
