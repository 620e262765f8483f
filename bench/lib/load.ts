/**
 * The load generator for bench/emulator.ts, run as a child process so its work never shares the
 * server's event loop. It reads a plan (JSON, first argument), keeps `concurrency` requests in
 * flight over keep-alive HTTPS connections that trust the emulator's CA, and prints one JSON line
 * with what it measured. Bounded by time; loopback only.
 */
import { readFileSync } from "node:fs";
import { Agent, request } from "node:https";

export interface LoadPlan {
  url: string;
  caFile: string;
  token: string;
  kind: "get" | "create";
  concurrency: number;
  /** Requests during this time are not counted: connections are opened and code is warmed up. */
  warmupMs: number;
  durationMs: number;
  /** For "get": the key to read. */
  keyName?: string;
}

export interface LoadResult {
  requests: number;
  elapsedMs: number;
  perSecond: number;
  statuses: Record<string, number>;
  latencyMs: { p50: number; p99: number; max: number };
}

async function main(plan: LoadPlan): Promise<LoadResult> {
  const url = new URL(plan.url);
  if (!["localhost", "127.0.0.1", "[::1]"].includes(url.hostname)) throw new Error(`The benchmark only loads a local vault, not ${plan.url}.`);
  const agent = new Agent({ keepAlive: true, maxSockets: plan.concurrency, ca: readFileSync(plan.caFile, "utf8") });
  let sequence = 0;

  const send = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const n = sequence++;
      const [method, path, body] =
        plan.kind === "get"
          ? ["GET", `/keys/${plan.keyName}/?api-version=2025-07-01`, undefined]
          : ["POST", `/keys/bench-${process.pid}-${n}/create?api-version=2025-07-01`, '{"kty":"RSA","key_size":2048}'];
      const req = request(
        new URL(path, plan.url),
        { method, agent, headers: { authorization: `Bearer ${plan.token}`, ...(body ? { "content-type": "application/json" } : {}) } },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(body);
    });

  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  const measureFrom = performance.now() + plan.warmupMs;
  const endAt = measureFrom + plan.durationMs;
  const worker = async () => {
    while (performance.now() < endAt) {
      const started = performance.now();
      const status = await send();
      if (started >= measureFrom) {
        statuses[status] = (statuses[status] ?? 0) + 1;
        latencies.push(performance.now() - started);
      }
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
  const elapsedMs = performance.now() - measureFrom;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    elapsedMs,
    perSecond: latencies.length / (elapsedMs / 1000),
    statuses,
    latencyMs: { p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1] ?? 0 },
  };
}

if (require.main === module) {
  main(JSON.parse(process.argv[2]) as LoadPlan).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error) => {
      process.stderr.write(`load: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
