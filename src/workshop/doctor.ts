/**
 * `kvq doctor`: the preflight checklist for a learner's machine — Node, dependencies, settings, the
 * vault's network path, sign-in, a permissions round trip with a tagged probe key, and what the
 * vault's soft-delete settings mean for the tutorial. Every failure carries its fix; the probe key
 * is always cleaned up. Titles, details and fixes are in the current language (i18n/); ids and
 * statuses are not, so a JSON report is read the same way from every machine.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { connect as tlsConnect } from "node:tls";
import { DefaultAzureCredential } from "@azure/identity";
import { KeyClient } from "@azure/keyvault-keys";
import { SecretClient } from "@azure/keyvault-secrets";
import { cleanupObject } from "../cleanup";
import { kindOf, type VaultObjectClient } from "../kinds/index";
import { clientOptionsFor, emulatorCaFile, isLocalVaultUrl } from "../client-options";
import { emulatorStateDirFor } from "../emulator-record";
import { damageReports, describeDamage } from "../emulator/store/notices";
import { checkEnvironment, loadEnvFile } from "../env";
import { t } from "../i18n";
import { formatProblem } from "../problems";
import { QUICKSTART_TAG_VALUES, RUN_TAG, TUTORIAL_TAG } from "../run-ledger";
import { redact, secretValues } from "../secrets";
import { errorFacts, explainError } from "../vault-errors";
import { connectionFailureKind, diagnoseUnreachable, explainUnreachable, VaultUnreachableError } from "../vault-unreachable";
import { fail, pass, warn, type Check, type CheckOutcome, type CheckResult, type DoctorContext } from "./checks";
import { checkKernel } from "./kernel-check";
import { probeSignIn } from "./sign-in-probe";

const MIN_NODE = [20, 19];

/** Node ≥ 20.19: the notebook's ESM-only packages (ora) load through require(). */
export function nodeVersionOk(version: string): boolean {
  const [major, minor] = version.replace(/^v/, "").split(".").map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}
const REQUIRED_PACKAGES = ["@azure/keyvault-keys", "@azure/keyvault-secrets", "@azure/identity", "tslab", "ora", "dotenv", "kvq"];
export const DOCTOR_TAG = "kvq-doctor";

