/**
 * The emulator's CA signs for this machine's addresses only (tls.ts): its name constraints permit
 * 127.0.0.1 and ::1 each as one address (a full-length mask), so a certificate it signs for any
 * other address — another loopback address, a private network's, the internet's — does not verify.
 * (hardening.test.ts holds the same for a DNS name, login.microsoftonline.com.)
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, test } from "node:test";
import { connect, createServer } from "node:tls";
import { startEmulator } from "../../src/emulator/index";
import { tempDir } from "../helpers/emulator";

const stateDir = tempDir();
let ca: { cert: string; key: string };
before(async () => {
  const emulator = await startEmulator({ port: 0, stateDir, persist: false });
  await emulator.close();
  ca = { cert: emulator.caPem, key: readFileSync(path.join(stateDir, "tls", "ca.key.pem"), "utf8") };
});
after(() => rmSync(stateDir, { recursive: true, force: true }));

/**
 * Whether a client that trusts only the emulator's CA verifies a certificate the CA signed for
 * `ip` (as its one subject alternative name): "verified", or the error's code. The host name check
 * is left out, so only the chain — and the CA's constraints — decide.
 */
async function verifiesFor(ip: string): Promise<string> {
  const { generate } = require("selfsigned") as typeof import("selfsigned");
  const leaf = await generate([{ name: "commonName", value: "emulator test leaf" }], {
    keyType: "ec",
    algorithm: "sha256",
    ca,
    extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip }] }],
  });
  const server = createServer({ key: leaf.private, cert: leaf.cert }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    return await new Promise<string>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port: (server.address() as AddressInfo).port, ca: ca.cert, checkServerIdentity: () => undefined }, () => {
        socket.end();
        resolve("verified");
      });
      socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
  } finally {
    server.close();
  }
}

// OpenSSL finds "permitted subtree violation"; Node reports it as PERMITTED_SUBTREE_VIOLATION or UNSPECIFIED by version.
const REFUSED = /PERMITTED_SUBTREE_VIOLATION|UNSPECIFIED/;

test("a certificate the CA signs for 127.0.0.1 or ::1 verifies", async () => {
  assert.equal(await verifiesFor("127.0.0.1"), "verified");
  assert.equal(await verifiesFor("::1"), "verified");
});

test("a certificate the CA signs for another address does not: 127.0.0.2, 10.1.2.3, 20.38.1.1, fd00::1, 2603:1030::1", async () => {
  for (const ip of ["127.0.0.2", "10.1.2.3", "20.38.1.1", "fd00::1", "2603:1030::1"]) assert.match(await verifiesFor(ip), REFUSED, ip);
});
