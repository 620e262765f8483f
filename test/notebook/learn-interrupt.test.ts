/**
 * Ctrl-C in `kvq learn`, typed on a pseudo-terminal as a learner types it, while a step's cell
 * waits forever (in a new kernel, while it is type-checked or while it awaits): the cell stops the first time, says
 * so in the learner's language, and the learner is asked again (here: q, which quits and cleans up).
 * tslab alone lost that interrupt (src/kernel/protocol/interrupt.cjs) and the step waited forever.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, test } from "node:test";
import { kvqInTerminal, PROJECT_ROOT, type TerminalSession } from "../helpers/cli";
import { tempDir } from "../helpers/emulator";

const HANG = path.join(PROJECT_ROOT, "test", "fixtures", "notebooks", "hang.ipynb");
// The stepper wraps its own words to the terminal (80 columns here): the patterns allow a line break at any space.
// No conversion cache: the hanging cell's type-check (against the SDK's declarations) takes seconds.
const ENV = { KVQ_ENV_FILE: "none", KEY_VAULT_URL: "", KEY_VAULT_NAME: "", KEYVAULT_URI: "", ATTENDEE: "tester", TERM: "xterm", NO_COLOR: "1", KVQ_KERNEL_CACHE: "0" };

const sessions: TerminalSession[] = [];
after(() => sessions.forEach((s) => s.kill()));

for (const [lang, stopped, again] of [
  ["en", /Stopped: this cell was interrupted before it finished\./, /You\s+stopped\s+this\s+step\.\s+Enter\s+runs\s+it\s+again,\s+s\s+skips\s+it,\s+b\s+goes\s+back\s+a\s+step,\s+q\s+quits\./],
  ["zh-TW", /已停止：這個儲存格還沒執行完就被中斷了。/, /你停止了這一步。按 Enter 重新執行，s 略過，b 回上一步，q 離開。/],
] as const) {
  test(`${lang}: Ctrl-C during a step stops its cell the first time; the learner chooses again`, async (t) => {
    const s = kvqInTerminal(["learn", "--notebook", HANG, "--lang", lang, "--from", "2"], { env: { ...ENV, KVQ_LANG: lang, KVQ_LEARN_PROGRESS: path.join(tempDir("kvq-learn-interrupt-"), "progress.json") } });
    sessions.push(s);
    let at = await s.expect(/\[Enter\/s\/b\/q/, 0, 120_000);
    s.type("\r");
    await new Promise((r) => setTimeout(r, 300));
    const pressed = Date.now();
    s.type("\u0003");
    at = await s.expect(stopped, at, 60_000);
    t.diagnostic(`stopped ${Date.now() - pressed} ms after Ctrl-C`);
    at = await s.expect(again, at);
    // Where the interrupt landed depends on the machine: in the cell's type-check (seconds on a busy
    // machine, under one on an idle one) or in its await. Both must stop the cell the first time; the
    // type-check's case alone is pinned in test/kernel/conformance (a new kernel's first cell).
    t.diagnostic(/waiting function/.test(s.output) ? "interrupted in the cell's await" : "interrupted in the cell's type-check");
    assert.doesNotMatch(s.output, /at .+:\d+:\d+/, "no stack trace");
    s.type("q");
    const code = await s.closed;
    assert.equal(code, 0, `exit ${code}\n${s.output}`);
  });
}
