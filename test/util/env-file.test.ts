import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { parse } from "dotenv";
import { formatEnvLine, upsertEnvFile } from "../../src/util/env-file";

const tempFile = (content?: string) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "kvq-env-")), ".env");
  if (content !== undefined) writeFileSync(file, content);
  return file;
};

test("creates the file with the variables, readable only by its owner", () => {
  const file = tempFile();
  const change = upsertEnvFile(file, { A: "1", B: "two" });
  assert.deepEqual(change, { added: ["A", "B"], updated: [] });
  assert.equal(readFileSync(file, "utf8"), "A=1\nB=two\n");
  if (process.platform !== "win32") assert.equal(statSync(file).mode & 0o777, 0o600);
});

test("updates variables in place and keeps every other line", () => {
  const file = tempFile("# my settings\nKEY_VAULT_URL=https://old\n\nexport OTHER=keep me\nIDENTITY_HEADER = stale\n");
  const change = upsertEnvFile(file, { KEY_VAULT_URL: "https://localhost:1", IDENTITY_HEADER: "h", NEW: "n" });
  assert.deepEqual(change, { added: ["NEW"], updated: ["KEY_VAULT_URL", "IDENTITY_HEADER"] });
  assert.equal(
    readFileSync(file, "utf8"),
    "# my settings\nKEY_VAULT_URL=https://localhost:1\n\nexport OTHER=keep me\nIDENTITY_HEADER=h\nNEW=n\n",
  );
});

test("keeps Windows line endings", () => {
  const file = tempFile("A=1\r\nB=2\r\n");
  upsertEnvFile(file, { B: "3" });
  assert.equal(readFileSync(file, "utf8"), "A=1\r\nB=3\r\n");
});

test("values dotenv would misread round-trip through dotenv", () => {
  for (const value of ["C:\\new\\ca.pem", "with space", "hash#tag", 'quote"d']) {
    assert.deepEqual(parse(formatEnvLine("X", value)), { X: value });
  }
});
