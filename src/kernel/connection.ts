/**
 * The kernel's connection file: five TCP ports on loopback and the HMAC key that signs every
 * message, written where the kernel reads it (`--config-path {connection_file}`).
 *
 * https://jupyter-client.readthedocs.io/en/latest/kernels.html#connection-files
 */
import { randomBytes } from "node:crypto";
import { promises as fs, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/** The connection file's shape, in its own casing. Same fields as enchannel-zmq-backend's JupyterConnectionInfo. */
export interface ConnectionInfo {
  transport: "tcp";
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  signature_scheme: "hmac-sha256";
  key: string;
  kernel_name?: string;
  version?: number;
}

/** Where connection files go unless told otherwise (Jupyter's runtime dir plays this role). */
export const DEFAULT_CONNECTION_DIR = path.join(os.tmpdir(), "kvq-kernels");

/**
 * n distinct free ports. All listeners stay open until every port is known, so the same port is
 * never handed out twice. Like jupyter_client, there is a window between closing them and the
 * kernel binding; kernel.ts retries a start that loses that race.
 */
export async function findFreePorts(n: number, host = "127.0.0.1"): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, host, () => resolve());
      });
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

export async function newConnectionInfo(kernelName?: string, ip = "127.0.0.1"): Promise<ConnectionInfo> {
  const [shell_port, iopub_port, stdin_port, control_port, hb_port] = await findFreePorts(5, ip);
  return {
    transport: "tcp",
    ip,
    shell_port,
    iopub_port,
    stdin_port,
    control_port,
    hb_port,
    signature_scheme: "hmac-sha256",
    // jupyter_client uses a UUID; 32 random bytes is at least as strong.
    key: randomBytes(32).toString("hex"),
    ...(kernelName ? { kernel_name: kernelName } : {}),
    version: 5,
  };
}

/** Writes the file readable by this user only: the key lets anyone who reads it run code in the kernel. */
export async function writeConnectionFile(info: ConnectionInfo, dir = DEFAULT_CONNECTION_DIR): Promise<string> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `kernel-${process.pid}-${randomBytes(6).toString("hex")}.json`);
  await fs.writeFile(file, JSON.stringify(info, null, 1) + "\n", { mode: 0o600, flag: "wx" });
  return file;
}

/** Synchronous on purpose: also called from a process 'exit' hook. Never throws. */
export function removeConnectionFile(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // Already gone, or the folder vanished: nothing to clean.
  }
}
