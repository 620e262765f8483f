/** Runs the real `kvq` command line in a child process, as a learner would. */
import { spawn } from "node:child_process";
import path from "node:path";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const KVQ = path.join(PROJECT_ROOT, "src", "kvq.cjs");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runKvq(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--", KVQ, ...args], {
      cwd: options.cwd ?? PROJECT_ROOT,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** A `kvq` command on a pseudo-terminal (util-linux `script`), driven as a person types. */
export interface TerminalSession {
  /** Everything written so far, carriage returns removed. */
  readonly output: string;
  /** Waits for `pattern` in the output after offset `after`; resolves with the offset just past the match. */
  expect(pattern: RegExp, after?: number, timeoutMs?: number): Promise<number>;
  /** Keys, as typed: "\r" is Enter, "\u0003" is Ctrl-C (the terminal turns it into SIGINT unless the program reads raw keys). */
  type(keys: string): void;
  /** The exit code, once `script` ends. */
  readonly closed: Promise<number | null>;
  /** Whether `script` has ended. */
  readonly ended: boolean;
  /** Ends it at once (for a test's clean-up). */
  kill(): void;
}

export function kvqInTerminal(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): TerminalSession {
  // `exec`: script runs the command through $SHELL -c, and with no SHELL that is /bin/sh (dash in
  // Debian), which would stay as the parent, hear the terminal's Ctrl-C as well, and exit 130 after kvq.
  const command = `exec ${[process.execPath, "--", KVQ, ...args].map((a) => `'${a}'`).join(" ")}`;
  const child = spawn("script", ["-qfec", command, "/dev/null"], { cwd: PROJECT_ROOT, env: { ...process.env, ...options.env } });
  let output = "";
  child.stdout.on("data", (d) => (output += d.toString()));
  child.stderr.on("data", (d) => (output += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
  const text = () => output.replace(/\r/g, "");
  return {
    get output() {
      return text();
    },
    async expect(pattern, after = 0, timeoutMs = 60_000) {
      const started = Date.now();
      for (;;) {
        const match = pattern.exec(text().slice(after));
        if (match) return after + match.index + match[0].length;
        if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${pattern}; output so far:\n${text()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    type: (keys) => void child.stdin.write(keys),
    closed,
    get ended() {
      return child.exitCode !== null || child.signalCode !== null;
    },
    kill: () => void child.kill("SIGKILL"),
  };
}
