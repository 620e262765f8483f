/**
 * The emulator's write benchmark (issue 10): what durability costs and whether key generation
 * starves other requests. With every acknowledged write on disk (fsync'd) it measures
 *   - EC P-256 creates/s and tag updates/s (16 clients; p50/p99 latency),
 *   - GET/s beside them, and
 *   - GET latency while eight RSA-4096 keys are being generated.
 *   - the time a start takes with 5,000 keys in the state folder.
 * Printed, never asserted. The load runs in a child process (this file with `--load PLAN`) so it
 * does not share the server's event loop. Loopback only, bounded by time; it leaves no process or
 * folder behind.
 *
 * Before and after in one run: with KVQ_BENCH_BASE set to another checkout of the project (a git
 * worktree of the commit to compare with, npm install'ed), both trees' emulators are driven in
 * turn, round after round, and printed side by side:
 *   git worktree add ../base <commit> && (cd ../base && npm install)
 *   KVQ_BENCH_BASE=../base npm run bench -- emulator-durability
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
  return `${Math.round(r.perSecond).toLocaleString("en-US")}/s p50 ${r.p50.toFixed(1)} p99 ${r.p99.toFixed(1)} ms${failures.length ? ` non-200 ${JSON.stringify(Object.fromEntries(failures))}` : ""}`;
};

type EmulatorModule = typeof import("../src/emulator/index");

/** A tree whose emulator is measured: this one, and (KVQ_BENCH_BASE) another checkout to compare with. */
interface Side {
  label: string;
  emulator: EmulatorModule;
}

function sides(): Side[] {
  // Loaded here, not at the top: the load child must not pay for the emulator's modules.
  const here: Side = { label: `this tree (${gitHead(path.resolve(__dirname, ".."))})`, emulator: require("../src/emulator/index") };
  const base = process.env.KVQ_BENCH_BASE;
  if (!base) return [here];
  const other: Side = { label: `${path.basename(base)} (${gitHead(base)})`, emulator: require(path.join(path.resolve(base), "src", "emulator", "index")) };
  return [other, here];
}

function gitHead(dir: string): string {
  try {
    return require("node:child_process").execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: dir, encoding: "utf8" }).trim();
  } catch {
    return "?";
  }
}

