/** Which language: KVQ_LANG, then the POSIX locale variables; setLang for this process and its children; the catalog read at call time. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { afterEach, describe, test } from "node:test";
import { resolveLang } from "../../src/commands/run";
import { detectLang, displayWidth, messagesFor, padDisplay, parseLang, setLang, t } from "../../src/i18n";

describe("detectLang", () => {
  const cases: [string, NodeJS.ProcessEnv, "en" | "zh-TW"][] = [
    ["nothing set", {}, "en"],
    ["LANG=zh_TW.UTF-8", { LANG: "zh_TW.UTF-8" }, "zh-TW"],
    ["LANG=zh_TW (no codeset)", { LANG: "zh_TW" }, "zh-TW"],
    ["LC_MESSAGES=zh-TW", { LC_MESSAGES: "zh-TW" }, "zh-TW"],
    ["LC_ALL=zh_Hant_TW.UTF-8", { LC_ALL: "zh_Hant_TW.UTF-8" }, "zh-TW"],
    ["LANG=zh-Hant", { LANG: "zh-Hant" }, "zh-TW"],
    ["lower case: LANG=zh_tw.utf8", { LANG: "zh_tw.utf8" }, "zh-TW"],
    ["KVQ_LANG=zh-TW", { KVQ_LANG: "zh-TW" }, "zh-TW"],
    ["KVQ_LANG=zh_Hant", { KVQ_LANG: "zh_Hant" }, "zh-TW"],
    ["LANG=zh_CN.UTF-8 (Simplified)", { LANG: "zh_CN.UTF-8" }, "en"],
    ["LANG=zh-Hans", { LANG: "zh-Hans" }, "en"],
    ["LANG=zh_HK.UTF-8 (not asked for)", { LANG: "zh_HK.UTF-8" }, "en"],
    ["LANG=en_US.UTF-8", { LANG: "en_US.UTF-8" }, "en"],
    ["LANG=C.UTF-8", { LANG: "C.UTF-8" }, "en"],
  ];
  for (const [what, env, expected] of cases) {
    test(`${what} → ${expected}`, () => assert.equal(detectLang(env), expected));
  }

  test("KVQ_LANG wins over every locale variable, either way", () => {
    assert.equal(detectLang({ KVQ_LANG: "en", LC_ALL: "zh_TW.UTF-8", LC_MESSAGES: "zh_TW.UTF-8", LANG: "zh_TW.UTF-8" }), "en");
    assert.equal(detectLang({ KVQ_LANG: "zh-TW", LC_ALL: "en_US.UTF-8", LANG: "en_US.UTF-8" }), "zh-TW");
    // An explicit language we do not have is English, not a fall-through to the locale.
    assert.equal(detectLang({ KVQ_LANG: "fr", LANG: "zh_TW.UTF-8" }), "en");
  });

  test("a notebook edition's kernel (KVQ_NOTEBOOK_LANG) wins over the locale, and KVQ_LANG over it", () => {
    assert.equal(detectLang({ KVQ_NOTEBOOK_LANG: "zh-TW", LANG: "en_US.UTF-8" }), "zh-TW");
    assert.equal(detectLang({ KVQ_NOTEBOOK_LANG: "en", LC_ALL: "zh_TW.UTF-8" }), "en");
    assert.equal(detectLang({ KVQ_LANG: "en", KVQ_NOTEBOOK_LANG: "zh-TW" }), "en");
    assert.equal(detectLang({ KVQ_LANG: "", KVQ_NOTEBOOK_LANG: "zh-TW", LANG: "en_US.UTF-8" }), "zh-TW");
  });

  test("the first non-empty of LC_ALL, LC_MESSAGES, LANG decides, as POSIX does", () => {
    assert.equal(detectLang({ LC_ALL: "C", LANG: "zh_TW.UTF-8" }), "en");
    assert.equal(detectLang({ LC_ALL: "zh_TW.UTF-8", LANG: "en_US.UTF-8" }), "zh-TW");
    assert.equal(detectLang({ LC_MESSAGES: "en_US.UTF-8", LANG: "zh_TW.UTF-8" }), "en");
    assert.equal(detectLang({ LC_MESSAGES: "zh_TW.UTF-8", LANG: "en_US.UTF-8" }), "zh-TW");
    // Empty (or blank) variables are skipped.
    assert.equal(detectLang({ KVQ_LANG: "", LC_ALL: "", LC_MESSAGES: " ", LANG: "zh_TW.UTF-8" }), "zh-TW");
  });
});

test("parseLang takes what people type, and refuses what we do not have", () => {
  for (const text of ["zh-TW", "zh_TW", "ZH-tw", "zh-Hant", "zh_Hant_TW", " zh-TW "]) assert.equal(parseLang(text), "zh-TW", text);
  for (const text of ["en", "EN", "en-US", "en_GB.UTF-8"]) assert.equal(parseLang(text), "en", text);
  for (const text of ["", "fr", "zh-CN", "zh", "english"]) assert.equal(parseLang(text), undefined, text);
});

describe("setLang and t()", () => {
  const saved = process.env.KVQ_LANG;
  afterEach(() => {
    if (saved === undefined) delete process.env.KVQ_LANG;
    else process.env.KVQ_LANG = saved;
  });

  test("t() follows the language of the moment it is called", () => {
    setLang("zh-TW");
    assert.equal(t(), messagesFor("zh-TW"));
    assert.equal(t().cleanup.purged("k1"), "k1：已刪除並清除。");
    setLang("en");
    assert.equal(t().cleanup.purged("k1"), "k1: deleted and purged.");
    process.env.KVQ_LANG = "zh_TW.UTF-8"; // e.g. loaded from .env by dotenv
    assert.equal(t().env.localEmulator, "本機模擬器");
  });

  test("setLang reaches child processes (the notebook kernel inherits it)", () => {
    setLang("zh-TW");
    const child = spawnSync(process.execPath, ["-e", "process.stdout.write(process.env.KVQ_LANG)"], { encoding: "utf8" });
    assert.equal(child.stdout, "zh-TW");
  });
});

test("display width: CJK and full-width punctuation take two columns", () => {
  assert.equal(displayWidth("Where:"), 6);
  assert.equal(displayWidth("位置："), 6);
  assert.equal(displayWidth("k1（2）"), 7);
  assert.equal(padDisplay("位置：", 10), "位置：    ");
  assert.equal(padDisplay("longer than", 4), "longer than");
});

describe("a command's language when --lang is not given", () => {
  afterEach(() => setLang("en"));
  test("a tutorial's notebook file speaks its edition's language; any other notebook, the environment's", () => {
    assert.equal(resolveLang(undefined, "notebooks/quickstart.zh-TW.ipynb"), "zh-TW");
    assert.equal(t().common.fixPrefix, "解決方式：", "and the CLI's own messages follow it");
    assert.equal(resolveLang(undefined, "notebooks/beyond-the-quickstart.ipynb"), "en");
    assert.equal(resolveLang("zh-TW", "notebooks/quickstart.ipynb"), "zh-TW", "--lang wins");
    assert.equal(resolveLang(undefined, "test/fixtures/notebooks/passing.ipynb"), detectLang());
    assert.equal(resolveLang(undefined, "quickstart"), detectLang(), "a name picks the edition by the language, not the other way round");
  });
});
