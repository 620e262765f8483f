#!/usr/bin/env -S node --
// The `kvq` command. The sources are TypeScript, run through tsx: there is no build step to forget.
// "node --" stops Node 20 from reading our own --env-file option as its own (it exits when the
// file does not exist yet); npm's Windows shims honour the same line.
"use strict";
require("tsx/cjs");
require("./cli.ts").main(process.argv.slice(2));
