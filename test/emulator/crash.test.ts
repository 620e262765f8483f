/**
 * Nothing acknowledged is lost: `kvq emulator` in a child process, under a burst of creates and
 * deletes from several clients, is killed with SIGKILL at a random moment, several rounds over,
 * each restart on the same state folder. After every restart each create that got a 2xx is there
 * and each delete that got a 2xx stays deleted; no temp file of an interrupted write is left.
 * Raw HTTPS (no SDK retries) so that every answer is seen as it was sent.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { get as httpGet } from "node:http";
import { Agent, request } from "node:https";
import path from "node:path";
import { after, test } from "node:test";
import { tempDir } from "../helpers/emulator";

const ROOT = path.resolve(__dirname, "../..");
const API = "api-version=2025-07-01";
const ROUNDS = 5;
const CLIENTS = 8;

const dirs: string[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  env: Record<string, string>;
  exited: Promise<void>;
}

/** Starts `kvq emulator` on free ports and resolves once it has printed its environment. */
function startChild(stateDir: string): Promise<Running> {
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const child = spawn(process.execPath, ["--", "src/kvq.cjs", "emulator", "--port", "0", "--state", stateDir, "--delete-delay", "0"], {
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
        resolve({ child, env, exited });
      }
    });
  });
}

function token(env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const url = `${env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${encodeURIComponent("https://vault.azure.net")}`;
    httpGet(url, { headers: { "X-IDENTITY-HEADER": env.IDENTITY_HEADER } }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(body).access_token) : reject(new Error(`token: ${res.statusCode} ${body}`))));
    }).on("error", reject);
  });
}

type Call = (method: string, target: string, body?: string) => Promise<number>;

function caller(env: Record<string, string>, bearer: string, agent: Agent): Call {
  return (method, target, body) =>
    new Promise((resolve, reject) => {
      const req = request(new URL(target, env.KEY_VAULT_URL), { method, agent, headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
}

test("every acknowledged create and delete survives SIGKILL at random points", { timeout: 300_000 }, async () => {
  const stateDir = tempDir("kvq-crash-");
  dirs.push(stateDir);
  const created = new Set<string>();
  const deleted = new Set<string>();
  let acknowledged = 0;

  for (let round = 0; round <= ROUNDS; round++) {
    const running = await startChild(stateDir);
    const ca = (await import("node:fs")).readFileSync(running.env.KVQ_EMULATOR_CA, "utf8");
    const agent = new Agent({ keepAlive: true, ca, maxSockets: CLIENTS + 2 });
    const call = caller(running.env, await token(running.env), agent);

    // Everything acknowledged before any earlier kill is here, and every acknowledged delete stayed.
    assert.deepEqual(readdirSync(stateDir).filter((f) => f.endsWith(".tmp")), [], "no temp file is left after a restart");
    const whereStatusIsNot = async (names: Set<string>, expected: number) => {
      const wrong: string[] = [];
      const queue = [...names];
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
            if ((await call("GET", `/keys/${name}/?${API}`)) !== expected) wrong.push(name);
          }
        }),
      );
      return wrong.sort();
    };
    const missing = await whereStatusIsNot(created, 200);
    const revived = await whereStatusIsNot(deleted, 404);
    assert.deepEqual(missing, [], `round ${round}: acknowledged creates lost`);
    assert.deepEqual(revived, [], `round ${round}: acknowledged deletes came back`);
    if (round === ROUNDS) {
      running.child.kill("SIGTERM");
      await running.exited;
      agent.destroy();
      break;
    }

    // The burst: each client creates EC keys and deletes every other one it made, until the kill.
    // The kill comes at a random point counted in acknowledged writes (a loaded machine or a slow
    // disk changes how long a write takes, not where the kill falls), plus a random few milliseconds:
    // early in even rounds (right after start), later in odd ones (in a steady burst).
    let killed = false;
    let roundAcks = 0;
    /** The first answer that was not a success before the kill, for the message if the burst stalls. */
    let firstProblem = "none";
    const problem = (what: string) => {
      if (!killed && firstProblem === "none") firstProblem = what;
    };
    const killAfter = round % 2 === 0 ? 1 + Math.floor(Math.random() * 10) : 40 + Math.floor(Math.random() * 120);
    let reached!: () => void;
    const killPoint = new Promise<void>((resolve) => (reached = resolve));
    const ack = () => {
      acknowledged++;
      if (++roundAcks >= killAfter) reached();
    };
    const burst = Array.from({ length: CLIENTS }, async (_, client) => {
      for (let i = 0; !killed; i++) {
        const name = `r${round}-c${client}-k${i}`;
        try {
          const createStatus = await call("POST", `/keys/${name}/create?${API}`, '{"kty":"EC","crv":"P-256"}');
          if (createStatus !== 200) {
            problem(`create answered ${createStatus}`);
            continue;
          }
          created.add(name);
          ack();
          if (i % 2 === 1) {
            // While the delete is unanswered the key may be either: a write can land without its answer arriving.
            created.delete(name);
            const status = await call("DELETE", `/keys/${name}?${API}`);
            if (status === 200) {
              deleted.add(name);
              ack();
            } else {
              problem(`delete answered ${status}`);
              created.add(name);
            }
          }
        } catch (error) {
          problem(`${(error as Error).message}`);
          return; // the connection died with the emulator: the answer never came, nothing was acknowledged
        }
      }
    });
    const stalled = setTimeout(() => reached(), 60_000);
    await killPoint;
    clearTimeout(stalled);
    assert.ok(roundAcks >= killAfter, `round ${round}: only ${roundAcks} writes acknowledged in 60 s (first problem: ${firstProblem})`);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
    running.child.kill("SIGKILL");
    killed = true;
    await running.exited;
    await Promise.all(burst);
    agent.destroy();
  }
  assert.ok(acknowledged > 50, `the burst got too few writes through to test anything (${acknowledged})`);
  assert.ok(deleted.size > 10, `too few acknowledged deletes (${deleted.size})`);
});
