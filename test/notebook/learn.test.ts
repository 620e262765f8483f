/**
 * `kvq learn` driven through a pseudo-terminal (util-linux `script`), keys typed as a learner types
 * them: Enter runs, s skips, q quits and cleans up; the key-name prompt refuses a bad name with the
 * reason and accepts a good one; a second session resumes where the first stopped.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { after, test } from "node:test";
import { kvqInTerminal, type TerminalSession } from "../helpers/cli";
import { tempDir } from "../helpers/emulator";
import { stripAnsi } from "../../src/notebook/render-markdown";

const progress = path.join(tempDir("kvq-learn-"), "progress.json");
/** The name typed in the first session; the second one must use it again. */
const keyName = `learn-key-${randomBytes(3).toString("hex")}`;
const ENV = { KVQ_ENV_FILE: "none", KEY_VAULT_URL: "", KEY_VAULT_NAME: "", KEYVAULT_URI: "", ATTENDEE: "tester", KVQ_LEARN_PROGRESS: progress, TERM: "xterm", NO_COLOR: "1" };

/** Sessions still running when the file's tests end (a failed assertion left them waiting for keys): ended with q, then killed. */
const sessions: TerminalSession[] = [];
after(async () => {
  for (const s of sessions.filter((s) => !s.ended)) {
    s.type("q");
    await new Promise((resolve) => setTimeout(resolve, 5000));
    s.kill();
  }
});

/** `kvq learn` on a pseudo-terminal; `expect` waits for text, `type` sends keys. */
function session(args: string[] = []): TerminalSession {
  const s = kvqInTerminal(["learn", ...args], { env: ENV });
  sessions.push(s);
  return s;
}

test("Enter runs, the name prompt explains a refusal, s skips, q quits and cleans up", async () => {
  const s = session();
  let at = await s.expect(/Run this step\? \[Enter\/s\/b\/q, or a step number\]/);
  // The prose as a terminal shows it: Enter (not the notebook's Shift+Enter), bold in a list item without its asterisks.
  const prose = stripAnsi(s.output);
  assert.match(prose, /Run the cells in order, top to bottom\s+\(Enter runs one/);
  assert.doesNotMatch(prose, /Shift\+Enter|\*\*/);
  assert.match(prose, /\* the local emulator that ships/);
  s.type("\r"); // 1: settings
  at = await s.expect(/Where: {4}the local emulator[\s\S]*Run this step\?/, at);
  s.type("\r"); // 2: client
  at = await s.expect(/Step 3 of 10 · Choose a key name[\s\S]*Run this step\?/, at);
  s.type("\r"); // 3: parameters → the name prompt
  at = await s.expect(/Name for your key \(Enter for quickstart-tester-\d{8}-[0-9a-z]{6}\): /, at);
  s.type("my key!\r");
  at = await s.expect(/That name will not do: "my key!" contains a space, "!"/, at);
  at = await s.expect(/Name for your key/, at);
  s.type(`${keyName}\r`);
  at = await s.expect(new RegExp(`Using ${keyName}\\.`), at);
  at = await s.expect(/Step 4 of 10[\s\S]*Run this step\?/, at);
  s.type("\r"); // 4: the vault confirms the name
  at = await s.expect(new RegExp(`Key name: ${keyName}[\\s\\S]*Step 5 of 10[\\s\\S]*Run this step\\?`), at);
  s.type("s"); // 5: skip creating the key
  at = await s.expect(/Skipped\.[\s\S]*Step 6 of 10[\s\S]*Run this step\?/, at);
  s.type("q");
  await s.expect(/Quitting: cleaning up/, at);
  assert.equal(await s.closed, 0, s.output);
  assert.doesNotMatch(s.output, /✔ Created /, "the skipped step did not run");
});

test("a second session resumes after the last finished step, catching the kernel up quietly with the name typed before", async () => {
  const s = session();
  let at = await s.expect(/Last time you got to step 5\. Continue from step 6\? \[Y\/n\] /);
  s.type("\r");
  at = await s.expect(/Catching up: running steps 1 to 5 again[\s\S]*Caught up\.[\s\S]*Step 6 of 10 · Read the key back[\s\S]*Run this step\?/, at, 180_000); // a kernel start and five steps: generous on a loaded machine
  s.type("\r"); // 6 works: the caught-up kernel has the key
  at = await s.expect(/Same key as the one created: true[\s\S]*Run this step\?/, at);
  s.type("q");
  // The key created while catching up is cleaned on the way out.
  await s.expect(new RegExp(`Cleaned up: ${keyName}: deleted and purged\\.`), at);
  assert.equal(await s.closed, 0, s.output);
});

test("the certificates quickstart: its steps run one by one, and quitting after the create cleans the certificate (its key and secret with it)", async () => {
  const own = { ...ENV, KVQ_LEARN_PROGRESS: path.join(tempDir("kvq-learn-cert-"), "progress.json") };
  const s = kvqInTerminal(["learn", "certificates-quickstart"], { env: own });
  sessions.push(s);
  let at = await s.expect(/Step 1 of 11 · Load and check your settings[\s\S]*Run this step\?/);
  for (const step of [2, 3, 4, 5]) {
    s.type("\r");
    at = await s.expect(new RegExp(`Step ${step} of 11[\\s\\S]*Run this step\\?`), at);
  }
  assert.match(stripAnsi(s.output), /Step 5 of 11 · Create a certificate/);
  s.type("\r"); // 5: create, watching the poller
  at = await s.expect(/✔ Issued (quickstart-tester-\d{8}-[0-9a-z]{6})[\s\S]*Step 6 of 11 · Read the certificate[\s\S]*Run this step\?/, at);
  const name = /Certificate name: (quickstart-tester-\d{8}-[0-9a-z]{6})/.exec(stripAnsi(s.output))?.[1];
  assert.ok(name, s.output);
  assert.match(stripAnsi(s.output), /The poller, after the vault's answer: done: false, version: pending/);
  s.type("q");
  // The session's certificate is the one the clean-up on quitting finds: it is a certificate, not a key.
  await s.expect(new RegExp(`Cleaned up: ${name}: deleted and purged\\.[\\s\\S]*npm run learn -- certificates-quickstart --from 6`), at);
  assert.equal(await s.closed, 0, s.output);
});
