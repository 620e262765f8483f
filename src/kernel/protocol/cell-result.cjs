"use strict";
// The value of a cell's last expression as Jupyter's execute_result (IPython's Out[n]): tslab 1.0.22
// printed it with console.log, as stdout text. text/plain is the value as Node's console shows it
// (util.inspect: a string in quotes, as IPython shows its repr); application/json is added for plain
// data (objects and arrays of strings, finite numbers, booleans and null), which JupyterLab and
// VS Code show as a tree. Anything JSON would change — a Date, a Uint8Array, a class instance, an
// undefined or a cycle — is text only, so what the JSON view shows is the value itself.
const util = require("node:util");

/** Beyond this many values the JSON view is of no help, and copying it costs. */
const MAX_JSON_VALUES = 10_000;
const MAX_JSON_DEPTH = 32;

function isPlainObject(value) {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Whether `value` is JSON data: what JSON.parse(JSON.stringify(value)) gives back unchanged. */
function isJsonData(value) {
  let count = 0;
  const seen = new Set();
  const visit = (v, depth) => {
    if (++count > MAX_JSON_VALUES || depth > MAX_JSON_DEPTH) return false;
    if (v === null || typeof v === "string" || typeof v === "boolean") return true;
    if (typeof v === "number") return Number.isFinite(v);
    if (typeof v !== "object" || seen.has(v)) return false;
    seen.add(v);
    const ok = Array.isArray(v)
      ? Object.keys(v).length === v.length && v.every((item) => visit(item, depth + 1))
      : isPlainObject(v) && Object.getOwnPropertySymbols(v).length === 0 && Object.values(v).every((item) => visit(item, depth + 1));
    seen.delete(v);
    return ok;
  };
  return visit(value, 0);
}

/** The execute_result content for `value`, the cell's last expression, in the cell numbered `count`. */
function resultContent(value, count) {
  const data = { "text/plain": util.inspect(value) };
  if (typeof value === "object" && value !== null && isJsonData(value)) data["application/json"] = value;
  return { execution_count: count, data, metadata: {} };
}

module.exports = { resultContent, isJsonData };
