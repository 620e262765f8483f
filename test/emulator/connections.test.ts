/**
 * Connections that cannot starve the vault (issue 23, point 1 and 6), through raw sockets and the
 * real SDK: a TCP connection that never sends a TLS hello is closed at the handshake timeout (a
 * failed handshake's socket destroyed, not left waiting for a 400 it can never send); while a few
 * dozen idle connections are held past the limit, authenticated clients are served, on the vault
 * and on the identity endpoint; 300 token requests at once are each served or answered 503, never
 * reset; a slow body is cut at the request timeout (checked every second, not every 30); and no
 * "100 Continue" invites a body before the request is authorized.
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { connect as netConnect, type Socket } from "node:net";
import { after, test } from "node:test";
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import { rawRequest, startTestVault, type TestVault } from "../helpers/emulator";

const API = "api-version=2025-07-01";
const held: Socket[] = [];
after(() => {
  for (const socket of held) socket.destroy();
});

const port = (url: string) => Number(new URL(url).port);

/** A TCP connection that sends nothing; resolves once connected. Its `closed` says when the server let go. */
function idleTcp(p: number): Promise<Socket & { closedAt?: number }> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(p, "127.0.0.1", () => resolve(socket));
    held.push(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => ((socket as Socket & { closedAt?: number }).closedAt = performance.now()));
    socket.once("error", reject);
  });
}

/** A verified TLS connection that never sends a request. */
function idleTls(vault: TestVault): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: "127.0.0.1", servername: "localhost", port: port(vault.emulator.url), ca: vault.emulator.caPem }, () => resolve(socket));
    held.push(socket);
    socket.on("error", () => undefined);
    socket.once("error", reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("a connection that never sends its TLS hello is closed at the handshake timeout, and nothing is held", async () => {
  const vault = await startTestVault({ limits: { connections: 2, handshakeTimeoutMs: 500 } });
  try {
    const opened = performance.now();
    const idle = await Promise.all([idleTcp(port(vault.emulator.url)), idleTcp(port(vault.emulator.url))]);
    await sleep(2000);
    for (const socket of idle) {
      assert.ok(socket.closedAt !== undefined, "the server closed the connection");
      assert.ok(socket.closedAt - opened < 1900, `closed after ${(socket.closedAt - opened).toFixed(0)} ms`);
    }
    const token = await vault.token();
    for (let i = 0; i < 10; i++) assert.equal((await rawRequest(vault.emulator, { path: `/keys?${API}`, token })).status, 200);
  } finally {
    await vault.stop();
  }
});

test("while idle connections are held past the limit, authenticated clients are served: idle and unauthenticated ones go first", async () => {
  const vault = await startTestVault({ limits: { connections: 20, handshakeTimeoutMs: 60_000 } });
  try {
    await vault.client.createEcKey("served");
    const vaultPort = port(vault.emulator.url);
    await Promise.all([...Array.from({ length: 25 }, () => idleTcp(vaultPort)), ...Array.from({ length: 10 }, () => idleTls(vault))]);
    await sleep(1200); // idle long enough to be replaced
    for (let i = 0; i < 5; i++) {
      assert.equal((await vault.client.getKey("served")).name, "served");
      await vault.client.createEcKey(`while-held-${i}`);
    }
    const token = await vault.token();
    const statuses = await Promise.all(Array.from({ length: 10 }, () => rawRequest(vault.emulator, { path: `/keys/served/?${API}`, token }).then((r) => r.status)));
    assert.deepEqual(statuses, Array(10).fill(200));
  } finally {
    await vault.stop();
  }
});

function tokenRequest(vault: TestVault): Promise<number | string> {
  return new Promise((resolve) => {
    const url = `${vault.emulator.env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=${encodeURIComponent("https://vault.azure.net")}`;
    const req = httpRequest(url, { agent: false, headers: { "X-IDENTITY-HEADER": vault.emulator.env.IDENTITY_HEADER } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode === 503 && res.headers["retry-after"] === "1" ? "503 Retry-After" : (res.statusCode ?? 0)));
      res.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
    req.end();
  });
}

test("the identity endpoint: served while idle connections are held; 300 token requests at once are each served or answered 503, never reset", async () => {
  const vault = await startTestVault({ limits: { connections: 20 } });
  try {
    const identityPort = port(vault.emulator.env.IDENTITY_ENDPOINT);
    await Promise.all(Array.from({ length: 35 }, () => idleTcp(identityPort)));
    await sleep(1200);
    for (let i = 0; i < 5; i++) assert.equal(await tokenRequest(vault), 200);
    for (const socket of held.splice(0)) socket.destroy();
  } finally {
    await vault.stop();
  }
  const busy = await startTestVault();
  try {
    // All 300 connected first, then all asking at once: more at the same moment than the limit (256).
    const identity = new URL(busy.emulator.env.IDENTITY_ENDPOINT);
    const sockets = await Promise.all(Array.from({ length: 300 }, () => idleTcp(Number(identity.port))));
    await sleep(300); // the kernel completes connections before the server takes them: let it take all 300
    const request =
      `GET ${identity.pathname}?api-version=2019-08-01&resource=${encodeURIComponent("https://vault.azure.net")} HTTP/1.1\r\n` +
      `Host: ${identity.host}\r\nX-IDENTITY-HEADER: ${busy.emulator.env.IDENTITY_HEADER}\r\nConnection: close\r\n\r\n`;
    const answers = await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<string>((resolve) => {
            if (socket.closedAt !== undefined || socket.destroyed) return resolve("closed unanswered");
            let text = "";
            socket.on("data", (d) => (text += d));
            socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
            socket.on("close", () => {
              const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
              resolve(status === "503" && /\r\nretry-after: 1\r\n/i.test(text) ? "503 Retry-After" : (status ?? (socket.closedAt ? "closed unanswered" : "none")));
            });
            socket.write(request);
          }),
      ),
    );
    const counts: Record<string, number> = {};
    for (const a of answers) counts[a] = (counts[a] ?? 0) + 1;
    assert.deepEqual(Object.keys(counts).filter((a) => a !== "200" && a !== "503 Retry-After" && a !== "429"), [], JSON.stringify(counts));
    assert.ok(counts["200"] >= 256, JSON.stringify(counts));
  } finally {
    await busy.stop();
  }
});

