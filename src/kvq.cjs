#!/usr/bin/env -S node --
// The `kvq` command. The sources are TypeScript; cli-build.cjs runs them from a build it checks
// against them on every start (and remakes when one changed), else through tsx: a learner's edit
// always runs, and there is no build step to forget.
// "node --" stops Node 20 from reading our own --env-file option as its own (it exits when the
// file does not exist yet); npm's Windows shims honour the same line.
"use strict";
require("./util/compile-cache.cjs"); // V8's compiled code for the build and large packages
require("./cli-build.cjs")
  .loadCli()
  .then((cli) => cli.main(process.argv.slice(2)));
