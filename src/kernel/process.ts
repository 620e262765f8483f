/**
 * The kernel as an operating-system process: spawned from the kernelspec exactly as Jupyter
 * spawns it (argv with "{connection_file}" filled in, the spec's env merged over ours, cwd = the
 * notebook's folder), signalled, killed. Knows nothing about messages; src/notebook/kernel.ts adds the client.
 *
 * Every launch has a kill: `kill()` is idempotent, and a process 'exit' hook kills the kernel and
 * removes its connection file if the runner's own process ends without closing it (an uncaught
 * exception, process.exit). A runner killed by a signal runs no hook, and tslab does not watch its
 * parent the way ipykernel does with JPY_PARENT_PID; so the kernel gets one end of a pipe (fd 3,
 * POSIX) and parent-watch.cjs preloaded, whose worker thread ends the kernel as soon as the
 * operating system closes that pipe — the runner's death, by any signal, even while a cell is
 * busy. The CLI should still turn SIGINT/SIGTERM into an orderly close (abort the run's signal).
 * When the kernel exits, however it ends, what is left of its process group (processes its cells
 * started) is killed too (POSIX: the group is the kernel's, as it starts in a session of its own).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { KernelSpec } from "./kernelspec";
import { removeConnectionFile } from "./connection";

export interface LaunchOptions {
  spec: KernelSpec;
  connectionFile: string;
  /** The kernel's working folder: the notebook's folder, as in Jupyter (tslab only imports files below it). */
  cwd: string;
  /** Extra variables, applied over process.env and the spec's env. */
  env?: Record<string, string>;
  /**
   * Start now, take more variables later (sendEnv): the kernel reads them from its stdin before its
   * first cell runs (deferred-env.cjs), so it can boot while the runner still opens its target.
   */
  deferEnv?: boolean;
}

export interface KernelExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface KernelProcess {
  readonly pid: number;
  readonly connectionFile: string;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<KernelExit>;
  readonly hasExited: boolean;
  /** The last ~8 KB the kernel wrote to stderr/stdout outside of cells (its own crashes, Node warnings). */
  logTail(): string;
  /**
   * Asks the kernel to stop the running cell: SIGINT, which tslab turns into an interrupt
   * (FACTS.md §6). Returns false where that is impossible (Windows, or the process is gone).
   */
  interrupt(): boolean;
  /** Kills the process (and, on POSIX, its process group) and removes the connection file. */
  kill(): void;
  /** With deferEnv: the variables the first cell sees, over those of the launch. Once; later calls do nothing. */
  sendEnv(env: Record<string, string>): void;
}

const TAIL_BYTES = 8192;

