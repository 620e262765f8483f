"use strict";
// Loaded by preload.cjs. tslab 1.0.22 answers kernel_info with language_info.version
// "3.7.2", a constant left from its first release, while it compiles cells with the TypeScript it
// bundles (@tslab/typescript-for-tslab, 5.0.4). Jupyter copies language_info into the notebook's
// metadata when the kernel starts, so a notebook saved with the true version was marked changed on
// open. The reply is corrected here to the version that really runs; the committed notebooks carry
// the same (committed-notebooks.test.ts and the browser test check both ends).
const path = require("node:path");
const { createRequire } = require("node:module");
const jupyter = require("tslab/dist/jupyter");

const fromTslab = createRequire(path.join(path.dirname(require.resolve("tslab/package.json")), "index.js"));
const typescriptVersion = fromTslab("@tslab/typescript-for-tslab/package.json").version;

const handleKernel = jupyter.JupyterHandlerImpl.prototype.handleKernel;
jupyter.JupyterHandlerImpl.prototype.handleKernel = function handleKernelWithTrueVersion() {
  const reply = handleKernel.call(this);
  if (reply.language_info.name === "typescript") reply.language_info.version = typescriptVersion;
  return reply;
};

module.exports = { typescriptVersion };