// Titles are getters: read when a check starts, so they follow the language of that moment.
export const CHECKS: Check[] = [
  {
    id: "node",
    get title() {
      return t().doctor.node.title;
    },
    async run() {
      const m = t().doctor.node;
      return nodeVersionOk(process.versions.node) ? pass(m.ok(process.versions.node)) : fail(m.tooOld(process.versions.node, MIN_NODE.join(".")), m.fix);
    },
  },
  {
    id: "dependencies",
    get title() {
      return t().doctor.dependencies.title;
    },
    async run(ctx) {
      const m = t().doctor.dependencies;
      // Looked up on disk: some packages (ora) do not export their package.json to require.resolve.
      const missing = REQUIRED_PACKAGES.filter((name) => !existsSync(path.join(ctx.projectRoot, "node_modules", name, "package.json")));
      return missing.length === 0 ? pass(m.ok(REQUIRED_PACKAGES)) : fail(m.missing(missing), m.fix(ctx.projectRoot));
    },
  },
  {
    id: "kernel",
    get title() {
      return t().doctor.kernel.title;
    },
    async run(ctx) {
      return checkKernel(ctx.projectRoot, ctx.env);
    },
  },
  {
    id: "settings",
    get title() {
      return t().doctor.settings.title;
    },
    async run(ctx) {
      const m = t().doctor.settings;
      const check = checkEnvironment(ctx.env);
      const source = ctx.envFile ? `${ctx.envFile}` : m.noEnvFile;
      if (!check.ok) {
        // Each problem prints its own "Fix:" line; a second, joined one would repeat them.
        return fail(`${m.problems(check.problems.length, source)}\n${check.problems.map((p) => formatProblem(p)).join("\n")}`);
      }
      ctx.config = check.config;
      const summary = m.summary(check.config.vaultUrl, check.config.where, check.config.signIn.description, source);
      if (check.config.warnings.length > 0) {
        return warn(`${summary}\n${check.config.warnings.map((w) => formatProblem(w, "⚠")).join("\n")}`);
      }
      return pass(summary);
    },
  },
  {
    id: "emulator-state",
    get title() {
      return t().doctor.emulatorState.title;
    },
    needs: ["settings"],
    async run(ctx) {
      const m = t().doctor.emulatorState;
      if (!isLocalVaultUrl(ctx.config!.vaultUrl)) return { status: "skip", detail: m.notLocal };
      // What the emulator said at the start that found the damage, said again until its folder is gone.
      const dir = emulatorStateDirFor(ctx.env);
      const reports = damageReports(dir);
      if (reports.length === 0) return pass(m.clean(dir));
      return warn(reports.map((report) => describeDamage(dir, report)).join("\n"), m.fix(reports.map((r) => r.keptIn)));
    },
  },
  {
    id: "network",
    get title() {
      return t().doctor.network.title;
    },
    needs: ["settings"],
    async run(ctx) {
      const m = t().doctor.network;
      const url = new URL(ctx.config!.vaultUrl);
      const local = isLocalVaultUrl(url.href);
      const port = Number(url.port || 443);
      try {
        const ca = local ? readCa(ctx.env) : undefined;
        await tlsHandshake(url.hostname, port, ca);
        return pass(m.verified(url.host, local));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "";
        if (code === "ETIMEDOUT" || code === "TIMEOUT") return fail(m.timeout(url.host), m.timeoutFix);
        // The same named causes and fixes as the notebook and every command (vault-unreachable.ts).
        const kind = connectionFailureKind(error);
        if (kind) {
          const unreachable = new VaultUnreachableError(url.origin, kind, await diagnoseUnreachable(url.origin, kind, local, ctx.env), code);
          const { meaning, fix } = explainUnreachable(unreachable);
          return fail(`${unreachable.message} ${meaning}`, fix);
        }
        return fail(m.tlsFailed(url.host, (error as Error).message), local ? m.tlsEmulatorFix : m.tlsAzureFix);
      }
    },
  },
  {
    id: "sign-in",
    get title() {
      return t().doctor.signIn.title;
    },
    needs: ["network"],
    async run(ctx) {
      const m = t().doctor.signIn;
      ctx.credential = new DefaultAzureCredential();
      try {
        const probe = await probeSignIn(ctx.credential);
        const warnings = ctx.config!.warnings.filter((w) => w.code === "service-principal-in-use");
        const detail = m.token(probe.credentialName ?? m.someCredential, probe.expiresOn.toISOString());
        return warnings.length > 0 ? warn(`${detail} ${warnings[0].message}`, warnings[0].fix) : pass(detail);
      } catch (error) {
        return explained(error, m.failed);
      }
    },
  },
  {
    id: "permissions",
    get title() {
      return t().doctor.permissions.title;
    },
    needs: ["sign-in"],
    async run(ctx) {
      ctx.client = new KeyClient(ctx.config!.vaultUrl, ctx.credential!, clientOptionsFor(ctx.config!.vaultUrl, { env: ctx.env, onThrottle: () => undefined }));
      const client = ctx.client;
      return permissionsRoundTrip(ctx, client, (name, tags) => client.createRsaKey(name, { keySize: 2048, tags }), t().doctor.permissions.needed);
    },
  },
  {
    id: "secret-permissions",
    get title() {
      return t().doctor.secretPermissions.title;
    },
    needs: ["sign-in"],
    async run(ctx) {
      const client = new SecretClient(ctx.config!.vaultUrl, ctx.credential!, clientOptionsFor(ctx.config!.vaultUrl, { env: ctx.env, onThrottle: () => undefined }));
      // The probe's value is made up here and never shown.
      return permissionsRoundTrip({}, client, (name, tags) => client.setSecret(name, randomBytes(16).toString("hex"), { tags }), t().doctor.secretPermissions.needed, t().doctor.secretPermissions.needed);
    },
  },
  {
    id: "soft-delete",
    get title() {
      return t().doctor.softDelete.title;
    },
    needs: ["permissions"],
    async run(ctx) {
      const m = t().doctor.softDelete;
      const days = ctx.probe?.recoverableDays;
      const level = ctx.probe?.recoveryLevel ?? "";
      if (!level.includes("Purgeable")) return warn(m.purgeProtected(days, level), m.purgeProtectedFix);
      return pass(m.purgeAllowed(days, level));
    },
  },
];

/**
 * create → get → list → delete → purge with a tagged probe object of the client's kind (a key, a
 * secret: `create` is the one call that differs); the first refusal names the permission it needs.
 */
