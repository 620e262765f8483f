/**
 * What Key Vault's errors mean and how to fix them (FACTS.md §3), as a table: the notebook, the
 * runner, cleanup and the doctor all explain an error by looking it up here.
 */
export interface ErrorFacts {
  statusCode?: number;
  /** The service's error.code, e.g. "Conflict". */
  code?: string;
  /** The service's error.innererror.code, e.g. "ObjectIsDeletedButRecoverable". */
  innerCode?: string;
  message: string;
  /** The error's class name, e.g. "AggregateAuthenticationError". */
  name?: string;
}

export interface Explanation {
  /** Short identifier: the inner code, the AADSTS/AKV code, or the error class. */
  id: string;
  meaning: string;
  fix: string;
}

/** Pulls status, codes and message out of whatever the SDK threw (RestError, credential errors, plain errors). */
export function errorFacts(error: unknown): ErrorFacts {
  const e = (error ?? {}) as Record<string, any>;
  const inner = e.details?.error?.innerError ?? e.details?.error?.innererror;
  return {
    statusCode: typeof e.statusCode === "number" ? e.statusCode : undefined,
    code: typeof e.code === "string" ? e.code : undefined,
    innerCode: typeof inner?.code === "string" ? inner.code : undefined,
    message: typeof e.message === "string" ? e.message : String(error),
    name: typeof e.name === "string" ? e.name : undefined,
  };
}

interface Rule {
  id: string;
  matches: (f: ErrorFacts) => boolean;
  meaning: (f: ErrorFacts) => string;
  fix: string;
}

const has = (f: ErrorFacts, text: string) => f.message.includes(text);

