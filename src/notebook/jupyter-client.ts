/**
 * The Jupyter messaging protocol, client side: kernel_info, execute (outputs → nbformat outputs),
 * shutdown. https://jupyter-client.readthedocs.io/en/latest/messaging.html
 *
 * Library decision: messages are built and filtered with @nteract/messaging (`executeRequest`,
 * `kernelInfoRequest`, `shutdownRequest`, `childOf`, `ofMessageType`) and carried by
 * enchannel-zmq-backend 10, which is written for zeromq 6 (its jmp.ts does the HMAC-SHA256 signing
 * and the <IDS|MSG> framing). Checked against tslab 1.0.22: signatures verify both ways, replies
 * and iopub outputs arrive. Two things it leaves to us, handled here:
 *  - `createMainChannel` hides the sockets, and a jmp socket reports send/receive failures as an
 *    'error' event; with no listener that would crash the process. So we call `createSockets` +
 *    `createMainChannelFromSockets` (both exported) and listen for 'error' ourselves.
 *  - Its "connect" is emitted on the next tick, not when the peer is there, so readiness is
 *    ours to establish: see `waitForReady` (shell reply, then iopub proven subscribed).
 * @nteract/messaging ships rxjs 6 operators; they subscribe to enchannel's rxjs 7 Subject through
 * the plain `subscribe(next, error, complete)` both versions accept.
 *
 * Also: ZeroMQ's global context is made non-blocky (see connectJupyterClient).
 *
 * The client never touches a process: interrupting is a function it is given (kernel.ts passes
 * SIGINT, or this client's interrupt_request when the kernelspec says interrupt_mode "message"),
 * so it can be tested against a fake channel.
 */
import { randomUUID } from "node:crypto";
import {
  childOf,
  executeRequest,
  kernelInfoRequest,
  message as jupyterMessage,
  ofMessageType,
  shutdownRequest,
  type Channels,
  type JupyterMessage,
} from "@nteract/messaging";
import { createMainChannelFromSockets, createSockets } from "enchannel-zmq-backend";
import { context as zmqContext } from "zeromq";
import type { ConnectionInfo } from "../kernel/connection";
import type { MimeBundle, Output } from "./notebook-file";

// ---- Message contents, in wire casing (only what the runner reads) -------------------------------

