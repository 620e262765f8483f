/**
 * Test fixtures: a real emulator on free ports with its own state folder, and the real SDK
 * (`KeyClient`, `CryptographyClient`, `SecretClient`, `CertificateClient`, `DefaultAzureCredential`) pointed at it over verified TLS.
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { DefaultAzureCredential } from "@azure/identity";
import { CryptographyClient, KeyClient } from "@azure/keyvault-keys";
import { CertificateClient, type CertificateClientOptions } from "@azure/keyvault-certificates";
import { SecretClient, type SecretClientOptions } from "@azure/keyvault-secrets";
import { clientOptionsFor } from "../../src/client-options";
import type { ThrottleNotice } from "../../src/throttle-notice";
import { EmulatorStartError, startEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator/index";

export interface TestVault {
  emulator: Emulator;
  client: KeyClient;
  secretClient: SecretClient;
  certificateClient: CertificateClient;
  credential: DefaultAzureCredential;
  cryptoClient(keyId: string): CryptographyClient;
  /** The 429s the clients above were told to wait for (collected instead of printed). */
  throttleNotices: ThrottleNotice[];
  /** A valid access token for raw requests, issued as the identity endpoint would. */
  token(): Promise<string>;
  /** Stops the emulator and deletes its state folder (unless the caller gave the folder). */
  stop(): Promise<void>;
}

export const tempDir = (prefix = "kvq-test-") => mkdtempSync(path.join(tmpdir(), prefix));

/**
 * MSAL keeps one managed-identity source (endpoint and header) and one token cache per process:
 * `ManagedIdentityClient.identitySource` and `ManagedIdentityApplication.nodeStorage` are static
 * (@azure/msal-node 7). So a second emulator with its own secrets would get the first one's tokens
 * and answer 401. Every emulator a test process starts therefore shares one identity: the first
 * one's secrets (tenant, identity header, token-signing key) are written into each new state
 * folder, and its identity port is reused whenever it is free.
 */
let sharedIdentity: { secrets: string; port: number } | undefined;

/**
 * How often the test clients retry a failed request. The tutorial's 10 retries (made to wait out a
 * busy shared vault) would stall a test on a planted 500 for minutes; two still wait out one 429 or 503.
 */
export const TEST_MAX_RETRIES = 2;

export interface TestVaultOptions extends EmulatorOptions {
  /** Retries of the vault's clients; default TEST_MAX_RETRIES. */
  maxRetries?: number;
}

/**
 * Starts an emulator and points this process's environment at it: DefaultAzureCredential reads
 * IDENTITY_ENDPOINT and IDENTITY_HEADER from there, exactly as a learner's process does.
 */
