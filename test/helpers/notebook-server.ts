/**
 * A real Jupyter Notebook server for the browser tests: Debian's `jupyter-notebook` (classic
 * Notebook 6.4, what `apt-get install jupyter-notebook` gives a learner), on 127.0.0.1 with a
 * random token, serving one folder, with this project's kernelspecs installed into a temp prefix
 * (never the user's Jupyter folders) and Jupyter's config, data and runtime folders in that temp
 * folder too, so a developer's own Jupyter settings change nothing.
 *
 * `stop()` shuts every kernel down through the REST API first (kernels run in their own session, so
 * ending the server alone could leave tslab running), then ends the server, and waits for both.
 * One server can serve many notebooks, each on a kernel of its own: `stopKernelOf()` shuts down the
 * kernel a notebook's page left running (closing a page does not), so kernels do not pile up.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import which from "which";
import { installKernelSpecs } from "../../src/kernel/install";
import { IN_CI } from "./jupyter";

/** The server command: KVQ_TEST_JUPYTER_NOTEBOOK if set, else Debian's `jupyter-notebook`. */
export const JUPYTER_NOTEBOOK = process.env.KVQ_TEST_JUPYTER_NOTEBOOK || "jupyter-notebook";

export interface NotebookServer {
  /** http://127.0.0.1:PORT */
  url: string;
  token: string;
  /** The URL that opens a notebook (a path relative to the served folder), token included. */
  notebookUrl(relativePath: string): string;
  /** The kernels the server runs now (GET /api/kernels). */
  kernels(): Promise<{ id: string; execution_state: string }[]>;
  /** Shuts down the kernel of the notebook at `relativePath` (its session, DELETE /api/sessions/ID) and waits until the server no longer lists it. */
  stopKernelOf(relativePath: string): Promise<void>;
  /** The server's output so far, for assertion messages. */
  log(): string;
  /** The server's process id, for the leftover checks. */
  pid: number;
  /** The temp folder holding the kernelspec, config and runtime files (its path is in the kernels' command lines). */
  workDir: string;
  stop(): Promise<void>;
}

let availability: { ok: true } | { ok: false; reason: string } | undefined;

/** Whether the server command is on the PATH (found without starting Python, as jupyterAvailable does). */
export function notebookServerAvailable(): { ok: true } | { ok: false; reason: string } {
  availability ??= which.sync(JUPYTER_NOTEBOOK, { nothrow: true }) ? { ok: true } : { ok: false, reason: `\`${JUPYTER_NOTEBOOK}\` is not on the PATH` };
  return availability;
}

/** `{ skip: reason }` outside CI when jupyter-notebook is missing; in CI the test runs and fails with the reason. */
export function needsNotebookServer(): { skip: string | false } {
  const found = notebookServerAvailable();
  if (found.ok || IN_CI) return { skip: false };
  return { skip: `${found.reason}; install it with \`apt-get install --no-install-recommends jupyter-notebook\`` };
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/** A kernelspec beside the project's: a copy of the one named `from`, with more environment for its kernels. */
export interface KernelSpecVariant {
  name: string;
  from: string;
  env: Record<string, string>;
}

type ServerOptions = { root: string; env?: Record<string, string | undefined>; kernelSpecs?: KernelSpecVariant[] };

/** Starts the server on `root` (the folder whose notebooks it serves) with extra environment for its kernels (undefined removes a variable). */
export async function startNotebookServer(options: ServerOptions): Promise<NotebookServer> {
  const found = notebookServerAvailable();
  if (!found.ok) throw new Error(`Jupyter Notebook is required${IN_CI ? " in CI (CI=true)" : ""} but ${found.reason}; apt-get install jupyter-notebook.`);
  // The port is free when chosen and taken a second later, once Python has started: another
  // process's connection can take it in between. Notebook then exits saying so; start it again on another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (attempt >= 3 || !PORT_TAKEN.test((error as Error).message)) throw error;
    }
  }
}

/** What Notebook 6 prints when its --port is taken (with port_retries=0). */
const PORT_TAKEN = /could not be started because port \d+ is not available/;