function request200(url: string, ca: string, token: string, method: string, target: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${target}`, { method, ca, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const PLANS: { kind: Kind; concurrency: number }[] = [
  { kind: "create-ec", concurrency: 16 },
  { kind: "update-tags", concurrency: 16 },
  { kind: "get", concurrency: 16 },
  { kind: "get", concurrency: 4 },
  { kind: "get-during-rsa4096", concurrency: 4 },
];

/**
 * One round of every load, each against a fresh vault of this side holding one key: a vault left
 * with the thousands of keys a faster create round made would make its GETs pay for more garbage
 * collection than the other side's.
 */
async function loadRound(side: Side): Promise<Result[]> {
  const results: Result[] = [];
  for (const plan of PLANS) {
    const stateDir = mkdtempSync(path.join(tmpdir(), "kvq-bench-durability-"));
    const emulator = await side.emulator.startEmulator({ port: 0, stateDir, keyPoolSize: 0, limits: { keys: 1_000_000 }, onNotice: () => undefined });
    try {
      const token = (await emulator.issueToken()).accessToken;
      const status = await request200(emulator.url, emulator.caPem, token, "POST", `/keys/bench-key/create?${API}`, '{"kty":"EC"}');
      if (status !== 200) throw new Error(`creating the benchmark key answered ${status}`);
      results.push(await load({ url: emulator.url, caFile: emulator.caCertPath, token, keyName: "bench-key", durationMs: SECONDS * 1000, ...plan }));
    } finally {
      await emulator.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  }
  return results;
}

const KEYS_AT_START = 5000;

/**
 * An older emulator's state folder with 5,000 keys (4,000 EC P-256, 1,000 RSA-2048 on 50 key pairs),
 * as vault.json: what both trees can start from. The first start of a tree with vault.db moves it
 * over (timed apart); the starts after it are the ones compared.
 */
function legacyFolderWithKeys(): string {
  const { generateKeyPairSync, randomBytes } = require("node:crypto") as typeof import("node:crypto");
  const rsa = Array.from({ length: 50 }, () => generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }));
  const keys: Record<string, unknown> = {};
  for (let i = 0; i < KEYS_AT_START; i++) {
    const name = `start-key-${i}`;
    const jwk = i % 5 === 4 ? { kty: "RSA", ...pick(rsa[i % 50], ["n", "e", "d", "p", "q", "dp", "dq", "qi"]) } : ecJwk(generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ format: "jwk" }));
    const ops = jwk.kty === "RSA" ? ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"] : ["sign", "verify"];
    keys[name] = { name, versions: [{ version: randomBytes(16).toString("hex"), jwk, keyOps: ops, enabled: true, created: 1_700_000_000, updated: 1_700_000_000, tags: { n: String(i) } }] };
  }
  const dir = mkdtempSync(path.join(tmpdir(), "kvq-bench-start-"));
  require("node:fs").writeFileSync(path.join(dir, "vault.json"), JSON.stringify({ format: 1, keys, deleted: {} }), { mode: 0o600 });
  require("node:fs").chmodSync(dir, 0o700);
  return dir;
}
const pick = (o: Record<string, unknown>, fields: string[]) => Object.fromEntries(fields.map((f) => [f, o[f]]));
const ecJwk = (j: Record<string, unknown>) => ({ kty: "EC", crv: "P-256", x: j.x, y: j.y, d: j.d });

/** Milliseconds from startEmulator() to a vault that answers, on a copy of the folder. */
async function startMs(side: Side, folder: string): Promise<number> {
  const started = performance.now();
  const emulator = await side.emulator.startEmulator({ port: 0, stateDir: folder, keyPoolSize: 0, onNotice: () => undefined });
  const ms = performance.now() - started;
  await emulator.close();
  return ms;
}

async function main(): Promise<void> {
  const all = sides();
  const ROUNDS = all.length > 1 ? 2 : 1;
  const loads = new Map<Side, Result[][]>(all.map((s) => [s, []]));
  // Interleaved: a noisy moment of the machine falls on both trees alike.
  for (let round = 0; round < ROUNDS; round++) for (const side of all) loads.get(side)!.push(await loadRound(side));

  // A learner's folder: no keys (the CA and secrets made by a first start).
  const empty = new Map<Side, number[]>(all.map((s) => [s, []]));
  for (const side of all) {
    const folder = mkdtempSync(path.join(tmpdir(), "kvq-bench-start-empty-"));
    try {
      await startMs(side, folder);
      for (let round = 0; round < 5; round++) empty.get(side)!.push(await startMs(side, folder));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  const legacy = legacyFolderWithKeys();
  const starts = new Map<Side, number[]>(all.map((s) => [s, []]));
  const firstStarts = new Map<Side, number>();
  const folders = new Map<Side, string>();
  try {
    for (const side of all) {
      const folder = mkdtempSync(path.join(tmpdir(), "kvq-bench-start-copy-"));
      require("node:fs").cpSync(legacy, folder, { recursive: true });
      folders.set(side, folder);
      firstStarts.set(side, await startMs(side, folder));
    }
    for (let round = 0; round < 5; round++) for (const side of all) starts.get(side)!.push(await startMs(side, folders.get(side)!));
  } finally {
    for (const dir of [legacy, ...folders.values()]) rmSync(dir, { recursive: true, force: true });
  }

  const what = [
    "EC P-256 creates, 16 clients (durable)",
    "tag updates (PATCH), 16 clients (durable)",
    "GET key, 16 clients",
    "GET key, 4 clients, idle vault",
    "GET key, 4 clients, while 8 RSA-4096 creates run",
  ];
  const best = (side: Side, i: number) => loads.get(side)!.map((round) => round[i]).sort((a, b) => b.perSecond - a.perSecond)[0];
  const rows: string[][] = [["", ...all.map((s) => s.label), ...(all.length > 1 ? ["after / before"] : [])]];
  what.forEach((label, i) => {
    const results = all.map((side) => best(side, i));
    const cells = results.map((r) => (i === 4 ? `${fmt(r)} max ${r.max.toFixed(0)} ms (${r.rsaCreated} RSA made)` : fmt(r)));
    rows.push([label, ...cells, ...(all.length > 1 ? [`${(results[1].perSecond / results[0].perSecond).toFixed(2)}×`] : [])]);
  });
  const emptyRatio = all.length > 1 ? [`${(median(empty.get(all[1])!) / median(empty.get(all[0])!)).toFixed(2)}× the time`] : [];
  rows.push(["start with no keys (median of 5)", ...all.map((side) => `${median(empty.get(side)!).toFixed(0)} ms`), ...emptyRatio]);
  const startCells = all.map((side) => `${median(starts.get(side)!).toFixed(0)} ms (first start ${firstStarts.get(side)!.toFixed(0)} ms)`);
  const startRatio = all.length > 1 ? [`${(median(starts.get(all[1])!) / median(starts.get(all[0])!)).toFixed(2)}× the time`] : [];
  rows.push([`start with ${KEYS_AT_START.toLocaleString("en-US")} keys (median of 5)`, ...startCells, ...startRatio]);

  console.log(
    `kvq emulator write benchmark — Node ${process.version}, ${availableParallelism()} CPUs, loopback, load from a separate process, ${SECONDS} s each` +
      (all.length > 1 ? `, trees interleaved, the better of ${ROUNDS} rounds` : ""),
  );
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd());
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

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
