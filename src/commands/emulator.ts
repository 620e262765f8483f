/** `kvq emulator`: start the vault, print (and optionally write) its environment, stop on Ctrl-C. */
import path from "node:path";
import { UsageError } from "../errors";
import { parseDuration } from "../util/duration";
import { startEmulator } from "../emulator/index";
import { parseFault } from "./fault-option";
import { formatEnv, upsertEnvFile } from "../util/env-file";
import { waitForShutdownSignal } from "../util/signals";

export interface EmulatorCommandOptions {
  port: number;
  identityPort?: number;
  host: string;
  state?: string;
  envFile?: string;
  purgeProtection?: boolean;
  retentionDays: number;
  deleteDelay: number;
  recoverDelay: number;
  throttle: number;
  throttleSecrets: number;
  maxKeys: number;
  maxSecrets: number;
  maxCertificates: number;
  maxVersions: number;
  maxConnections: number;
  reset?: boolean;
  clockOffset?: string;
  fault?: string[];
  log?: boolean;
}

export async function emulatorCommand(options: EmulatorCommandOptions): Promise<number> {
  const clockOffsetMs = options.clockOffset === undefined ? 0 : parseDuration(options.clockOffset);
  if (clockOffsetMs === undefined) throw new UsageError(`--clock-offset "${options.clockOffset}" is not a duration. Use e.g. 90d, 12h, 30m.`);
  const faults = (options.fault ?? []).map(parseFault);
  if (!["127.0.0.1", "::1", "localhost"].includes(options.host)) {
    process.stderr.write(
      `warning: listening on ${options.host}: other machines on your network can reach this vault. ` +
        "It is a test vault with no network rules; use it only on networks you trust.\n",
    );
  }
  const emulator = await startEmulator({
    port: options.port,
    identityPort: options.identityPort,
    host: options.host,
    stateDir: options.state,
    reset: options.reset,
    purgeProtection: options.purgeProtection,
    retentionDays: options.retentionDays,
    deleteDelayMs: options.deleteDelay,
    recoverDelayMs: options.recoverDelay,
    limits: { keys: options.maxKeys, secrets: options.maxSecrets, certificates: options.maxCertificates, versionsPerKey: options.maxVersions, connections: options.maxConnections },
    throttle: { keyCreates: options.throttle, secretTransactions: options.throttleSecrets },
    clockOffsetMs,
    faults,
    log: options.log ? (line) => process.stderr.write(`${line}\n`) : undefined,
  }).catch((error: unknown) => {
    throw throughNpm(error);
  });
  const features = [
    `retention ${emulator.settings.retentionDays} days`,
    emulator.settings.purgeProtection ? "purge protection on" : "purge allowed",
    options.throttle > 0 ? `throttle ${options.throttle} creates/10 s` : undefined,
    options.throttleSecrets > 0 ? `throttle ${options.throttleSecrets} secret transactions/10 s` : undefined,
    faults.length > 0 ? `${faults.length} injected ${faults.length === 1 ? "fault" : "faults"}` : undefined,
  ].filter(Boolean);
  process.stderr.write(`# Key Vault emulator ready at ${emulator.url} (${features.join(", ")}). State: ${emulator.stateDir}. Ctrl-C stops it.\n`);
  process.stdout.write(`${formatEnv({ ...emulator.env })}\n`);
  if (options.envFile) {
    const file = path.resolve(options.envFile);
    try {
      const change = upsertEnvFile(file, { ...emulator.env });
      process.stderr.write(`# ${file}: ${change.added.length} added, ${change.updated.length} updated, other lines kept.\n`);
    } catch (error) {
      // Nothing was written (the write is atomic); stop the emulator rather than run without its .env.
      await emulator.close();
      throw new UsageError(
        `Cannot write ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). ` +
          "Check that its folder exists and is writable, or give another file with --env-file.",
      );
    }
  }
  const signal = await waitForShutdownSignal();
  await emulator.close();
  process.stderr.write(`# ${signal}: emulator stopped, state saved in ${emulator.stateDir}.\n`);
  return 0;
}

/**
 * Started as `npm run emulator`, "pass --port N" needs npm's "--" to reach kvq: `npm run emulator --port 0`
 * would give the option to npm. The advice then shows the command that works.
 */
function throughNpm(error: unknown): unknown {
  const script = process.env.npm_lifecycle_event;
  if (!script || !(error instanceof Error) || error.name !== "EmulatorStartError" || !/--(identity-)?port/.test(error.message)) return error;
  error.message += ` Through npm, options go after "--": npm run ${script} -- --port 0`;
  return error;
}