export async function startTestVault(options: TestVaultOptions = {}): Promise<TestVault> {
  const { maxRetries = TEST_MAX_RETRIES, ...emulatorOptions } = options;
  const stateDir = options.stateDir ?? tempDir();
  // No pool of ready keys: a test's vault lives for seconds, and a pool's keys were mostly never taken
  // (157 RSA-2048 generations in one npm test, about 20 CPU-seconds).
  const emulator = await startSharingIdentity({ port: 0, deleteDelayMs: 50, keyPoolSize: 0, ...emulatorOptions, stateDir });
  Object.assign(process.env, emulator.env);
  const credential = new DefaultAzureCredential();
  const throttleNotices: ThrottleNotice[] = [];
  const clientOptions = clientOptionsFor(emulator.url, { ca: emulator.caPem, onThrottle: (notice) => throttleNotices.push(notice), maxRetries });
  return {
    emulator,
    credential,
    throttleNotices,
    client: new KeyClient(emulator.url, credential, clientOptions),
    // The same options: only their serviceVersion's type differs (each SDK names its own versions), and it is unset.
    secretClient: new SecretClient(emulator.url, credential, clientOptions as SecretClientOptions),
    certificateClient: new CertificateClient(emulator.url, credential, clientOptions as CertificateClientOptions),
    cryptoClient: (keyId) => new CryptographyClient(keyId, credential, clientOptions),
    token: async () => (await emulator.issueToken()).accessToken,
    stop: async () => {
      await emulator.close();
      if (!options.stateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Starts run one at a time, so emulators started together still share the first one's identity. */
let starting: Promise<unknown> = Promise.resolve();

function startSharingIdentity(options: EmulatorOptions & { stateDir: string }): Promise<Emulator> {
  const started = starting.then(() => startWithSharedIdentity(options));
  starting = started.catch(() => undefined);
  return started;
}

async function startWithSharedIdentity(options: EmulatorOptions & { stateDir: string }): Promise<Emulator> {
  const secretsFile = path.join(options.stateDir, "secrets.json");
  if (sharedIdentity && !existsSync(secretsFile)) {
    mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
    writeFileSync(secretsFile, sharedIdentity.secrets, { mode: 0o600 });
  }
  let emulator: Emulator;
  if (sharedIdentity && options.identityPort === undefined) {
    // The shared port is taken while the emulator that holds it runs. Any port will do then: this
    // process's credentials keep asking the holder (or use the token MSAL cached from it), and
    // this emulator accepts those tokens.
    emulator = await startEmulator({ ...options, identityPort: sharedIdentity.port }).catch((error: Error) => {
      if (!(error instanceof EmulatorStartError && /already in use/.test(error.message))) throw error;
      return startEmulator({ ...options, identityPort: 0 });
    });
  } else {
    emulator = await startEmulator(options);
  }
  // Kept in memory: a test may delete or corrupt the state folder it came from.
  sharedIdentity ??= { secrets: readFileSync(secretsFile, "utf8"), port: identityPort(emulator) };
  return emulator;
}

/** The managed-identity endpoint's port, from the environment the emulator prints. */
export const identityPort = (emulator: Emulator) => Number(new URL(emulator.env.IDENTITY_ENDPOINT).port);
export const vaultPort = (emulator: Emulator) => Number(new URL(emulator.url).port);

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
}

export interface RawRequestOptions {
  method?: string;
  path: string;
  body?: string | Buffer;
  token?: string;
  headers?: Record<string, string | number>;
  /** A keep-alive agent that trusts the emulator's CA (see `vaultAgent`); default: a new connection. */
  agent?: Agent;
}

/** A request to the vault below the SDK, for what the SDK would never send. */
export function rawRequest(emulator: Emulator, options: RawRequestOptions): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    // A path is taken as it is ("//x" is a path here, not another host); nextLinks are absolute.
    const url = new URL(/^https?:\/\//.test(options.path) ? options.path : `${emulator.url}${options.path}`);
    const req = request(
      url,
      {
        method: options.method ?? "GET",
        ...(options.agent ? { agent: options.agent } : { ca: emulator.caPem, agent: false }),
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("error", reject);
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
    req.end(options.body);
  });
}

/** A keep-alive HTTPS agent that trusts the emulator's CA (and nothing is switched off). */
export const vaultAgent = (emulator: Emulator, maxSockets = 8) => new Agent({ keepAlive: true, maxSockets, ca: emulator.caPem });

/** Asserts a Key Vault error body: `{"error": {"code", "message", "innererror"?: {"code"}}}`. */
export function assertErrorShape(res: RawResponse, status?: number, code?: string): void {
  const where = `${res.status} ${res.text.slice(0, 300)}`;
  if (status !== undefined) assert.equal(res.status, status, where);
  assert.equal(typeof res.body?.error?.code, "string", where);
  assert.equal(typeof res.body?.error?.message, "string", where);
  assert.ok(res.body.error.message.length > 0, where);
  if (code !== undefined) assert.equal(res.body.error.code, code, where);
}

/**
 * Checks a RestError from the SDK: status, the service's error code, the inner code (which SDK
 * 4.10 exposes as `details.error.innerError.code`) and the message.
 */
export async function rejectsWith(
  promise: Promise<unknown>,
  expected: { status: number; code?: string; inner?: string; message?: string | RegExp },
): Promise<any> {
  let caught: any;
  await assert.rejects(promise, (error: any) => {
    caught = error;
    return true;
  });
  assert.equal(caught.statusCode, expected.status, caught.message);
  if (expected.code !== undefined) assert.equal(caught.code, expected.code, caught.message);
  if (expected.inner !== undefined) assert.equal(caught.details?.error?.innerError?.code, expected.inner, caught.message);
  if (typeof expected.message === "string") assert.equal(caught.message, expected.message);
  else if (expected.message) assert.match(caught.message, expected.message);
  return caught;
}

export const DAY_MS = 86_400_000;

/**
 * Every kind of object the emulator stores (the `kind` of a vault.db row), with the field of a
 * soft-deleted record that holds the object and the word a leftover is listed with. Written out
 * here, not taken from the store: a leftover check must not share the code it checks. A row of a
 * kind missing here fails `tutorialLeftoversIn`, so a new kind (certificates) is one more entry.
 */
export const STORED_KINDS = [
  { kind: "keys", deletedField: "key", label: "key" },
  { kind: "secrets", deletedField: "secret", label: "secret" },
  { kind: "certificates", deletedField: "certificate", label: "certificate" },
] as const;
export type StoredKind = (typeof STORED_KINDS)[number]["kind"];

/**
 * The kinds of vault.db rows that are the vault's settings, not objects: a certificate issuer, the
 * certificate contacts. They carry no tags, so none is ever a tutorial's leftover.
 */
export const STORED_SETTING_KINDS = ["certificate-issuers", "certificate-contacts"] as const;

/** The tag values the tutorial's objects carry (kvq-tutorial=…): the keys quickstarts', the secrets and the certificates quickstart's. */
const TUTORIAL_TAG_VALUES_WRITTEN_OUT = ["keys-quickstart", "secrets-quickstart", "certificates-quickstart"];

/**
 * Every object of one kind the vault holds that carries the tutorial's tags, live or soft-deleted
 * ("name (deleted)"), those still "being deleted" included. Read from the emulator's state file,
 * not through the SDK or the vault's listing, and decided by the tag written out here, not by the
 * project's `isTutorialObject`: a leftover check must not share the code it checks.
 */
export async function tutorialObjectsIn(vault: TestVault, kind: StoredKind): Promise<string[]> {
  await vault.emulator.flush();
  return tutorialNames(storedRecords(vault.emulator.stateDir), kind);
}

/** Every tagged key (tutorialObjectsIn for keys): the keys quickstarts' leftover check. */
export const tutorialKeysIn = (vault: TestVault) => tutorialObjectsIn(vault, "keys");

/**
 * Every tutorial object the vault holds, of every kind it stores, each named with its kind
 * ("key quickstart-tester-… (deleted)", "secret …"). Fails on a row of a kind STORED_KINDS does not
 * list, rather than passing over what it cannot read.
 */
export async function tutorialLeftoversIn(vault: TestVault): Promise<string[]> {
  await vault.emulator.flush();
  const records = storedRecords(vault.emulator.stateDir);
  const unknown = [...new Set(records.map((r) => r.kind))].filter(
    (kind) => !STORED_KINDS.some((k) => k.kind === kind) && !(STORED_SETTING_KINDS as readonly string[]).includes(kind),
  );
  assert.deepEqual(unknown, [], "the vault stores a kind the leftover check does not know: add it to STORED_KINDS (test/helpers/emulator.ts)");
  return STORED_KINDS.flatMap(({ kind, label }) => tutorialNames(records, kind).map((name) => `${label} ${name}`));
}

/**
 * Every object of any kind, tagged or not, live or soft-deleted, whose name is one of `names`
 * ("key c1 (deleted)"): a certificate's key and secret carry no tags of their own, so only this sees
 * one left behind. Read from the state file, as tutorialObjectsIn reads it.
 */
export async function objectsNamedIn(vault: TestVault, names: Iterable<string>): Promise<string[]> {
  await vault.emulator.flush();
  const wanted = new Set([...names].map((n) => n.toLowerCase()));
  return storedRecords(vault.emulator.stateDir).flatMap((record) => {
    const kind = STORED_KINDS.find((k) => k.kind === record.kind);
    if (!kind) return [`${record.kind} ${record.id} (a kind STORED_KINDS does not list)`];
    const object = record.state === "live" ? (record.value as RawStoredObject) : (record.value as Record<string, RawStoredObject>)[kind.deletedField]!;
    return wanted.has(object.name.toLowerCase()) ? [`${kind.label} ${object.name}${record.state === "live" ? "" : " (deleted)"}`] : [];
  });
}

function tutorialNames(records: ReturnType<typeof storedRecords>, kind: StoredKind): string[] {
  const { deletedField } = STORED_KINDS.find((k) => k.kind === kind)!;
  const ofKind = records.filter((r) => r.kind === kind);
  const byName = (a: string, b: string) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1);
  const live = ofKind.filter((r) => r.state === "live").map((r) => r.value as RawStoredObject).filter(taggedByTutorial).map((o) => o.name).sort(byName);
  const deleted = ofKind
    .filter((r) => r.state === "deleted")
    .map((r) => (r.value as Record<string, RawStoredObject>)[deletedField]!)
    .filter(taggedByTutorial)
    .map((o) => o.name)
    .sort(byName);
  return [...live, ...deleted.map((name) => `${name} (deleted)`)];
}

/**
 * The records in a state folder's vault.db, read with SQLite from a copy of the file (the running
 * emulator holds the file's lock; flush() first, so the file holds everything). Not the store's code.
 */
export function storedRecords(stateDir: string): { kind: string; state: string; id: string; value: unknown }[] {
  const file = path.join(stateDir, "vault.db");
  assert.ok(existsSync(file), `${file} is missing: start the vault with its state persisted`);
  const copyDir = mkdtempSync(path.join(tmpdir(), "kvq-db-copy-"));
  try {
    copyFileSync(file, path.join(copyDir, "vault.db"));
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, path.join(copyDir, "vault.db-wal"));
    const Database = require("libsql") as new (file: string) => { prepare(sql: string): { all(): Record<string, unknown>[] } };
    const rows = new Database(path.join(copyDir, "vault.db")).prepare("SELECT kind, state, id, body FROM objects ORDER BY kind, state, id").all();
    return rows.map((r) => ({ kind: r.kind as string, state: r.state as string, id: r.id as string, value: JSON.parse(r.body as string) }));
  } finally {
    rmSync(copyDir, { recursive: true, force: true });
  }
}

interface RawStoredObject {
  name: string;
  versions: { tags?: Record<string, string> }[];
}

/** The tag every object the tutorial creates carries (kvq-tutorial=keys-quickstart, secrets-quickstart or certificates-quickstart), on any of its versions. */
const taggedByTutorial = (object: RawStoredObject) => object.versions.some((v) => TUTORIAL_TAG_VALUES_WRITTEN_OUT.includes(v.tags?.["kvq-tutorial"] ?? ""));