async function permissionsRoundTrip(
  ctx: Pick<DoctorContext, "probe">,
  client: VaultObjectClient,
  create: (name: string, tags: Record<string, string>) => Promise<unknown>,
  needed: string,
  /** The fix to give instead of the error rule's (whose role names the keys' one), when a refusal is a permission's. */
  permissionFix?: string,
): Promise<CheckOutcome> {
  const kind = kindOf(client);
  const name = `kvq-doctor-probe-${randomBytes(4).toString("hex")}`;
  // Tagged as its kind's quickstart tags its objects: were it left behind, cleanup would find it.
  const tags = { [TUTORIAL_TAG]: QUICKSTART_TAG_VALUES[kind.id], [RUN_TAG]: `doctor-${name}`, [DOCTOR_TAG]: "probe" };
  const done: string[] = [];
  let step = "create";
  try {
    await create(name, tags);
    done.push(step);
    step = "get";
    await kind.get(client, name);
    done.push(step);
    step = "list";
    await kind.listLive(client)[Symbol.asyncIterator]().next();
    done.push(step);
    step = "delete";
    const deleted = await kind.delete(client, name, { intervalInMs: 500 });
    ctx.probe = { recoveryLevel: deleted.recoveryLevel, recoverableDays: deleted.recoverableDays };
    done.push(step);
    if (deleted.recoveryLevel?.includes("Purgeable")) {
      step = "purge";
      await purgeWhenReady(client, name);
      done.push(step);
    }
    return pass(t().doctor.permissions.allowed(done));
  } catch (error) {
    const outcome = explained(error, t().doctor.permissions.refused(step, done));
    const forbidden = ["ForbiddenByRbac", "ForbiddenByPolicy", "SecretForbiddenByRbac", "SecretForbiddenByPolicy"].includes(explainError(error)?.id ?? "");
    return { ...outcome, detail: `${outcome.detail}\n${needed}`, ...(forbidden && permissionFix ? { fix: permissionFix } : {}) };
  } finally {
    // Whatever happened, leave nothing behind (a probe we could not create needs nothing).
    if (done.includes("create")) await removeProbe(client, name, tags[RUN_TAG]);
  }
}

/** The probe is ours by construction: if the careful cleanup (which reads its tags first) is refused, delete it directly. */
async function removeProbe(client: VaultObjectClient, name: string, runId: string): Promise<void> {
  const result = await cleanupObject(client, name, { runId, pollIntervalMs: 500 });
  if (result.outcome !== "failed") return;
  try {
    await kindOf(client).delete(client, name, { intervalInMs: 500 });
    await purgeWhenReady(client, name);
  } catch {
    // Reported by the check that failed; `kvq cleanup --yes` finds the tagged probe later.
  }
}

async function purgeWhenReady(client: VaultObjectClient, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await kindOf(client).purge(client, name);
    } catch (error) {
      const f = errorFacts(error);
      if (f.statusCode !== 409 || attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 300 * (attempt + 1)));
    }
  }
}

function explained(error: unknown, what: string): CheckOutcome {
  const explanation = explainError(error);
  const facts = errorFacts(error);
  const codes = [facts.statusCode, facts.innerCode ?? facts.code].filter(Boolean).join(" ");
  const message = facts.message.split("\n")[0];
  const m = t().doctor;
  if (explanation) return fail(`${m.failure(what, codes, explanation.meaning)}\n${m.serviceSaid(message)}`, explanation.fix);
  return fail(m.failure(what, codes, message), m.unexplainedFix);
}

function readCa(env: NodeJS.ProcessEnv): string {
  const file = emulatorCaFile(env);
  if (!file || !existsSync(file)) throw Object.assign(new Error(t().doctor.network.caMissing(file)), { code: "NOCA" });
  return readFileSync(file, "utf8");
}

function tlsHandshake(host: string, port: number, ca?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host, port, servername: /^[\d.:]+$/.test(host) ? undefined : host, ca });
    const timer = setTimeout(() => socket.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })), 5000);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export interface DoctorOptions {
  env?: NodeJS.ProcessEnv;
  projectRoot?: string;
  checks?: Check[];
  onStart?: (check: Check) => void;
  onResult?: (result: CheckResult) => void;
}

/** Runs every check in order; a check whose prerequisites did not pass is skipped, saying which. */
export async function runDoctor(options: DoctorOptions = {}): Promise<CheckResult[]> {
  const env = options.env ?? process.env;
  const projectRoot = options.projectRoot ?? path.resolve(__dirname, "..", "..");
  const loaded = loadEnvFile({ env, cwd: projectRoot });
  const ctx: DoctorContext = { env, projectRoot, envFile: loaded.file };
  const results: CheckResult[] = [];
  for (const check of options.checks ?? CHECKS) {
    options.onStart?.(check);
    const started = performance.now();
    const blocker = check.needs?.find((id) => !["pass", "warn"].includes(results.find((r) => r.id === id)?.status ?? "skip"));
    let outcome: CheckOutcome;
    if (blocker) {
      outcome = { status: "skip", detail: t().doctor.skipped((options.checks ?? CHECKS).find((c) => c.id === blocker)?.title ?? blocker) };
    } else {
      try {
        outcome = await check.run(ctx);
      } catch (error) {
        outcome = explained(error, t().doctor.couldNotRun(check.title));
      }
    }
    // Service messages can echo what was sent; a report is shared with instructors, so secrets go.
    const secrets = secretValues(env);
    const result: CheckResult = {
      id: check.id,
      title: check.title,
      ...outcome,
      detail: redact(outcome.detail, secrets),
      fix: outcome.fix && redact(outcome.fix, secrets),
      seconds: (performance.now() - started) / 1000,
    };
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}
