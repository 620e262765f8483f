/**
 * The emulator's TLS: a local certificate authority made on first start, and a server certificate
 * it signs for localhost, 127.0.0.1 and ::1. Both live in the state folder and are reused, so a
 * client that trusts the CA once keeps trusting the emulator across restarts. Clients trust the CA
 * per client (`tlsOptions: { ca }`) or per process (`NODE_EXTRA_CA_CERTS`); verification is never
 * switched off.
 *
 * The CA can sign for this machine's names only: its name constraints permit `localhost`,
 * 127.0.0.1 and ::1 (and the host it was asked to listen on), so its key, if it ever leaked, could
 * not impersonate login.microsoftonline.com to a process that trusts it. It is valid for a year
 * and made anew (same path, so clients keep working) a month before it ends, or when it lacks
 * those constraints (a CA from an older emulator).
 */
import { createPrivateKey, randomBytes, X509Certificate } from "node:crypto";
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
  const files = tlsFiles(dir);
  const names = [...new Set([...LOOPBACK_NAMES, ...extraNames])];
  // Most starts find the files made before: each is written whole (by rename), and a set read
  // while another emulator replaces it fails the checks below, so reading needs no lock.
  const ready = currentTls(files, names);
  if (ready) return ready;
  // Emulators starting together on one state folder (parallel `kvq run`s share .kvq/run-emulator)
  // would each make a CA, and the last ca.pem written would not be the one that signed the others'
  // server certificates. One at a time: the first makes the files, the rest reuse them.
  const { lock } = require("proper-lockfile") as typeof import("proper-lockfile");
  const release = await lock(dir, { stale: 15_000, retries: { retries: 100, minTimeout: 20, maxTimeout: 250 } });
  try {
    return await ensureTlsFiles(files, names);
  } finally {
    await release();
  }
}

type TlsFiles = ReturnType<typeof tlsFiles>;

const tlsFiles = (dir: string) => ({
  caCert: path.join(dir, "ca.pem"),
  caKey: path.join(dir, "ca.key.pem"),
  cert: path.join(dir, "server.pem"),
  key: path.join(dir, "server.key.pem"),
});

/** The files as they are, when all of them can be used as they are; undefined when one must be made. */
function currentTls(files: TlsFiles, names: string[]): TlsMaterial | undefined {
  const ca = readPair(files.caCert, files.caKey);
  if (!ca || !caUsable(ca.cert, names)) return undefined;
  const server = readPair(files.cert, files.key);
  if (!server || !serverUsable(server, ca.cert, names)) return undefined;
  return { caCertPath: files.caCert, caPem: ca.cert, key: server.key, cert: server.cert };
}

async function ensureTlsFiles(files: TlsFiles, names: string[]): Promise<TlsMaterial> {
  let ca = readPair(files.caCert, files.caKey);
  if (!ca || !caUsable(ca.cert, names)) {
    ca = await createCa(nameConstraintsDer(names));
    await writeFileAtomic(files.caKey, ca.key, { mode: 0o600 });
    await writeFileAtomic(files.caCert, ca.cert);
  }
  let server = readPair(files.cert, files.key);
  if (!server || !serverUsable(server, ca.cert, names)) {
    server = await createServerCertificate(ca, names);
    await writeFileAtomic(files.key, server.key, { mode: 0o600 });
    await writeFileAtomic(files.cert, server.cert);
  }
  return { caCertPath: files.caCert, caPem: ca.cert, key: server.key, cert: server.cert };
}

const readPair = (certFile: string, keyFile: string) =>
  existsSync(certFile) && existsSync(keyFile) ? { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") } : undefined;

const caUsable = (pem: string, names: string[]) => !expiresWithin(pem, 30) && hasConstraints(pem, nameConstraintsDer(names));

const serverUsable = (server: { cert: string; key: string }, caPem: string, names: string[]) =>
  !expiresWithin(server.cert, 7) && covers(server.cert, names) && issuedBy(server.cert, caPem) && matchesKey(server.cert, server.key);

/** The key is the certificate's: a certificate and key from two different writes never pair up. */
function matchesKey(pem: string, keyPem: string): boolean {
  try {
    return new X509Certificate(pem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

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

/**
 * The CA, made with @peculiar/x509 (selfsigned cannot add a name-constraints extension).
 * x509 2.x needs a Reflect metadata polyfill loaded first, as its README says.
 */
async function createCa(constraints: Buffer): Promise<{ cert: string; key: string }> {
  require("reflect-metadata");
  const x509 = require("@peculiar/x509") as typeof import("@peculiar/x509");
  const { webcrypto } = require("node:crypto") as typeof import("node:crypto");
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as import("node:crypto").webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${randomBytes(15).toString("hex")}`,
    name: "CN=kvq Key Vault emulator local CA",
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + CA_VALIDITY_DAYS * DAY_MS),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.Extension(NAME_CONSTRAINTS_OID, true, constraints),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)).toString("base64");
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join("\n")}\n-----END PRIVATE KEY-----\n`;
  return { cert: cert.toString("pem"), key };
}

const CA_VALIDITY_DAYS = 365;
const SERVER_VALIDITY_DAYS = 90;
const NAME_CONSTRAINTS_OID = "2.5.29.30";

/**
 * DER of NameConstraints (RFC 5280 §4.2.1.10) permitting exactly these names: each DNS name as a
 * dNSName, each address as an iPAddress with a full-length mask. Written out here because it is
 * a few bytes of fixed structure; the same bytes tell whether an existing CA carries them.
 */
export function nameConstraintsDer(names: string[]): Buffer {
  const subtrees = names.map((name) => {
    const version = isIP(name);
    const base =
      version === 0
        ? der(0x82, Buffer.from(name, "ascii"))
        : der(0x87, Buffer.concat([ipBytes(name, version), Buffer.alloc(version === 4 ? 4 : 16, 0xff)]));
    return der(0x30, base);
  });
  return der(0x30, der(0xa0, Buffer.concat(subtrees)));
}

function der(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

function ipBytes(ip: string, version: number): Buffer {
  if (version === 4) return Buffer.from(ip.split(".").map(Number));
  const [head, tail = ""] = ip.split("::");
  const groups = (s: string) => (s ? s.split(":") : []);
  const h = groups(head);
  const t = groups(tail);
  const all = ip.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
  return Buffer.from(all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

/** The CA carries the name-constraints extension with exactly these names (its DER appears in the certificate). */
function hasConstraints(pem: string, constraints: Buffer): boolean {
  try {
    return Buffer.from(new X509Certificate(pem).raw).includes(constraints);
  } catch {
    return false;
  }
}

async function createServerCertificate(ca: { cert: string; key: string }, names: string[]): Promise<{ cert: string; key: string }> {
  const { generate } = selfsigned();
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    algorithm: "sha256",
    ca,
    notAfterDate: new Date(Date.now() + SERVER_VALIDITY_DAYS * DAY_MS),
    extensions: [
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
