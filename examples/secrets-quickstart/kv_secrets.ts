/**
 * Azure Key Vault secrets quickstart: the program to keep.
 *
 * The same Azure SDK calls as notebooks/secrets-quickstart.ipynb, in the same order, with nothing
 * from the tutorial's helpers: sign in, set a secret, forget it and read it back, delete it, see
 * soft delete refuse the name, recover it, delete it again and purge it.
 *
 *   npm init -y && npm pkg set type=module
 *   npm install @azure/keyvault-secrets@~4.11.2 @azure/identity dotenv
 *   npm install --save-dev tsx typescript @types/node
 *   npx tsx kv_secrets.ts [secret-name]
 *
 * The value is asked for, as the seed's input() did (or read from SECRET_VALUE); it is printed only
 * to your terminal. Settings come from the environment or a .env file next to it:
 *   KEY_VAULT_NAME=<your vault>   (or KEY_VAULT_URL=https://<your vault>.vault.azure.net)
 * and you sign in with `az login` (or any way DefaultAzureCredential knows). For this project's
 * emulator, set KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION=true and NODE_EXTRA_CA_CERTS=<its ca.pem>.
 */
import { config } from "dotenv";
import { createInterface } from "node:readline/promises";
import { DefaultAzureCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";

config({ quiet: true });

const vaultUrl = process.env.KEY_VAULT_URL || `https://${process.env.KEY_VAULT_NAME}.vault.azure.net`;
const credential = new DefaultAzureCredential();
const client = new SecretClient(vaultUrl, credential, {
  disableChallengeResourceVerification: process.env.KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION === "true",
});

// A name that was used before may still be held by a soft-deleted secret: pick a new one each run.
const secretName = process.argv[2] || `quickstart-${Date.now().toString(36)}`;

async function askValue(): Promise<string> {
  if (process.env.SECRET_VALUE) return process.env.SECRET_VALUE;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question("Input the value of your secret > ");
  } finally {
    rl.close();
  }
}

let secretValue = await askValue();
console.log(`Creating a secret in ${vaultUrl} called '${secretName}' with the value '${secretValue}' ...`);
const secret = await client.setSecret(secretName, secretValue);
console.log(`Created ${secret.name}, version ${secret.properties.version}`);

secretValue = "";
console.log(`Forgetting your secret: it is now '${secretValue}'.`);
const retrieved = await client.getSecret(secretName);
console.log(`Your secret is '${retrieved.value}'.`);

console.log(`Deleting your secret from ${vaultUrl} ...`);
const deleted = await (await client.beginDeleteSecret(secretName)).pollUntilDone();
console.log(`Deleted on ${deleted.properties.deletedOn?.toISOString()}, purge scheduled ${deleted.properties.scheduledPurgeDate?.toISOString()}`);

// Soft delete keeps the name: setting the secret again is refused with 409 ObjectIsDeletedButRecoverable.
try {
  await client.setSecret(secretName, "again");
  console.log(`${secretName} was set again: this vault let a soft-deleted name be reused.`);
} catch (error) {
  const { statusCode, code } = error as { statusCode?: number; code?: string };
  console.log(`Setting ${secretName} again failed: ${statusCode} ${code}`);
}

const recovered = await (await client.beginRecoverDeletedSecret(secretName)).pollUntilDone();
console.log(`Recovered ${recovered.name}, same version: ${recovered.version === secret.properties.version}`);
await (await client.beginDeleteSecret(secretName)).pollUntilDone();
console.log(`Deleted ${secretName} again`);

// Purging destroys the secret for good and frees its name (a vault with purge protection refuses it).
await client.purgeDeletedSecret(secretName);
console.log(`Purged ${secretName}. Done.`);