async function startOnce(options: ServerOptions): Promise<NotebookServer> {
  const workDir = mkdtempSync(path.join(tmpdir(), "kvq-notebook-server-"));
  // Every edition's kernel (the zh-TW notebook names its own), into one prefix.
  const { jupyterPathEntry } = installKernelSpecs({ prefix: path.join(workDir, "prefix") })[0]!;
  for (const variant of options.kernelSpecs ?? []) {
    const spec = JSON.parse(readFileSync(path.join(jupyterPathEntry!, "kernels", variant.from, "kernel.json"), "utf8")) as { display_name: string; env?: Record<string, string> };
    mkdirSync(path.join(jupyterPathEntry!, "kernels", variant.name), { recursive: true });
    const copy = { ...spec, display_name: `${spec.display_name} (${variant.name})`, env: { ...spec.env, ...variant.env } };
    writeFileSync(path.join(jupyterPathEntry!, "kernels", variant.name, "kernel.json"), JSON.stringify(copy, null, 2));
  }
  const token = randomBytes(24).toString("hex");
  const port = await freePort();
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...process.env, ...options.env })) if (value !== undefined) env[name] = value;
  Object.assign(env, {
    JUPYTER_PATH: jupyterPathEntry!,
    JUPYTER_CONFIG_DIR: path.join(workDir, "config"),
    JUPYTER_DATA_DIR: path.join(workDir, "data"),
    JUPYTER_RUNTIME_DIR: path.join(workDir, "runtime"),
  });
  const args = [
    "--no-browser",
    "--ip=127.0.0.1",
    `--port=${port}`,
    "--NotebookApp.port_retries=0",
    `--NotebookApp.token=${token}`,
    `--notebook-dir=${options.root}`,
    // CI runs as root; Notebook refuses root without it, and it changes nothing for anyone else.
    "--allow-root",
  ];
  const child = spawn(JUPYTER_NOTEBOOK, args, { cwd: options.root, env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const api = async (route: string, init?: RequestInit) => fetch(`${url}${route}`, { ...init, headers: { Authorization: `token ${token}` } });

  const server: NotebookServer = {
    url,
    token,
    pid: child.pid!,
    workDir,
    notebookUrl: (relative) => `${url}/notebooks/${relative.split(path.sep).map(encodeURIComponent).join("/")}?token=${token}`,
    kernels: async () => (await (await api("/api/kernels")).json()) as { id: string; execution_state: string }[],
    stopKernelOf: async (relative) => {
      const wanted = relative.split(path.sep).join("/");
      const sessions = (await (await api("/api/sessions")).json()) as { id: string; path: string; kernel: { id: string } }[];
      for (const session of sessions.filter((s) => s.path === wanted)) {
        const response = await api(`/api/sessions/${session.id}`, { method: "DELETE" });
        if (!response.ok) throw new Error(`DELETE /api/sessions/${session.id} (${wanted}) answered ${response.status}:\n${server.log()}`);
        const deadline = Date.now() + 30_000;
        while ((await server.kernels()).some((k) => k.id === session.kernel.id)) {
          if (Date.now() > deadline) throw new Error(`the kernel of ${wanted} was still running 30 s after its shutdown:\n${server.log()}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
    log: () => redactToken(log, token),
    stop: async () => {
      if (child.exitCode === null) {
        try {
          for (const kernel of await server.kernels()) await api(`/api/kernels/${kernel.id}`, { method: "DELETE" });
        } catch {
          // The server no longer answers; ending it below still runs its kernel clean-up.
        }
        await endProcess(child, exited);
      }
      rmSync(workDir, { recursive: true, force: true });
    },
  };
  try {
    await waitUntilServing(api, child, () => server.log());
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

const redactToken = (text: string, token: string) => text.split(token).join("<token>");

async function waitUntilServing(api: (route: string, init?: RequestInit) => Promise<Response>, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`jupyter-notebook exited with ${child.exitCode}:\n${log()}`);
    try {
      // Bounded: whatever holds the port before Notebook does may accept and never answer.
      if ((await api("/api/status", { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`jupyter-notebook did not answer within 60 s:\n${log()}`);
}

/** SIGTERM (Notebook then shuts its kernels down and exits), SIGKILL after 15 s. */
async function endProcess(child: ChildProcess, exited: Promise<void>): Promise<void> {
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}
