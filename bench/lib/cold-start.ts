/** `kvq emulator` in a fresh process, timed from spawn to its first answered request (bench/machinery.ts, bench/startup.ts). */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import path from "node:path";
import { ROOT } from "./timed";

/** Seconds from spawn to the first answered request (a 401 challenge counts); `env` is added to this process's. */
export function emulatorColdStart(stateDir: string, env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--", path.join(ROOT, "src", "kvq.cjs"), "emulator", "--port", "0", "--state", stateDir], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => reject(new Error(`kvq emulator exited (${code}): ${stderr}`)));
    child.stdout.on("data", (d) => {
      stdout += d;
      const url = /^KEY_VAULT_URL=(\S+)$/m.exec(stdout)?.[1];
      if (!url) return;
      stdout = "";
      const ca = readFileSync(path.join(stateDir, "tls", "ca.pem"), "utf8");
      const req = request(`${url}/keys?api-version=2025-07-01`, { ca, agent: false }, (res) => {
        res.resume();
        res.on("end", () => {
          const elapsed = (performance.now() - started) / 1000;
          child.removeAllListeners("exit");
          child.on("exit", () => resolve(elapsed));
          child.kill("SIGTERM");
        });
      });
      req.on("error", reject);
      req.end();
    });
  });
}
