"use strict";
// Loaded by preload.cjs: kernel_info_reply as the messaging spec (5.3) has it.
//
// tslab 1.0.22 answers with no `status` (the spec requires "ok"; jupyter_kernel_test refuses the
// reply), with implementation_version "1.0.0" whatever tslab runs, and with language_info.version
// "3.7.2", a constant left from its first release, while it compiles cells with the TypeScript it
// bundles (@tslab/typescript-for-tslab, 5.0.4). Jupyter copies language_info into the notebook's
// metadata when the kernel starts, so a notebook saved with the true version was marked changed on
// open. The reply now says "ok", tslab's version, and the TypeScript that really runs; the committed
// notebooks carry the same (committed-notebooks.test.ts and the browser test check both ends).
const path = require("node:path");
const { createRequire } = require("node:module");
const jupyter = require("tslab/dist/jupyter");

const tslabPackage = require.resolve("tslab/package.json");
const fromTslab = createRequire(path.join(path.dirname(tslabPackage), "index.js"));
const typescriptVersion = fromTslab("@tslab/typescript-for-tslab/package.json").version;
const tslabVersion = require(tslabPackage).version;

const handleKernel = jupyter.JupyterHandlerImpl.prototype.handleKernel;
jupyter.JupyterHandlerImpl.prototype.handleKernel = function handleKernelBySpec() {
  const reply = handleKernel.call(this);
  if (reply.language_info.name === "typescript") reply.language_info.version = typescriptVersion;
  return { status: "ok", ...reply, implementation_version: tslabVersion };
};

module.exports = { typescriptVersion };
