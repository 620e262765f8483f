/**
 * Key generation and RSA private-key operations in worker threads of the emulator's own, a bounded
 * few per pool (the emulator keeps one pool for generation and one for private-key operations, so
 * a decrypt never queues behind an RSA-4096 generation). Node's asynchronous
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
const crypto = require("node:crypto");
const run = {
  generate: ({ type, options }) => crypto.generateKeyPairSync(type, options).privateKey.export({ format: "jwk" }),
  privateEncrypt: ({ key, padding, data }) => crypto.privateEncrypt({ key, padding }, data),
  privateDecrypt: ({ key, padding, oaepHash, data }) => crypto.privateDecrypt({ key, padding, oaepHash }, data),
};
parentPort.on("message", ({ id, task }) => {
  try {
    parentPort.postMessage({ id, result: run[task.kind](task) });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});`;

type JsonWebKey = import("node:crypto").JsonWebKey;
type KeyObject = import("node:crypto").KeyObject;

/** What a worker can be asked to do; a KeyObject travels to the worker as a copy. */
type WorkerTask =
  | { kind: "generate"; type: "rsa" | "ec"; options: Record<string, unknown> }
  | { kind: "privateEncrypt"; key: KeyObject; padding: number; data: Buffer }
  | { kind: "privateDecrypt"; key: KeyObject; padding: number; oaepHash?: string; data: Buffer };

interface Task {
  id: number;
  task: WorkerTask;
  resolve: (result: any) => void;
  reject: (error: Error) => void;
}

/** One core is left to the event loop that answers requests. */
export const defaultWorkerCount = () => Math.max(1, Math.min(4, availableParallelism() - 1));

export class CryptoWorkers {
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
    return this.run({ kind: "generate", type, options });
  }

  /** RSA with the private key (sign, decrypt), off the event loop: RSA-4096 takes milliseconds each. */
  async rsaPrivate(task: Extract<WorkerTask, { kind: "privateEncrypt" | "privateDecrypt" }>): Promise<Buffer> {
    return Buffer.from(await this.run<Uint8Array>(task));
  }

  private run<T>(task: WorkerTask): Promise<T> {
    if (this.closed) return Promise.reject(new Error("The emulator's crypto workers are closed."));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of [...this.queue.splice(0), ...this.busy.values()]) task.reject(new Error("The emulator's crypto workers are closed."));
    // ref() first: an idle worker is unref'd, and the wait for its exit must keep the process alive.
    await Promise.all(
      [...this.idle.splice(0), ...this.busy.keys()].map((w) => {
        w.ref();
        return w.terminate();
      }),
    );
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.busy.size < this.size ? this.spawn() : undefined);
      if (!worker) return;
      const task = this.queue.shift()!;
      this.busy.set(worker, task);
      worker.ref();
      worker.postMessage({ id: task.id, task: task.task });
    }
  }

  private spawn(): Worker {
    // execArgv: [] — the worker needs no TypeScript loader; inheriting tsx's would only slow its start.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    worker.on("message", (message: { id: number; result?: unknown; error?: string }) => {
      // Closing: the worker is being terminated, and must stay ref'd until it has exited.
      if (this.closed) return;
      const task = this.busy.get(worker);
      this.busy.delete(worker);
      worker.unref(); // an idle worker does not keep the process alive
      if (!this.closed) this.idle.push(worker);
      if (task) message.error === undefined ? task.resolve(message.result) : task.reject(new Error(message.error));
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
