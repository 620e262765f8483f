/**
 * The messages a learner meets, with KVQ_LANG=zh-TW: the environment check, error explanations,
 * cleanup and the doctor against the emulator, and the CLI. Codes, ids, outcomes and JSON fields
 * stay what they are in English: only the prose changes.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { inspect } from "node:util";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import { cleanupKey } from "../../src/cleanup";
import { clientOptionsFor } from "../../src/client-options";
import { formatReport } from "../../src/commands/rehearse";
import { checkEnvironment, ConfigurationError, describeConfig } from "../../src/env";
import { describeError } from "../../src/friendly-errors";
import { displayWidth, setLang } from "../../src/i18n";
import { keyNameProblem } from "../../src/object-names";
import { formatProblem } from "../../src/problems";
import { RunLedger } from "../../src/run-ledger";
import { defaultThrottleMessage } from "../../src/throttle-notice";
import { explainError } from "../../src/vault-errors";
import type { CheckResult } from "../../src/workshop/checks";
import { runDoctor } from "../../src/workshop/doctor";
import { azureExpectations, stepsOf, type RehearsalReport, type RehearsalTutorial } from "../../src/workshop/rehearse";
import type { KindId } from "../../src/kinds/index";
import { runKvq } from "../helpers/cli";
import { startTestVault, tempDir, type TestVault } from "../helpers/emulator";

const saved = process.env.KVQ_LANG;
beforeEach(() => setLang("zh-TW"));
afterEach(() => {
  if (saved === undefined) delete process.env.KVQ_LANG;
  else process.env.KVQ_LANG = saved;
});

/** An error shaped as the SDK's RestError for a Key Vault error body. */
const restError = (statusCode: number, code: string, innerCode: string | undefined, message: string) =>
  Object.assign(new Error(message), { name: "RestError", statusCode, code, details: { error: { code, message, innerError: innerCode && { code: innerCode } } } });

describe("the environment check", () => {
  test("a vault name that is too short: the problem and its fix in Chinese, the code unchanged", () => {
    const result = checkEnvironment({ KEY_VAULT_NAME: "ab" }, { readError: () => undefined });
    assert.ok(!result.ok);
    const [p] = result.problems;
    assert.equal(p.code, "vault-name-too-short");
    assert.equal(p.variable, "KEY_VAULT_NAME");
    assert.equal(p.message, "保存庫名稱「ab」有 2 個字元，但金鑰保存庫的名稱必須是 3 到 24 個字元。");
    assert.match(p.fix, /^請填入保存庫的確切名稱（可以用 az keyvault list --query "\[\]\.name" -o tsv 查詢）。$/);
  });

  test("a name inside a URL variable says which variable; URL fixes keep the URL exact", () => {
    const result = checkEnvironment({ KEY_VAULT_URL: "https://k--v.vault.azure.net/keys/x" }, { readError: () => undefined });
    assert.ok(!result.ok);
    assert.deepEqual(result.problems.map((p) => p.code), ["vault-url-has-path", "vault-name-double-dash"]);
    assert.equal(result.problems[0].fix, "請設定 KEY_VAULT_URL=https://k--v.vault.azure.net");
    assert.equal(result.problems[1].message, "KEY_VAULT_URL 中的保存庫名稱「k--v」含有「--」，名稱裡不能有連續的連字號。");
  });

  test("sign-in problems list the variables with 、 and 和", () => {
    const result = checkEnvironment({ KEY_VAULT_NAME: "kv1", AZURE_CLIENT_ID: "app-1", AZURE_CLIENT_SECRET: "s" }, { readError: () => undefined });
    assert.ok(!result.ok);
    assert.equal(result.problems[0].code, "service-principal-incomplete");
    assert.match(result.problems[0].message, /^已設定 AZURE_CLIENT_ID 和 AZURE_CLIENT_SECRET，卻缺少 AZURE_TENANT_ID，/);
  });

  test("ConfigurationError prints the Chinese list of fixes; the fix's later lines line up under its first", () => {
    const result = checkEnvironment({ KEY_VAULT_NAME: "ab" }, { readError: () => undefined });
    const printed = inspect(new ConfigurationError(!result.ok ? result.problems : []));
    assert.match(printed, /^環境設定有 1 個問題：\n✖ 保存庫名稱「ab」/);
    assert.match(printed, /\n {2}解決方式：請填入/);
    assert.match(printed, /修正之後，請重新執行這個儲存格。$/);
    const twoLines = formatProblem({ code: "x", message: "m", fix: "第一行\n第二行" });
    assert.equal(twoLines, `✖ m\n  解決方式：第一行\n${" ".repeat(displayWidth("  解決方式："))}第二行`);
  });

  test("describeConfig: Chinese labels, values in one column", () => {
    const result = checkEnvironment({ KEY_VAULT_NAME: "kv1" }, { readError: () => undefined });
    assert.ok(result.ok);
    assert.equal(result.config.where, "Azure 公用雲端");
    const lines = describeConfig({ ...result.config, envFile: "/work/.env" }).split("\n");
    assert.equal(lines[0], "保存庫：   https://kv1.vault.azure.net（取自 KEY_VAULT_NAME）");
    assert.deepEqual(lines.map((line) => line.match(/^\S+：/)?.[0]), ["保存庫：", "位置：", "登入方式：", "設定檔："]);
    // Every value starts at the same column.
    const starts = lines.map((line) => displayWidth(line.match(/^\S+：\s+/)![0]));
    assert.deepEqual(starts, [11, 11, 11, 11], lines.join("\n"));
  });
});

