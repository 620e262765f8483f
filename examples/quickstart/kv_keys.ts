/**
 * Azure Key Vault keys quickstart: the program to keep.
 *
 * The same Azure SDK calls as notebooks/quickstart.ipynb, in the same order, with nothing from the
 * tutorial's helpers: sign in, create an RSA key, read it, delete it, see soft delete refuse the
 * name, recover the key, delete it again and purge it.
 *
 *   npm init -y && npm pkg set type=module
 *   npm install @azure/keyvault-keys @azure/identity dotenv
 *   npm install --save-dev tsx typescript @types/node
 *   npx tsx kv_keys.ts [key-name]
 *
 * Settings come from the environment or a .env file next to it:
 *   KEY_VAULT_NAME=<your vault>   (or KEY_VAULT_URL=https://<your vault>.vault.azure.net)
 * and you sign in with `az login` (or any way DefaultAzureCredential knows).
 *
 * A vault on your own machine (this project's emulator) is not under vault.azure.net, so it cannot
 * answer the sign-in challenge for it. Setting KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION=true
 * lets the SDK accept that; leave it unset for a vault in Azure. The emulator's CA must be trusted
 * when Node starts: NODE_EXTRA_CA_CERTS=<its ca.pem> in the shell (a .env file is read too late).
 */
import { config } from "dotenv";
import { DefaultAzureCredential } from "@azure/identity";
import { KeyClient, type KeyVaultKey } from "@azure/keyvault-keys";

config({ quiet: true });

// The vault's URL, built from its name (KEY_VAULT_URL, when set, is used as given).
const vaultUrl = process.env.KEY_VAULT_URL || `https://${process.env.KEY_VAULT_NAME}.vault.azure.net`;
const credential = new DefaultAzureCredential();
const client = new KeyClient(vaultUrl, credential, {
  disableChallengeResourceVerification: process.env.KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION === "true",
});

// A name that was used before may still be held by a soft-deleted key: pick a new one each run.
const keyName = process.argv[2] || `quickstart-${Date.now().toString(36)}`;

console.log(`Creating an RSA key ${keyName} in ${vaultUrl} ...`);
const key: KeyVaultKey = await client.createRsaKey(keyName, { keySize: 2048 });
console.log(`Created ${key.name}, version ${key.properties.version}`);

const retrieved = await client.getKey(keyName);
console.log(`Read it back: ${retrieved.name}, same key: ${retrieved.id === key.id}`);

console.log(`Deleting ${keyName} ...`);
const deletePoller = await client.beginDeleteKey(keyName);
const deletedKey = await deletePoller.pollUntilDone();
console.log(`Deleted on ${deletedKey.properties.deletedOn?.toISOString()}, purge scheduled ${deletedKey.properties.scheduledPurgeDate?.toISOString()}`);

// Soft delete keeps the name: creating the key again is refused with 409 ObjectIsDeletedButRecoverable.
try {
  await client.createRsaKey(keyName, { keySize: 2048 });
  console.log(`${keyName} was created again: this vault let a soft-deleted name be reused.`);
} catch (error) {
  const { statusCode, code } = error as { statusCode?: number; code?: string };
  console.log(`Creating ${keyName} again failed: ${statusCode} ${code}`);
}

const recovered = await (await client.beginRecoverDeletedKey(keyName)).pollUntilDone();
console.log(`Recovered ${recovered.name}, same key: ${recovered.id === key.id}`);
await (await client.beginDeleteKey(keyName)).pollUntilDone();
console.log(`Deleted ${keyName} again`);

// Purging destroys the key for good and frees its name (a vault with purge protection refuses it).
await client.purgeDeletedKey(keyName);
console.log(`Purged ${keyName}. Done.`);
