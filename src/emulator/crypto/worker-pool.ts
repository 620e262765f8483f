/**
 * Key generation in worker threads of the emulator's own, a bounded few. Node's asynchronous
 * `generateKeyPair` runs on libuv's thread pool (4 threads), the same threads that do file I/O:
 * eight RSA-4096 generations held up every fsync, and every other create, for seconds. Here they
 * queue for these workers instead, and the journal's writes never wait behind them.
 *
 * The worker's code is a few lines of plain JavaScript passed as a string (`eval: true`), so it
 * runs the same under tsx, from a build, and in tests, with no file to locate.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { generateKeyPairSync } = require("node:crypto");
parentPort.on("message", ({ id, type, options }) => {
  try {
    const { privateKey } = generateKeyPairSync(type, options);
    parentPort.postMessage({ id, jwk: privateKey.export({ format: "jwk" }) });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});`;

interface Task {
  id: number;
  type: "rsa" | "ec";
  options: Record<string, unknown>;
  resolve: (jwk: JsonWebKey) => void;
  reject: (error: Error) => void;
}

type JsonWebKey = import("node:crypto").JsonWebKey;

/** One core is left to the event loop that answers requests. */
export const defaultWorkerCount = () => Math.max(1, Math.min(4, availableParallelism() - 1));

export class KeyGenWorkers {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private nextId = 0;
  private closed = false;

  constructor(private readonly size = defaultWorkerCount()) {}

  /** Generations waiting or running. */
  get pending(): number {
    return this.queue.length + this.busy.size;
  }

  generate(type: "rsa" | "ec", options: Record<string, unknown>): Promise<JsonWebKey> {
    if (this.closed) return Promise.reject(new Error("The key generator is closed."));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, type, options, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new Error("The key generator is closed."));
    await Promise.all([...this.idle.splice(0), ...this.busy.keys()].map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.busy.size < this.size ? this.spawn() : undefined);
      if (!worker) return;
      const task = this.queue.shift()!;
      this.busy.set(worker, task);
      worker.ref();
      worker.postMessage({ id: task.id, type: task.type, options: task.options });
    }
  }

  private spawn(): Worker {
    // execArgv: [] — the worker needs no TypeScript loader; inheriting tsx's would only slow its start.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    worker.on("message", (message: { id: number; jwk?: JsonWebKey; error?: string }) => {
      const task = this.busy.get(worker);
      this.busy.delete(worker);
      worker.unref(); // an idle worker does not keep the process alive
      if (!this.closed) this.idle.push(worker);
      if (task) message.jwk ? task.resolve(message.jwk) : task.reject(new Error(message.error ?? "key generation failed"));
      this.dispatch();
    });
    worker.on("error", (error) => {
      const task = this.busy.get(worker);
      this.busy.delete(worker);
      task?.reject(error);
      this.dispatch();
    });
    return worker;
  }
}