describe("errors and notices", () => {
  test("explainError: the meaning and fix in Chinese, the id as in English; values from the service kept", () => {
    const conflict = explainError(restError(409, "Conflict", "ObjectIsDeletedButRecoverable", "Key k1 is currently in a deleted but recoverable state"));
    assert.equal(conflict?.id, "ObjectIsDeletedButRecoverable");
    assert.match(conflict!.meaning, /已虛刪除的金鑰/);
    assert.match(conflict!.fix, /beginRecoverDeletedKey.*purgeDeletedKey.*chooseKeyName/);
    const rbac = explainError(restError(403, "Forbidden", "ForbiddenByRbac", "Caller is not authorized. Action: 'Microsoft.KeyVault/vaults/keys/create/action'"));
    assert.equal(rbac?.meaning, "你登入的身分在這個保存庫上沒有允許這項操作的角色（需要：Microsoft.KeyVault/vaults/keys/create/action）。");
    assert.match(rbac!.fix, /az role assignment create --role "Key Vault Crypto Officer"/);
  });

  test("describeError labels the meaning and the fix in Chinese", () => {
    const text = describeError(restError(429, "Throttled", undefined, "Too many requests"));
    assert.match(text, /^RestError \(429 Throttled\): Too many requests\n這代表：保存庫正忙：.*\n解決方式：/s);
  });

  test("the busy notice, the emulator CA error and a key-name problem", () => {
    assert.equal(defaultThrottleMessage({ retryAfterSeconds: 3, method: "POST", url: "https://kv1.vault.azure.net/keys/k/create" }), "保存庫正忙（HTTP 429：要求太多）。等待 3 秒後重試…");
    assert.throws(() => clientOptionsFor("https://localhost:47443", { env: {} }), /KVQ_EMULATOR_CA 沒有指向模擬器的 CA 憑證.*`npm run emulator`/);
    assert.equal(keyNameProblem("my key_1"), "「my key_1」含有空格、「_」，不符合金鑰名稱的規則：長度 1 到 127 個字元，只能使用英文字母（a-z、A-Z）、數字（0-9）和連字號（-）。");
  });

  test("rehearse: the Azure advice and the report, in Chinese and lined up, for keys, secrets and certificates", () => {
    assert.match(azureExpectations(100).join("\n"), /最多要等 90 秒.*準備 3 個保存庫，每個最多 40 位學員/s);
    assert.match(azureExpectations(30, 0, "secrets-quickstart").join("\n"), /次祕密交易.*4,000 次.*不會有人需要等待.*一個保存庫就夠了/s);
    const report = (tutorial: RehearsalTutorial, kind: KindId, leftovers: string[]): RehearsalReport => ({
      tutorial, kind, attendees: 2, throttle: 20, limit: "keyCreates", countedRequests: 4, finished: 2, failed: [], retries: 1, busyInsteadOfConflict: 0, seconds: 12.34, leftovers, azure: ["一個保存庫就夠了。"],
      steps: stepsOf(tutorial).map((step) => ({ step, p50: 0.1, p95: 0.2, max: 0.3 })),
    });
    const text = formatReport(report("quickstart", "key", []));
    assert.match(text, /完成的學員：\s+2\/2\n「保存庫正忙」（429）重試次數：1\n全部完成所需時間：\s+12\.3 秒\n建立金鑰次數：\s+4（每位學員 2 次）\n殘留的金鑰：\s+0 把\n/);
    const table = text.split("\n").filter((line) => /\d\.\d\d$|p50/.test(line));
    assert.equal(table.length, stepsOf("quickstart").length + 1);
    assert.equal(new Set(table.map(displayWidth)).size, 1, `the table's rows are one width:\n${table.join("\n")}`);
    assert.match(text, /\n {2}復原後再刪除 /);
    // Secrets: their own counter, their own leftovers (counted with 個), their own steps.
    const secrets = formatReport(report("secrets-quickstart", "secret", ["s-1 (deleted)"]));
    assert.match(secrets, /祕密交易次數：\s+4（每位學員 2 次）\n殘留的祕密：\s+1 個（s-1 \(deleted\)）\n/);
    assert.match(secrets, /\n {2}設定祕密 .*\n {2}讀取 .*\n {2}版本和屬性 /s);
    assert.doesNotMatch(secrets, /金鑰/);
    // Certificates: created as key creates are counted, left over counted with 張, their own steps.
    assert.match(azureExpectations(30, 0, "certificates-quickstart").join("\n"), /60 個建立憑證的要求.*以建立金鑰的上限來規劃：一個保存庫每 10 秒只接受 20 個.*最多要等 20 秒/s);
    const certificates = formatReport(report("certificates-quickstart", "certificate", ["c-1 (deleted)"]));
    assert.match(certificates, /建立金鑰次數（憑證）：\s+4（每位學員 2 次）\n殘留的憑證：\s+1 張（c-1 \(deleted\)）\n/);
    assert.match(certificates, /\n {2}建立 .*\n {2}讀取 .*\n {2}金鑰和祕密 /s);
    // The longest label (建立金鑰次數（憑證）：) still leaves the values one column.
    const rows = certificates.split("\n").filter((line) => /^(完成的學員|全部完成所需時間|建立金鑰次數（憑證）|殘留的憑證)：/.test(line));
    assert.equal(rows.length, 4);
    assert.equal(new Set(rows.map((line) => displayWidth(/^\S+\s+/.exec(line)![0]))).size, 1, `the values line up:\n${rows.join("\n")}`);
  });
});

