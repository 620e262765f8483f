/**
 * Azure Key Vault certificates quickstart: the program to keep.
 *
 * The same Azure SDK calls as notebooks/certificates-quickstart.ipynb, in the same order, with
 * nothing from the tutorial's helpers: sign in, create a self-signed certificate and wait for it,
 * read it, sign with its key and read its private key from its secret (shown to match, never
 * printed), delete it, see soft delete refuse the name, recover it, delete it again and purge it.
 *
 *   npm init -y && npm pkg set type=module
 *   npm install @azure/keyvault-certificates @azure/keyvault-keys @azure/keyvault-secrets@~4.11.2 @azure/identity dotenv
 *   npm install --save-dev tsx typescript @types/node
 *   npx tsx kv_certificates.ts [certificate-name]
 *
 * Settings come from the environment or a .env file next to it:
 *   KEY_VAULT_NAME=<your vault>   (or KEY_VAULT_URL=https://<your vault>.vault.azure.net)
 * and you sign in with `az login` (or any way DefaultAzureCredential knows), with the roles Key
 * Vault Certificates Officer, Key Vault Crypto User and Key Vault Secrets User on the vault. For this
 * project's emulator, set KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION=true and
 * NODE_EXTRA_CA_CERTS=<its ca.pem>.
 */
import { config } from "dotenv";
import { createHash, createPrivateKey, createPublicKey, verify, X509Certificate, type KeyObject } from "node:crypto";
import { DefaultAzureCredential } from "@azure/identity";
import { CertificateClient, DefaultCertificatePolicy, type CertificatePolicy } from "@azure/keyvault-certificates";
import { KeyClient } from "@azure/keyvault-keys";
import { SecretClient } from "@azure/keyvault-secrets";

config({ quiet: true });

const vaultUrl = process.env.KEY_VAULT_URL || `https://${process.env.KEY_VAULT_NAME}.vault.azure.net`;
const credential = new DefaultAzureCredential();
const options = { disableChallengeResourceVerification: process.env.KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION === "true" };
const client = new CertificateClient(vaultUrl, credential, options);
// A certificate's key and secret are read with the clients of their own kinds.
const keyClient = new KeyClient(vaultUrl, credential, options);
const secretClient = new SecretClient(vaultUrl, credential, options);

// A name that was used before may still be held by a soft-deleted certificate: pick a new one each run.
const certificateName = process.argv[2] || `quickstart-${Date.now().toString(36)}`;

// The SDK's default policy (issuer Self, subject cn=MyCert), with the secret as PEM, which Node reads
// (the default, PKCS#12, is what Windows and .NET import).
const policy: CertificatePolicy = { ...DefaultCertificatePolicy, contentType: "application/x-pem-file" };

console.log(`Creating a certificate in ${vaultUrl} called '${certificateName}' ...`);
const poller = await client.beginCreateCertificate(certificateName, policy);
console.log(`Pending: ${poller.getResult()?.properties.id}`);
const certificate = await poller.pollUntilDone();
console.log(`Issued ${certificate.name}, version ${certificate.properties.version}`);

const retrieved = await client.getCertificate(certificateName);
const x509 = new X509Certificate(retrieved.cer!);
console.log(`Certificate with name '${retrieved.name}' was found: subject ${x509.subject}, issuer ${x509.issuer}`);
console.log(`Serial ${x509.serialNumber}, thumbprint ${retrieved.properties.x509ThumbprintString}, valid until ${new Date(x509.validTo).toISOString()}`);

// Its key signs in the vault; the certificate's public key verifies the signature.
const key = await keyClient.getKey(certificateName);
const message = Buffer.from("Signed in the vault with the certificate's key.");
const { result: signature } = await keyClient.getCryptographyClient(certificateName).signData("RS256", message);
console.log(`The key is managed by the certificate: ${key.properties.managed}; its signature verifies: ${verify("sha256", message, x509.publicKey, signature)}`);

// Its secret holds the certificate with its private key. Compare public-key fingerprints; never print the key.
const secret = await secretClient.getSecret(certificateName);
const privateKey = createPrivateKey(secret.value!);
const sha256 = (k: KeyObject) => createHash("sha256").update(k.export({ type: "spki", format: "der" })).digest("hex");
console.log(`The secret's private key belongs to the certificate: ${x509.checkPrivateKey(privateKey)} (public key SHA-256 ${sha256(createPublicKey(privateKey))})`);

console.log(`Deleting your certificate from ${vaultUrl} ...`);
const deleted = await (await client.beginDeleteCertificate(certificateName)).pollUntilDone();
console.log(`Deleted on ${deleted.deletedOn?.toISOString()}, purge scheduled ${deleted.scheduledPurgeDate?.toISOString()}`);

// Soft delete keeps the name: creating the certificate again is refused with 409 ObjectIsDeletedButRecoverable.
try {
  await client.beginCreateCertificate(certificateName, policy);
  console.log(`${certificateName} was created again: this vault let a soft-deleted name be reused.`);
} catch (error) {
  const { statusCode, code } = error as { statusCode?: number; code?: string };
  console.log(`Creating ${certificateName} again failed: ${statusCode} ${code}`);
}

const recovered = await (await client.beginRecoverDeletedCertificate(certificateName)).pollUntilDone();
console.log(`Recovered ${recovered.name}, same version: ${recovered.properties.version === certificate.properties.version}`);
await (await client.beginDeleteCertificate(certificateName)).pollUntilDone();
console.log(`Deleted ${certificateName} again`);

// Purging destroys the certificate, its key and its secret for good and frees the name (a vault with purge protection refuses it).
await client.purgeDeletedCertificate(certificateName);
console.log(`Purged ${certificateName}. Done.`);