/** execute_reply. "abort" is what tslab alone answered (not the spec's "aborted") for requests it cancelled. */
interface ExecuteReplyContent {
  status: "ok" | "error" | "abort" | "aborted";
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

/** stream: text a cell wrote to stdout or stderr. */
interface StreamContent {
  name: "stdout" | "stderr";
  text: string;
}

/** display_data / update_display_data / execute_result. */
interface DisplayContent {
  data: MimeBundle;
  metadata?: Record<string, unknown>;
  transient?: { display_id?: string };
  execution_count?: number | null;
}

/** error: a failed cell's error (the kernel's src/kernel/protocol/cell-errors.cjs). */
interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

interface StatusContent {
  execution_state: "busy" | "idle" | "starting";
}

export interface KernelInfoReplyContent {
  protocol_version: string;
  implementation: string;
  implementation_version: string;
  language_info: { name: string; version?: string; file_extension?: string };
  banner?: string;
}

/**
 * What the runner needs of an observable of messages. Typed structurally because
 * @nteract/messaging's operators are typed against its own rxjs 6, the channel is rxjs 7.
 */
interface MessageStream {
  subscribe(next: (msg: JupyterMessage) => void): { unsubscribe(): void };
}

// ---- Public API ------------------------------------------------------------------------------------

export type ExecuteStatus = "ok" | "error" | "aborted";

export interface ExecuteOptions {
  /** Interrupt the cell when it runs longer than this. */
  timeoutMs?: number;
  /**
   * The request's stop_on_error (default true): whether a failure of this cell aborts the requests
   * queued behind it. False for a cell whose error is expected (raises-exception).
   */
  stopOnError?: boolean;
  /** Every output as it arrives (before consecutive streams are merged). */
  onOutput?: (output: Output) => void;
  /** Once the kernel has taken the cell up (its busy status, or its execute_input). */
  onStarted?: () => void;
  /** Aborting interrupts the cell (Ctrl-C). */
  signal?: AbortSignal;
}

export interface ExecuteResult {
  /** From the execute_reply (never from the text). */
  status: ExecuteStatus;
  /** With status "error": the error the reply names (ename and evalue: "RestError", "409 Conflict / …"). */
  error?: { ename: string; evalue: string };
  /** nbformat outputs: consecutive stream chunks of one name merged, display_data kept. */
  outputs: Output[];
  durationMs: number;
  executionCount: number | null;
  /** Set when the client interrupted the kernel: the timeout fired, or the signal aborted. */
  stoppedBy?: "timeout" | "abort";
  /**
   * True when the kernel was interrupted but did not answer within the grace period (a busy loop
   * after an `await` cannot be interrupted in tslab): the kernel is unusable and must be killed.
   */
  kernelStuck: boolean;
}

export interface JupyterClientOptions {
  /** How to interrupt the kernel (SIGINT for tslab). Returns false when it cannot. */
  interrupt?: () => boolean;
  /** How long to wait for the execute_reply after an interrupt. Default 3000 ms. */
  interruptGraceMs?: number;
  /** How long to wait for the iopub "idle" after the reply, for late outputs. Default 1000 ms. */
  iopubGraceMs?: number;
}

export interface JupyterClient {
  kernelInfo(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<KernelInfoReplyContent>;
  /** kernel_info answered on shell, and iopub proven subscribed (so no output is lost). */
  waitForReady(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<KernelInfoReplyContent>;
  execute(code: string, options?: ExecuteOptions): Promise<ExecuteResult>;
  /** shutdown_request on the control channel; true if the kernel acknowledged within timeoutMs. */
  shutdown(options?: { timeoutMs?: number }): Promise<boolean>;
  /**
   * interrupt_request on the control channel, as front ends send it when the kernelspec says
   * interrupt_mode "message". Returns at once (the reply is not waited for); false once closed.
   */
  interruptRequest(): boolean;
  /** Rejects every pending request with this error (the kernel died). Later calls reject too. */
  fail(error: Error): void;
  /** Closes the sockets. Idempotent. */
  close(): void;
}

/** Connects to a kernel's five ports (nothing is sent yet). */
export async function connectJupyterClient(info: ConnectionInfo, options: JupyterClientOptions = {}): Promise<JupyterClient> {
  // By default ZeroMQ keeps the process alive at exit until every queued message is delivered: a
  // kernel_info queued for a kernel that never started would hang `kvq run` forever. Our messages
  // are worthless once the client is closed, so new sockets linger 0 (what jupyter_client does
  // when it closes channels). enchannel creates its sockets on the global context, hence global.
  zmqContext.blocky = false;
  const sockets = await createSockets({ ...info, version: info.version ?? 5 }, "", randomUUID());
  let client: JupyterClient | undefined;
  for (const [name, socket] of Object.entries(sockets)) {
    socket.on("error", (error: Error) => client?.fail(new Error(`ZeroMQ ${name} channel failed: ${error.message}`)));
  }
  const channels = createMainChannelFromSockets(sockets, { session: randomUUID(), username: "kvq" });
  client = createJupyterClient(channels, options);
  return client;
}

/**
 * After a cell fails with stop_on_error, tslab aborts the requests that arrive within 200 ms (its
 * jupyter.ts handleExecute, tslab#19; the kernel keeps that: src/kernel/protocol/execute.cjs): the next cell
 * is sent once that has passed.
 */
const TSLAB_ERROR_COOLDOWN_MS = 250;

/**
 * While an interrupted cell has not answered, the interrupt is sent again this often, within the
 * grace period. The kernel stops a cell at the first interrupt that reaches it, but one SIGINT can
 * still be lost: landing in the instant between the kernel's last turn of the loop and the start of
 * the cell's code, it is dropped by Node's vm (src/kernel/protocol/interrupt.cjs). A second one
 * finds the cell running; one that finds it finished is ignored by the kernel.
 */
const INTERRUPT_AGAIN_MS = 750;

/** The client over any channel: enchannel's, or a fake one in tests. */
export function createJupyterClient(channels: Channels, options: JupyterClientOptions = {}): JupyterClient {
  const interruptGraceMs = options.interruptGraceMs ?? 3000;
  const iopubGraceMs = options.iopubGraceMs ?? 1000;
  const pending = new Set<(error: Error) => void>();
  let failure: Error | undefined;
  let closed = false;
  let lastErrorAt = 0;

  /** Sends `request` and resolves with the first child reply of `replyType`. */
  function request<C>(message: JupyterMessage, replyType: JupyterMessage["header"]["msg_type"], timeoutMs?: number, signal?: AbortSignal): Promise<C> {
    return new Promise<C>((resolve, reject) => {
      if (failure) return reject(failure);
      if (signal?.aborted) return reject(abortError(signal));
      let timer: NodeJS.Timeout | undefined;
      const finish = (f: () => void) => {
        clearTimeout(timer);
        subscription.unsubscribe();
        signal?.removeEventListener("abort", onAbort);
        pending.delete(onFail);
        f();
      };
      const onFail = (error: Error) => finish(() => reject(error));
      const onAbort = () => finish(() => reject(abortError(signal!)));
      const subscription = channels
        .pipe(childOf(message), ofMessageType(replyType))
        .subscribe((reply: JupyterMessage) => finish(() => resolve(reply.content as C)));
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => finish(() => reject(new Error(`No ${replyType} within ${timeoutMs} ms.`))), timeoutMs);
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      pending.add(onFail);
      channels.next(message);
    });
  }

  async function kernelInfo(opts: { timeoutMs?: number; signal?: AbortSignal } = {}) {
    return request<KernelInfoReplyContent>(kernelInfoRequest(), "kernel_info_reply", opts.timeoutMs, opts.signal);
  }

  async function waitForReady(opts: { timeoutMs?: number; signal?: AbortSignal } = {}) {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    // A SUB socket receives nothing until its subscription reaches the publisher (ZeroMQ's "slow
    // joiner"), and a reply on shell proves nothing about iopub. Every request makes tslab publish
    // busy/idle on iopub, so repeat kernel_info until one of those statuses arrives, as
    // jupyter_client's wait_for_ready does.
    const ours = new Set<string>();
    let iopubSeen = false;
    const watch = channels.subscribe((msg: JupyterMessage) => {
      const parent = (msg.parent_header as { msg_id?: string }).msg_id;
      if (msg.channel === "iopub" && parent && ours.has(parent)) iopubSeen = true;
    });
    try {
      let info: KernelInfoReplyContent | undefined;
      while (!info || !iopubSeen) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error(info ? "The kernel answered but published nothing on iopub." : "The kernel did not answer kernel_info.");
        const message = kernelInfoRequest();
        ours.add(message.header.msg_id);
        // The first request waits as long as the kernel takes to start; later ones only for iopub.
        info = await request<KernelInfoReplyContent>(message, "kernel_info_reply", remaining, opts.signal);
        if (!iopubSeen) await delay(Math.min(50, Math.max(0, deadline - Date.now())));
      }
      return info;
    } finally {
      watch.unsubscribe();
    }
  }

