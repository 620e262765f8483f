/**
 * The embedded Key Vault emulator: `startEmulator(options)` starts the vault (HTTPS) and its
 * managed-identity endpoint (HTTP, loopback) and resolves to their URLs, the environment a client
 * needs, the CA to trust, and `close()`.
 */
import { mkdirSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { DEFAULT_EMULATOR_STATE_DIR } from "../paths";
import { VaultClock } from "./clock";
import type { VaultContext } from "./context";
import { KeyGenerator } from "./crypto/keygen";
import { CryptoWorkers } from "./crypto/worker-pool";
import { guardConnections, type ConnectionGuard } from "./connections";
import { Faults, type FaultRule, type ThrottleLimits } from "./faults";
import { IDENTITY_PATH, identityHandler } from "./identity-endpoint";
import { purgeExpired } from "./lifecycle";
import { loadOrCreateSecrets } from "./secrets";
import { answerClientError, vaultHandler } from "./server";
import { DEFAULT_LIMITS, type EmulatorLimits } from "./limits";
import { guardFolderPermissions, removeLeftoverTemps, writeLastRun } from "./state-folder";
import type { CommitGate } from "./store/database";
import { openVaultStore, type StoreReport } from "./store/open";
import { storeNotices } from "./store/notices";
import { EmulatorStateError } from "./store/state-error";
import { VaultStore } from "./store/vault-store";
import { ensureTls } from "./tls";
import { TokenAuthority } from "./tokens";
import { WireMapper } from "./wire";

export { EmulatorStateError } from "./store/state-error";
export { CommitGate } from "./store/database";
export type { StoreReport } from "./store/open";
export { DEFAULT_LIMITS, type EmulatorLimits } from "./limits";
export { NAMED_FAULTS, type FaultName, type FaultRule, type InjectedFault } from "./faults";
export { OPERATIONS, ROUTES } from "./routes";

export const DEFAULT_PORT = 47443;

/**
 * For a short run that shows the quickstart rather than the service's timing (the embedded emulator
 * of `kvq run`, docs and `kvq learn`, the notebook tests, the benchmarks): no "being deleted" or
 * "being recovered" window, so the SDK's pollers finish at their first poll instead of waiting out
 * their 2 s interval; and no pool of ready keys, which a run that creates a key or two would leave
 * mostly unused, generated on the core the kernel needs (npm start: 1.70 → 1.60 s, 2.3 → 1.9 CPU-s).
 */
export const SHORT_RUN = { deleteDelayMs: 0, recoverDelayMs: 0, issueDelayMs: 0, keyPoolSize: 0 } as const;

export interface EmulatorOptions {
  /** Vault port; 0 picks a free one. Default 47443. */
  port?: number;
  /**
   * Managed-identity endpoint port. Default: a free port the system picks at each start, so that no
   * other local user can take a known port first and collect the identity header (README, "Security").
   */
  identityPort?: number;
  /** Address to listen on. Default 127.0.0.1: the emulator is for this machine only. */
  host?: string;
  /** Folder for keys, CA and secrets. Default `.kvq/emulator` in the project. */
  stateDir?: string;
  /**
   * Forget every key first. The CA and secrets are kept, so clients keep working; only secrets
   * that cannot be read are made anew.
   */
  reset?: boolean;
  /**
   * false: the keys live in memory only and the vault starts empty; the folder still keeps the CA
   * and secrets, so they are made once (`kvq run` embeds its emulator this way).
   */
  persist?: boolean;
  purgeProtection?: boolean;
  /** Soft-delete retention, 7 to 90 days. Default 90. */
  retentionDays?: number;
  /** How long a deleted key stays "being deleted". Default 250 ms. */
  deleteDelayMs?: number;
  /** How long a recovered key stays "being recovered" (404 to reads, as the service answers). Default 250 ms. */
  recoverDelayMs?: number;
  /** How long a `Self`-issued certificate's create operation answers "inProgress" (so the SDK's poller polls). Default 250 ms. */
  issueDelayMs?: number;
  /** Local bounds a real vault does not need but a local process does (limits.ts); each has a default. */
  limits?: Partial<EmulatorLimits>;
  /**
   * Transactions allowed per 10 s before 429, by type: `{ keyCreates: 20, secretTransactions: 4000 }`
   * are the service's limits. A number is the key-create limit alone. Default: unlimited.
   */
  throttle?: number | ThrottleLimits;
  /** Start the vault's clock this far ahead of real time. */
  clockOffsetMs?: number;
  /** Errors to inject from the start. */
  faults?: FaultRule[];
  /** Ready RSA-2048 keys to keep at hand. Default 4; 0 turns the pool off. */
  keyPoolSize?: number;
  /** Access tokens' lifetime. Default 3600 s. */
  tokenLifetimeSeconds?: number;
  /** One line per request (no secrets). */
  log?: (line: string) => void;
  /**
   * What the start has to tell about the vault's state (keys moved from an older emulator's files,
   * damage found and what was kept). Default: written to stderr.
   */
  onNotice?: (message: string) => void;
  /** For tests: every commit waits, inside its transaction, while this gate is shut. */
  commitGate?: CommitGate;
}

/** The variables a client needs, in the order they are printed. */
export interface EmulatorEnv {
  KEY_VAULT_URL: string;
  IDENTITY_ENDPOINT: string;
  IDENTITY_HEADER: string;
  AZURE_TOKEN_CREDENTIALS: string;
  NODE_EXTRA_CA_CERTS: string;
  /**
   * The same CA file under a name of its own: a shell that already sets NODE_EXTRA_CA_CERTS (common
   * behind corporate proxies) wins over .env, and clientOptionsFor must still find the emulator's CA.
   */
  KVQ_EMULATOR_CA: string;
}

export interface Emulator {
  url: string;
  env: EmulatorEnv;
  caPem: string;
  caCertPath: string;
  stateDir: string;
  settings: VaultContext["settings"];
  /** The vault's clock: `clock.advance(ms)` fast-forwards soft-delete retention. */
  clock: VaultClock;
  /** Throttle and injected errors. */
  faults: Faults;
  /** What the start found in the state folder (migration, damage); empty when there was nothing to tell. */
  storeReport: StoreReport;
  /** Issues a token as the identity endpoint would (tests use it to make expired or foreign ones). */
  issueToken: TokenAuthority["issue"];
  /** Writes pending state to disk. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export class EmulatorStartError extends Error {
  override readonly name = "EmulatorStartError";
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const retentionDays = options.retentionDays ?? 90;
  if (!Number.isInteger(retentionDays) || retentionDays < 7 || retentionDays > 90) {
    throw new EmulatorStartError(`Retention must be a whole number of days from 7 to 90 (Key Vault's range); got ${retentionDays}.`);
  }
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? DEFAULT_PORT;
  const stateDir = path.resolve(options.stateDir ?? DEFAULT_EMULATOR_STATE_DIR);
  const { secrets, store, storeReport, tls } = await prepareState(stateDir, options, host).catch((error) => {
    throw stateFolderError(stateDir, error);
  });
  for (const notice of storeNotices(stateDir, storeReport)) (options.onNotice ?? ((m) => process.stderr.write(`${m}\n`)))(notice);
  const tokens = new TokenAuthority(secrets, options.tokenLifetimeSeconds);
  const faults = new Faults(options.throttle ?? 0);
  for (const rule of options.faults ?? []) faults.inject(rule);
  const clock = new VaultClock(options.clockOffsetMs ?? 0);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const keygen = new KeyGenerator(options.keyPoolSize ?? 4, limits.pendingKeyGenerations);
  const privateOps = new CryptoWorkers();
  const settings = {
    retentionDays,
    purgeProtection: options.purgeProtection ?? false,
    deleteDelayMs: options.deleteDelayMs ?? 250,
    recoverDelayMs: options.recoverDelayMs ?? 250,
    issueDelayMs: options.issueDelayMs ?? 250,
    limits,
  };

  // Timeouts bound what an idle or slow client can hold (checked every second, not Node's 30: the
  // bounds hold as the README says); the guards decide which connections go when there are too many.
  const checking = { connectionsCheckingInterval: Math.min(1000, limits.requestTimeoutMs) };
  const vaultServer = createHttpsServer({
    key: tls.key,
    cert: tls.cert,
    handshakeTimeout: limits.handshakeTimeoutMs,
    keepAliveTimeout: 30_000,
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: Math.min(20_000, limits.requestTimeoutMs),
    ...checking,
  });
  const vaultConnections = guardConnections(vaultServer, limits.connections, { tls: true });
  const identityServer = createHttpServer({ requestTimeout: 10_000, headersTimeout: 5_000, ...checking });
  const identityConnections = guardConnections(identityServer, limits.connections, { tls: false });
  const stopAll = async () => {
    await Promise.all([closeServer(vaultServer, vaultConnections), closeServer(identityServer, identityConnections)]);
    await Promise.all([keygen.drain(), privateOps.close()]);
    await store.close();
  };
  const vaultPort = await listen(vaultServer, port, host, "vault").catch(async (error) => {
    await stopAll();
    throw error;
  });
  const url = `https://localhost:${vaultPort}`;
  const identityPort = await listen(identityServer, options.identityPort ?? 0, host, "identity endpoint").catch(async (error) => {
    await stopAll();
    throw error;
  });
  const ctx: VaultContext = { vaultUrl: url, store, clock, settings, wire: new WireMapper(url, settings, undefined, clock), keygen, privateOps, backupKey: secrets.backupKey };
  purgeExpired(ctx);
  const handle = vaultHandler({ ctx, tokens, faults, connections: vaultConnections, log: options.log, onFirstAuthenticated: () => keygen.warm() });
  vaultServer.on("request", handle);
  // With a listener here Node sends no "100 Continue" itself: the handler invites the body once the request is authorized.
  vaultServer.on("checkContinue", handle);
  vaultServer.on("clientError", answerClientError);
  identityServer.on("request", identityHandler(tokens, secrets.identityHeader, identityConnections));
  const sweeper = setInterval(() => purgeExpired(ctx), 60_000).unref();

  const env: EmulatorEnv = {
    KEY_VAULT_URL: url,
    IDENTITY_ENDPOINT: `http://${identityHostFor(host)}:${identityPort}${IDENTITY_PATH}`,
    IDENTITY_HEADER: secrets.identityHeader,
    AZURE_TOKEN_CREDENTIALS: "managedidentitycredential",
    NODE_EXTRA_CA_CERTS: tls.caCertPath,
    KVQ_EMULATOR_CA: tls.caCertPath,
  };

  if (options.persist !== false) writeLastRun(stateDir, { port: vaultPort, identityPort, pid: process.pid, url, identityEndpoint: env.IDENTITY_ENDPOINT });

  let closing: Promise<void> | undefined;
  return {
    url,
    env,
    caPem: tls.caPem,
    caCertPath: tls.caCertPath,
    stateDir,
    settings,
    clock,
    faults,
    storeReport,
    issueToken: (o) => tokens.issue(o),
    flush: () => store.flush(),
    close: () =>
      (closing ??= (async () => {
        clearInterval(sweeper);
        await stopAll();
      })()),
  };
}

/** Everything the state folder holds: secrets, keys, the CA and certificate. */
async function prepareState(stateDir: string, options: EmulatorOptions, host: string) {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  guardFolderPermissions(stateDir);
  const reset = options.reset ?? false;
  // The keys first: their database's lock says whether another emulator holds this folder, before
  // anything in it is touched. persist: false keeps the keys in memory only (and takes no lock);
  // the folder still keeps the CA and secrets.
  // The database's thread starts while the secrets and the CA are read (it takes longer).
  const opening = options.persist === false ? Promise.resolve({ store: VaultStore.inMemory(), report: {} as StoreReport }) : openVaultStore(stateDir, { reset, gate: options.commitGate });
  const rest = (async () => {
    await new Promise<void>((resolve) => setImmediate(resolve)); // let the thread's start go first
    const secrets = loadOrCreateSecrets(path.join(stateDir, "secrets.json"), { replaceInvalid: reset });
    const tls = await ensureTls(stateDir, isLoopbackOrAny(host) ? [] : [host]);
    return { secrets, tls };
  })();
  const [opened, more] = await Promise.allSettled([opening, rest]);
  if (opened.status === "rejected") throw opened.reason;
  try {
    if (more.status === "rejected") throw more.reason;
    removeLeftoverTemps([stateDir, path.join(stateDir, "tls")]);
    return { ...more.value, store: opened.value.store, storeReport: opened.value.report, tls: more.value.tls };
  } catch (error) {
    await opened.value.store.close();
    throw error;
  }
}

/** A file-system failure in the state folder (a file in the way, no permission, disk full) is the user's to fix, not a bug. */
function stateFolderError(stateDir: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (error instanceof EmulatorStateError || typeof code !== "string") return error;
  const where = (error as NodeJS.ErrnoException).path ?? stateDir;
  return new EmulatorStateError(
    `Cannot use the state folder ${stateDir}: ${code} on ${where}. Check that it is a folder you can write to (and that the disk has room), or choose another with --state DIR.`,
  );
}

function listen(server: Server, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      reject(
        new EmulatorStartError(
          error.code === "EADDRINUSE"
            ? `Cannot start the ${what}: port ${where} is already in use. Another emulator may be running there; stop it, or pass --port N (--port 0 picks free ports).`
            : error.code === "EACCES"
              ? `Cannot start the ${what}: no permission to listen on ${where}. Use a port above 1024.`
              : `Cannot start the ${what} on ${where}: ${error.message} Choose another with ${what === "vault" ? "--port" : "--identity-port"} N.`,
        ),
      );
    };
    server.once("error", onError);
    try {
      server.listen(port, host, () => {
        server.off("error", onError);
        resolve((server.address() as AddressInfo).port);
      });
    } catch (error) {
      // Thrown at once for a port out of range, e.g. the identity endpoint's 65536 beside a vault on 65535.
      onError(error as NodeJS.ErrnoException);
    }
  });
}

async function closeServer(server: Server, connections: ConnectionGuard): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const force = setTimeout(() => connections.destroyAll(), 1000).unref();
  await closed;
  clearTimeout(force);
}

const isLoopbackOrAny = (host: string) => ["127.0.0.1", "::1", "localhost", "0.0.0.0", "::"].includes(host);

/** The identity endpoint is printed with an address that reaches it from this machine. */
const identityHostFor = (host: string) => (host === "0.0.0.0" || host === "::" || host === "localhost" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host);
