/**
 * `kvq emulator` in a child process, for what a test process cannot do to itself: kill -9. With
 * raw HTTPS calls (no SDK retries), so every answer is seen as it was sent.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { get as httpGet } from "node:http";
import { Agent, request } from "node:https";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
export const API = "api-version=2025-07-01";

export interface RunningChild {
  child: ChildProcess;
  env: Record<string, string>;
  exited: Promise<void>;
  stderr: () => string;
}

const children: ChildProcess[] = [];

/** Kills what is still running (call from `after`). */
export function killChildren(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/** Starts `kvq emulator` on free ports and resolves once it has printed its environment. */
export function startChild(stateDir: string, args: string[] = [], options: { under?: string[] } = {}): Promise<RunningChild> {
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  // `under`: a command to run it under (strace …), its own arguments first.
  const command = [...(options.under ?? []), process.execPath, "--", "src/kvq.cjs", "emulator", "--port", "0", "--state", stateDir, "--delete-delay", "0", ...args];
  const child = spawn(command[0], command.slice(1), {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const limit = setTimeout(() => reject(new Error(`kvq emulator did not start within 60 s:\n${stderr}`)), 60_000);
    child.on("exit", (code) => reject(new Error(`kvq emulator exited (${code}) at start:\n${stderr}`)));
    child.stdout!.on("data", (d) => {
      stdout += d;
      const env = Object.fromEntries([...stdout.matchAll(/^([A-Z_]+)=(\S*)$/gm)].map((m) => [m[1], m[2]]));
      if (env.KEY_VAULT_URL && env.IDENTITY_ENDPOINT && env.IDENTITY_HEADER && env.KVQ_EMULATOR_CA) {
        clearTimeout(limit);
        resolve({ child, env, exited, stderr: () => stderr });
      }
    });
  });
}

/** SIGKILL, and the process is gone when this resolves. */
export async function kill9(running: RunningChild): Promise<void> {
  running.child.kill("SIGKILL");
  await running.exited;
}

export function childToken(env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const url = `${env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${encodeURIComponent("https://vault.azure.net")}`;
    httpGet(url, { headers: { "X-IDENTITY-HEADER": env.IDENTITY_HEADER } }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(body).access_token) : reject(new Error(`token: ${res.statusCode} ${body}`))));
    }).on("error", reject);
  });
}

export type Call = (method: string, target: string, body?: string) => Promise<number>;

/** Raw calls to the child's vault with a keep-alive agent; resolves to the status. */
export async function childCaller(running: RunningChild, maxSockets = 10): Promise<{ call: Call; agent: Agent }> {
  const agent = new Agent({ keepAlive: true, ca: readFileSync(running.env.KVQ_EMULATOR_CA, "utf8"), maxSockets });
  const bearer = await childToken(running.env);
  const call: Call = (method, target, body) =>
    new Promise((resolve, reject) => {
      const req = request(new URL(target, running.env.KEY_VAULT_URL), { method, agent, headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
  return { call, agent };
}