export function launchKernelProcess(options: LaunchOptions): KernelProcess {
  const [command, ...args] = options.spec.argv.map((a) => a.replaceAll("{connection_file}", options.connectionFile));
  if (!command) throw new Error("The kernelspec has an empty argv.");
  const posix = process.platform !== "win32";
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    // jupyter_client: os.environ, then the kernelspec's env, then the caller's extra env.
    env: withParentWatch({ ...process.env, ...options.spec.env, ...options.env, ...(options.deferEnv ? { [DEFERRED_ENV_VARIABLE]: "1" } : {}) }, options.connectionFile, posix),
    // stdin: the deferred variables, or nothing. fd 3: the parent-watch pipe. Nothing is ever written
    // to it; only its closing matters.
    stdio: [options.deferEnv ? "pipe" : "ignore", "pipe", "pipe", posix ? "pipe" : "ignore"],
    // jupyter_client starts kernels in a new session on POSIX (start_new_session=True): a Ctrl-C in
    // the terminal reaches only the runner, which decides to interrupt; and the kernel's own child
    // processes can be signalled as one group. On Windows `detached` would open a console window.
    detached: posix,
    windowsHide: true,
  });
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-TAIL_BYTES);
  };
  child.stdin?.on("error", () => undefined); // a kernel that died before reading it
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  // Held open (unreferenced, so it never keeps the runner alive) until the runner's process ends.
  const watchPipe = child.stdio[3] as (NodeJS.ReadableStream & { unref?: () => void; on: Function }) | null | undefined;
  watchPipe?.on("error", () => undefined);
  watchPipe?.unref?.();

  let hasExited = false;
  const exited = new Promise<KernelExit>((resolve) => {
    child.once("exit", (code, signal) => {
      hasExited = true;
      // The kernel leads its own process group: what its cells started and left running (a tool, a
      // server) would outlive it, and the command that started it, after a clean shutdown too.
      if (posix && child.pid !== undefined) endGroup(child.pid);
      resolve({ code, signal });
    });
    child.once("error", (error) => {
      keep(Buffer.from(`${error.message}\n`));
      // A spawn that failed (ENOENT on the executable) has no pid and emits no 'exit'.
      if (child.pid === undefined) {
        hasExited = true;
        resolve({ code: null, signal: null });
      }
    });
  });

  const killNow = () => {
    if (hasExited || child.pid === undefined) return;
    try {
      if (posix) process.kill(-child.pid, "SIGKILL");
      else spawnSync("taskkill", ["/pid", String(child.pid), "/T", "/F"], { windowsHide: true, stdio: "ignore" });
    } catch {
      // The group is already gone, or taskkill is missing: fall back to the process itself.
      child.kill("SIGKILL");
    }
  };
  const onExit = () => {
    killNow();
    removeConnectionFile(options.connectionFile);
  };
  process.on("exit", onExit);
  void exited.then(() => {
    process.off("exit", onExit);
    removeConnectionFile(options.connectionFile);
  });

  return {
    pid: child.pid ?? -1,
    connectionFile: options.connectionFile,
    exited,
    get hasExited() {
      return hasExited;
    },
    logTail: () => tail,
    interrupt() {
      if (hasExited || child.pid === undefined) return false;
      // Windows has no SIGINT for another process: child.kill("SIGINT") there terminates it, and
      // Jupyter's Windows alternative (an event handle in JPY_INTERRUPT_EVENT) is not implemented by
      // tslab. Callers treat false as "cannot interrupt" and shut the kernel down instead.
      if (!posix) return false;
      try {
        // The group, as jupyter_client's signal_kernel does (os.killpg).
        process.kill(-child.pid, "SIGINT");
      } catch {
        return child.kill("SIGINT");
      }
      return true;
    },
    kill() {
      killNow();
      removeConnectionFile(options.connectionFile);
    },
    sendEnv(env) {
      if (!child.stdin || child.stdin.writableEnded) return;
      child.stdin.end(JSON.stringify(env));
    },
  };
}

/** SIGKILL to what is left of a process group whose leader has exited; nothing when none is left. */
function endGroup(leader: number): void {
  try {
    process.kill(-leader, "SIGKILL");
  } catch {
    // ESRCH: the group went with its leader.
  }
}

const PARENT_WATCH = path.join(__dirname, "parent-watch.cjs");

/** Tells the kernel's preload to read more variables from stdin before the first cell (deferred-env.cjs). */
export const DEFERRED_ENV_VARIABLE = "KVQ_KERNEL_ENV_FROM_STDIN";

/** JPY_PARENT_PID as jupyter_client sets it, the pipe's fd, and the preload that honours them (see the top of this file). */
function withParentWatch(env: NodeJS.ProcessEnv, connectionFile: string, pipe: boolean): NodeJS.ProcessEnv {
  // NODE_OPTIONS takes double-quoted values, where a backslash escapes; Node accepts "/" on Windows.
  const preload = `--require "${PARENT_WATCH.replaceAll("\\", "/")}"`;
  const watch = pipe ? { KVQ_PARENT_FD: "3", KVQ_CONNECTION_FILE: connectionFile } : {};
  return { ...env, ...watch, JPY_PARENT_PID: String(process.pid), NODE_OPTIONS: [env.NODE_OPTIONS, preload].filter(Boolean).join(" ") };
}
