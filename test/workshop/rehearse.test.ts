/**
 * `kvq rehearse` with a small room: everyone finishes through the throttle, nothing is left, and the
 * Azure advice scales with N; through the command, a vault that fails attendees or keeps their keys
 * makes the verdict, the exit code and the advice say so.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Faults } from "../../src/emulator/faults";
import { ROUTES } from "../../src/emulator/routes";
import { azureExpectations, rehearse, STEPS } from "../../src/workshop/rehearse";
import { runKvq } from "../helpers/cli";

test("three attendees under a throttle of three creates per 10 s: all finish, retries happen, no key left", async () => {
  const report = await rehearse({ attendees: 3, throttle: 3, pollIntervalMs: 50 });
  assert.equal(report.finished, 3, JSON.stringify(report.failed));
  assert.ok(report.retries > 0, "the throttle made the SDK retry");
  assert.deepEqual(report.leftoverKeys, []);
  assert.deepEqual(report.steps.map((s) => s.step), [...STEPS]);
  for (const s of report.steps) assert.ok(s.p50 <= s.p95 && s.p95 <= s.max);
  const waited = Math.max(...report.steps.filter((s) => s.step === "create" || s.step === "reuse (409)").map((s) => s.max));
  assert.ok(waited >= 5, "someone waited for the throttle window");
});

test("the Azure advice: no wait for a small class, a vault per table for a big one", () => {
  assert.match(azureExpectations(8).join("\n"), /nobody waits.*One vault is enough/s);
  assert.match(azureExpectations(30).join("\n"), /wait up to 20 s.*One vault is enough/s);
  assert.match(azureExpectations(100).join("\n"), /wait up to 90 s.*give each table its own vault — 3 vaults of at most 40/s);
  assert.match(azureExpectations(200).join("\n"), /more than the tutorial's 10 retries/);
});

test("when attendees did not finish, the Azure advice says so instead of 'everyone finishes'", () => {
  const advice = azureExpectations(50, 3).join("\n");
  assert.doesNotMatch(advice, /Everyone finishes|One vault is enough/);
  assert.match(advice, /3 of 50 attendees did not finish/);
});

test("the throttle works in fixed 10-s windows: a throttled create waits for the next window, where the next 20 pass", () => {
  const create = ROUTES.find((r) => r.operation === "createKey")!;
  const faults = new Faults(20);
  const start = 1_000_000;
  // Creates spread over the first 3 s all pass; the 21st is told to wait for the window's end, not "1 s".
  for (let i = 0; i < 20; i++) assert.equal(faults.check(create, start + i * 150), undefined);
  const busy = faults.check(create, start + 3000);
  assert.equal(busy?.status, 429);
  assert.equal(busy?.headers?.["Retry-After"], "7");
  // Every waiting client retries once at the window's end, and the window holds 20 again: retries = windows waited.
  for (let i = 0; i < 20; i++) assert.equal(faults.check(create, start + 10_000 + i), undefined, `create ${i} in the next window`);
  assert.equal(faults.check(create, start + 10_100)?.status, 429);
});

test("the command prints the report and exits 0 when everyone finished", async () => {
  const result = await runKvq(["rehearse", "--attendees", "2", "--throttle", "100"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /Attendees finished: {3}2\/2/);
  assert.match(result.stdout, /Leftover keys: {8}0/);
  assert.match(result.stdout, /On Azure:/);
});

test("the command, when attendees fail or keys are left: exit 1, each named, and no advice that everyone finishes", async () => {
  // Both rooms at once: each waits on its pollers (2 s, as in the notebook), not on the CPU.
  const [failing, keeping] = await Promise.all([
    runKvq(["rehearse", "--attendees", "2", "--throttle", "100", "--fault", "purgeDeletedKey=ForbiddenByPolicy"]),
    runKvq(["rehearse", "--attendees", "2", "--throttle", "100", "--purge-protection"]),
  ]);
  // An access policy without purge: every attendee's clean-up fails, and their keys stay soft-deleted.
  assert.equal(failing.code, 1, failing.stdout + failing.stderr);
  assert.match(failing.stdout, /Attendees finished: {3}0\/2/);
  assert.match(failing.stdout, /^✖ attendee-001: .*lacks a key permission \(purge\)/m);
  assert.match(failing.stdout, /^✖ attendee-002: /m);
  assert.match(failing.stdout, /2 of 2 attendees did not finish/);
  assert.doesNotMatch(failing.stdout, /Everyone finishes|One vault is enough/);
  // Purge protection: everyone finishes, and every key is left soft-deleted — still a failed rehearsal.
  assert.equal(keeping.code, 1, keeping.stdout + keeping.stderr);
  assert.match(keeping.stdout, /Attendees finished: {3}2\/2/);
  assert.match(keeping.stdout, /Leftover keys: {8}2 \(quickstart-attendee-001-\S+ \(deleted\), quickstart-attendee-002-\S+ \(deleted\)\)/);
});
