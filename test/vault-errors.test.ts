/**
 * A refusal's fix names the role or the permissions of the kind it refused: a secrets notebook is never told to
 * take "Key Vault Crypto Officer" or --key-permissions. Real SDK, emulator faults, both catalogs.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { explainError } from "../src/vault-errors";
import { setLang } from "../src/i18n";
import { startTestVault, type TestVault } from "./helpers/emulator";

async function refusal(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  assert.fail("the call was not refused");
}

describe("a refusal's fix is for its kind", () => {
  let vault: TestVault;
  before(async () => {
    vault = await startTestVault();
  });
  after(async () => {
    setLang("en");
    await vault?.stop();
  });

  const cases = [
    { fault: "ForbiddenByRbac", operation: "setSecret", id: "SecretForbiddenByRbac", fix: /Key Vault Secrets Officer/, detail: /secrets\/setSecret\/action/ },
    { fault: "ForbiddenByPolicy", operation: "setSecret", id: "SecretForbiddenByPolicy", fix: /--secret-permissions get list set delete recover purge/, detail: /\(set\)/ },
    { fault: "ForbiddenByRbac", operation: "createKey", id: "ForbiddenByRbac", fix: /Key Vault Crypto Officer/, detail: /keys\/create\/action/ },
    { fault: "ForbiddenByPolicy", operation: "createKey", id: "ForbiddenByPolicy", fix: /--key-permissions/, detail: /\(create\)/ },
  ] as const;

  for (const c of cases) {
    test(`${c.fault} on ${c.operation}: ${c.id}`, async () => {
      const fault = vault.emulator.faults.inject({ operation: c.operation, fault: c.fault, times: 1 });
      try {
        const error = await refusal(() =>
          c.operation === "setSecret" ? vault.secretClient.setSecret("refused", "x") : vault.client.createRsaKey("refused"),
        );
        const explained = explainError(error)!;
        assert.equal(explained.id, c.id);
        assert.match(explained.fix, c.fix);
        assert.match(explained.meaning, c.detail);
        if (c.id.startsWith("Secret")) assert.doesNotMatch(explained.fix, /Crypto Officer|--key-permissions/);
        else assert.doesNotMatch(explained.fix, /Secrets Officer|--secret-permissions/);
        setLang("zh-TW");
        const zh = explainError(error)!;
        assert.match(zh.fix, c.fix);
        assert.match(zh.meaning, c.id.startsWith("Secret") ? /祕密/ : /金鑰|角色/);
      } finally {
        setLang("en");
        fault.remove();
      }
    });
  }
});
