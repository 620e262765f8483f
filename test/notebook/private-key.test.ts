/**
 * The certificates quickstart reads the certificate's private key from its secret and shows that it
 * belongs to the certificate — and no private key material reaches anything a run leaves: not
 * stdout, stderr or --json, not the executed notebook, not the docs page rendered from it, not the
 * run's files. The material looked for is the vault's own, read from the emulator's state after the
 * run (--keep-keys leaves the certificate soft-deleted, with its key and secret): the secret's value
 * and every base64 line of its private key, and the key's private JWK members (d, p, q, dp, dq, qi)
 * in base64url, base64 and hex. And no "-----BEGIN" at all: the notebook prints no PEM, not even
 * the public certificate's. Both editions at once; a check that the scan finds what it looks for.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { SHORT_RUN } from "../../src/emulator/index";
import { joinMultiline, parseNotebook } from "../../src/notebook/notebook-file";
import { renderMarkdown } from "../../src/notebook/render-markdown";
import { runKvq } from "../helpers/cli";
import { startTestVault, storedRecords, tempDir, type TestVault } from "../helpers/emulator";

const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi"] as const;
/** Long enough that no ordinary text holds one by chance; short enough to catch a line of a wrapped blob. */
const MIN_FRAGMENT = 24;

/** The private material the vault holds for a certificate, in the forms a program could print it. */
function privateMaterial(stateDir: string, name: string): string[] {
  const records = storedRecords(stateDir).filter((r) => r.state === "deleted");
  const secret = records.find((r) => r.kind === "secrets" && (r.value as { secret: { name: string } }).secret.name === name);
  const key = records.find((r) => r.kind === "keys" && (r.value as { key: { name: string } }).key.name === name);
  assert.ok(secret && key, `the vault holds no soft-deleted key and secret named ${name}`);
  const value = (secret.value as { secret: { versions: { value: string }[] } }).secret.versions.at(-1)!.value;
  const jwk = (key.value as { key: { versions: { jwk: Record<string, string> }[] } }).key.versions.at(-1)!.jwk;
  assert.match(value, /-----BEGIN PRIVATE KEY-----/, "the policy asked for PEM");
  const keyBody = /-----BEGIN PRIVATE KEY-----([\s\S]*?)-----END PRIVATE KEY-----/.exec(value)![1]!;
  const members = PRIVATE_JWK_MEMBERS.map((m) => jwk[m]).filter((v): v is string => typeof v === "string");
  assert.equal(members.length, PRIVATE_JWK_MEMBERS.length, "an RSA key has all its private members");
  return [
    value,
    keyBody.replace(/\s+/g, ""),
    ...keyBody.split(/\s+/).filter((line) => line.length >= MIN_FRAGMENT),
    ...members.flatMap((m) => {
      const bytes = Buffer.from(m, "base64url");
      return [m, bytes.toString("base64"), bytes.toString("hex")].map((form) => form.slice(0, 64));
    }),
  ];
}

/** Where in the artifacts a piece of the material, or any PEM, shows up. */
function leaks(artifacts: Array<[string, string]>, material: string[]): string[] {
  const found: string[] = [];
  for (const [where, text] of artifacts) {
    if (/-----BEGIN/.test(text)) found.push(`${where}: a PEM block`);
    for (const piece of material) if (text.includes(piece)) found.push(`${where}: ${piece.slice(0, 16)}…`);
  }
  return found;
}

const filesIn = (dir: string) => readdirSync(dir, { recursive: true, encoding: "utf8" }).map((f) => path.join(dir, f)).filter((f) => /\.(ipynb|json|md)$/.test(f));

let vault: TestVault;
before(async () => {
  vault = await startTestVault({ ...SHORT_RUN, issueDelayMs: 250 });
});
after(() => vault?.stop());

test("the scan finds the material, whichever form a cell printed it in", () => {
  const material = ["-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "c2VjcmV0LWV4cG9uZW50LWQtYnl0ZXM"];
  assert.deepEqual(leaks([["clean", "  80969ee2f5fb9815e19019fd1d25f44ff01c9e2d8d23aa87c2235f85ab2d6be7"]], material), []);
  assert.deepEqual(leaks([["stdout", "d = c2VjcmV0LWV4cG9uZW50LWQtYnl0ZXM"]], material), ["stdout: c2VjcmV0LWV4cG9u…"]);
  assert.deepEqual(leaks([["notebook", "-----BEGIN CERTIFICATE-----"]], material), ["notebook: a PEM block"]);
});

// Both editions at once: each waits on its kernel more than on the CPU.
describe("the certificates quickstart's private key", { concurrency: true }, () => {
  for (const [lang, json] of [["en", true], ["zh-TW", false]] as const) {
    test(`${lang}${json ? ", --json" : ""}: the notebook shows the key is the certificate's, and no private key material reaches any artifact`, async () => {
      const dir = tempDir("kvq-private-key-");
      const out = path.join(dir, "executed.ipynb");
      const args = ["run", "certificates-quickstart", "--vault", vault.emulator.url, "--lang", lang, "--keep-keys", "--out", out, ...(json ? ["--json"] : [])];
      const env = { ...vault.emulator.env, KVQ_ENV_FILE: "none", KVQ_LEDGER_DIR: path.join(dir, "runs"), ATTENDEE: `keytest-${lang}` };
      const result = await runKvq(args, { env, timeoutMs: 180_000 });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const executed = readFileSync(out, "utf8");
      const printed = parseNotebook(executed, out).cells.flatMap((c) => (c.cell_type === "code" ? c.outputs : [])).map((o) => (o.output_type === "stream" ? joinMultiline(o.text) : "")).join("");
      // The lesson ran: the secret's private key was loaded and matched the certificate.
      assert.match(printed, /the secret's private key belongs to the certificate: true/);
      assert.match(printed, /from the certificate and from the private key:\n {2}([0-9a-f]{64})\n {2}\1\n/);
      const name = /Certificate name: (\S+)\n/.exec(printed)?.[1];
      assert.ok(name, "the run printed its certificate's name");

      await vault.emulator.flush();
      const material = privateMaterial(vault.emulator.stateDir, name);
      const artifacts: Array<[string, string]> = [
        ["stdout", result.stdout],
        ["stderr", result.stderr],
        ["the docs page", renderMarkdown(parseNotebook(executed, out))],
        ...filesIn(dir).map((f) => [f, readFileSync(f, "utf8")] as [string, string]),
      ];
      assert.ok(artifacts.some(([where]) => where.endsWith(".json") && where.includes(`${path.sep}runs${path.sep}`)), "the run's ledger is among the files scanned");
      assert.deepEqual(leaks(artifacts, material), []);
      await vault.certificateClient.purgeDeletedCertificate(name);
    });
  }
});
