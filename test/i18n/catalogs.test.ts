/**
 * The two catalogs, walked at run time: the same keys and kinds in both (the compiler checks this
 * too; this catches what a cast or a spread could hide), every message non-empty for sample values,
 * and the Chinese actually Chinese — not the English left in place, and with full-width punctuation
 * in its prose.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { LANGS, messagesFor, type Messages } from "../../src/i18n";

test("English plurals: one retry, two retries (issue 26)", () => {
  assert.match(messagesFor("en").rehearse.lastOnesWait(10, 1), /wait up to 10 s \(1 retry\)\./);
  assert.match(messagesFor("en").rehearse.lastOnesWait(20, 2), /\(2 retries\)\./);
});

/** True when T holds a function somewhere (a message with values). */
type HasFunction<T> = T extends (...args: any[]) => any ? true : T extends string ? false : true extends { [K in keyof T]: HasFunction<T[K]> }[keyof T] ? true : false;

/** For every message that is a function, the arguments to try it with: a new parameter without a sample does not compile. */
type Samples<T> = { [K in keyof T as HasFunction<T[K]> extends true ? K : never]: T[K] extends (...args: infer A) => string ? A : Samples<T[K]> };

const SAMPLES: Samples<Messages> = {
  env: {
    noVault: { message: [["KEY_VAULT_URL", "KEYVAULT_URI", "KEY_VAULT_NAME"]] },
    cloudMismatch: { message: ["KEY_VAULT_URL", "Azure China (21Vianet)", "Azure public cloud"] },
    variablesDisagree: { message: ["KEY_VAULT_URL", "KEY_VAULT_NAME", "https://kv1.vault.azure.net"], fix: ["KEY_VAULT_NAME"] },
    cloudUnknown: { message: ["Mars"] },
    envFileUnreadable: { message: ["/work/.env", "EACCES"] },
    envShadowed: { message: ["KEY_VAULT_NAME", "/work/.env"], fix: ["KEY_VAULT_NAME"] },
    configurationError: { heading: [2], thenRerun: [2] },
    describe: { vaultFrom: ["https://kv1.vault.azure.net", "KEY_VAULT_NAME"] },
  },
  vaultUrl: {
    nameIsUrl: { message: ["KEY_VAULT_NAME", "kv1.vault.azure.net"], fix: ["KEY_VAULT_NAME"] },
    nameLength: { message: ["ab", 2] },
    nameCharacters: { message: ["my_vault", ["_"]] },
    nameStart: { message: ["1vault", "1"] },
    nameEnd: { message: ["vault-", "-"] },
    nameDoubleDash: { message: ["my--vault"] },
    inVariable: ["KEY_VAULT_URL", "Vault name \"k--v\" contains \"--\"; consecutive dashes are not allowed."],
    urlIsName: { message: ["KEY_VAULT_URL", "kv1"], fix: ["KEY_VAULT_URL", "kv1"] },
    urlInvalid: { message: ["KEY_VAULT_URL", "not a url"], fix: ["KEY_VAULT_URL"], didYouMean: ["KEY_VAULT_URL", "https://localhost:47443"] },
    notHttps: { message: ["KEY_VAULT_URL", "http:"], fix: ["https://kv1.vault.azure.net"] },
    hasPath: ["KEY_VAULT_URL", "https://kv1.vault.azure.net/keys/k", "/keys/k"],
    extra: ["KEY_VAULT_URL"],
    useBaseUrl: ["KEY_VAULT_URL", "https://kv1.vault.azure.net"],
    unknownHost: { message: ["KEY_VAULT_URL", "vault.example.com"] },
  },
  signIn: {
    tokenCredentialsUnknown: { message: ["magic"] },
    emulatorVariableMissing: { message: ["IDENTITY_HEADER"] },
    emulatorCaNotFound: { message: ["KVQ_EMULATOR_CA", "/nope/ca.pem"] },
    emulatorCaIsFolder: { message: ["KVQ_EMULATOR_CA", "/home/me/.kvq/emulator"], fix: ["KVQ_EMULATOR_CA"] },
    emulatorCaUnreadable: { message: ["KVQ_EMULATOR_CA", "/home/me/ca.pem", "EACCES"], fix: ["/home/me/ca.pem"] },
    emulatorVariablesWithAzureVault: { message: [["IDENTITY_ENDPOINT", "IDENTITY_HEADER"]], fix: [["IDENTITY_ENDPOINT", "IDENTITY_HEADER"]] },
    servicePrincipalInUse: { message: ["AZURE_CLIENT_SECRET", "app-1"] },
    servicePrincipalIncomplete: { message: [["AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"], ["AZURE_TENANT_ID"]], fix: [["AZURE_TENANT_ID"], ["AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"]] },
    describe: { servicePrincipal: ["app-1"], workloadIdentity: ["app-1"] },
  },
  keyNames: {
    empty: ["secret"],
    tooLong: ["aaaaaaaaaaaaaaaaaaaa", 128, 127, "key"],
    characters: ["my key_1", [" ", "_"], "key"],
    exists: ["taken-live", "secret"],
    softDeleted: ["taken-deleted", "2026-03-01", "key"],
    inTransition: ["k1", "being-deleted", "key"],
    noFreeName: [2, ["k-1", "k-2"], "key"],
  },
  keyState: { live: ["k1"], "being-deleted": ["k1"], "soft-deleted": ["k1"], "being-recovered": ["k1"], absent: ["k1"] },
  secretState: { live: ["s1"], "being-deleted": ["s1"], "soft-deleted": ["s1"], "being-recovered": ["s1"], absent: ["s1"] },
  certificateState: { live: ["c1"], "being-deleted": ["c1"], "soft-deleted": ["c1"], "being-recovered": ["c1"], absent: ["c1"] },
  cleanup: {
    stillBeingDeleted: ["k1"],
    purged: ["k1"],
    alreadyGone: ["k1", "key"],
    awaitingPurge: ["k1", "2026-03-01"],
    leftAlone: ["k1"],
    managedByCertificate: ["c1", "key"],
    explained: ["The vault's firewall does not allow your network address.", "Ask the vault's owner."],
    failed: ["k1", "socket hang up"],
  },
  errors: {
    rules: {
      ForbiddenByRbac: { meaning: ["Microsoft.KeyVault/vaults/keys/create/action"] },
      ForbiddenByPolicy: { meaning: ["purge"] },
      SecretForbiddenByRbac: { meaning: ["Microsoft.KeyVault/vaults/secrets/setSecret/action"] },
      SecretForbiddenByPolicy: { meaning: ["set"] },
      CertificateForbiddenByRbac: { meaning: ["Microsoft.KeyVault/vaults/certificates/create/action"] },
      CertificateForbiddenByPolicy: { meaning: ["create"] },
    },
  },
  clientOptions: { caUnreadable: ["/nope/ca.pem", "ENOENT"] },
  throttle: { busy: [3] },
  doctor: {
    emulatorState: { clean: ["/home/ana/.kvq/emulator"], fix: [["/home/ana/.kvq/emulator/damaged-2026-12-04T20-01-02-123Z"]] },
    kernel: { installed: ["/home/ana/.local/share/jupyter/kernels/kvq-tslab/kernel.json"], unreadable: ["kernel.json"], otherProject: ["kernel.json", "/home/ana/old-copy"], broken: ["kernel.json", ["/usr/bin/node"]], editionNotInstalled: ["kvq-tslab-zh-tw"] },
    node: { ok: ["20.19.0"], tooOld: ["18.20.0", "20.19"] },
    dependencies: { ok: [["tslab", "ora"]], missing: [["tslab", "ora"]], fix: ["/work/main"] },
    settings: { problems: [2, "/work/main/.env"], summary: ["https://localhost:47443", "the local emulator", "managed identity", "/work/main/.env"] },
    network: {
      verified: ["localhost:47443", true],
      timeout: ["kv1.vault.azure.net"],
      tlsFailed: ["localhost:47443", "self-signed certificate"],
      caMissing: ["/nope/ca.pem"],
    },
    signIn: { token: ["ManagedIdentityCredential", "2026-03-01T10:00:00.000Z"] },
    permissions: { allowed: [["create", "get"]], refused: ["list", ["create", "get"]] },
    softDelete: { purgeProtected: [7, "CustomizedRecoverable", "certificate"], purgeAllowed: [90, "CustomizedRecoverable+Purgeable", "secret"] },
    skipped: ["Settings (.env)"],
    couldNotRun: ["Settings (.env)"],
    failure: ["Getting a token failed", "401", "The credential was refused."],
    serviceSaid: ["Operation returned an invalid status code 'Forbidden'"],
  },
  rehearse: {
    requests: { key: [30, 60, 2, 20], secret: [30, 570, 19, 4000], certificate: [30, 60, 2, 20] },
    lastOnesWait: [20, 2],
    tooManyRetries: [10, 5],
    vaultPerTable: [30, 3, 40, 10],
    oneVault: [40, 10],
    expectedConflict: ["429"],
    notEveryoneFinished: [3, 50],
  },
  failures: {
    unreachable: ["https://localhost:47443", "connection refused"],
    causes: {
      emulatorNotRunning: { meaning: ["https://localhost:47443"] },
      emulatorOtherPort: { meaning: ["https://localhost:47443", "https://localhost:47450"], fix: ["https://localhost:47450", "http://127.0.0.1:47451/msi/token"] },
      refused: { meaning: ["https://kv1.vault.azure.net:444"] },
      vaultNotFound: { meaning: ["kv1.vault.azure.net"] },
      hostTypo: { meaning: ["kv1.vault.azure.nte"] },
      dropped: { meaning: ["https://kv1.vault.azure.net"] },
    },
    missingEarlierCell: ["client"],
    environmentFailure: ["Could not reach https://localhost:47443."],
  },
  workshop: {
    time: [4],
    commands: { rehearse: [30, "20 key creates per 10 s"] },
    timeStale: ["secrets-quickstart", 4, 12],
  },
  runner: {
    target: { embedded: ["https://localhost:40001"], vault: ["https://kv1.vault.azure.net"] },
    kernelReady: ["2.1"],
    stepTime: ["0.2"],
    elapsed: ["0.2"],
    summary: [{ passed: 9, failed: 1, timedOut: 1, interrupted: 1, skipped: 1, notRun: 2 }, "12.3", "2.1"],
    executedNotebook: ["build/quickstart.ipynb"],
    keys: [1, 1, ["quickstart-ana-20261128-k3f9x2"]],
    keysLeft: [["quickstart-ana-20261128-k3f9x2"]],
    secrets: [1, 1, ["quickstart-ana-20261128-s3cr3t"]],
    secretsLeft: [["quickstart-ana-20261128-s3cr3t"]],
    cleanedUp: ["quickstart-ana-20261128-k3f9x2: deleted and purged."],
    failure: { heading: [4, "Create an RSA key", "failed"] },
    notebookFile: {
      notFound: ["notebooks/no-such.ipynb"],
      invalidJson: ["quickstart.ipynb", "Unexpected end of JSON input"],
      notNbformat4: ["quickstart.ipynb", "3"],
      badCell: ["quickstart.ipynb", 4],
    },
    docs: {
      header: ["notebooks/quickstart.ipynb"],
      prerequisites: ["notebooks/quickstart.ipynb"],
      running: ["notebooks/quickstart.ipynb"],
      setupHeader: ["setup.md"],
      wrote: ["docs/quickstart.md"],
      unchanged: ["docs/quickstart.md"],
      stale: ["docs/quickstart.md"],
      runFailed: ["notebooks/quickstart.ipynb", "4 (Create an RSA key)"],
    },
    learn: {
      welcome: [10],
      stepHeading: [4, 10, "Create an RSA key"],
      namePrompt: ["quickstart-ana-20261128-k3f9x2"],
      nameRefused: ["a soft-deleted key named my-key holds the name"],
      nameAccepted: ["my-key"],
      catchingUp: [6],
      resumeOffer: [6],
      fromTooLarge: [12, 10],
      skippedDefiner: [5, "Create an RSA key", "key"],
      failedDefiner: [5, "Create an RSA key", "key"],
      notRunDefiner: [5, "Create an RSA key", "key"],
      noSuchStep: [12, 10],
      resumeHint: [6],
    },
    strip: { cleaned: ["notebooks/quickstart.ipynb"], clean: ["notebooks/quickstart.ipynb"], wouldChange: ["notebooks/quickstart.ipynb"], installed: ["kvq-strip", "node src/kvq.cjs strip --stdin"] },
    usage: { badLang: ["fr"], timeout: ["soon"] },
  },
  commands: {
    emulator: {
      stateFolderWritable: ["/home/me/.kvq/emulator", "0777"],
      stateFolderForeign: ["/home/me/.kvq/emulator", 1001],
      stateFolderInUse: ["/home/me/.kvq/emulator", "https://localhost:47443", 4242],
      stateFileLocked: ["/home/me/.kvq/emulator/vault.db"],
      notThisVaultsFile: ["/home/me/.kvq/emulator/vault.db"],
      stateFileTooNew: ["/home/me/.kvq/emulator/vault.db", 2],
      migrated: [12, ["vault.json", "vault.journal"], "/home/me/.kvq/emulator/migrated-2026-12-04T20-01-02-123Z"],
      damaged: ["/home/me/.kvq/emulator", 11, ['key "a" (its bytes fail their checksum)'], "/home/me/.kvq/emulator/damaged-2026-12-04T20-01-02-123Z"],
      lost: { record: ["secrets", true, "my-secret", "could not be read"], records: [3, "could not be read"], gap: [2], wal: [4, 8272], structure: ["Tree 2 page 5 cell 0: invalid page number"] },
    },
    doctor: { line: ["Node.js version", "Node.js 20.19.0"], summary: [1, 2] },
    cleanup: {
      notADuration: ["soon"],
      looking: ["https://localhost:47443"],
      counted: ["secret", 1],
      found: [["2 keys", "1 secret"], 2, "https://localhost:47443", true],
      done: [3, 1],
      run: ["r-20260301-abc", "ana", "2026-03-01 10:00", false],
      created: ["2026-03-01 10:00"],
      deleted: ["2026-03-01 10:00", "2026-05-30 10:00"],
    },
    rehearse: {
      starting: ["secrets-quickstart", 30, "4,000 secret transactions per 10 s"],
      limit: { key: [20], secret: [4000], certificate: [20] },
      progress: [3, 30],
      finished: [30, 30, "42.0"],
      leftoverLabel: ["secret"],
      counted: [570, 19],
      seconds: ["42.0"],
      leftover: ["secret", ["s-1", "s-2"]],
      retries: [12, 1],
      failedAttendee: ["attendee-001", "socket hang up"],
    },
  },
};

