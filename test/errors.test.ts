/**
 * The one mapping from an error to what the CLI prints and its exit code (src/errors.ts): usage and
 * configuration exit 2 with their message, the environment and the kernel exit 1 with a fix, and
 * only an unknown error is called a bug.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { EXIT, reportError, UsageError } from "../src/errors";
import { KernelError } from "../src/notebook/errors";

test("a usage error exits 2 with its own message", () => {
  const report = reportError(new UsageError("--until takes a step number."));
  assert.equal(report.exitCode, EXIT.usage);
  assert.equal(report.text, "kvq: --until takes a step number.\n");
});

test("a kernel that would not start exits 1 with the fix, not as a bug in kvq", () => {
  const report = reportError(new KernelError("kernel-start-timeout", "The kernel (TypeScript) did not start: no answer.", "Check that `npm install` completed."));
  assert.equal(report.exitCode, EXIT.failed);
  assert.match(report.text, /did not start: no answer\.\nFix: Check that `npm install` completed\.\n$/);
  assert.doesNotMatch(report.text, /bug in kvq|at .*\.ts:\d+/);
});

test("an error nobody explains is reported as a bug, with its stack", () => {
  const report = reportError(new TypeError("x is undefined"));
  assert.equal(report.exitCode, EXIT.failed);
  assert.match(report.text, /unexpected failure: TypeError: x is undefined\n\s+at /);
  assert.match(report.text, /This is a bug in kvq/);
});