  async function execute(code: string, opts: ExecuteOptions = {}): Promise<ExecuteResult> {
    if (failure) throw failure;
    const wait = lastErrorAt + TSLAB_ERROR_COOLDOWN_MS - Date.now();
    if (wait > 0) await delay(wait);
    const stopOnError = opts.stopOnError ?? true;
    const message = executeRequest(code, { allow_stdin: false, stop_on_error: stopOnError });
    const outputs = new OutputCollector(opts.onOutput);
    const started = Date.now();

    return new Promise<ExecuteResult>((resolve, reject) => {
      if (failure) return reject(failure);
      let reply: ExecuteReplyContent | undefined;
      let running = false;
      let repliedAt = 0;
      let idle = false;
      let stoppedBy: ExecuteResult["stoppedBy"];
      const timers: NodeJS.Timeout[] = [];
      let subscription: { unsubscribe(): void } | undefined;
      const later = (ms: number, f: () => void) => timers.push(setTimeout(f, ms));

      const cleanup = () => {
        timers.forEach(clearTimeout);
        subscription?.unsubscribe();
        opts.signal?.removeEventListener("abort", onAbort);
        pending.delete(onFail);
      };
      let settled = false;
      const done = (kernelStuck: boolean) => {
        if (settled) return;
        settled = true;
        cleanup();
        const status = reply ? normaliseStatus(reply.status) : "aborted";
        if (status === "error" && stopOnError) lastErrorAt = Date.now();
        resolve({
          status,
          ...(status === "error" && reply?.ename !== undefined ? { error: { ename: reply.ename, evalue: reply.evalue ?? "" } } : {}),
          outputs: outputs.outputs,
          durationMs: (repliedAt || Date.now()) - started,
          executionCount: reply?.execution_count ?? null,
          ...(stoppedBy ? { stoppedBy } : {}),
          kernelStuck,
        });
      };
      const onFail = (error: Error) => {
        cleanup();
        reject(error);
      };
      const stop = (why: "timeout" | "abort") => {
        if (reply || stoppedBy) return;
        stoppedBy = why;
        // The kernel stops a cell at the first interrupt that reaches it (src/kernel/protocol/interrupt.cjs).
        const interrupted = options.interrupt?.() ?? false;
        if (!interrupted) return done(true);
        for (let at = INTERRUPT_AGAIN_MS; at < interruptGraceMs; at += INTERRUPT_AGAIN_MS) {
          later(at, () => {
            if (!reply) options.interrupt?.();
          });
        }
        later(interruptGraceMs, () => {
          if (!reply) done(true);
        });
      };
      const onAbort = () => stop("abort");

      if (opts.signal?.aborted) {
        stoppedBy = "abort";
        return done(false);
      }
      const children: MessageStream = channels.pipe(childOf(message));
      subscription = children.subscribe((msg) => {
        const type = msg.header.msg_type;
        if (msg.channel === "shell" && type === "execute_reply") {
          reply = msg.content as ExecuteReplyContent;
          repliedAt = Date.now();
          if (idle) return done(false);
          // Outputs travel on iopub, a different socket: wait for its "idle" so none is cut off.
          later(iopubGraceMs, () => done(false));
        } else if (msg.channel === "iopub") {
          const state = type === "status" ? (msg.content as StatusContent).execution_state : undefined;
          if (!running && (type === "execute_input" || state === "busy")) {
            running = true;
            opts.onStarted?.();
          }
          if (state === "idle") {
            idle = true;
            if (reply) done(false);
          } else {
            outputs.add(type, msg.content);
          }
        }
      });
      pending.add(onFail);
      if (opts.timeoutMs !== undefined) later(opts.timeoutMs, () => stop("timeout"));
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      channels.next(message);
    });
  }

