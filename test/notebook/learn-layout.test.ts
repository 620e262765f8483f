/**
 * Issue 26, points 3 and 4: `kvq learn` in a real terminal (tmux), read off its screen.
 *  - At 60, 80 and 120 columns, in English and Traditional Chinese, the prose fits the terminal's
 *    width in display columns (a CJK character is two): tmux never had to wrap a line itself; no
 *    word, name or inline code span is cut across lines; list items continue under their text;
 *    links show the file from the project's root; Chinese lines are filled, not short and long by turns.
 *  - The width is read again at each step: a terminal made narrower gets narrower prose.
 *  - A skipped step that defines what a later one needs: the stepper names it and takes you back
 *    with b; q says how to resume.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import { displayWidth } from "../../src/i18n";
import { MAX_PROSE_WIDTH } from "../../src/notebook/terminal-markdown";
import { PROJECT_ROOT } from "../helpers/cli";
import { tempDir } from "../helpers/emulator";

const SOCKET = `kvq-learn-layout-${process.pid}`;
const haveTmux = spawnSync("tmux", ["-V"]).status === 0;
const tmux = (...args: string[]) => execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
after(() => {
  if (haveTmux) spawnSync("tmux", ["-L", SOCKET, "kill-server"]);
});

/** `kvq learn` in a tmux window of the given width; `screen()` is everything it printed, as the terminal shows it. */
function learnIn(name: string, columns: number, lang: "en" | "zh-TW") {
  const env = [
    "KVQ_ENV_FILE=none", "KEY_VAULT_URL=", "KEY_VAULT_NAME=", "KEYVAULT_URI=", "ATTENDEE=tester", "TERM=xterm-256color", "NO_COLOR=1",
    `KVQ_LEARN_PROGRESS=${path.join(tempDir("kvq-layout-"), "progress.json")}`,
  ];
  const command = `env ${env.join(" ")} '${process.execPath}' -- '${path.join(PROJECT_ROOT, "src", "kvq.cjs")}' learn --lang ${lang}; sleep 600`;
  tmux("new-session", "-d", "-s", name, "-x", String(columns), "-y", "40", "-c", PROJECT_ROOT, command);
  tmux("set-option", "-t", name, "history-limit", "10000");
  const screen = (joined = false) => tmux("capture-pane", "-p", "-t", name, "-S", "-", ...(joined ? ["-J"] : [])).replace(/\s+$/, "");
  return {
    screen,
    keys: (...keys: string[]) => tmux("send-keys", "-t", name, ...keys),
    resize: (width: number) => tmux("resize-window", "-t", name, "-x", String(width)),
    async waitFor(pattern: RegExp, count = 1, timeoutMs = 90_000) {
      const started = Date.now();
      for (;;) {
        const text = screen();
        if ((text.match(new RegExp(pattern.source, "g")) ?? []).length >= count) return text;
        if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${pattern} ×${count}; the screen:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
  };
}

const PROMPT = { en: /Run this step\? \[Enter\/s\/b\/q, or a step number\]/, "zh-TW": /要執行這一步嗎？/ };
const notebookProse = (lang: "en" | "zh-TW") =>
  (JSON.parse(readFileSync(path.join(PROJECT_ROOT, "notebooks", `quickstart${lang === "zh-TW" ? ".zh-TW" : ""}.ipynb`), "utf8")) as { cells: { cell_type: string; source: string[] }[] }).cells
    .filter((c) => c.cell_type === "markdown")
    .map((c) => c.source.join(""))
    .join("\n");

/** Words (and names, and `code`) of the prose shown before step 1 that occur once there: each must be whole on one line. */
function uniqueWords(prose: string): string[] {
  const words = prose.replace(/[*`[\]()]/g, " ").match(/[A-Za-z][\w'’.-]*[A-Za-z0-9_]/g) ?? [];
  const counts = new Map<string, number>();
  for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts].filter(([w, n]) => n === 1 && w.length >= 5).map(([w]) => w);
}

describe("kvq learn's prose in a terminal", { skip: !haveTmux && "tmux is not installed (.ci/run installs it)" }, () => {
  for (const lang of ["en", "zh-TW"] as const) {
    for (const columns of [60, 80, 120]) {
      test(`${lang} at ${columns} columns: fits, no word cut, lists and links readable`, async () => {
        const session = learnIn(`${lang}-${columns}`, columns, lang);
        const text = await session.waitFor(PROMPT[lang]);
        const lines = text.split("\n");
        // tmux wrapped nothing itself: the lines joined where tmux wrapped them are the same lines.
        assert.deepEqual(session.screen(true).split("\n"), lines, "a line was wider than the terminal");
        for (const line of lines) assert.ok(displayWidth(line) <= columns, `${displayWidth(line)} columns: ${line}`);
        // Each word that occurs once in the prose on screen is whole on one of its lines.
        const shownProse = notebookProse(lang).slice(0, notebookProse(lang).indexOf(lang === "en" ? "## Sign in" : "## 登入"));
        const words = uniqueWords(shownProse).filter((w) => text.includes(w.slice(0, 4)));
        assert.ok(words.length > (lang === "en" ? 40 : 8), `words checked: ${words.join(" ")}`);
        const cut = words.filter((w) => !lines.some((line) => line.includes(w)));
        assert.deepEqual(cut, [], `cut across lines at ${columns} columns`);
        // So is each inline code span (shown with its backticks without colours).
        const spans = [...shownProse.matchAll(/`([^`\n]+)`/g)].map((m) => m[0]);
        assert.ok(spans.length > 5);
        assert.deepEqual(spans.filter((span) => !lines.some((line) => line.includes(span))), [], `code spans cut at ${columns} columns`);
        // A list item's continuation lines start under its text.
        const item = lines.findIndex((l) => l.startsWith(lang === "en" ? "* which vault:" : "* 要用哪個保存庫"));
        assert.ok(item >= 0, text);
        assert.match(lines[item + 1]!, /^ {2}\S/, `continuation of: ${lines[item]}`);
        // Links show the file from the project's root, whole.
        assert.match(text, lang === "en" ? /setup\.md#opening-the-notebook/ : /setup\.zh-TW\.md#開啟筆記本/);
        assert.doesNotMatch(text, /\(\.\.\/setup/);
        if (lang === "zh-TW") {
          // Chinese paragraphs are filled: a line that the paragraph goes on after is nearly full.
          const intro = lines.slice(lines.findIndex((l) => l.startsWith("Azure Key Vault 讓")));
          const paragraph = intro.slice(0, intro.indexOf(""));
          const short = paragraph.slice(0, -1).filter((l) => displayWidth(l) < Math.min(columns, MAX_PROSE_WIDTH) - 12);
          assert.deepEqual(short, [], `short lines inside a paragraph:\n${paragraph.join("\n")}`);
        }
        session.keys("q");
      });
    }
  }

  test("the width is read again at each step: a narrower terminal gets narrower prose", async () => {
    const session = learnIn("resize", 100, "en");
    await session.waitFor(PROMPT.en);
    assert.ok(session.screen().split("\n").some((l) => displayWidth(l) > 80), "at 100 columns some prose is wider than 80");
    session.resize(70);
    session.keys("s");
    const text = await session.waitFor(PROMPT.en, 2);
    const joined = session.screen(true);
    const step2 = joined.slice(joined.lastIndexOf("Step 2 of 10")).split("\n");
    assert.ok(text.includes("Step 2 of 10"));
    for (const line of step2) assert.ok(displayWidth(line) <= 70, `${displayWidth(line)} columns after the resize: ${line}`);
    session.keys("q");
  });

  test("a skipped step: the stepper names it, b goes back to it, q says how to resume", async () => {
    const session = learnIn("skipped", 80, "en");
    await session.waitFor(PROMPT.en);
    session.keys("Enter"); // 1
    await session.waitFor(PROMPT.en, 2);
    session.keys("Enter"); // 2
    await session.waitFor(PROMPT.en, 3);
    session.keys("Enter"); // 3: the name prompt
    await session.waitFor(/Name for your key/);
    session.keys("Enter");
    await session.waitFor(PROMPT.en, 4);
    session.keys("Enter"); // 4
    await session.waitFor(PROMPT.en, 5);
    session.keys("s"); // 5: skip creating the key
    await session.waitFor(PROMPT.en, 6);
    session.keys("Enter"); // 6 needs the key
    let text = await session.waitFor(/You skipped step 5 \(Create an RSA key\), which\s+defines\s+`key`:\s+press\s+b\s+to\s+go\s+back\s+to\s+it/);
    assert.doesNotMatch(text, /Run All Above|Execute Above Cells/, "not the notebook menus' advice");
    session.keys("b");
    text = await session.waitFor(/Step 5 of 10 · Create an RSA key/, 2);
    session.keys("Enter"); // 5 again: creates the key
    await session.waitFor(/✔ Created quickstart-tester-/);
    await session.waitFor(/Step 6 of 10 · Read the key back/, 2);
    session.keys("Enter");
    await session.waitFor(/Same key as the one created: true/);
    await session.waitFor(/Step 7 of 10/);
    session.keys("q");
    text = await session.waitFor(/To go on later from step 7:\s+npm run learn -- --from 7/);
    assert.match(text, /Cleaned up: quickstart-tester-\d{8}-[0-9a-z]{6}: deleted and purged\./);
  });
});