describe("against the emulator (purge protection on)", () => {
  let vault: TestVault;
  const projectRoot = path.resolve(__dirname, "..", "..");
  before(async () => {
    vault = await startTestVault({ purgeProtection: true, retentionDays: 7, issueDelayMs: 20 });
  });
  after(() => vault.stop());

  test("cleanup explains purge protection and the purge date in Chinese; the outcome is the same", async () => {
    const run = RunLedger.start({ vaultUrl: vault.emulator.url, dir: tempDir() });
    await vault.client.createRsaKey("zh-protected", { tags: run.tags });
    const result = await cleanupKey(vault.client, "zh-protected", { runId: run.runId, pollIntervalMs: 50 });
    assert.equal(result.outcome, "awaiting-purge");
    const inSevenDays = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    assert.equal(result.message, `zh-protected：已刪除。這個保存庫啟用了清除保護，所以現在無法清除；服務會在 ${inSevenDays} 自動清除它，在那之前這個名稱都會被占用。`);

    await vault.client.createRsaKey("zh-not-ours");
    const untouched = await cleanupKey(vault.client, "zh-not-ours");
    assert.equal(untouched.outcome, "left-alone");
    assert.match(untouched.message, /^zh-not-ours：不動它──它沒有這次教學執行的標籤/);
  });

  test("the doctor: Chinese titles, details and fixes; ids and statuses unchanged", async () => {
    const results = await runDoctor({ env: { ...process.env, KVQ_ENV_FILE: "none" }, projectRoot });
    const r: Record<string, CheckResult> = Object.fromEntries(results.map((x) => [x.id, x]));
    assert.deepEqual(results.map((x) => x.id), ["node", "dependencies", "kernel", "settings", "emulator-state", "network", "sign-in", "permissions", "secret-permissions", "certificate-permissions", "soft-delete"]);
    // The kernel check depends on this machine's Jupyter set-up; it is tested in test/workshop/doctor.test.ts.
    assert.deepEqual(results.filter((x) => x.id !== "kernel").map((x) => x.status), ["pass", "pass", "pass", "pass", "pass", "pass", "pass", "pass", "pass", "warn"], JSON.stringify(results, null, 1));
    assert.equal(r["certificate-permissions"].title, "權限往返測試（探測用憑證）");
    assert.match(r["certificate-permissions"].detail, /^create、get、list、get key、sign、get secret、delete：全部允許。$/);
    assert.equal(r["soft-delete"].title, "虛刪除與清除保護");
    assert.equal(r["emulator-state"].title, "模擬器的狀態資料夾");
    assert.match(r["emulator-state"].detail, /裡沒有發現損壞。$/);
    assert.match(r.settings.detail, /（本機模擬器），登入方式：受控識別，由本機模擬器的權杖端點提供；設定來源：環境變數（找不到 \.env）$/);
    assert.match(r.network.detail, /TLS 交握驗證成功（使用模擬器的 CA）。$/);
    assert.match(r.permissions.detail, /^create、get、list、delete：全部允許。$/);
    assert.match(r["soft-delete"].detail, /^已刪除的金鑰會保留 7 天，而且已啟用清除保護（CustomizedRecoverable）：.*被占用 7 天。$/);
    assert.match(r["soft-delete"].fix ?? "", /沒有啟用清除保護的保存庫/);
  });

  test("the doctor skips a check in Chinese, naming the check it waits for", async () => {
    const results = await runDoctor({ env: { ...process.env, KVQ_ENV_FILE: "none", KEY_VAULT_URL: "http://localhost:1" }, projectRoot });
    const r = Object.fromEntries(results.map((x) => [x.id, x]));
    assert.equal(r.settings.status, "fail");
    assert.match(r.settings.detail, /^有 1 個問題（設定來源：環境變數（找不到 \.env））：\n✖ KEY_VAULT_URL 用的是 http:\/\//);
    assert.equal(r.network.detail, "已略過：要先通過「設定（.env）」。");
  });
});

describe("the command line", () => {
  test("KVQ_LANG=zh-TW: a usage error in Chinese, exit code unchanged", async () => {
    const result = await runKvq(["cleanup", "--older-than", "soon"], { env: { KVQ_LANG: "zh-TW", KVQ_ENV_FILE: "none", KEY_VAULT_NAME: "kv1" } });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--older-than "soon" 不是有效的時間長度。/);
  });

  test("LANG=zh_TW.UTF-8 alone picks Chinese too; LC_ALL=C over it keeps English", async () => {
    const base = { KVQ_LANG: undefined, LC_MESSAGES: undefined, KVQ_ENV_FILE: "none", KEY_VAULT_NAME: "kv1" };
    const chinese = await runKvq(["cleanup", "--older-than", "soon"], { env: { ...base, LC_ALL: undefined, LANG: "zh_TW.UTF-8" } });
    assert.match(chinese.stderr, /不是有效的時間長度/);
    const english = await runKvq(["cleanup", "--older-than", "soon"], { env: { ...base, LC_ALL: "C", LANG: "zh_TW.UTF-8" } });
    assert.match(english.stderr, /is not a duration/);
  });
});