type Leaf = { path: string; value: string | ((...args: unknown[]) => string) };

function leaves(node: unknown, path = ""): Leaf[] {
  if (typeof node === "string" || typeof node === "function") return [{ path, value: node as Leaf["value"] }];
  assert.ok(node && typeof node === "object", `${path}: a message is a string, a function or a group, not ${typeof node}`);
  return Object.entries(node).flatMap(([key, child]) => leaves(child, path ? `${path}.${key}` : key));
}

const sampleFor = (path: string): unknown[] => {
  const args = path.split(".").reduce<any>((node, key) => node?.[key], SAMPLES);
  assert.ok(Array.isArray(args), `no sample arguments for ${path}`);
  return args;
};

/** The text of a message: the string, or the function called with its samples. */
const render = (leaf: Leaf) => (typeof leaf.value === "string" ? leaf.value : leaf.value(...sampleFor(leaf.path)));

const en = leaves(messagesFor("en"));
const zh = leaves(messagesFor("zh-TW"));

test("both catalogs have the same keys, each a string in both or a function in both", () => {
  assert.deepEqual(LANGS, ["en", "zh-TW"]);
  assert.deepEqual(zh.map((l) => l.path), en.map((l) => l.path));
  for (const [i, leaf] of en.entries()) assert.equal(typeof zh[i].value, typeof leaf.value, leaf.path);
});

