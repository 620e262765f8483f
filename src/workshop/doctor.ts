/**
 * `kvq doctor`: the preflight checklist for a learner's machine — Node, dependencies, settings, the
 * vault's network path, sign-in, a permissions round trip per kind of object the tutorials make (a
 * tagged probe key, secret, certificate), and what the vault's soft-delete settings mean for the
 * tutorial. Every failure carries its fix; the probes are always cleaned up. Titles, details and
 * fixes are in the current language (i18n/); ids and statuses are not, so a JSON report is read the
 * same way from every machine.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { connect as tlsConnect } from "node:tls";
import { DefaultAzureCredential } from "@azure/identity";
import { CertificateClient, DefaultCertificatePolicy, type CertificateClientOptions } from "@azure/keyvault-certificates";
import { CryptographyClient, KeyClient } from "@azure/keyvault-keys";
import { SecretClient, type SecretClientOptions } from "@azure/keyvault-secrets";
import { cleanupObject } from "../cleanup";
import { kindOf, type KindId, type VaultObjectClient } from "../kinds/index";
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
const REQUIRED_PACKAGES = ["@azure/keyvault-keys", "@azure/keyvault-secrets", "@azure/keyvault-certificates", "@azure/identity", "tslab", "ora", "dotenv", "kvq"];
export const DOCTOR_TAG = "kvq-doctor";

/**
 * The kinds of object each tutorial makes, whose permissions `kvq doctor --tutorial` checks (the
 * certificates quickstart's round trip reads the certificate's key and secret too, as its notebook
 * does). Without --tutorial every kind is checked: a learner takes the course's notebooks in turn,
 * and a missing permission is best found before class, not at the third notebook.
 */
export const DOCTOR_TUTORIALS = {
  quickstart: ["key"],
  "beyond-the-quickstart": ["key"],
  "secrets-quickstart": ["secret"],
  "certificates-quickstart": ["certificate"],
} as const satisfies Record<string, readonly KindId[]>;
export type DoctorTutorial = keyof typeof DOCTOR_TUTORIALS;
export const DOCTOR_TUTORIAL_NAMES = Object.keys(DOCTOR_TUTORIALS) as DoctorTutorial[];
const ALL_KINDS: readonly KindId[] = ["key", "secret", "certificate"];

/** The SDK's options for a client of the vault the settings name (each SDK types its own service versions; none is set). */
const optionsFor = (ctx: DoctorContext) => clientOptionsFor(ctx.config!.vaultUrl, { env: ctx.env, onThrottle: () => undefined });

/** What the permissions round trip of a kind does that the others do not: its check's id and words, its client, its create. */
interface Probe {
  id: string;
  title(): string;
  needed(): string;
  /** The fix for a refusal, instead of the error rule's (which names the role for the refused object's kind). */
  permissionFix?(): string;
  client(ctx: DoctorContext): VaultObjectClient;
  create(client: VaultObjectClient, name: string, tags: Record<string, string>): Promise<unknown>;
  /** The create is a long-running operation: it can fail after the vault accepted it (its poller's reads), leaving a probe. */
  createPolls?: true;
  /** Steps after get and list, named as they are reported: the certificates quickstart reads the certificate's key and secret. */
  more?(ctx: DoctorContext, name: string): Array<[step: string, run: () => Promise<unknown>]>;
}

const PROBES: Record<KindId, Probe> = {
  key: {
    id: "permissions",
    title: () => t().doctor.permissions.title,
    needed: () => t().doctor.permissions.needed,
    client: (ctx) => (ctx.client = new KeyClient(ctx.config!.vaultUrl, ctx.credential!, optionsFor(ctx))),
    create: (client, name, tags) => (client as KeyClient).createRsaKey(name, { keySize: 2048, tags }),
  },
  secret: {
    id: "secret-permissions",
    title: () => t().doctor.secretPermissions.title,
    needed: () => t().doctor.secretPermissions.needed,
    permissionFix: () => t().doctor.secretPermissions.needed,
    client: (ctx) => new SecretClient(ctx.config!.vaultUrl, ctx.credential!, optionsFor(ctx) as SecretClientOptions),
    // The probe's value is made up here and never shown.
    create: (client, name, tags) => (client as SecretClient).setSecret(name, randomBytes(16).toString("hex"), { tags }),
  },
  certificate: {
    id: "certificate-permissions",
    title: () => t().doctor.certificatePermissions.title,
    needed: () => t().doctor.certificatePermissions.needed,
    permissionFix: () => t().doctor.certificatePermissions.needed,
    client: (ctx) => new CertificateClient(ctx.config!.vaultUrl, ctx.credential!, optionsFor(ctx) as CertificateClientOptions),
    // The default policy, as the quickstart creates its certificate: self-signed, issued while the
    // poller waits. Its reads of the pending operation need the certificates get permission.
    create: async (client, name, tags) => (await (client as CertificateClient).beginCreateCertificate(name, DefaultCertificatePolicy, { tags, intervalInMs: 500 })).pollUntilDone(),
    createPolls: true,
    // One name, three objects: the notebook reads the certificate's key (and signs with it) and its secret, each with its own client.
    more(ctx, name) {
      const keys = new KeyClient(ctx.config!.vaultUrl, ctx.credential!, optionsFor(ctx));
      let keyId = "";
      return [
        ["get key", async () => (keyId = (await keys.getKey(name)).id!)],
        ["sign", () => new CryptographyClient(keyId, ctx.credential!, optionsFor(ctx)).signData("RS256", Buffer.from("kvq doctor"))],
        // The value (the certificate with its private key) is read, as the notebook reads it, and dropped.
        ["get secret", async () => void (await new SecretClient(ctx.config!.vaultUrl, ctx.credential!, optionsFor(ctx) as SecretClientOptions).getSecret(name))],
      ];
    },
  },
};

