/**
 * A running kernel: the process (kernel/process.ts) plus the protocol client (jupyter-client.ts).
 * `startKernel` resolves once the kernel has answered kernel_info and its iopub is flowing;
 * `close` always runs to the end: shutdown_request, a grace period, then kill, and the connection
 * file removed. Every startKernel has a close.
 */
import { KernelError } from "./errors";
import { newConnectionInfo, removeConnectionFile, writeConnectionFile } from "../kernel/connection";
import type { ExecuteOptions, ExecuteResult, JupyterClient, KernelInfoReplyContent } from "./jupyter-client";
import { launchKernelProcess, type KernelExit, type KernelProcess } from "../kernel/process";
import { KERNEL_NAME, kernelSpec, type KernelSpec } from "../kernel/kernelspec";

export interface StartKernelOptions {
  /** The kernel's working folder: the notebook's folder. */
  cwd: string;
  /** Extra environment for the kernel, over process.env and the kernelspec's env. */
  env?: Record<string, string>;
  /**
   * Start before the environment is known: Kernel.provideEnv gives the rest, which the kernel
   * applies before its first cell (kernel/start-up/deferred-env.cjs). The runner starts the kernel while it
   * opens its target, so the kernel's start and warm-up overlap the emulator's.
   */
  deferEnv?: boolean;
  /** Defaults to this project's kernelspec (kernel/kernelspec.ts). */
  spec?: KernelSpec;
  /** Where the connection file goes; defaults to DEFAULT_CONNECTION_DIR. */
  connectionDir?: string;
  /** How long the kernel may take to answer kernel_info. Default 30 s (tslab takes ~2 s). */
  startTimeoutMs?: number;
  /** How long to wait for a reply after interrupting a cell before calling the kernel stuck. Default 3 s. */
  interruptGraceMs?: number;
  signal?: AbortSignal;
}

export interface Kernel {
  readonly pid: number;
  readonly connectionFile: string;
  readonly info: KernelInfoReplyContent;
  /** Milliseconds from spawn to ready. */
  readonly startupMs: number;
  /** False once the process has exited. */
  readonly alive: boolean;
  execute(code: string, options?: ExecuteOptions): Promise<ExecuteResult>;
  /**
   * With deferEnv: the variables the cells see, over those of the start. Call it once, before the
   * first execute; an execute or close without it sends none, so the kernel never waits for them.
   */
  provideEnv(env: Record<string, string>): void;
  /**
   * Stops the running cell as Jupyter would for this kernelspec: SIGINT to the kernel's process
   * group (KernelProcess.interrupt), or interrupt_request on the control channel when the spec says
   * interrupt_mode "message" (as it does on Windows). False when neither can be sent.
   */
  interrupt(): boolean;
  /** The kernel's own log (outside cells): crashes, warnings. */
  logTail(): string;
  /** shutdown_request, wait up to graceMs (default 2000) for the exit, then kill. Idempotent, never throws. */
  close(options?: { graceMs?: number }): Promise<KernelExit>;
}

const PORT_RACE_RETRIES = 2;

export async function startKernel(options: StartKernelOptions): Promise<Kernel> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      // Another process took one of our free ports between the check and the kernel's bind: the
      // kernel exits at once saying so (kernel/protocol/bind.cjs), and starts again on new ports.
      const lostPortRace = error instanceof KernelError && /EADDRINUSE|Address already in use/i.test(error.stderr);
      if (!lostPortRace || attempt >= PORT_RACE_RETRIES) throw error;
    }
  }
}

async function startOnce(options: StartKernelOptions): Promise<Kernel> {
  const spec = options.spec ?? kernelSpec();
  const info = await newConnectionInfo(KERNEL_NAME);
  const connectionFile = await writeConnectionFile(info, options.connectionDir);
  const started = Date.now();
  let proc: KernelProcess;
  try {
    proc = launchKernelProcess({ spec, connectionFile, cwd: options.cwd, env: options.env, deferEnv: options.deferEnv });
  } catch (error) {
    removeConnectionFile(connectionFile);
    throw error;
  }
  let client: JupyterClient | undefined;
  const interrupt = () => (spec.interrupt_mode === "message" ? (client?.interruptRequest() ?? false) : proc.interrupt());
  try {
    // The protocol modules (zeromq, rxjs, nteract: a quarter of a second) load while the kernel
    // boots, not before it is spawned.
    const { connectJupyterClient } = require("./jupyter-client") as typeof import("./jupyter-client");
    client = await connectJupyterClient(info, {
      interrupt: () => interrupt(),
      interruptGraceMs: options.interruptGraceMs,
    });
    const connected = client;
    void proc.exited.then((exit) => {
      connected.fail(
        new KernelError(
          "kernel-died",
          `The kernel exited (${describeExit(exit)}).`,
          "Run again; if it keeps dying, run the notebook in Jupyter to see the kernel's own messages.",
          proc.logTail(),
        ),
      );
    });
    const kernelInfo = await client.waitForReady({ timeoutMs: options.startTimeoutMs ?? 60_000, signal: options.signal });
    return wrap(proc, connected, kernelInfo, Date.now() - started, interrupt);
  } catch (error) {
    client?.close();
    proc.kill();
    await proc.exited;
    if (options.signal?.aborted) throw error;
    const died = error instanceof KernelError;
    throw new KernelError(
      died ? "kernel-start-failed" : "kernel-start-timeout",
      died
        ? `The kernel (${spec.display_name}) exited while starting.`
        : `The kernel (${spec.display_name}) did not start: ${(error as Error).message}`,
      "Check that `npm install` completed (tslab and zeromq must be in node_modules), then run again.",
      proc.logTail(),
    );
  }
}

function wrap(proc: KernelProcess, client: JupyterClient, info: KernelInfoReplyContent, startupMs: number, interrupt: () => boolean): Kernel {
  let closing: Promise<KernelExit> | undefined;
  async function close(graceMs: number): Promise<KernelExit> {
    proc.sendEnv({});
    if (!proc.hasExited) {
      const deadline = Date.now() + graceMs;
      await client.shutdown({ timeoutMs: graceMs });
      if (!(await exitsWithin(proc, deadline - Date.now()))) proc.kill();
    }
    client.close();
    const exit = await proc.exited;
    removeConnectionFile(proc.connectionFile);
    return exit;
  }
  return {
    pid: proc.pid,
    connectionFile: proc.connectionFile,
    info,
    startupMs,
    get alive() {
      return !proc.hasExited;
    },
    execute: (code, options) => {
      proc.sendEnv({});
      return client.execute(code, options);
    },
    provideEnv: (env) => proc.sendEnv(env),
    interrupt,
    logTail: () => proc.logTail(),
    close: (options = {}) => (closing ??= close(options.graceMs ?? 2000)),
  };
}

function describeExit(exit: KernelExit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

function exitsWithin(proc: KernelProcess, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    proc.exited.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms)))),
  ]).finally(() => clearTimeout(timer));
}