test("a body that arrives too slowly is cut at the request timeout, within a second of it", async () => {
  const vault = await startTestVault({ limits: { requestTimeoutMs: 2000 } });
  try {
    const token = await vault.token();
    const socket = await idleTls(vault);
    const started = performance.now();
    socket.write(`POST /keys/slow/create?${API} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"kty":`);
    let answer = "";
    socket.on("data", (d) => (answer += d));
    const closedAfter = await new Promise<number>((resolve) => socket.on("close", () => resolve(performance.now() - started)));
    assert.ok(closedAfter < 3200, `cut after ${closedAfter.toFixed(0)} ms`);
    assert.match(answer, /^HTTP\/1\.1 408 /);
  } finally {
    await vault.stop();
  }
});

test('"Expect: 100-continue": no "100 Continue" before the request is authorized; after it, the body is invited', async () => {
  const vault = await startTestVault();
  try {
    const firstLine = async (token?: string) => {
      const socket = await idleTls(vault);
      const body = '{"kty":"EC"}';
      socket.write(
        `POST /keys/continued/create?${API} HTTP/1.1\r\nHost: localhost\r\n${token ? `Authorization: Bearer ${token}\r\n` : ""}` +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
      );
      let text = "";
      await new Promise<void>((resolve) => {
        socket.on("data", (d) => {
          text += d;
          if (text.startsWith("HTTP/1.1 100") && !text.includes("\r\n\r\nHTTP")) socket.write(body);
          if (/\r\n\r\n/.test(text) && !text.startsWith("HTTP/1.1 100")) resolve();
          if (/^HTTP\/1\.1 100[^]*\r\n\r\nHTTP\/1\.1 \d{3}/.test(text)) resolve();
        });
        socket.on("close", () => resolve());
      });
      socket.destroy();
      return text.split("\r\n")[0] + (text.startsWith("HTTP/1.1 100") ? ` then ${/\r\n\r\n(HTTP\/1\.1 \d{3})/.exec(text)?.[1]}` : "");
    };
    assert.equal(await firstLine(), "HTTP/1.1 401 Unauthorized");
    assert.equal(await firstLine(await vault.token()), "HTTP/1.1 100 Continue then HTTP/1.1 200");
  } finally {
    await vault.stop();
  }
});