test("every message is a non-empty string, in both languages", () => {
  for (const leaf of [...en, ...zh]) {
    const text = render(leaf);
    assert.equal(typeof text, "string", leaf.path);
    assert.ok(text.trim().length > 0, `${leaf.path} is empty`);
  }
});

/**
 * Entries that may read the same in both languages because they are code or identifiers only.
 * None so far; add the path here, with the reason, if one ever must.
 */
const SAME_IN_BOTH = new Set<string>();

const CJK = /[\u3400-\u9fff]/;
/** Chinese characters, or the full-width punctuation that frames values in a message that is only punctuation ("（…）"). */
const CHINESE_WRITING = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;

test("no Traditional Chinese entry is the English left in place", () => {
  for (const [i, leaf] of en.entries()) {
    if (SAME_IN_BOTH.has(leaf.path)) continue;
    const english = render(leaf);
    const chinese = render(zh[i]);
    assert.notEqual(chinese, english, `${leaf.path} is not translated`);
    assert.match(chinese, CHINESE_WRITING, `${leaf.path} has no Chinese in it: ${chinese}`);
    assert.doesNotMatch(english, CJK, `${leaf.path}: Chinese in the English catalog`);
  }
});

test("Chinese prose uses full-width punctuation next to Chinese characters", () => {
  // A half-width , . : ; ! ? ( ) touching a Chinese character is prose punctuation typed in the wrong width.
  const halfWidthInProse = /[\u3400-\u9fff][,.:;!?()]|[,:;!?(][\u3400-\u9fff]|\)[\u3400-\u9fff]/;
  for (const leaf of zh) {
    const text = render(leaf);
    assert.doesNotMatch(text, halfWidthInProse, `${leaf.path}: ${text}`);
  }
});

test("the Chinese keeps Microsoft Learn's zh-TW terms, not their mainland or ad hoc variants", () => {
  const all = zh.map(render).join("\n");
  // 密鑰 / 密钥 (mainland "key"), 軟刪除 ("soft delete"), 租戶 (mainland "tenant"), 客戶端 ("client"), 憑據 ("credential").
  for (const avoided of ["密鑰", "密钥", "軟刪除", "租戶", "客戶端", "憑據", "服務主體名稱"]) assert.ok(!all.includes(avoided), `uses ${avoided}`);
  for (const term of ["金鑰保存庫", "金鑰", "虛刪除", "清除", "清除保護", "復原", "保留期間", "服務主體", "受控識別", "角色指派", "存取原則", "租用戶", "用戶端", "認證", "模擬器"]) {
    assert.ok(all.includes(term), `never says ${term}`);
  }
});
