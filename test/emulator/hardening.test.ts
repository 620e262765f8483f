/**
 * Issue 10, points 1 and 4, below the crash test: leftover temp files go, the CA can sign for this machine only (and older CAs are made
 * anew at the same path), a state folder others can write to is refused, the identity endpoint's
 * port is chosen per start and a taken one is refused, and last-run.json says where the vault ran.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import path from "node:path";
import { after, test } from "node:test";
import { connect, createServer as createTlsServer } from "node:tls";
import { EmulatorStartError, EmulatorStateError, startEmulator } from "../../src/emulator/index";
import { startTestVault, tempDir } from "../helpers/emulator";

const dirs: string[] = [];
const newDir = () => {
  const dir = tempDir();
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test("leftover temp files are removed; last-run.json says where the vault runs", async () => {
  const live = newDir();
  const leftover = path.join(live, ".vault.db.999999999.0123abcd.tmp");
  writeFileSync(leftover, "a full copy of the vault", { mode: 0o600 });
  writeFileSync(`${leftover}-wal`, "its log", { mode: 0o600 });
  const vault = await startTestVault({ stateDir: live });
  try {
    assert.equal(existsSync(leftover), false, "the temp file of an interrupted write is gone");
    assert.equal(existsSync(`${leftover}-wal`), false, "and its log");
    const lastRun = JSON.parse(readFileSync(path.join(live, "last-run.json"), "utf8"));
    assert.deepEqual(lastRun, {
      port: Number(new URL(vault.emulator.url).port),
      identityPort: Number(new URL(vault.emulator.env.IDENTITY_ENDPOINT).port),
      pid: process.pid,
      url: vault.emulator.url,
      identityEndpoint: vault.emulator.env.IDENTITY_ENDPOINT,
    });
  } finally {
    await vault.stop();
  }
});

test("the CA signs for this machine only: a certificate it signs for login.microsoftonline.com does not verify", async () => {
  const stateDir = newDir();
  const emulator = await startEmulator({ port: 0, stateDir, persist: false });
  await emulator.close();
  const ca = { cert: emulator.caPem, key: readFileSync(path.join(stateDir, "tls", "ca.key.pem"), "utf8") };
  const { generate } = require("selfsigned") as typeof import("selfsigned");
  const handshake = async (name: string) => {
    const leaf = await generate([{ name: "commonName", value: name }], {
      keyType: "ec",
      algorithm: "sha256",
      ca,
      extensions: [{ name: "subjectAltName", altNames: [{ type: 2, value: name }] }],
    });
    const server = createTlsServer({ key: leaf.private, cert: leaf.cert }, (socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as import("node:net").AddressInfo).port;
    try {
      return await new Promise<string>((resolve) => {
        const socket = connect({ host: "127.0.0.1", port, servername: name, ca: emulator.caPem, checkServerIdentity: () => undefined }, () => {
          socket.end();
          resolve("verified");
        });
        socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
    } finally {
      server.close();
    }
  };
  assert.equal(await handshake("localhost"), "verified");
  // OpenSSL finds "permitted subtree violation"; Node reports it as PERMITTED_SUBTREE_VIOLATION or UNSPECIFIED by version.
  assert.match(await handshake("login.microsoftonline.com"), /PERMITTED_SUBTREE_VIOLATION|UNSPECIFIED/);
});

test("a CA from an older emulator (no name constraints) is made anew at the same path, and clients keep working", async () => {
  const stateDir = newDir();
  const { generate } = require("selfsigned") as typeof import("selfsigned");
  const old = await generate([{ name: "commonName", value: "old unconstrained CA" }], {
    keyType: "ec",
    algorithm: "sha256",
    extensions: [{ name: "basicConstraints", cA: true, critical: true }, { name: "keyUsage", keyCertSign: true, critical: true }],
  });
  const { mkdirSync } = await import("node:fs");
  mkdirSync(path.join(stateDir, "tls"), { recursive: true, mode: 0o700 });
  writeFileSync(path.join(stateDir, "tls", "ca.pem"), old.cert);
  writeFileSync(path.join(stateDir, "tls", "ca.key.pem"), old.private, { mode: 0o600 });
  const vault = await startTestVault({ stateDir });
  try {
    assert.equal(vault.emulator.caCertPath, path.join(stateDir, "tls", "ca.pem"));
    assert.notEqual(readFileSync(vault.emulator.caCertPath, "utf8"), old.cert);
    await vault.client.createEcKey("with-new-ca");
  } finally {
    await vault.stop();
  }
});

test("a state folder others can write to is refused with the fix; one they can read is tightened", { skip: process.platform === "win32" }, async () => {
  const open = newDir();
  chmodSync(open, 0o777);
  await assert.rejects(startEmulator({ port: 0, stateDir: open }), (error: Error) => {
    assert.ok(error instanceof EmulatorStateError, String(error));
    assert.match(error.message, /can be written by other users \(mode 0777\)/);
    assert.ok(error.message.includes(`chmod 700 ${open}`));
    return true;
  });
  assert.equal(existsSync(path.join(open, "secrets.json")), false, "nothing was used or made");
  const readable = newDir();
  chmodSync(readable, 0o755);
  const emulator = await startEmulator({ port: 0, stateDir: readable });
  await emulator.close();
  assert.equal(statSync(readable).mode & 0o777, 0o700);
});

test("the identity endpoint listens on a port chosen at start; a port that is taken is refused", async () => {
  const a = await startEmulator({ port: 0, stateDir: newDir(), persist: false });
  const b = await startEmulator({ port: 0, stateDir: newDir(), persist: false });
  const port = (e: typeof a) => Number(new URL(e.env.IDENTITY_ENDPOINT).port);
  try {
    assert.notEqual(port(a), Number(new URL(a.url).port) + 1);
    assert.notEqual(port(a), port(b));
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
  const squatter = createNetServer();
  await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve));
  const taken = (squatter.address() as import("node:net").AddressInfo).port;
  try {
    await assert.rejects(startEmulator({ port: 0, identityPort: taken, stateDir: newDir() }), (error: Error) => {
      assert.ok(error instanceof EmulatorStartError);
      assert.match(error.message, new RegExp(`port 127.0.0.1:${taken} is already in use`));
      return true;
    });
  } finally {
    squatter.close();
  }
});

test("emulators starting together on a new state folder agree on one CA, so every one of them verifies against ca.pem", async () => {
  const stateDir = newDir();
  const emulators = await Promise.all(Array.from({ length: 4 }, () => startEmulator({ stateDir, port: 0, identityPort: 0, persist: false })));
  try {
    const caOnDisk = readFileSync(path.join(stateDir, "tls", "ca.pem"), "utf8");
    for (const emulator of emulators) {
      assert.equal(emulator.caPem, caOnDisk, "each emulator serves under the CA that ca.pem holds");
      const { port } = new URL(emulator.url);
      const verified = await new Promise<boolean>((resolve, reject) => {
        const socket = connect({ host: "localhost", port: Number(port), ca: caOnDisk, servername: "localhost" }, () => {
          resolve(socket.authorized);
          socket.end();
        });
        socket.on("error", reject);
      });
      assert.equal(verified, true, `${emulator.url} verifies against ca.pem`);
    }
  } finally {
    await Promise.all(emulators.map((emulator) => emulator.close()));
  }
});

test("a server key that is not its certificate's (two writes torn apart) is made anew, and the vault verifies against ca.pem", async () => {
  const stateDir = newDir();
  await (await startEmulator({ stateDir, port: 0, identityPort: 0, persist: false })).close();
  const keyFile = path.join(stateDir, "tls", "server.key.pem");
  const before = readFileSync(keyFile, "utf8");
  writeFileSync(keyFile, generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }));
  const emulator = await startEmulator({ stateDir, port: 0, identityPort: 0, persist: false });
  try {
    assert.notEqual(readFileSync(keyFile, "utf8"), before);
    const { port } = new URL(emulator.url);
    const verified = await new Promise<boolean>((resolve, reject) => {
      const socket = connect({ host: "localhost", port: Number(port), ca: readFileSync(path.join(stateDir, "tls", "ca.pem"), "utf8"), servername: "localhost" }, () => {
        resolve(socket.authorized);
        socket.end();
      });
      socket.on("error", reject);
    });
    assert.equal(verified, true);
  } finally {
    await emulator.close();
  }
});
