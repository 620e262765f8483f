/**
 * `kvq rehearse` with small rooms, for each tutorial it rehearses: everyone finishes through the
 * throttle of the tutorial's kind (key creates — a certificate create is one —, secret
 * transactions), nothing is left, and the Azure advice scales with N and counts that kind's
 * requests; through the command, a vault that fails attendees or keeps their keys, secrets or
 * certificates makes the verdict, the exit code and the advice say so.
 *
 * One rehearsal runs in this process (MSAL keeps one managed-identity token cache per process, so a
 * second emulator of its own would answer the first one's tokens with 401); the others run as the
 * command, all at once: they wait on throttle windows and pollers, not on the CPU.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Faults } from "../../src/emulator/faults";
import { ROUTES } from "../../src/emulator/routes";
import { azureExpectations, FLOWS, REHEARSAL_TUTORIALS, rehearse, stepsOf, type RehearsalReport } from "../../src/workshop/rehearse";
import { runKvq } from "../helpers/cli";

const SECRETS = "secrets-quickstart";
const CERTIFICATES = "certificates-quickstart";

test("three attendees under a throttle of three creates per 10 s: all finish, retries happen, no key left", async () => {
  const report = await rehearse({ attendees: 3, throttle: 3, pollIntervalMs: 50 });
  assert.equal(report.finished, 3, JSON.stringify(report.failed));
  assert.equal(report.tutorial, "quickstart");
  assert.equal(report.kind, "key");
  assert.ok(report.retries > 0, "the throttle made the SDK retry");
  assert.deepEqual(report.leftovers, []);
  assert.deepEqual(report.steps.map((s) => s.step), stepsOf("quickstart"));
  for (const s of report.steps) assert.ok(s.p50 <= s.p95 && s.p95 <= s.max);
  const waited = Math.max(...report.steps.filter((s) => s.step === "create" || s.step === "reuse (409)").map((s) => s.max));
  assert.ok(waited >= 5, "someone waited for the throttle window");
  // Only the creates count against the key-create limit, 429s not at all: the key and the 409, each once.
  assert.equal(report.countedRequests, 3 * FLOWS.quickstart.requestsPerAttendee);
});

test("the Azure advice for the keys quickstart: no wait for a small class, a vault per table for a big one", () => {
  assert.match(azureExpectations(8).join("\n"), /16 key-create requests.*One vault accepts 20 per 10 s.*nobody waits.*One vault is enough/s);
  assert.match(azureExpectations(30).join("\n"), /wait up to 20 s.*One vault is enough/s);
  assert.match(azureExpectations(100).join("\n"), /wait up to 90 s.*give each table its own vault — 3 vaults of at most 40/s);
  assert.match(azureExpectations(200).join("\n"), /more than the tutorial's 10 retries/);
});

test("the Azure advice for the secrets quickstart counts its secret transactions against 4,000 per 10 s: a class of 30 never waits", () => {
  const perAttendee = FLOWS[SECRETS].requestsPerAttendee;
  const thirty = azureExpectations(30, 0, SECRETS).join("\n");
  assert.match(thirty, new RegExp(`30 attendees make about ${30 * perAttendee} secret transactions \\(${perAttendee} each.*One vault accepts 4,000 per 10 s`, "s"));
  assert.match(thirty, /nobody waits.*One vault is enough/s);
  assert.doesNotMatch(thirty, /key/);
  // 500 attendees (the most --attendees takes) still fit in a vault.
  assert.match(azureExpectations(500, 0, SECRETS).join("\n"), /One vault is enough/);
});

test("the Azure advice for the certificates quickstart counts its certificate creates against the key-create limit, 20 per 10 s", () => {
  const thirty = azureExpectations(30, 0, CERTIFICATES).join("\n");
  assert.match(thirty, /30 attendees make about 60 certificate-create requests \(2 each: the certificate, and the deliberate 409\)/);
  assert.match(thirty, /no limit of its own for creating a certificate; each one creates the certificate's key, so plan with the key-create limit: one vault accepts 20 per 10 s/);
  assert.match(thirty, /wait up to 20 s \(2 retries\).*One vault is enough\. Above 40 attendees/s);
  assert.match(azureExpectations(100, 0, CERTIFICATES).join("\n"), /3 vaults of at most 40/);
});

test("when attendees did not finish, the Azure advice of every tutorial says so instead of 'everyone finishes'", () => {
  for (const tutorial of REHEARSAL_TUTORIALS) {
    for (const attendees of [8, 50]) {
      const advice = azureExpectations(attendees, 3, tutorial).join("\n");
      assert.doesNotMatch(advice, /Everyone finishes|One vault is enough/, `${tutorial}, ${attendees}`);
      assert.match(advice, new RegExp(`3 of ${attendees} attendees did not finish`), `${tutorial}, ${attendees}`);
    }
  }
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
  // What the limit let through, and only that, is counted.
  assert.equal(faults.transactions("keyCreates"), 40);
  assert.equal(faults.transactions("secretTransactions"), 0);
});

test("the command, for each tutorial: the report, the exit code, each failing attendee named, and no advice that everyone finishes", async () => {
  // One attendee at the default throttle (Azure's 4,000): what one attendee's secrets flow costs, measured.
  const measuring = runKvq(["rehearse", "--tutorial", SECRETS, "--attendees", "1"]);
  // The certificates' rooms start once that is measured: with more processes beside it on two cores,
  // its requests outlast the emulator's 250-ms "being deleted" moment and its pollers read less (21 seen).
  const measured = (args: string[]) => measuring.then(() => runKvq(args));
  // Every other room at once: each waits on throttle windows and its pollers (2 s, as in the notebooks), not on the CPU.
  const [keys, keysFailing, keysKeeping, secrets, secretsRoom, secretsFailing, secretsKeeping, certificates, certificatesRoom, certificatesFailing] = await Promise.all([
    runKvq(["rehearse", "--attendees", "2", "--throttle", "100"]),
    runKvq(["rehearse", "--attendees", "2", "--throttle", "100", "--fault", "purgeDeletedKey=ForbiddenByPolicy"]),
    runKvq(["rehearse", "--attendees", "2", "--throttle", "100", "--purge-protection"]),
    measuring,
    // A room against a low secrets limit: 3 attendees' ~80 transactions through 40 per 10 s.
    runKvq(["rehearse", "--tutorial", SECRETS, "--attendees", "3", "--throttle", "40", "--json"]),
    runKvq(["rehearse", "--tutorial", SECRETS, "--attendees", "2", "--fault", "purgeDeletedSecret=ForbiddenByPolicy"]),
    runKvq(["rehearse", "--tutorial", SECRETS, "--attendees", "2", "--purge-protection"]),
    // One attendee at the default throttle (Azure's 20 key creates): what one attendee's certificates flow counts.
    measured(["rehearse", "--tutorial", CERTIFICATES, "--attendees", "1"]),
    // 3 attendees' 6 certificate creates through 3 per 10 s (the reuse steps wait for the next window),
    // in a vault with purge protection: everyone finishes, every certificate is left soft-deleted.
    measured(["rehearse", "--tutorial", CERTIFICATES, "--attendees", "3", "--throttle", "3", "--purge-protection", "--json"]),
    // An access policy without keys sign: the step that signs with the certificate's key fails.
    measured(["rehearse", "--tutorial", CERTIFICATES, "--attendees", "1", "--fault", "sign=ForbiddenByPolicy"]),
  ]);

  assert.equal(keys.code, 0, keys.stdout + keys.stderr);
  assert.match(keys.stdout, /Attendees finished: {3}2\/2/);
  assert.match(keys.stdout, new RegExp(`Key creates: {10}${2 * FLOWS.quickstart.requestsPerAttendee} \\(${FLOWS.quickstart.requestsPerAttendee} per attendee\\)`));
  assert.match(keys.stdout, /Leftover keys: {8}0/);
  assert.match(keys.stdout, /On Azure:/);

  // An access policy without purge: every attendee's clean-up fails, and their keys stay soft-deleted.
  assert.equal(keysFailing.code, 1, keysFailing.stdout + keysFailing.stderr);
  assert.match(keysFailing.stdout, /Attendees finished: {3}0\/2/);
  assert.match(keysFailing.stdout, /^✖ attendee-001: .*lacks a key permission \(purge\)/m);
  assert.match(keysFailing.stdout, /^✖ attendee-002: /m);
  assert.match(keysFailing.stdout, /2 of 2 attendees did not finish/);
  assert.doesNotMatch(keysFailing.stdout, /Everyone finishes|One vault is enough/);
  // Purge protection: everyone finishes, and every key is left soft-deleted — still a failed rehearsal.
  assert.equal(keysKeeping.code, 1, keysKeeping.stdout + keysKeeping.stderr);
  assert.match(keysKeeping.stdout, /Attendees finished: {3}2\/2/);
  assert.match(keysKeeping.stdout, /Leftover keys: {8}2 \(quickstart-attendee-001-\S+ \(deleted\), quickstart-attendee-002-\S+ \(deleted\)\)/);

  // The secrets quickstart: its steps, its limit's words, its leftovers; nothing of keys.
  assert.equal(secrets.code, 0, secrets.stdout + secrets.stderr);
  assert.match(secrets.stdout, /Attendees finished: {3}1\/1/);
  // Its default limit is Azure's for secrets (4,000), not the keys' 20: one attendee never waits.
  assert.match(secrets.stdout, /"Vault is busy" \(429\) retries: 0\n/);
  // Measured: every request one attendee's flow makes to the secrets data plane, pollers' reads included.
  const perAttendee = FLOWS[SECRETS].requestsPerAttendee;
  // The pollers' reads vary with the machine's timing by one or two (25 and 26 seen): the constant is
  // the advice's "about", held to what the emulator counts within that.
  const [, total, each] = /Secret transactions: {2}(\d+) \((\d+) per attendee\)/.exec(secrets.stdout) ?? [];
  assert.equal(total, each, secrets.stdout);
  assert.ok(Math.abs(Number(each) - perAttendee) <= 2, `FLOWS' requestsPerAttendee (${perAttendee}) is what the emulator counts (${each})`);
  assert.match(secrets.stdout, /Leftover secrets: {5}0/);
  assert.match(secrets.stdout, /^ {2}set .*\n {2}get .*\n {2}versions /m);
  assert.match(secrets.stdout, /On Azure:\n {2}1 attendee makes about \d+ secret transactions.*\n {2}Even if everyone .* nobody waits/);
  assert.doesNotMatch(secrets.stdout, /\bkeys?\b|create/);

  assert.equal(secretsRoom.code, 0, secretsRoom.stdout + secretsRoom.stderr);
  const room = JSON.parse(secretsRoom.stdout) as RehearsalReport;
  assert.equal(room.finished, 3, JSON.stringify(room.failed));
  assert.equal(room.tutorial, SECRETS);
  assert.equal(room.kind, "secret");
  assert.equal(room.throttle, 40);
  assert.ok(room.retries > 0, "the secrets throttle made the SDK retry");
  assert.deepEqual(room.leftovers, []);
  assert.deepEqual(room.steps.map((s) => s.step), stepsOf(SECRETS));
  assert.ok(Math.max(...room.steps.map((s) => s.max)) >= 5, "someone waited for the throttle window");
  // More than one window holds, which is why they waited (a poll that waited out a 429 polls less: not 3 × 26 exactly).
  assert.ok(room.countedRequests > room.throttle, `${room.countedRequests} transactions counted`);

  assert.equal(secretsFailing.code, 1, secretsFailing.stdout + secretsFailing.stderr);
  assert.match(secretsFailing.stdout, /Attendees finished: {3}0\/2/);
  assert.match(secretsFailing.stdout, /^✖ attendee-001: .*lacks a secret permission \(purge\)/m);
  assert.match(secretsFailing.stdout, /^✖ attendee-002: .*lacks a secret permission \(purge\)/m);
  assert.match(secretsFailing.stdout, /2 of 2 attendees did not finish/);
  assert.doesNotMatch(secretsFailing.stdout, /Everyone finishes|One vault is enough/);

  assert.equal(secretsKeeping.code, 1, secretsKeeping.stdout + secretsKeeping.stderr);
  assert.match(secretsKeeping.stdout, /Attendees finished: {3}2\/2/);
  assert.match(secretsKeeping.stdout, /Leftover secrets: {5}2 \(quickstart-attendee-001-\S+ \(deleted\), quickstart-attendee-002-\S+ \(deleted\)\)/);

  // The certificates quickstart: its steps (the key and secret of its name among them), its creates counted as key creates.
  assert.equal(certificates.code, 0, certificates.stdout + certificates.stderr);
  assert.match(certificates.stdout, /Attendees finished: {10}1\/1/);
  // Measured: the certificate's create and the reuse step's 409, exactly (no poller's read counts as a create).
  assert.match(certificates.stdout, new RegExp(`Key creates \\(certificates\\): {2}${FLOWS[CERTIFICATES].requestsPerAttendee} \\(${FLOWS[CERTIFICATES].requestsPerAttendee} per attendee\\)\n`));
  assert.match(certificates.stdout, /Leftover certificates: {7}0\n/);
  assert.match(certificates.stdout, /^ {2}create .*\n {2}get .*\n {2}key \+ secret .*\n {2}delete .*\n {2}reuse \(409\) .*\n {2}recover \+ delete .*\n {2}clean up /m);
  assert.match(certificates.stdout, /On Azure:\n {2}1 attendee makes about 2 certificate-create requests .*key-create limit: one vault accepts 20 per 10 s/);

  // Leftovers make a failed rehearsal (exit 1) though everyone finished.
  assert.equal(certificatesRoom.code, 1, certificatesRoom.stdout + certificatesRoom.stderr);
  const certificateRoom = JSON.parse(certificatesRoom.stdout) as RehearsalReport;
  assert.equal(certificateRoom.finished, 3, JSON.stringify(certificateRoom.failed));
  assert.deepEqual([certificateRoom.tutorial, certificateRoom.kind, certificateRoom.limit, certificateRoom.throttle], [CERTIFICATES, "certificate", "keyCreates", 3]);
  // (How long the reuse steps waited depends on how fast the flows before them ran: not asserted.)
  assert.ok(certificateRoom.retries > 0, "the key-create throttle made the SDK retry certificate creates");
  // The 429s are not counted, as on the service: each attendee's two creates, once each.
  assert.equal(certificateRoom.countedRequests, 3 * FLOWS[CERTIFICATES].requestsPerAttendee);
  assert.deepEqual(certificateRoom.leftovers.map((name) => /^(quickstart-attendee-\d{3})-\S+ \(deleted\)$/.exec(name)?.[1]).sort(), ["quickstart-attendee-001", "quickstart-attendee-002", "quickstart-attendee-003"]);
  assert.deepEqual(certificateRoom.steps.map((s) => s.step), stepsOf(CERTIFICATES));

  assert.equal(certificatesFailing.code, 1, certificatesFailing.stdout + certificatesFailing.stderr);
  assert.match(certificatesFailing.stdout, /^✖ attendee-001: .*does not have keys sign permission/m);
  assert.match(certificatesFailing.stdout, /Leftover certificates: {7}0\n/, "a failed flow still cleans up after itself");
  assert.match(certificatesFailing.stdout, /1 of 1 attendees did not finish/);
});

test("a --tutorial it does not rehearse: exit 2, naming the choices, before any emulator starts", async () => {
  const result = await runKvq(["rehearse", "--tutorial", "keys"]);
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(result.stderr, /option '--tutorial <name>' argument 'keys' is invalid\. --tutorial must be quickstart, secrets-quickstart or certificates-quickstart\./);
  assert.equal(result.stdout, "");
});

test("--help at 80 columns names every tutorial it rehearses, each one's default limit, and fits", async () => {
  const help = await runKvq(["rehearse", "--help"], { env: { COLUMNS: "80" } });
  assert.equal(help.code, 0, help.stderr);
  for (const line of help.stdout.split("\n")) assert.ok(line.length <= 80, `too wide: ${line}`);
  const text = help.stdout.replace(/\s+/g, " ");
  for (const tutorial of REHEARSAL_TUTORIALS) {
    assert.ok(text.includes(tutorial), `names ${tutorial}`);
    assert.ok(text.includes(`${FLOWS[tutorial].azureLimit} `), `says ${tutorial}'s default, ${FLOWS[tutorial].azureLimit}`);
  }
});