/** The permissions check of a kind: its round trip with a tagged probe. */
const permissionsCheck = (probe: Probe): Check => ({
  id: probe.id,
  get title() {
    return probe.title();
  },
  needs: ["sign-in"],
  run: (ctx) => permissionsRoundTrip(ctx, probe),
});

/** The checklist, with the permissions round trips of the given kinds (default: every kind), in the kinds' order. */
export function doctorChecks(kinds: readonly KindId[] = ALL_KINDS): Check[] {
  const checked = ALL_KINDS.filter((k) => kinds.includes(k));
  const [first, ...rest] = checked.map((k) => permissionsCheck(PROBES[k]));
  // The soft-delete check reads what the first round trip's delete answered.
  return [...CHECKS_BEFORE, ...(first ? [first, ...rest, softDeleteCheck(first.id)] : [])];
}

// Titles are getters: read when a check starts, so they follow the language of that moment.
const CHECKS_BEFORE: Check[] = [
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
];

/** What the vault's soft delete means for the tutorial, from the delete of the round trip `after` (its first). */
const softDeleteCheck = (after: string): Check => ({
  id: "soft-delete",
  get title() {
    return t().doctor.softDelete.title;
  },
  needs: [after],
  async run(ctx) {
    const m = t().doctor.softDelete;
    const days = ctx.probe?.recoverableDays;
    const level = ctx.probe?.recoveryLevel ?? "";
    const kind = ctx.probe?.kind ?? "key";
    if (!level.includes("Purgeable")) return warn(m.purgeProtected(days, level, kind), m.purgeProtectedFix);
    return pass(m.purgeAllowed(days, level, kind));
  },
});

/** Every check, every kind's permissions among them: what `kvq doctor` runs without --tutorial. */
export const CHECKS: Check[] = doctorChecks();

const FORBIDDEN = ["ForbiddenByRbac", "ForbiddenByPolicy", "SecretForbiddenByRbac", "SecretForbiddenByPolicy", "CertificateForbiddenByRbac", "CertificateForbiddenByPolicy"];

/**
 * create → get → list (→ the kind's own steps) → delete → purge with a tagged probe object of the
 * probe's kind (a key, a secret, a certificate); the first refusal names the permission it needs.
 */
async function permissionsRoundTrip(ctx: DoctorContext, probe: Probe): Promise<CheckOutcome> {
  const client = probe.client(ctx);
  const kind = kindOf(client);
  const name = `kvq-doctor-probe-${randomBytes(4).toString("hex")}`;
  // Tagged as its kind's quickstart tags its objects: were it left behind, cleanup would find it.
  const tags = { [TUTORIAL_TAG]: QUICKSTART_TAG_VALUES[kind.id], [RUN_TAG]: `doctor-${name}`, [DOCTOR_TAG]: "probe" };
  const done: string[] = [];
  let step = "create";
  const run = async (next: string, work: () => Promise<unknown>) => {
    step = next;
    await work();
    done.push(step);
  };
  try {
    await run("create", () => probe.create(client, name, tags));
    await run("get", () => kind.get(client, name));
    await run("list", () => kind.listLive(client)[Symbol.asyncIterator]().next());
    for (const [more, work] of probe.more?.(ctx, name) ?? []) await run(more, work);
    let purgeable = false;
    await run("delete", async () => {
      const deleted = await kind.delete(client, name, { intervalInMs: 500 });
      // The first round trip's answer is the vault's: soft delete is the vault's setting, not a kind's.
      ctx.probe ??= { recoveryLevel: deleted.recoveryLevel, recoverableDays: deleted.recoverableDays, kind: kind.id };
      purgeable = deleted.recoveryLevel?.includes("Purgeable") ?? false;
    });
    if (purgeable) await run("purge", () => purgeWhenReady(client, name));
    return pass(t().doctor.permissions.allowed(done));
  } catch (error) {
    const outcome = explained(error, t().doctor.permissions.refused(step, done));
    const fix = FORBIDDEN.includes(explainError(error)?.id ?? "") ? probe.permissionFix?.() : undefined;
    // What the tutorial needs, said once: as the fix when it is the fix, otherwise under the detail.
    return fix ? { ...outcome, fix } : { ...outcome, detail: `${outcome.detail}\n${probe.needed()}` };
  } finally {
    // Whatever happened, leave nothing behind: a probe never created, or purged, needs nothing.
    const mayExist = done.includes("create") || (probe.createPolls && step === "create");
    if (mayExist && !done.includes("purge")) await removeProbe(client, name, tags[RUN_TAG]);
  }
}

/** The probe is ours by construction: if the careful cleanup (which reads its tags first) is refused, delete it directly. */
async function removeProbe(client: VaultObjectClient, name: string, runId: string): Promise<void> {
  // Not found live or deleted, a probe is gone (or was never made): half a second's grace is enough for one deleted just now.
  const result = await cleanupObject(client, name, { runId, pollIntervalMs: 500, graceMs: 500 });
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
  /** The kinds whose permissions to check (`--tutorial`: the kinds of that tutorial); default every kind. Ignored with `checks`. */
  kinds?: readonly KindId[];
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
  const checks = options.checks ?? doctorChecks(options.kinds);
  for (const check of checks) {
    options.onStart?.(check);
    const started = performance.now();
    const blocker = check.needs?.find((id) => !["pass", "warn"].includes(results.find((r) => r.id === id)?.status ?? "skip"));
    let outcome: CheckOutcome;
    if (blocker) {
      outcome = { status: "skip", detail: t().doctor.skipped(checks.find((c) => c.id === blocker)?.title ?? blocker) };
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
