/**
 * A refusal's fix names the role or the permissions of the kind it refused: a secrets notebook is never told to
 * take "Key Vault Crypto Officer" or --key-permissions, a certificates one is told "Key Vault Certificates
 * Officer" and --certificate-permissions. A soft-deleted certificate's 409 is a certificate's. Real SDK,
 * emulator faults, both catalogs.
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
    { fault: "ForbiddenByRbac", operation: "createCertificate", id: "CertificateForbiddenByRbac", fix: /Key Vault Certificates Officer/, detail: /certificates\/create\/action/ },
    { fault: "ForbiddenByPolicy", operation: "createCertificate", id: "CertificateForbiddenByPolicy", fix: /--certificate-permissions get list create delete recover purge/, detail: /\(create\)/ },
  ] as const;
  const OTHER_KINDS_FIXES = {
    Secret: /Crypto Officer|Certificates Officer|--key-permissions|--certificate-permissions/,
    Certificate: /Crypto Officer|Secrets Officer|--key-permissions|--secret-permissions/,
    key: /Secrets Officer|Certificates Officer|--secret-permissions|--certificate-permissions/,
  };
  const kindOf = (id: string) => (id.startsWith("Secret") ? "Secret" : id.startsWith("Certificate") ? "Certificate" : "key");
  const call = (operation: string) =>
    operation === "setSecret"
      ? vault.secretClient.setSecret("refused", "x")
      : operation === "createCertificate"
        ? vault.certificateClient.beginCreateCertificate("refused", { issuerName: "Self", subject: "cn=refused" })
        : vault.client.createRsaKey("refused");

  for (const c of cases) {
    test(`${c.fault} on ${c.operation}: ${c.id}`, async () => {
      const fault = vault.emulator.faults.inject({ operation: c.operation, fault: c.fault, times: 1 });
      try {
        const error = await refusal(() => call(c.operation));
        const explained = explainError(error)!;
        assert.equal(explained.id, c.id);
        assert.match(explained.fix, c.fix);
        assert.match(explained.meaning, c.detail);
        assert.doesNotMatch(explained.fix, OTHER_KINDS_FIXES[kindOf(c.id)]);
        setLang("zh-TW");
        const zh = explainError(error)!;
        assert.match(zh.fix, c.fix);
        assert.match(zh.meaning, { Secret: /祕密/, Certificate: /憑證/, key: /金鑰|角色/ }[kindOf(c.id)]);
      } finally {
        setLang("en");
        fault.remove();
      }
    });
  }

  test("a soft-deleted certificate's name: the 409 is explained as a certificate's, with the certificate's calls", async () => {
    const client = vault.certificateClient;
    await (await client.beginCreateCertificate("deleted-cert", { issuerName: "Self", subject: "cn=deleted-cert" }, { intervalInMs: 50 })).pollUntilDone();
    await (await client.beginDeleteCertificate("deleted-cert", { intervalInMs: 50 })).pollUntilDone();
    try {
      const error = await refusal(() => client.beginCreateCertificate("deleted-cert", { issuerName: "Self", subject: "cn=deleted-cert" }));
      const explained = explainError(error)!;
      assert.equal(explained.id, "CertificateIsDeletedButRecoverable");
      assert.match(explained.meaning, /soft-deleted certificate still holds this name, with its key and secret/);
      assert.match(explained.fix, /beginRecoverDeletedCertificate.*purgeDeletedCertificate.*chooseCertificateName/);
      setLang("zh-TW");
      assert.match(explainError(error)!.meaning, /已虛刪除的憑證/);
    } finally {
      setLang("en");
      await client.purgeDeletedCertificate("deleted-cert");
    }
  });
});
