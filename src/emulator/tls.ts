/**
 * The emulator's TLS: a local certificate authority made on first start, and a server certificate
 * it signs for localhost, 127.0.0.1 and ::1. Both live in the state folder and are reused, so a
 * client that trusts the CA once keeps trusting the emulator across restarts. Clients trust the CA
 * per client (`tlsOptions: { ca }`) or per process (`NODE_EXTRA_CA_CERTS`); verification is never
 * switched off.
 */
import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import { writeFileAtomic } from "../util/atomic-write";

export interface TlsMaterial {
  caCertPath: string;
  caPem: string;
  key: string;
  cert: string;
}

const DAY_MS = 86_400_000;
const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1"];

export async function ensureTls(stateDir: string, extraNames: string[] = []): Promise<TlsMaterial> {
  const dir = path.join(stateDir, "tls");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = {
    caCert: path.join(dir, "ca.pem"),
    caKey: path.join(dir, "ca.key.pem"),
    cert: path.join(dir, "server.pem"),
    key: path.join(dir, "server.key.pem"),
  };
  const names = [...new Set([...LOOPBACK_NAMES, ...extraNames])];

  let ca = existsSync(files.caCert) && existsSync(files.caKey) ? { cert: read(files.caCert), key: read(files.caKey) } : undefined;
  if (!ca || expiresWithin(ca.cert, 30)) {
    ca = await createCa();
    await writeFileAtomic(files.caKey, ca.key, { mode: 0o600 });
    await writeFileAtomic(files.caCert, ca.cert);
  }
  let server = existsSync(files.cert) && existsSync(files.key) ? { cert: read(files.cert), key: read(files.key) } : undefined;
  if (!server || expiresWithin(server.cert, 7) || !covers(server.cert, names) || !issuedBy(server.cert, ca.cert)) {
    server = await createServerCertificate(ca, names);
    await writeFileAtomic(files.key, server.key, { mode: 0o600 });
    await writeFileAtomic(files.cert, server.cert);
  }
  return { caCertPath: files.caCert, caPem: ca.cert, key: server.key, cert: server.cert };
}

const read = (file: string) => readFileSync(file, "utf8");

function expiresWithin(pem: string, days: number): boolean {
  try {
    return new Date(new X509Certificate(pem).validTo).getTime() - Date.now() < days * DAY_MS;
  } catch {
    return true;
  }
}

function covers(pem: string, names: string[]): boolean {
  try {
    const cert = new X509Certificate(pem);
    return names.every((name) => (isIP(name) ? cert.checkIP(name) : cert.checkHost(name)) !== undefined);
  } catch {
    return false;
  }
}

function issuedBy(pem: string, caPem: string): boolean {
  try {
    return new X509Certificate(pem).checkIssued(new X509Certificate(caPem));
  } catch {
    return false;
  }
}

// selfsigned is loaded only when a certificate has to be made: it is the slowest module to load.
const selfsigned = () => require("selfsigned") as typeof import("selfsigned");

async function createCa(): Promise<{ cert: string; key: string }> {
  const { generate } = selfsigned();
  const pems = await generate([{ name: "commonName", value: "kvq Key Vault emulator local CA" }], {
    keyType: "ec",
    algorithm: "sha256",
    notAfterDate: new Date(Date.now() + 10 * 365 * DAY_MS),
    extensions: [
      { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

async function createServerCertificate(ca: { cert: string; key: string }, names: string[]): Promise<{ cert: string; key: string }> {
  const { generate } = selfsigned();
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    algorithm: "sha256",
    ca,
    notAfterDate: new Date(Date.now() + 365 * DAY_MS),
    extensions: [
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
