/**
 * The emulator's write benchmark (issue 10): what durability costs and whether key generation
 * starves other requests. With every acknowledged write on disk (fsync'd) it measures
 *   - EC P-256 creates/s and tag updates/s (16 clients; p50/p99 latency),
 *   - GET/s beside them, and
 *   - GET latency while eight RSA-4096 keys are being generated.
 * Printed, never asserted. The load runs in a child process (this file with `--load PLAN`) so it
 * does not share the server's event loop. Loopback only, bounded by time; it leaves no process or
 * folder behind.
 *
 * The numbers before the write-ahead journal were taken by running this same file on the commit
 * before it (`git stash; git checkout <base> -- src/emulator; npm run bench -- emulator-durability`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:https";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";

const API = "api-version=2025-07-01";
const SECONDS = 4;

type Kind = "create-ec" | "update-tags" | "get" | "get-during-rsa4096";
interface Plan {
  url: string;
  caFile: string;
  token: string;
  kind: Kind;
  concurrency: number;
  durationMs: number;
  keyName: string;
}
interface Result {
  requests: number;
  perSecond: number;
  statuses: Record<string, number>;
  p50: number;
  p99: number;
  max: number;
  rsaCreated?: number;
}

/** The load generator: keeps `concurrency` requests in flight and reports rate and latency. */
async function runLoad(plan: Plan): Promise<Result> {
  if (!["localhost", "127.0.0.1"].includes(new URL(plan.url).hostname)) throw new Error("The benchmark only loads a local vault.");
  const ca = readFileSync(plan.caFile, "utf8");
  const agent = new Agent({ keepAlive: true, maxSockets: plan.concurrency + 8, ca });
  let n = 0;
  const send = (method: string, target: string, body?: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request(new URL(target, plan.url), { method, agent, headers: { authorization: `Bearer ${plan.token}`, "content-type": "application/json" } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("error", reject);
      req.end(body);
    });
  const one = (): Promise<number> => {
    const i = n++;
    switch (plan.kind) {
      case "create-ec":
        return send("POST", `/keys/ec-${process.pid}-${i}/create?${API}`, '{"kty":"EC","crv":"P-256"}');
      case "update-tags":
        return send("PATCH", `/keys/${plan.keyName}/?${API}`, JSON.stringify({ tags: { round: String(i), owner: "bench" } }));
      default:
        return send("GET", `/keys/${plan.keyName}/?${API}`);
    }
  };
  let rsaCreated = 0;
  let stopRsa = false;
  const rsa =
    plan.kind === "get-during-rsa4096"
      ? Array.from({ length: 8 }, async (_, w) => {
          for (let i = 0; !stopRsa; i++) {
            if ((await send("POST", `/keys/rsa-${process.pid}-${w}-${i}/create?${API}`, '{"kty":"RSA","key_size":4096}')) === 200) rsaCreated++;
          }
        })
      : [];
  if (rsa.length > 0) await new Promise((r) => setTimeout(r, 300)); // let the generations begin
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  const started = performance.now();
  const endAt = started + plan.durationMs;
  await Promise.all(
    Array.from({ length: plan.concurrency }, async () => {
      while (performance.now() < endAt) {
        const t = performance.now();
        const status = await one();
        statuses[status] = (statuses[status] ?? 0) + 1;
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = performance.now() - started;
  stopRsa = true;
  await Promise.all(rsa);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { requests: latencies.length, perSecond: latencies.length / (elapsed / 1000), statuses, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? 0, rsaCreated };
}

const children = new Set<ChildProcess>();
function load(plan: Plan): Promise<Result> {
  const child = spawn(process.execPath, ["--import", "tsx", __filename, "--load", JSON.stringify(plan)], { stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  return new Promise((resolve, reject) =>
    child.on("exit", (code) => {
      children.delete(child);
      if (code !== 0) reject(new Error(`the load generator failed: ${stderr}`));
      else resolve(JSON.parse(stdout.trim().split("\n").pop()!) as Result);
    }),
  );
}

const fmt = (r: Result) => {
  const failures = Object.entries(r.statuses).filter(([s]) => s !== "200");
  return `${Math.round(r.perSecond).toLocaleString("en-US")}/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms${failures.length ? `, non-200: ${JSON.stringify(Object.fromEntries(failures))}` : ""}`;
};

async function main(): Promise<void> {
  // Loaded here, not at the top: the load child must not pay for the emulator's modules.
  const { startEmulator } = require("../src/emulator/index") as typeof import("../src/emulator/index");
  const stateDir = mkdtempSync(path.join(tmpdir(), "kvq-bench-durability-"));
  const emulator = await startEmulator({ port: 0, stateDir, keyPoolSize: 0 });
  const rows: [string, string][] = [];
  try {
    const token = (await emulator.issueToken()).accessToken;
    const base = { url: emulator.url, caFile: emulator.caCertPath, token, keyName: "bench-key", durationMs: SECONDS * 1000 };
    const { status } = await new Promise<{ status: number }>((resolve, reject) => {
      const req = request(`${emulator.url}/keys/bench-key/create?${API}`, { method: "POST", ca: emulator.caPem, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
      });
      req.on("error", reject);
      req.end('{"kty":"EC"}');
    });
    if (status !== 200) throw new Error(`creating the benchmark key answered ${status}`);
    rows.push(["EC P-256 creates, 16 clients (durable)", fmt(await load({ ...base, kind: "create-ec", concurrency: 16 }))]);
    rows.push(["tag updates (PATCH), 16 clients (durable)", fmt(await load({ ...base, kind: "update-tags", concurrency: 16 }))]);
    rows.push(["GET key, 16 clients", fmt(await load({ ...base, kind: "get", concurrency: 16 }))]);
    rows.push(["GET key, 4 clients, idle vault", fmt(await load({ ...base, kind: "get", concurrency: 4 }))]);
    const during = await load({ ...base, kind: "get-during-rsa4096", concurrency: 4 });
    rows.push(["GET key, 4 clients, while 8 RSA-4096 creates run", `${fmt(during)}, max ${during.max.toFixed(0)} ms (${during.rsaCreated} RSA-4096 made)`]);
  } finally {
    await emulator.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`kvq emulator write benchmark — Node ${process.version}, ${availableParallelism()} CPUs, loopback, load from a separate process, ${SECONDS} s each`);
  for (const [what, result] of rows) console.log(`${what.padEnd(width)}  ${result}`);
}

if (process.argv[2] === "--load") {
  runLoad(JSON.parse(process.argv[3]) as Plan).then(
    (r) => console.log(JSON.stringify(r)),
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
} else {
  main()
    .catch((error) => {
      console.error(`bench/emulator-durability: ${(error as Error).stack ?? error}`);
      process.exitCode = 1;
    })
    .finally(() => {
      for (const child of children) child.kill("SIGKILL");
    });
}
