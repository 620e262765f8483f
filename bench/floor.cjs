"use strict";
// The floor (issue 13): the quickstart's own SDK work — the calls each notebook step makes, in the
// same order — as one plain Node script against an in-process emulator. What no tutorial runner
// can beat: Node's start, loading the SDK, the requests. The emulator is the project's TypeScript,
// loaded through tsx's API for that one import (its load is charged to the floor, which only makes
// the floor slower). Prints one JSON line: seconds per step, keyed by the notebook's step number.
//
//   node bench/floor.cjs
const started = performance.now();
const { mkdtempSync, rmSync } = require("node:fs");
const { tmpdir } = require("node:os");
const path = require("node:path");
const { DefaultAzureCredential } = require("@azure/identity");
const { KeyClient } = require("@azure/keyvault-keys");
const { SHORT_RUN, startEmulator } = require("tsx/cjs/api").require("../src/emulator/index.ts", __filename);

const status = (promise) => promise.then(() => 200, (error) => error.statusCode ?? Promise.reject(error));

async function main() {
  const state = mkdtempSync(path.join(tmpdir(), "kvq-bench-floor-"));
  const emulator = await startEmulator({ port: 0, stateDir: state, ...SHORT_RUN });
  const steps = {};
  let mark = performance.now();
  const step = (index) => {
    const now = performance.now();
    steps[index] = (now - mark) / 1000;
    mark = now;
  };
  try {
    Object.assign(process.env, emulator.env);
    const name = `floor-${process.pid}`;
    const credential = new DefaultAzureCredential();
    const client = new KeyClient(emulator.url, credential, { disableChallengeResourceVerification: true, tlsOptions: { ca: emulator.caPem } });
    step(2);
    // 4: is the name free (live, then deleted)?
    if ((await status(client.getKey(name))) !== 404 || (await status(client.getDeletedKey(name))) !== 404) throw new Error("the name is taken");
    step(4);
    const key = await client.createRsaKey(name, { keySize: 2048 });
    step(5);
    await client.getKey(name);
    step(6);
    await (await client.beginDeleteKey(name)).pollUntilDone();
    step(7);
    if ((await status(client.createRsaKey(name, { keySize: 2048 }))) !== 409) throw new Error("expected 409 Conflict");
    step(8);
    await (await client.beginRecoverDeletedKey(name)).pollUntilDone();
    await (await client.beginDeleteKey(name)).pollUntilDone();
    step(9);
    // 10: the clean-up looks for the key, purges it, and checks it is gone.
    await status(client.getKey(name));
    await client.getDeletedKey(name);
    await client.purgeDeletedKey(name);
    await status(client.getDeletedKey(name));
    step(10);
    if (!key.id) throw new Error("no key id");
  } finally {
    await emulator.close();
    rmSync(state, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify({ steps, seconds: (performance.now() - started) / 1000 })}\n`);
}

// Exits when its work is done: a delay the SDK's poller leaves pending would otherwise keep the
// process 1.5 s longer, time that is not the SDK's work (the kernel exits the same way).
main().then(
  () => process.stdout.write("", () => process.exit()),
  (error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  },
);
