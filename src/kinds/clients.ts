/**
 * Making a client of a kind, by the SDK package of that kind, loaded only then: each package takes
 * a fraction of a second to load, and a command that needs only keys should not pay for secrets.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { KindId, VaultObjectClient } from "./kind";

/** One client per kind for a vault, each made when first asked for. */
export function clientsFor(make: (kind: KindId) => VaultObjectClient): (kind: KindId) => VaultObjectClient {
  const made = new Map<KindId, VaultObjectClient>();
  return (kind) => {
    let client = made.get(kind);
    if (!client) made.set(kind, (client = make(kind)));
    return client;
  };
}

/** A new client of the kind, by the SDK package of that kind. */
export function newObjectClient(kind: KindId, vaultUrl: string, credential: TokenCredential, options: object): VaultObjectClient {
  if (kind === "certificate") {
    const { CertificateClient } = require("@azure/keyvault-certificates") as typeof import("@azure/keyvault-certificates");
    return new CertificateClient(vaultUrl, credential, options);
  }
  if (kind === "secret") {
    const { SecretClient } = require("@azure/keyvault-secrets") as typeof import("@azure/keyvault-secrets");
    return new SecretClient(vaultUrl, credential, options);
  }
  const { KeyClient: Keys } = require("@azure/keyvault-keys") as typeof import("@azure/keyvault-keys");
  return new Keys(vaultUrl, credential, options);
}