const RULES: Rule[] = [
  {
    id: "ObjectIsDeletedButRecoverable",
    matches: (f) => f.innerCode === "ObjectIsDeletedButRecoverable" || (f.statusCode === 409 && has(f, "deleted but recoverable")),
    meaning: () => "A soft-deleted key still holds this name: until it is recovered or purged (or its retention ends), the name cannot be reused.",
    fix: "Recover it (beginRecoverDeletedKey), purge it (purgeDeletedKey), or use another name — chooseKeyName picks a free one.",
  },
  {
    id: "ObjectIsBeingDeleted",
    matches: (f) => f.innerCode === "ObjectIsBeingDeleted" || (f.statusCode === 409 && has(f, "being deleted")),
    meaning: () => "The key is still being deleted; for a few seconds its name can be neither reused nor purged.",
    fix: "Wait a moment and try again (cleanup retries this by itself).",
  },
  {
    id: "PurgeProtection",
    matches: (f) => f.statusCode === 403 && has(f, "purge protection is enabled"),
    meaning: () => "The vault has purge protection: a deleted key cannot be purged; the service purges it when its retention period ends.",
    fix: "Nothing to do: the key stays soft-deleted until its scheduled purge date. Use a vault without purge protection for tutorials you repeat.",
  },
  {
    id: "ForbiddenByRbac",
    matches: (f) => f.innerCode === "ForbiddenByRbac",
    meaning: (f) => `Your sign-in has no role that allows this on the vault${/Action: '([^']+)'/.exec(f.message) ? ` (needed: ${/Action: '([^']+)'/.exec(f.message)![1]})` : ""}.`,
    fix: 'Assign yourself "Key Vault Crypto Officer" on the vault: az role assignment create --role "Key Vault Crypto Officer" --assignee <your-upn> --scope <vault resource id>. Role assignments take a few minutes to apply.',
  },
  {
    id: "ForbiddenByPolicy",
    matches: (f) => f.innerCode === "ForbiddenByPolicy",
    meaning: (f) => `The vault uses access policies, and yours lacks a key permission${/keys (\w+) permission/.exec(f.message) ? ` (${/keys (\w+) permission/.exec(f.message)![1]})` : ""}.`,
    fix: "az keyvault set-policy --name <vault> --upn <you> (or --spn <client id>) --key-permissions get list create delete recover purge",
  },
  {
    id: "ForbiddenByFirewall",
    matches: (f) => f.innerCode === "ForbiddenByFirewall",
    meaning: () => "The vault's firewall does not allow your network address.",
    fix: "Add your address: az keyvault network-rule add --name <vault> --ip-address <your public IP>, or ask the vault's owner.",
  },
  {
    id: "ForbiddenByConnection",
    matches: (f) => f.innerCode === "ForbiddenByConnection",
    meaning: () => "The vault accepts private-endpoint connections only, and this machine is not on that network.",
    fix: "Connect through the vault's private network (VPN), or use a vault with public access for the tutorial.",
  },
  {
    id: "AKV10032",
    matches: (f) => has(f, "AKV10032"),
    meaning: () => "Your token comes from a different Entra ID tenant than the vault's.",
    fix: "Sign in to the vault's tenant: az login --tenant <tenant-id> (find it with az keyvault show -n <vault> --query properties.tenantId).",
  },
  {
    id: "KeyNotFound",
    matches: (f) => f.code === "KeyNotFound",
    meaning: () => "There is no (live) key with that name or version in this vault.",
    fix: "Check the name; a recently deleted key is found with getDeletedKey and brought back with beginRecoverDeletedKey.",
  },
  {
    id: "Throttled",
    matches: (f) => f.statusCode === 429,
    meaning: () => "The vault is busy: too many requests in the last 10 seconds (for RSA key creation the limit is 20 per vault).",
    fix: "Wait the seconds the service asks for (the SDK retries by itself); in a workshop, give each table its own vault.",
  },
  {
    id: "AADSTS7000215",
    matches: (f) => has(f, "AADSTS7000215"),
    meaning: () => "The service principal's client secret is wrong.",
    fix: "Create a new secret (az ad sp credential reset --id <client id>) and put it in AZURE_CLIENT_SECRET.",
  },
  {
    id: "AADSTS7000222",
    matches: (f) => has(f, "AADSTS7000222"),
    meaning: () => "The service principal's client secret has expired.",
    fix: "Create a new secret (az ad sp credential reset --id <client id>) and put it in AZURE_CLIENT_SECRET.",
  },
  {
    id: "AADSTS700016",
    matches: (f) => has(f, "AADSTS700016"),
    meaning: () => "AZURE_CLIENT_ID names an application that does not exist in AZURE_TENANT_ID's tenant.",
    fix: "Check AZURE_CLIENT_ID (the appId) and AZURE_TENANT_ID (az account show --query tenantId).",
  },
  {
    id: "AADSTS700082",
    matches: (f) => has(f, "AADSTS700082"),
    meaning: () => "Your Azure CLI sign-in has expired.",
    fix: "Run az login again.",
  },
  {
    id: "ChallengeResourceMismatch",
    matches: (f) => has(f, "does not match the requested domain"),
    meaning: () => "The vault answered for a different resource than its host name: it is not under vault.azure.net (the local emulator, or a proxy).",
    fix: "Create the client with clientOptionsFor(vaultUrl) from the helpers (it sets disableChallengeResourceVerification for the emulator only).",
  },
  {
    id: "CredentialUnavailable",
    matches: (f) => f.name === "CredentialUnavailableError" || f.name === "AggregateAuthenticationError" || has(f, "ChainedTokenCredential authentication failed"),
    meaning: () => "DefaultAzureCredential found no way to sign in.",
    fix: "Run az login (then restart the kernel or the run), or for the local emulator run npm run emulator so .env has IDENTITY_ENDPOINT and IDENTITY_HEADER.",
  },
  {
    id: "TlsUntrusted",
    matches: (f) => /self[- ]signed certificate|unable to verify the first certificate|UNABLE_TO_GET_ISSUER_CERT/i.test(f.message),
    meaning: () => "The vault's TLS certificate is not trusted by this process.",
    fix: "For the emulator, create the client with clientOptionsFor(vaultUrl) (it trusts the emulator's CA from NODE_EXTRA_CA_CERTS). Never turn TLS verification off.",
  },
  {
    id: "ConnectionRefused",
    matches: (f) => /ECONNREFUSED/.test(f.message),
    meaning: () => "Nothing answers at the vault's address.",
    fix: "For the local emulator: start it with npm run emulator and keep it running.",
  },
  {
    id: "HostNotFound",
    matches: (f) => /ENOTFOUND|getaddrinfo/.test(f.message),
    meaning: () => "The vault's host name does not resolve: the name is wrong or there is no network.",
    fix: "Check KEY_VAULT_NAME / KEY_VAULT_URL against az keyvault list -o table, and your network.",
  },
];

/** The explanation for a known error, or undefined. */
export function explainError(error: unknown): Explanation | undefined {
  const facts = errorFacts(error);
  const rule = RULES.find((r) => r.matches(facts));
  return rule && { id: rule.id, meaning: rule.meaning(facts), fix: rule.fix };
}

/** "409 Conflict / ObjectIsDeletedButRecoverable" — the codes of an error in one line. */
export function errorCodes(error: unknown): string {
  const f = errorFacts(error);
  return [f.statusCode, f.code, f.innerCode && `/ ${f.innerCode}`].filter(Boolean).join(" ");
}
