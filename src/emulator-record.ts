/**
 * Where the emulator last listened: `<stateDir>/last-run.json`, which the emulator writes when it
 * starts. The failure explanations read it (defensively: it may be missing, stale or half-written
 * by an older version) to tell "the emulator is not running" from "it runs on another port".
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_EMULATOR_STATE_DIR } from "./paths";

export const LAST_RUN_FILE = "last-run.json";

export interface EmulatorRecord {
  /** The vault's URL, e.g. https://localhost:47443. */
  url: string;
  port: number;
  identityEndpoint?: string;
  /** The emulator's process, when the record names it. */
  pid?: number;
}

/** The state folder the settings point at: the emulator's CA lives in <stateDir>/tls/ca.pem. */
export function emulatorStateDirFor(env: NodeJS.ProcessEnv): string {
  const ca = env.KVQ_EMULATOR_CA || env.NODE_EXTRA_CA_CERTS;
  return ca ? path.dirname(path.dirname(path.resolve(ca))) : DEFAULT_EMULATOR_STATE_DIR;
}

export function readEmulatorRecord(stateDir: string): EmulatorRecord | undefined {
  try {
    const data = JSON.parse(readFileSync(path.join(stateDir, LAST_RUN_FILE), "utf8")) as Record<string, unknown>;
    const url = typeof data.url === "string" ? new URL(data.url) : undefined;
    const port = typeof data.port === "number" ? data.port : Number(url?.port);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
    return {
      url: `https://localhost:${port}`,
      port,
      identityEndpoint: typeof data.identityEndpoint === "string" ? data.identityEndpoint : undefined,
      pid: Number.isSafeInteger(data.pid) ? (data.pid as number) : undefined,
    };
  } catch {
    return undefined;
  }
}
