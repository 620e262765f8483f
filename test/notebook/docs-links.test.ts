/**
 * Issue 26, point 8: the docs as a site (MkDocs, docs_dir docs/) — every link from a docs page to
 * another page resolves inside docs/: the setup pages are copied there by `kvq docs`, and their own
 * links were made relative to docs/. (docs.test.ts checks that docs/ is what `kvq docs` makes.)
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { messagesFor } from "../../src/i18n";
import { setupPageMarkdown } from "../../src/notebook/docs";
import { PROJECT_ROOT } from "../helpers/cli";

const DOCS = path.join(PROJECT_ROOT, "docs");
const links = (markdown: string) => [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z][a-z0-9+.-]*:|^#/i.test(target));

test("every link from a docs page to a Markdown page stays inside docs/ and finds its file", () => {
  for (const page of readdirSync(DOCS).filter((f) => f.endsWith(".md"))) {
    for (const target of links(readFileSync(path.join(DOCS, page), "utf8"))) {
      const file = path.resolve(DOCS, target.replace(/#.*$/, ""));
      assert.ok(existsSync(file), `${page} links to ${target}, which does not exist`);
      if (file.endsWith(".md") && !file.endsWith("README.md")) assert.ok(file.startsWith(DOCS + path.sep), `${page} links to ${target}, outside the site`);
    }
  }
});

test("the site's setup pages are setup.md and setup.zh-TW.md with links from docs/", () => {
  for (const [lang, source] of [["en", "setup.md"], ["zh-TW", "setup.zh-TW.md"]] as const) {
    const copy = setupPageMarkdown(lang);
    assert.ok(copy.startsWith(messagesFor(lang).runner.docs.setupHeader(source)));
    assert.equal(copy, readFileSync(path.join(DOCS, source), "utf8"), `docs/${source} is stale: npx kvq docs`);
  }
});
