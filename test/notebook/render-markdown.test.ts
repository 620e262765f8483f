/** Docs rendering: tags honoured, ANSI stripped, outputs normalised so regenerations are byte-identical. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createNormalizer } from "../../src/notebook/normalize";
import { renderMarkdown, stripAnsi } from "../../src/notebook/render-markdown";
import type { Cell, Notebook } from "../../src/notebook/notebook-file";

const code = (source: string, text: string, tags: string[] = []): Cell => ({
  cell_type: "code",
  id: `c${Math.random()}`,
  source,
  metadata: { tags },
  execution_count: 1,
  outputs: [{ output_type: "stream", name: "stdout", text }],
});
const md = (source: string, tags: string[] = []): Cell => ({ cell_type: "markdown", id: `m${Math.random()}`, source, metadata: { tags } });
const nb = (cells: Cell[]): Notebook => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });

test("prose, ts fences and text outputs, with every Jupyter Book tag honoured", () => {
  const out = renderMarkdown(
    nb([
      md("# Title"),
      code("const a = 1;", "one\n"),
      code("secret()", "gone\n", ["remove-cell"]),
      code("quiet()", "shown only\n", ["remove-input"]),
      code("noisy()", "dropped\n", ["remove-output"]),
      code("hidden()", "visible\n", ["hide-input"]),
      code("visible()", "tucked\n", ["hide-output"]),
      code('const keyName = "x";', "", ["injected-parameters"]),
      md("bye", ["remove-cell"]),
    ]),
    { header: "<!-- generated -->" },
  );
  assert.equal(
    out,
    [
      "<!-- generated -->",
      "# Title",
      "```ts\nconst a = 1;\n```",
      "**Output**\n\n```text\none\n```",
      "**Output**\n\n```text\nshown only\n```",
      "```ts\nnoisy()\n```",
      "<details>\n<summary>Code</summary>\n\n```ts\nhidden()\n```\n\n</details>",
      "**Output**\n\n```text\nvisible\n```",
      "```ts\nvisible()\n```",
      "<details>\n<summary>Output</summary>\n\n```text\ntucked\n```\n\n</details>",
    ].join("\n\n") + "\n",
  );
});

test("a reader's page: the block after the title, notebook-only prose dropped, outputs labelled in the page's language", () => {
  const out = renderMarkdown(nb([md("# 標題\n\n簡介"), md("按 Shift+Enter 執行", ["kvq-notebook-only"]), code("x", "一\n")]), {
    afterTitle: "## 事前準備\n\n- Node.js",
    labels: { code: "程式碼", output: "輸出" },
  });
  assert.equal(out, "# 標題\n\n簡介\n\n## 事前準備\n\n- Node.js\n\n```ts\nx\n```\n\n**輸出**\n\n```text\n一\n```\n");
});

test("ANSI colour and cursor codes are stripped; a ``` inside an output gets a longer fence", () => {
  assert.equal(stripAnsi("\u001b[32m✔\u001b[39m done\u001b[2K\u001b[1G"), "✔ done");
  const out = renderMarkdown(nb([code("x", "```\ninner\n```\n")]));
  assert.match(out, /````text\n```\ninner\n```\n````/);
});

test("normalising: ports, versions, run ids and times become stable; relations are kept", () => {
  const normalize = createNormalizer({ paths: { "<project>": "/home/me/repo" } });
  const text = [
    "id: https://localhost:51234/keys/k/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "again: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa other: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    "run 20261128T145422Z-05a6",
    "deleted 2026-11-28T14:54:23.000Z purge 2027-02-26T14:54:23.000Z created 2026-11-28T14:54:21.000Z",
    "file /home/me/repo/.env",
  ].join("\n");
  const once = normalize(text);
  const twice = createNormalizer({ paths: { "<project>": "/home/me/repo" } })(text.replace(/51234/, "40001"));
  assert.equal(once, twice, "the same text from another run normalises the same");
  assert.match(once, /localhost:47443\/keys\/k\/([0-9a-f]{32})\nagain: \1 other: (?!\1)[0-9a-f]{32}/);
  assert.match(once, /run 20260112T090000Z-0001/);
  assert.match(once, /deleted 2026-01-12T09:00:00\.000Z purge 2026-04-12T09:00:00\.000Z created 2026-01-12T09:00:00\.000Z/);
  assert.match(once, /file <project>\/\.env/);
});

test("normalising a certificate's facts: thumbprints, fingerprints and serials map alike; a year's validity stays a year, leap day or not", () => {
  const thumbprint = "4fec7d3e935561f0897663a799c57b76c744665c";
  const fingerprint = "c0edbf380bca249565e6fed85d8fbc9f309d11914a6bd375798c6c2d54682ac9";
  const serial = "4F15738DC1FC83A9DD63B70ED9E92587";
  const run = (from: string, to: string, purge: string) =>
    createNormalizer()(
      [`thumbprint: ${thumbprint} (again ${thumbprint})`, `public key: ${fingerprint} = ${fingerprint}`, `serial: ${serial}`, `valid from ${from} until ${to}`, `purge ${purge}`].join("\n"),
    );
  // Created in December (365 days to the next December), and in March before a leap day (366): the same page.
  const december = run("2026-12-07T00:43:34.000Z", "2027-12-07T00:43:34.000Z", "2027-03-07T00:43:34.000Z");
  const march = run("2027-03-07T00:43:34.000Z", "2028-03-07T00:43:34.000Z", "2027-06-05T00:43:34.000Z");
  assert.equal(march, december);
  assert.match(december, /valid from 2026-01-12T09:00:00\.000Z until 2027-01-12T09:00:00\.000Z\npurge 2026-04-12T09:00:00\.000Z/);
  const [, t1, t2] = /thumbprint: ([0-9a-f]{40}) \(again ([0-9a-f]{40})\)/.exec(december)!;
  assert.equal(t1, t2);
  assert.notEqual(t1, thumbprint);
  assert.match(december, /public key: ([0-9a-f]{64}) = \1/);
  assert.doesNotMatch(december, new RegExp(`${fingerprint}|${serial}`));
  assert.match(december, /serial: [0-9A-F]{32}\n/);
});
