/**
 * The one mapping from an error to what the CLI prints and its exit code (src/errors.ts): usage and
 * configuration exit 2 with their message, the environment and the kernel exit 1 with a fix, and
 * only an unknown error is called a bug.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { RestError } from "@azure/core-rest-pipeline";
import { EmulatorCaError } from "../src/client-options";
import { EmulatorStartError, EmulatorStateError } from "../src/emulator/index";
import { ConfigurationError } from "../src/env";
import { CommanderError } from "commander";
import { EXIT, exitCodeFor, reportError, UsageError } from "../src/errors";
import { DocsError } from "../src/notebook/docs";
import { KernelError, NotebookFileError, ParameterError } from "../src/notebook/errors";
import { KernelDependencyError } from "../src/kernel/kernelspec";
import { problem } from "../src/problems";
import { LedgerError } from "../src/run-ledger";

test("a usage error exits 2 with its own message", () => {
  const report = reportError(new UsageError("--until takes a step number."));
  assert.equal(report.exitCode, EXIT.usage);
  assert.equal(report.text, "kvq: --until takes a step number.\n");
});

test("every configuration error the project throws exits 2 with its message (and fix), never as a bug", () => {
  const errors: Error[] = [
    new UsageError("--until takes a step number."),
    new EmulatorStartError("Port 47443 is already in use."),
    new EmulatorStateError("The state file is damaged."),
    new EmulatorCaError("Cannot read the emulator's CA certificate at /tmp/x: EISDIR."),
    new ConfigurationError([problem("no-vault", "No vault is named.", "Set KEY_VAULT_NAME.")]),
    new KernelDependencyError("/project", ["tslab"]),
    new LedgerError("The ledger is not this run's."),
    new ParameterError("parameter-unknown", "No parameter noSuch.", "Use keyName."),
    new NotebookFileError("notebook-not-found", "No notebook at x.ipynb.", "Check the path."),
    new DocsError("--from takes one executed notebook."),
  ];
  for (const error of errors) {
    const report = reportError(error);
    assert.equal(report.exitCode, EXIT.usage, error.name);
    assert.ok(report.text.startsWith(`kvq: ${error.message}\n`), `${error.name}: ${report.text}`);
    assert.doesNotMatch(report.text, /bug in kvq|\n\s+at /, error.name);
  }
});

test("a kernel that would not start exits 1 with the fix, not as a bug in kvq", () => {
  const report = reportError(new KernelError("kernel-start-timeout", "The kernel (TypeScript) did not start: no answer.", "Check that `npm install` completed."));
  assert.equal(report.exitCode, EXIT.failed);
  assert.match(report.text, /did not start: no answer\.\nFix: Check that `npm install` completed\.\n$/);
  assert.doesNotMatch(report.text, /bug in kvq|at .*\.ts:\d+/);
});

test("an error from the environment (the vault refused) exits 1 with what it means and the fix, not as a bug", () => {
  const refused = new RestError("Caller is not authorized to perform action on resource.", { statusCode: 403, code: "Forbidden" });
  (refused as { details?: unknown }).details = { error: { code: "Forbidden", message: refused.message, innerError: { code: "ForbiddenByRbac" } } };
  const report = reportError(refused);
  assert.equal(report.exitCode, EXIT.failed);
  assert.match(report.text, /^kvq: RestError \(403 .*ForbiddenByRbac.*\): /);
  assert.match(report.text, /\nWhat it means: .+\nFix: .*Key Vault Crypto Officer/s);
  assert.doesNotMatch(report.text, /bug in kvq/);
});

test("a fix that is empty adds no Fix line; something thrown that is no Error is still reported, as a bug", () => {
  assert.equal(reportError(new ParameterError("parameter-invalid", "keyName must be a string.", "")).text, "kvq: keyName must be a string.\n");
  for (const thrown of [undefined, null, "a string", 42]) {
    const report = reportError(thrown);
    assert.equal(report.exitCode, EXIT.failed);
    assert.ok(report.text.startsWith(`kvq: unexpected failure: ${String(thrown)}\n`), report.text);
  }
});

test("an error nobody explains is reported as a bug, with its stack", () => {
  const report = reportError(new TypeError("x is undefined"));
  assert.equal(report.exitCode, EXIT.failed);
  assert.match(report.text, /unexpected failure: TypeError: x is undefined\n\s+at /);
  assert.match(report.text, /This is a bug in kvq/);
});

test("the exit code of what ended a command: commander's help 0 and its usage errors 2 (it printed them), others as reported", () => {
  const written: string[] = [];
  const write = (text: string) => written.push(text);
  assert.equal(exitCodeFor(new CommanderError(0, "commander.helpDisplayed", "(outputHelp)"), write), EXIT.ok);
  assert.equal(exitCodeFor(new CommanderError(1, "commander.unknownOption", "error: unknown option '--bogus'"), write), EXIT.usage);
  assert.deepEqual(written, [], "commander has printed its own message");
  assert.equal(exitCodeFor(new UsageError("--until takes a step number."), write), EXIT.usage);
  assert.equal(exitCodeFor(new TypeError("x is undefined"), write), EXIT.failed);
  assert.equal(written.length, 2);
  assert.equal(written[0], "kvq: --until takes a step number.\n");
  assert.match(written[1], /^kvq: unexpected failure: TypeError: x is undefined/);
});
