/**
 * The store's promises, seen from outside: a 2xx only after the commit (observed with a gate that
 * holds every commit inside its transaction: SIGKILL keeps the page cache, so only this shows the
 * order), a read of a change on its way waits for it too; one emulator per state folder (refused
 * at once with the running one's address, two started together: one runs; a crashed one's lock
 * never blocks); a full disk answers an error and keeps nothing of that request, not even in
 * memory, and writes work again once there is room.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { CommitGate, EmulatorStateError, startEmulator } from "../../src/emulator/index";
import { readEmulatorRecord } from "../../src/emulator-record";
import { API, childCaller, kill9, killChildren, startChild } from "../helpers/emulator-child";
import { rawRequest, rejectsWith, startTestVault, tempDir, type RawResponse } from "../helpers/emulator";
import { mountSmallDisk } from "../helpers/tmpfs";

const dirs: string[] = [];
const disk = mountSmallDisk(8);
after(() => {
  killChildren();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  if (typeof disk !== "string") disk.unmount();
});
const newDir = () => {
  const dir = tempDir("kvq-store-");
  dirs.push(dir);
  return dir;
};

/** Why the strace test cannot run here (a reason to skip), or false. */
const strace = () => (process.platform !== "linux" ? "strace is Linux's" : spawnSync("strace", ["-V"]).status === 0 ? false : "strace is not installed");

/** Whether the promise is still unsettled after `ms`. */
const pendingAfter = async (promise: Promise<unknown>, ms: number) => {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setTimeout(resolve, ms));
  return !settled;
};

test("a write is answered only after its commit, and a read of it waits for the commit too", async () => {
  const gate = new CommitGate();
  const vault = await startTestVault({ commitGate: gate });
  try {
    const token = await vault.token();
    const call = (method: string, target: string, body?: string) => rawRequest(vault.emulator, { method, path: target, token, body });
    assert.equal((await call("POST", `/keys/before/create?${API}`, '{"kty":"EC"}')).status, 200);
    await vault.emulator.flush(); // nothing left on its way: the gate holds the next commit only
    gate.shut();
    const create = call("POST", `/keys/held/create?${API}`, '{"kty":"EC"}');
    assert.equal(await pendingAfter(create, 400), true, "no answer while the commit is held");
    const read = call("GET", `/keys/held/?${API}`);
    assert.equal(await pendingAfter(read, 200), true, "a read of the change on its way waits for it");
    gate.open();
    assert.equal((await create).status, 200);
    assert.equal((await read).status, 200);
    // Nothing on its way: a read answers at once, even with the gate shut.
    gate.shut();
    assert.equal((await call("GET", `/keys/before/?${API}`)).status, 200);
    gate.open();
  } finally {
    gate.open();
    await vault.stop();
  }
});

test("a write is fsync'd before it is answered: each acknowledged commit synced the write-ahead log (seen with strace)", { skip: strace() }, async () => {
  // SIGKILL keeps the page cache, so only the system calls show that a commit reached the disk: with
  // synchronous=NORMAL or OFF SQLite syncs the log only when it folds it in (here, 1 s after the
  // writes stop, or at a clean stop), never before an answer.
  const dir = newDir();
  const trace = path.join(newDir(), "fsync.trace");
  const running = await startChild(dir, [], { under: ["strace", "-f", "-qq", "-e", "trace=fsync,fdatasync", "-y", "-o", trace] });
  const { call, agent } = await childCaller(running);
  const names = ["synced-1", "synced-2", "synced-3", "synced-4", "synced-5"];
  for (const name of names) assert.equal(await call("POST", `/keys/${name}/create?${API}`, '{"kty":"EC"}'), 200);
  // Killed at once, before the log is folded in: every sync traced so far was a commit's.
  process.kill(readEmulatorRecord(dir)!.pid!, "SIGKILL");
  await running.exited;
  agent.destroy();
  const syncs = readFileSync(trace, "utf8").split("\n").filter((line) => /\b(fsync|fdatasync)\(\d+<[^>]*vault\.db-wal>\) = 0/.test(line));
  assert.ok(syncs.length >= names.length, `${syncs.length} syncs of vault.db-wal for ${names.length} acknowledged creates:\n${readFileSync(trace, "utf8").slice(0, 2000)}`);
});

