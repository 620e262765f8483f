/**
 * Time to a named failure, per case, next to the happy path (median of 3): what a learner waits for
 * before the message saying what is wrong and how to fix it. Two levels:
 *
 * - the SDK call a notebook cell makes (`client.getKey` through clientOptionsFor), in this process;
 * - the command line end to end (`kvq cleanup`, a fresh process each time, as a user runs it).
 *
 *   npm run bench -- failures
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DefaultAzureCredential } from "@azure/identity";
import { KeyClient } from "@azure/keyvault-keys";
import { clientOptionsFor } from "../src/client-options";
import { startEmulator, type Emulator } from "../src/emulator/index";
import { explainError } from "../src/vault-errors";
import { deadPort } from "../test/helpers/ports";

const RUNS = 3;
const KVQ = path.resolve(__dirname, "..", "src", "kvq.cjs");

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface Case {
  name: string;
  url: string;
  env: NodeJS.ProcessEnv;
}

/** One SDK call as the notebook makes it; the cause named (or "ok"). */
async function sdkCall(c: Case): Promise<string> {
  const client = new KeyClient(c.url, new DefaultAzureCredential(), clientOptionsFor(c.url, { env: c.env }));
  try {
    await client.getKey("bench-absent");
    return "ok";
  } catch (error) {
    return explainError(error)?.id ?? (error as Error).name;
  }
}

/** `kvq cleanup` in a child process; asynchronously, since the emulator answers from this process's event loop. */
function cliCall(c: Case): Promise<string> {
  return new Promise((resolve) => {
    const env = { ...process.env, ...c.env, KVQ_ENV_FILE: "none", NO_COLOR: "1" };
    execFile(process.execPath, ["--", KVQ, "cleanup", "--vault", c.url], { env, timeout: 600_000 }, (error, _stdout, stderr) => {
      const named = /What it means: (.*)/.exec(stderr)?.[1];
      resolve(!error ? "ok" : `exit ${error.code}: ${(named ?? stderr.split("\n")[0]).slice(0, 70)}`);
    });
  });
}

async function time<T>(work: () => Promise<T> | T): Promise<{ seconds: number; outcome: T }[]> {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const outcome = await work();
    runs.push({ seconds: (performance.now() - started) / 1000, outcome });
  }
  return runs;
}

async function main() {
  const running = mkdtempSync(path.join(tmpdir(), "kvq-bench-failures-"));
  const gone = mkdtempSync(path.join(tmpdir(), "kvq-bench-failures-"));
  const emulator: Emulator = await startEmulator({ port: 0, stateDir: running });
  const stoppedEmulator = await startEmulator({ port: 0, stateDir: gone });
  await stoppedEmulator.close();
  Object.assign(process.env, emulator.env);
  // A state folder with the CA but no record of a running emulator: "nobody listens" is all there is to say.
  const lonely = mkdtempSync(path.join(tmpdir(), "kvq-bench-failures-"));
  mkdirSync(path.join(lonely, "tls"));
  writeFileSync(path.join(lonely, "tls", "ca.pem"), emulator.caPem);
  const noEmulator = { IDENTITY_ENDPOINT: "", IDENTITY_HEADER: "", AZURE_TOKEN_CREDENTIALS: "", NODE_EXTRA_CA_CERTS: "", KVQ_EMULATOR_CA: "" };
  const cases: Case[] = [
    { name: "happy path (emulator running)", url: emulator.url, env: { ...emulator.env } },
    { name: "emulator stopped", url: stoppedEmulator.url, env: { ...stoppedEmulator.env } },
    { name: "emulator on another port", url: `https://localhost:${await deadPort()}`, env: { ...emulator.env } },
    { name: "port nobody listens on", url: `https://localhost:${await deadPort()}`, env: { ...emulator.env, KVQ_EMULATOR_CA: path.join(lonely, "tls", "ca.pem"), NODE_EXTRA_CA_CERTS: path.join(lonely, "tls", "ca.pem") } },
    { name: "unresolvable host x.vault.azure.nte", url: "https://x.vault.azure.nte", env: noEmulator },
    { name: "wrong IDENTITY_HEADER", url: emulator.url, env: { ...emulator.env, IDENTITY_HEADER: "wrong" } },
  ];
  try {
    console.log(`Time to the named failure, median of ${RUNS} (seconds)\n`);
    console.log(`${"case".padEnd(38)}${"SDK call".padStart(10)}${"kvq cleanup".padStart(13)}  outcome`);
    for (const c of cases) {
      // The wrong header is a separate process's business: MSAL caches the managed identity per process.
      const sdk = c.name === "wrong IDENTITY_HEADER" ? undefined : await time(() => sdkCall(c));
      const cli = await time(() => cliCall(c));
      const sdkText = sdk ? median(sdk.map((r) => r.seconds)).toFixed(2) : "—";
      console.log(`${c.name.padEnd(38)}${sdkText.padStart(10)}${median(cli.map((r) => r.seconds)).toFixed(2).padStart(13)}  ${sdk?.[0].outcome ?? ""}${sdk ? " / " : ""}${cli[0].outcome}`);
    }
  } finally {
    await emulator.close();
    rmSync(running, { recursive: true, force: true });
    rmSync(gone, { recursive: true, force: true });
    rmSync(lonely, { recursive: true, force: true });
  }
}

void main();
