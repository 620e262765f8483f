/**
 * `kvq doctor`'s exit code counts the failed checks (the CLI test sees one failure through the
 * command line: the checks form a chain, so one environment rarely fails two). Warnings and skips
 * do not count; the count stops below the codes shells reserve for signals.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { doctorExitCode } from "../../src/commands/doctor";
import type { CheckResult } from "../../src/workshop/checks";

const results = (...statuses: CheckResult["status"][]) => statuses.map((status) => ({ status }));

test("the doctor's exit code is the number of failed checks", () => {
  assert.equal(doctorExitCode(results("pass", "warn", "skip")), 0);
  assert.equal(doctorExitCode(results("fail", "skip", "skip")), 1);
  assert.equal(doctorExitCode(results("pass", "fail", "warn", "fail", "fail")), 3);
  assert.equal(doctorExitCode(results(...Array<CheckResult["status"]>(130).fill("fail"))), 100);
});