test("one emulator per state folder: a second is refused at once, naming the first; two started together, one runs", async () => {
  const stateDir = newDir();
  const first = await startEmulator({ port: 0, stateDir, onNotice: () => undefined });
  try {
    const started = performance.now();
    await assert.rejects(startEmulator({ port: 0, stateDir }), (error: Error) => {
      assert.ok(error instanceof EmulatorStateError, String(error));
      assert.ok(error.message.includes(`Another emulator (process ${process.pid}) is using the state folder ${stateDir}; it serves ${first.url}.`), error.message);
      assert.match(error.message, /--state DIR/);
      return true;
    });
    assert.ok(performance.now() - started < 5000, "at once, not after a wait for the lock");
  } finally {
    await first.close();
  }
  const again = await startEmulator({ port: 0, stateDir });
  await again.close();

  const together = newDir();
  const results = await Promise.allSettled([0, 1, 2].map(() => startEmulator({ port: 0, stateDir: together })));
  const running = results.filter((r) => r.status === "fulfilled");
  try {
    assert.equal(running.length, 1, results.map((r) => (r.status === "rejected" ? String(r.reason) : "ran")).join("\n"));
    for (const r of results) if (r.status === "rejected") assert.ok(r.reason instanceof EmulatorStateError, String(r.reason));
  } finally {
    for (const r of running) await r.value.close();
  }
});

test("the lock of an emulator killed with SIGKILL never blocks the next start", async () => {
  const stateDir = newDir();
  const crashed = await startChild(stateDir);
  await kill9(crashed);
  const started = performance.now();
  const next = await startEmulator({ port: 0, stateDir });
  try {
    assert.ok(performance.now() - started < 5000);
    assert.notEqual(next.url, undefined);
  } finally {
    await next.close();
  }
});

test("a full disk: the write answers 500 naming it, nothing of it is kept or seen, and with room again writes work", { skip: typeof disk === "string" ? disk : false }, async () => {
  if (typeof disk === "string") return;
  const stateDir = path.join(disk.dir, "in-process");
  const vault = await startTestVault({ stateDir, maxRetries: 0 });
  const token = await vault.token();
  const call = (method: string, target: string, body?: string) => rawRequest(vault.emulator, { method, path: target, token, body });
  try {
    await vault.client.createEcKey("kept", { tags: { v: "1" } });
    const full = disk.fill();
    let refused: RawResponse | undefined;
    try {
      // Several writes: a small one can still fit in a page SQLite had already grown.
      for (let i = 0; i < 20 && !refused; i++) {
        const res = await call("POST", `/keys/refused-${i}/create?${API}`, '{"kty":"EC"}');
        if (res.status !== 200) refused = res;
        else await call("DELETE", `/keys/refused-${i}?${API}`);
      }
      assert.ok(refused, "no write was refused on a full disk");
      assert.equal(refused.status, 500, refused.text);
      assert.match(refused.body.error.message, /could not save a change to its state folder \(the disk is full\)\. Nothing of this request was kept.*Free some disk space/);
      // The refused change is not seen: not by a read, not by a list, not by an update of the key that was kept.
      const patch = await call("PATCH", `/keys/kept/?${API}`, JSON.stringify({ tags: { v: "2" } }));
      if (patch.status === 500) assert.deepEqual((await vault.client.getKey("kept")).properties.tags, { v: "1" }, "a refused update is not seen");
    } finally {
      full.free();
    }
    const names: string[] = [];
    for await (const p of vault.client.listPropertiesOfKeys()) names.push(p.name);
    assert.deepEqual(names.filter((n) => n.startsWith("refused-")), [], "no refused create is listed");
    await vault.client.createEcKey("after-room");
    await vault.emulator.close();
    const again = await startTestVault({ stateDir });
    try {
      assert.equal((await again.client.getKey("after-room")).name, "after-room");
      assert.equal((await again.client.getKey("kept")).name, "kept");
      const after: string[] = [];
      for await (const p of again.client.listPropertiesOfKeys()) after.push(p.name);
      assert.deepEqual(after.filter((n) => n.startsWith("refused-")), [], "no refused create was persisted");
    } finally {
      await again.emulator.close();
    }
  } finally {
    await vault.emulator.close();
  }
});

test("imported key material whose halves do not belong together is refused", async () => {
  const vault = await startTestVault();
  try {
    const { generateKeyPairSync } = await import("node:crypto");
    const jwk = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ format: "jwk" });
    const other = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ format: "jwk" });
    await rejectsWith(vault.client.importKey("mismatched", { kty: "EC", crv: "P-256", x: Buffer.from(jwk.x!, "base64url"), y: Buffer.from(jwk.y!, "base64url"), d: Buffer.from(other.d!, "base64url") }), {
      status: 400,
      message: /private part does not belong to its public part|not a valid private key/,
    });
  } finally {
    await vault.stop();
  }
});
