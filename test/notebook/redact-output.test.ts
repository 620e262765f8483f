/**
 * Every kind of output loses its secrets: an error output has its name, value and every traceback
 * line redacted; a display's every text mime type too, and every string of a result's JSON.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Output } from "../../src/notebook/notebook-file";
import { redactOutput } from "../../src/notebook/redact-output";
import { redact } from "../../src/secrets";
import { b64url, fakeJwt } from "../helpers/secrets";

const secret = `client-secret-${b64url(18)}`;
const [tokenA, tokenB] = [fakeJwt(), fakeJwt()];
const clean = (output: Output) => redactOutput(output, (text) => redact(text, [secret]));
const leaks = (output: Output) => [secret, tokenA, tokenB].filter((s) => JSON.stringify(output).includes(s));

test("an error output: its value and every traceback line, two tokens in one line", () => {
  const output: Output = {
    output_type: "error",
    ename: "AuthenticationError",
    evalue: `secret ${secret} was refused`,
    traceback: ["Traceback (most recent call last):", `  token ${tokenA} then ${tokenB}`, `  Authorization: Bearer ${tokenA}`],
  };
  const out = clean(output);
  assert.deepEqual(leaks(out), []);
  assert.equal(out.output_type, "error");
  if (out.output_type !== "error") return;
  assert.equal(out.ename, "AuthenticationError");
  assert.equal(out.traceback.length, 3, "no line dropped");
  assert.match(out.evalue, /^secret \[redacted\] was refused$/);
  assert.match(out.traceback[1], /token \[redacted token\] then \[redacted token\]/);
});

test("a stream, a display and an execute result: every text mime type", () => {
  const stream = clean({ output_type: "stream", name: "stdout", text: `a ${tokenA} b ${tokenB}\n` });
  const display = clean({ output_type: "display_data", metadata: {}, data: { "text/plain": `x ${secret}`, "text/html": `<b>${tokenB}</b>`, "text/markdown": `*${tokenA}*` } });
  const result = clean({ output_type: "execute_result", execution_count: 1, metadata: {}, data: { "text/plain": `'${secret}'`, "application/json": { kept: true } } });
  for (const output of [stream, display, result]) assert.deepEqual(leaks(output), [], JSON.stringify(output));
  assert.equal(stream.output_type === "stream" && stream.text, "a [redacted token] b [redacted token]\n");
  assert.deepEqual(result.output_type === "execute_result" && result.data["application/json"], { kept: true }, "data without a secret is left as it is");
});

test("an execute result's JSON (a cell's last value, plain data): every string in it, keys and nested ones", () => {
  const json = { clientSecret: secret, nested: [{ token: tokenA }, 42, null, true], [`key-${secret}`]: "value" };
  const result = clean({ output_type: "execute_result", execution_count: 2, metadata: {}, data: { "text/plain": "…", "application/json": json } });
  assert.deepEqual(leaks(result), [], JSON.stringify(result));
  assert.deepEqual(result.output_type === "execute_result" && result.data["application/json"], {
    clientSecret: "[redacted]",
    nested: [{ token: "[redacted token]" }, 42, null, true],
    "key-[redacted]": "value",
  });
});
