"use strict";
// tsx for this project's TypeScript, and out of the way of the packages. Required (instead of
// "tsx/cjs") by the notebook kernel and the test processes.
//
// tsx's CommonJS hooks see every module. Each package file goes through its resolver and its .js
// handler (which looks for ES module syntax to transform), and the source maps tsx switches on make
// Node read and parse each package's .map file as the package loads: loading the SDK took 290 ms so,
// against 180 ms in plain Node. The packages' CommonJS needs none of it. So here a request made from
// a package is resolved by Node's own resolver, and a package's CommonJS file is loaded by Node's
// own .js loader with source maps off while it compiles (a package's stack traces then show its
// JavaScript lines, as in plain Node). The project's .ts files, and a package's ES modules (tsx
// turns them into CommonJS, as before), keep tsx.
const Module = require("node:module");
const fs = require("node:fs");
const path = require("node:path");

const nodeResolve = Module._resolveFilename;
const nodeJs = Module._extensions[".js"];
require("tsx/cjs");
const tsxResolve = Module._resolveFilename;
const tsxJs = Module._extensions[".js"];

const DEPENDENCIES = `${path.sep}node_modules${path.sep}`;
const inPackage = (file) => typeof file === "string" && file.includes(DEPENDENCIES);

/** Folder → whether its nearest package.json says "type": "module" (each folder read once). */
const moduleScopes = new Map();
function isModuleScope(dir) {
  if (moduleScopes.has(dir)) return moduleScopes.get(dir);
  let answer;
  try {
    answer = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).type === "module";
  } catch (error) {
    const parent = path.dirname(dir);
    answer = error.code === "ENOENT" && parent !== dir ? isModuleScope(parent) : false;
  }
  moduleScopes.set(dir, answer);
  return answer;
}
const isPackageCommonJs = (file) => inPackage(file) && (file.endsWith(".cjs") || (file.endsWith(".js") && !isModuleScope(path.dirname(file))));

function withoutSourceMaps(load) {
  const enabled = process.sourceMapsEnabled;
  if (enabled) process.setSourceMapsEnabled(false);
  try {
    return load();
  } finally {
    if (enabled) process.setSourceMapsEnabled(true);
  }
}

Module._resolveFilename = function resolveFilename(request, parent, ...rest) {
  return (inPackage(parent?.filename) ? nodeResolve : tsxResolve).call(this, request, parent, ...rest);
};
Module._extensions[".js"] = function loadJs(module, filename) {
  if (!isPackageCommonJs(filename)) return tsxJs.call(this, module, filename);
  return withoutSourceMaps(() => nodeJs.call(this, module, filename));
};
