/** Shared by the runner tests: fixture paths, temp folders, and checks that nothing is left behind. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";

export const FIXTURES = path.resolve(__dirname, "..", "fixtures", "notebooks");
export const fixture = (name: string) => path.join(FIXTURES, name);

const made: string[] = [];
/** A fresh folder under the OS temp dir, removed when the test process exits. */
export function tempDir(prefix = "kvq-runner-"): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  if (made.push(dir) === 1) process.on("exit", () => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return dir;
}

/**
 * A cell that starts a process of its own, left running (as a cell that starts a tool or a server
 * would), and prints its pid: `child <pid>`. Not Node: a Node child inherits the kernel's
 * NODE_OPTIONS, whose parent watch would end it by itself. POSIX (sleep).
 */
export const CELL_CHILD =
  'const { spawn } = require("node:child_process");\n' +
  'const tool = spawn("sleep", ["600"], { stdio: "ignore" });\n' +
  'console.log("child", tool.pid);';

/** The pid CELL_CHILD printed. */
export function cellChildPid(result: { outputs: unknown[] }): number {
  const pid = Number(/child (\d+)/.exec(JSON.stringify(result.outputs))?.[1]);
  if (!Number.isInteger(pid)) throw new Error(`the cell printed no pid: ${JSON.stringify(result.outputs)}`);
  return pid;
}

/** A non-TTY stream that keeps what is written. */
export function captureStream(): Writable & { text(): string; isTTY: boolean } {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  }) as Writable & { text(): string; isTTY: boolean };
  stream.isTTY = false;
  stream.text = () => text;
  return stream;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie has ended: only its exit status waits for a parent to read it (an orphan's new parent,
  // PID 1, may not read it in a container).
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "")[0] !== "Z";
  } catch {
    return true; // no /proc (macOS): signal 0 is the answer
  }
}

/** Every process's id and command line, read the way this OS allows. */
type ProcessLister = () => { pid: number; command: string }[];

/** Linux: /proc/<pid>/cmdline (arguments separated by NUL). */
const fromProcfs: ProcessLister = () => {
  const found: { pid: number; command: string }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      found.push({ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ") });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
};

/** macOS and other Unixes: ps, with unlimited width so long command lines are not cut. */
const fromPs: ProcessLister = () =>
  run("ps", ["-axww", "-o", "pid=,args="])
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), command: m[2] }));

/** Windows: the command lines CIM knows (tasklist does not show them). */
const fromCim: ProcessLister = () => {
  const json = run("powershell.exe", ["-NoProfile", "-NonInteractive", "-Command", "Get-CimInstance Win32_Process | Select-Object ProcessId,CommandLine | ConvertTo-Json -Compress"]);
  const list = JSON.parse(json) as { ProcessId: number; CommandLine: string | null }[] | { ProcessId: number; CommandLine: string | null };
  return (Array.isArray(list) ? list : [list]).map((p) => ({ pid: p.ProcessId, command: p.CommandLine ?? "" }));
};

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, windowsHide: true });
  if (result.error || result.status !== 0) {
    throw new Error(`Cannot list processes on ${process.platform} with ${command} (${result.error?.message ?? result.stderr.trim()}): the check for left-over processes cannot look, so it fails rather than pass.`);
  }
  return result.stdout;
}

export const PROCESS_LISTERS = { procfs: fromProcfs, ps: fromPs, cim: fromCim } as const;
const listerFor = (platform: NodeJS.Platform) => (platform === "linux" ? fromProcfs : platform === "win32" ? fromCim : fromPs);

/**
 * Processes whose command line mentions `needle` (a test's own connection folder: the kernel's argv
 * carries its connection file). Looks on Linux, macOS and Windows; where it cannot, it throws with
 * the reason instead of answering "none".
 */
export function processesMentioning(needle: string, list: ProcessLister = listerFor(process.platform)): number[] {
  return list()
    .filter((p) => p.command.includes(needle) && p.pid !== process.pid)
    .map((p) => p.pid);
}

/** Nothing left: no connection file in `connectionDir`, no process started with one from it. */
export function leftovers(connectionDir: string): { files: string[]; processes: number[] } {
  return { files: readdirSync(connectionDir), processes: processesMentioning(connectionDir) };
}

/**
 * A cell's outputs as the two texts a terminal shows: "stdout" is its stdout and the value of its
 * last expression (execute_result's text/plain, on a line), "stderr" its stderr and its error's
 * traceback (one line each).
 */
export function cellText(result: { outputs: readonly any[] }, which: "stdout" | "stderr"): string {
  return result.outputs
    .map((o) => {
      if (o.output_type === "stream") return o.name === which ? o.text : "";
      if (o.output_type === "execute_result") return which === "stdout" ? `${o.data["text/plain"]}\n` : "";
      if (o.output_type === "error") return which === "stderr" ? o.traceback.map((line: string) => `${line}\n`).join("") : "";
      return "";
    })
    .join("");
}
