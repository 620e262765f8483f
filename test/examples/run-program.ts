/**
 * Runs a program to keep (examples/<folder>/<file>.ts) with `tsx`, as a learner would, against a
 * test vault: only the environment a learner sets — the vault's URL, the emulator's sign-in, its CA
 * trusted at start, and the one option a vault outside vault.azure.net needs. No .env, no helpers.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { PROJECT_ROOT } from "../helpers/cli";
import type { TestVault } from "../helpers/emulator";

export function runProgram(vault: TestVault, dir: string, args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SystemRoot: process.env.SystemRoot,
    ...vault.emulator.env,
    KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: "true",
  };
  const tsx = path.join(PROJECT_ROOT, "node_modules", "tsx", "dist", "cli.mjs");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, ...args], { cwd: dir, env, stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    if (stdin !== undefined) child.stdin!.end(stdin);
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
