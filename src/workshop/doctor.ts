/**
 * `kvq doctor`: the preflight checklist for a learner's machine — Node, dependencies, settings, the
 * vault's network path, sign-in, a permissions round trip with a tagged probe key, and what the
 * vault's soft-delete settings mean for the tutorial. Every failure carries its fix; the probe key
 * is always cleaned up.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { connect as tlsConnect } from "node:tls";
import { DefaultAzureCredential } from "@azure/identity";
import { KeyClient } from "@azure/keyvault-keys";
import { cleanupKey } from "../cleanup";
import { clientOptionsFor, emulatorCaFile, isLocalVaultUrl } from "../client-options";
import { checkEnvironment, loadEnvFile } from "../env";
import { formatProblem } from "../problems";
import { RUN_TAG, TUTORIAL_TAG, TUTORIAL_TAG_VALUE } from "../run-ledger";
import { redact, secretValues } from "../secrets";
import { errorFacts, explainError } from "../vault-errors";
import { fail, pass, warn, type Check, type CheckOutcome, type CheckResult, type DoctorContext } from "./checks";
import { probeSignIn } from "./sign-in-probe";

const MIN_NODE = [20, 19];

/** Node ≥ 20.19: the notebook's ESM-only packages (ora) load through require(). */
export function nodeVersionOk(version: string): boolean {
  const [major, minor] = version.replace(/^v/, "").split(".").map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}
const REQUIRED_PACKAGES = ["@azure/keyvault-keys", "@azure/identity", "tslab", "ora", "dotenv", "kvq"];
export const DOCTOR_TAG = "kvq-doctor";

export const CHECKS: Check[] = [
  {
    id: "node",
    title: "Node.js version",
    async run() {
      return nodeVersionOk(process.versions.node)
        ? pass(`Node.js ${process.versions.node}`)
        : fail(`Node.js ${process.versions.node} is too old: the notebook needs ${MIN_NODE.join(".")} or later (require() of ES modules).`, "Install the current Node.js LTS from https://nodejs.org, then run npm install again.");
    },
  },
  {
    id: "dependencies",
    title: "Dependencies installed",
    async run(ctx) {
      // Looked up on disk: some packages (ora) do not export their package.json to require.resolve.
      const missing = REQUIRED_PACKAGES.filter((name) => !existsSync(path.join(ctx.projectRoot, "node_modules", name, "package.json")));
      return missing.length === 0
        ? pass(`${REQUIRED_PACKAGES.join(", ")}`)
        : fail(`Not installed: ${missing.join(", ")}.`, `Run npm install in ${ctx.projectRoot}.`);
    },
  },
  {
    id: "settings",
    title: "Settings (.env)",
    async run(ctx) {
      const check = checkEnvironment(ctx.env);
      const source = ctx.envFile ? `${ctx.envFile}` : "the environment (no .env found)";
      if (!check.ok) {
        return fail(`${check.problems.length} problem(s) in ${source}:\n${check.problems.map((p) => formatProblem(p)).join("\n")}`, check.problems.map((p) => p.fix).join("\n"));
      }
      ctx.config = check.config;
      const summary = `${check.config.vaultUrl} (${check.config.where}), sign-in: ${check.config.signIn.description}; from ${source}`;
      if (check.config.warnings.length > 0) {
        return warn(`${summary}\n${check.config.warnings.map((w) => formatProblem(w, "⚠")).join("\n")}`, check.config.warnings.map((w) => w.fix).join("\n"));
      }
      return pass(summary);
    },
  },
  {
    id: "network",
    title: "Vault reachable over verified TLS",
    needs: ["settings"],
    async run(ctx) {
      const url = new URL(ctx.config!.vaultUrl);
      const local = isLocalVaultUrl(url.href);
      const port = Number(url.port || 443);
      try {
        const ca = local ? readCa(ctx.env) : undefined;
        await tlsHandshake(url.hostname, port, ca);
        return pass(`${url.host}: TLS handshake verified${local ? " with the emulator's CA" : ""}.`);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "";
        if (code === "ENOTFOUND" || code === "EAI_AGAIN") return fail(`${url.hostname} does not resolve.`, "Check KEY_VAULT_NAME / KEY_VAULT_URL against `az keyvault list -o table`, and your network or VPN.");
        if (code === "ECONNREFUSED") {
          return fail(`Nothing answers at ${url.host}.`, local ? "Start the emulator: npm run emulator (and keep it running)." : "Check the vault's address and your network; a firewall may block port 443.");
        }
        if (code === "ETIMEDOUT" || code === "TIMEOUT") return fail(`${url.host} did not answer within 5 s.`, "Check your network, proxy or VPN; private-endpoint vaults answer only on their private network.");
        return fail(`TLS to ${url.host} failed: ${(error as Error).message}`, local ? "Restart the emulator (npm run emulator) so .env names its current CA." : "Check the system time and any TLS-inspecting proxy; never turn verification off.");
      }
    },
  },
  {
    id: "sign-in",
    title: "Sign-in (DefaultAzureCredential)",
    needs: ["network"],
    async run(ctx) {
      ctx.credential = new DefaultAzureCredential();
      try {
        const probe = await probeSignIn(ctx.credential);
        const who = probe.credentialName ? `${probe.credentialName}` : "a credential in the chain";
        const warnings = ctx.config!.warnings.filter((w) => w.code === "service-principal-in-use");
        const detail = `Token from ${who}, valid until ${probe.expiresOn.toISOString()}.`;
        return warnings.length > 0 ? warn(`${detail} ${warnings[0].message}`, warnings[0].fix) : pass(detail);
      } catch (error) {
        return explained(error, "Getting a token failed");
      }
    },
  },
  {
    id: "permissions",
    title: "Permissions round trip (probe key)",
    needs: ["sign-in"],
    async run(ctx) {
      ctx.client = new KeyClient(ctx.config!.vaultUrl, ctx.credential!, clientOptionsFor(ctx.config!.vaultUrl, { env: ctx.env, onThrottle: () => undefined }));
      return permissionsRoundTrip(ctx, ctx.client);
    },
  },
  {
    id: "soft-delete",
    title: "Soft delete and purge protection",
    needs: ["permissions"],
    async run(ctx) {
      const days = ctx.probe?.recoverableDays;
      const level = ctx.probe?.recoveryLevel ?? "";
      const retention = days ? `Deleted keys are kept ${days} days` : "Deleted keys are kept for the vault's retention period";
      if (!level.includes("Purgeable")) {
        return warn(
          `${retention}, and purge protection is on (${level}): the tutorial's clean-up can delete its key but not purge it, so each run's key name stays taken for ${days ?? "the retention"} days.`,
          "Fine for one run. For a tutorial you repeat, use a vault without purge protection (it cannot be turned off on an existing vault).",
        );
      }
      return pass(`${retention}; purge is allowed (${level}), so the tutorial's clean-up removes its key completely.`);
    },
  },
];