  async function shutdown(opts: { timeoutMs?: number } = {}) {
    if (failure || closed) return false;
    // The control channel, as jupyter_client sends it (tslab answers on either).
    const message = { ...shutdownRequest({ restart: false }), channel: "control" };
    try {
      await request(message, "shutdown_reply", opts.timeoutMs ?? 2000);
      return true;
    } catch {
      return false;
    }
  }

  function interruptRequest() {
    if (failure || closed) return false;
    channels.next({ ...jupyterMessage({ msg_type: "interrupt_request" }, {}), channel: "control" });
    return true;
  }

  function fail(error: Error) {
    if (failure) return;
    failure = error;
    for (const reject of [...pending]) reject(error);
    pending.clear();
  }

  function close() {
    if (closed) return;
    closed = true;
    fail(new Error("The connection to the kernel is closed."));
    channels.complete();
  }

  return { kernelInfo, waitForReady, execute, shutdown, interruptRequest, fail, close };
}

function normaliseStatus(status: ExecuteReplyContent["status"]): ExecuteStatus {
  if (status === "ok") return "ok";
  if (status === "abort" || status === "aborted") return "aborted";
  return "error";
}

/**
 * Turns iopub messages into nbformat outputs, the way Jupyter front ends store them: consecutive
 * stream chunks with the same name are one output, update_display_data rewrites the output with
 * the same display_id, clear_output (wait=true) clears before the next output.
 */
class OutputCollector {
  readonly outputs: Output[] = [];
  private readonly displays = new Map<string, Output[]>();
  private clearPending = false;

  constructor(private readonly onOutput?: (output: Output) => void) {}

  private readonly handlers: Record<string, (content: any) => void> = {
    stream: (c: StreamContent) => {
      this.emit({ output_type: "stream", name: c.name, text: c.text }, (last) => {
        if (last?.output_type !== "stream" || last.name !== c.name) return false;
        last.text = `${last.text}${c.text}`;
        return true;
      });
    },
    display_data: (c: DisplayContent) => this.display({ output_type: "display_data", data: c.data, metadata: c.metadata ?? {} }, c),
    execute_result: (c: DisplayContent) =>
      this.display({ output_type: "execute_result", execution_count: c.execution_count ?? null, data: c.data, metadata: c.metadata ?? {} }, c),
    update_display_data: (c: DisplayContent) => {
      for (const output of this.displays.get(c.transient?.display_id ?? "") ?? []) {
        if (output.output_type === "display_data" || output.output_type === "execute_result") {
          output.data = c.data;
          output.metadata = c.metadata ?? {};
        }
      }
    },
    error: (c: ErrorContent) => this.emit({ output_type: "error", ename: c.ename, evalue: c.evalue, traceback: c.traceback ?? [] }),
    clear_output: (c: { wait?: boolean }) => {
      if (c.wait) this.clearPending = true;
      else this.outputs.length = 0;
    },
  };

  add(type: string, content: unknown) {
    this.handlers[type]?.(content);
  }

  private display(output: Output, content: DisplayContent) {
    this.emit(output);
    const id = content.transient?.display_id;
    if (id) this.displays.set(id, [...(this.displays.get(id) ?? []), output]);
  }

  private emit(output: Output, merge?: (last: Output | undefined) => boolean) {
    if (this.clearPending) {
      this.outputs.length = 0;
      this.clearPending = false;
    }
    this.onOutput?.(structuredClone(output));
    if (merge?.(this.outputs[this.outputs.length - 1])) return;
    this.outputs.push(output);
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("Aborted.");
}
