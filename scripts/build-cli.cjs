"use strict";
// `npm run build:cli` (also run by `npm install`): the kvq CLI's build in .kvq/cli (src/cli-build.cjs).
// Optional: every kvq command checks the build and remakes it when a source changed, or runs
// through tsx when it cannot. Never fails the install.
const { currentBuild, rebuild, BUILD_DIR } = require("../src/cli-build.cjs");

const SETTLE_WAIT_MS = 2500;

async function main() {
  if (currentBuild()) return; // made from the sources as they are: nothing to do
  let result = await rebuild();
  if (result.file && !result.recorded) {
    // Sources checked out a moment ago: wait until a change could no longer hide in the same instant.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_WAIT_MS));
    result = await rebuild();
  }
  if (result.file) console.log(`build-cli: the kvq CLI is built in ${BUILD_DIR}; commands remake it when a source changes.`);
  else console.log(`build-cli: no build (${result.error?.message ?? "sources still changing"}); kvq runs its sources through tsx.`);
}

main();