/** create → get → list → delete → purge with a tagged probe key; the first refusal names the permission it needs. */
async function permissionsRoundTrip(ctx: DoctorContext, client: KeyClient): Promise<CheckOutcome> {
  const name = `kvq-doctor-probe-${randomBytes(4).toString("hex")}`;
  const tags = { [TUTORIAL_TAG]: TUTORIAL_TAG_VALUE, [RUN_TAG]: `doctor-${name}`, [DOCTOR_TAG]: "probe" };
  const done: string[] = [];
  let step = "create";
  try {
    await client.createRsaKey(name, { keySize: 2048, tags });
    done.push(step);
    step = "get";
    await client.getKey(name);
    done.push(step);
    step = "list";
    await client.listPropertiesOfKeys().byPage({ maxPageSize: 1 }).next();
    done.push(step);
    step = "delete";
    const deleted = await (await client.beginDeleteKey(name, { intervalInMs: 500 })).pollUntilDone();
    ctx.probe = { recoveryLevel: deleted.properties.recoveryLevel, recoverableDays: deleted.properties.recoverableDays };
    done.push(step);
    if (deleted.properties.recoveryLevel?.includes("Purgeable")) {
      step = "purge";
      await purgeWhenReady(client, name);
      done.push(step);
    }
    return pass(`${done.join(", ")}: all allowed.`);
  } catch (error) {
    const outcome = explained(error, `${step} was refused after ${done.length > 0 ? done.join(", ") + " succeeded" : "nothing succeeded"}`);
    return { ...outcome, detail: `${outcome.detail}\nThe tutorial needs: get, list, create, delete, recover and purge on keys.` };
  } finally {
    // Whatever happened, leave nothing behind (a key we could not create needs nothing).
    if (done.includes("create")) await removeProbe(client, name, tags[RUN_TAG]);
  }
}

/** The probe is ours by construction: if the careful cleanup (which reads the key's tags first) is refused, delete it directly. */
async function removeProbe(client: KeyClient, name: string, runId: string): Promise<void> {
  const result = await cleanupKey(client, name, { runId, pollIntervalMs: 500 });
  if (result.outcome !== "failed") return;
  try {
    await (await client.beginDeleteKey(name, { intervalInMs: 500 })).pollUntilDone();
    await purgeWhenReady(client, name);
  } catch {
    // Reported by the check that failed; `kvq cleanup --yes` finds the tagged probe later.
  }
}

async function purgeWhenReady(client: KeyClient, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.purgeDeletedKey(name);
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
  if (explanation) return fail(`${what}: ${codes ? `${codes}: ` : ""}${explanation.meaning}\n(${message})`, explanation.fix);
  return fail(`${what}: ${codes ? `${codes}: ` : ""}${message}`, "Run the notebook's first cell for details, or see the troubleshooting table in setup.md.");
}

function readCa(env: NodeJS.ProcessEnv): string {
  const file = emulatorCaFile(env);
  if (!file || !existsSync(file)) throw Object.assign(new Error(`the emulator's CA file ${file ?? "(not set)"} is missing`), { code: "NOCA" });
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
      outcome = { status: "skip", detail: `Skipped: needs "${(options.checks ?? CHECKS).find((c) => c.id === blocker)?.title ?? blocker}" to pass first.` };
    } else {
      try {
        outcome = await check.run(ctx);
      } catch (error) {
        outcome = explained(error, `${check.title} could not run`);
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
