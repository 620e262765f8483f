"use strict";
// Loaded by preload.cjs. A kernel started with KVQ_KERNEL_ENV_FROM_STDIN=1 (process.ts,
// deferEnv) gets part of its environment later: the runner starts it before its target (the
// emulator, with its port and sign-in endpoint) is open, then writes those variables to the
// kernel's stdin as one JSON object and closes it. They are in process.env before the first cell
// runs: executions wait for them (the runner sends them before its first execute_request, so the
// wait is a pipe's latency). Plain JavaScript: it loads before tsx.
const VARIABLE = "KVQ_KERNEL_ENV_FROM_STDIN";

/** Resolves once stdin has closed and the variables it carried are in process.env. */
function readDeferredEnv() {
  return new Promise((resolve) => {
    let text = "";
    const stdin = process.stdin;
    stdin.setEncoding("utf8");
    stdin.on("data", (chunk) => (text += chunk));
    stdin.on("error", () => resolve());
    stdin.on("end", () => {
      try {
        for (const [name, value] of Object.entries(JSON.parse(text || "{}"))) process.env[name] = String(value);
      } catch {
        process.stderr.write("kvq: the kernel's deferred environment was not valid JSON; cells run without it.\n");
      }
      resolve();
    });
  });
}

/** The executor with execute held until the deferred variables are in (unchanged without KVQ_KERNEL_ENV_FROM_STDIN). */
function withDeferredEnv(executor) {
  if (process.env[VARIABLE] !== "1") return executor;
  // Cells and the processes they start never see the switch.
  delete process.env[VARIABLE];
  const ready = readDeferredEnv();
  const execute = executor.execute;
  executor.execute = async (...args) => {
    await ready;
    return execute(...args);
  };
  return executor;
}

module.exports = { withDeferredEnv };
