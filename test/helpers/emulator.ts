/**
 * Test fixtures: a real emulator on free ports with its own state folder, and the real SDK
 * (`KeyClient`, `CryptographyClient`, `DefaultAzureCredential`) pointed at it over verified TLS.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { DefaultAzureCredential } from "@azure/identity";
import { CryptographyClient, KeyClient } from "@azure/keyvault-keys";
import { clientOptionsFor } from "../../src/client-options";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator/index";

export interface TestVault {
  emulator: Emulator;
  client: KeyClient;
  credential: DefaultAzureCredential;
  cryptoClient(keyId: string): CryptographyClient;
  /** Stops the emulator and deletes its state folder. */
  stop(): Promise<void>;
}

export const tempDir = (prefix = "kvq-test-") => mkdtempSync(path.join(tmpdir(), prefix));

/**
 * Starts an emulator and points this process's environment at it: DefaultAzureCredential reads
 * IDENTITY_ENDPOINT and IDENTITY_HEADER from there, exactly as a learner's process does.
 */
export async function startTestVault(options: EmulatorOptions = {}): Promise<TestVault> {
  const stateDir = options.stateDir ?? tempDir();
  const emulator = await startEmulator({ port: 0, deleteDelayMs: 50, ...options, stateDir });
  Object.assign(process.env, emulator.env);
  const credential = new DefaultAzureCredential();
  const clientOptions = clientOptionsFor(emulator.url, { ca: emulator.caPem });
  return {
    emulator,
    credential,
    client: new KeyClient(emulator.url, credential, clientOptions),
    cryptoClient: (keyId) => new CryptographyClient(keyId, credential, clientOptions),
    stop: async () => {
      await emulator.close();
      if (!options.stateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
}

/** A request to the vault below the SDK, for what the SDK would never send. */
export function rawRequest(
  emulator: Emulator,
  options: { method?: string; path: string; body?: string | Buffer; token?: string; headers?: Record<string, string> },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(options.path, emulator.url);
    const req = request(
      url,
      {
        method: options.method ?? "GET",
        ca: emulator.caPem,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: any;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
        });
      },
    );
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}
