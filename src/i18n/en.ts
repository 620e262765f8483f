/**
 * The messages learners meet, in English: the source catalog. Every other language is typed as
 * `Messages` (the shape of this object), so a key missing there is a compile error.
 *
 * Grouped by where the message appears. A message with values is a function of them; the code
 * that calls it stays free of grammar (lists, plurals, punctuation), which differs by language.
 * Problem codes, variable names, commands and URLs are not translated, so they appear verbatim.
 */

import { failuresEn } from "./failures.en";
import { runnerEn } from "./runner.en";
import { workshopEn } from "./workshop.en";

const RULE = "1-127 characters: letters (a-z, A-Z), digits (0-9) and dashes (-)";
/** The object kinds (kinds/), as messages name them. */
const KIND_WORDS = { key: "key", secret: "secret", certificate: "certificate" };
type KindWord = keyof typeof KIND_WORDS;
const kept = (days: number | undefined, kind: KindWord) => `Deleted ${KIND_WORDS[kind]}s are kept ${days ? `${days} days` : "for the vault's retention period"}`;
/** 4000 → "4,000". */
const count = (n: number) => n.toLocaleString("en-US");
const people = (attendees: number) => `${attendees} ${attendees === 1 ? "attendee" : "attendees"}`;
const needs = (done: string[]) => (done.length > 0 ? `${done.join(", ")} succeeded` : "nothing succeeded");

export const en = {
  common: {
    /** Precedes a fix; continuation lines are indented to its width. */
    fixPrefix: "Fix: ",
    /** A cell stopped by an interrupt (Jupyter's stop button, Ctrl-C, --timeout): the whole of what the cell then shows. */
    interrupted: "Stopped: this cell was interrupted before it finished.",
  },

  env: {
    noVault: {
      message: (variables: string[]) => `None of ${variables.join(", ")} is set, so there is no vault to talk to.`,
      fix: "For the local emulator run `npm run emulator` (it writes .env). For Azure add KEY_VAULT_NAME=<your-vault-name> to .env — see setup.md.",
    },
    cloudMismatch: {
      message: (variable: string, vaultCloud: string, settingCloud: string) => `${variable} points at ${vaultCloud}, but AZURE_CLOUD says ${settingCloud}.`,
      fix: "Remove AZURE_CLOUD or make it match the vault's cloud.",
    },
    variablesDisagree: {
      message: (winner: string, other: string, vaultUrl: string) => `${winner} and ${other} name different vaults; ${winner} wins (${vaultUrl}).`,
      fix: (other: string) => `Remove ${other}, or make it name the same vault.`,
    },
    cloudUnknown: {
      message: (value: string) => `AZURE_CLOUD is "${value}", which is not a cloud name.`,
      fix: "Use AzureCloud, AzureChinaCloud or AzureUSGovernment (the names `az cloud list` shows), or remove it.",
    },
    envFileUnreadable: {
      message: (file: string, reason: string) => `Cannot read ${file}: ${reason}`,
      fix: "Check the file's permissions, or delete it and run `npm run emulator` to write a new one.",
    },
    envShadowed: {
      message: (variable: string, file: string) => `${variable} is set in the environment (your shell, or the program that started this one), so its value in ${file} is not used.`,
      fix: (variable: string) => `If the value in .env is the one you want, unset ${variable} in your shell and restart the kernel.`,
    },
    /** QuickstartConfig.where for the emulator (for Azure it is the cloud's label). */
    localEmulator: "the local emulator",
    configurationError: {
      heading: (count: number) => `The environment has ${count} problem${count === 1 ? "" : "s"}:`,
      thenRerun: (count: number) => `Fix ${count === 1 ? "it" : "them"}, then run this cell again.`,
    },
    /** describeConfig's lines; labels are padded to line up. */
    describe: {
      vault: "Vault:",
      where: "Where:",
      signIn: "Sign-in:",
      settings: "Settings:",
      vaultFrom: (vaultUrl: string, variable: string) => `${vaultUrl} (from ${variable})`,
    },
  },

  vaultUrl: {
    clouds: {
      AzurePublicCloud: "Azure public cloud",
      AzureChinaCloud: "Azure China (21Vianet)",
      AzureUSGovernment: "Azure US Government",
    },
    nameIsUrl: {
      message: (variable: string, name: string) => `${variable} is "${name}", which looks like a URL or host name, not a vault name.`,
      fix: (variable: string) => `Put the vault's URL in KEY_VAULT_URL instead, or set ${variable} to just the name (the part before .vault.azure.net).`,
    },
    nameLength: {
      message: (name: string, length: number) => `Vault name "${name}" has ${length} characters; vault names have 3 to 24.`,
      fix: 'Use your vault\'s exact name (az keyvault list --query "[].name" -o tsv).',
    },
    nameCharacters: {
      message: (name: string, characters: string[]) => `Vault name "${name}" contains ${characters.map((c) => JSON.stringify(c)).join(", ")}; only letters, digits and dashes are allowed.`,
      fix: "Use your vault's exact name: letters, digits and dashes only.",
    },
    nameStart: {
      message: (name: string, first: string) => `Vault name "${name}" starts with "${first}"; it must start with a letter.`,
      fix: "Use your vault's exact name: it starts with a letter.",
    },
    nameEnd: {
      message: (name: string, last: string) => `Vault name "${name}" ends with "${last}"; it must end with a letter or digit.`,
      fix: "Use your vault's exact name: it ends with a letter or digit.",
    },
    nameDoubleDash: {
      message: (name: string) => `Vault name "${name}" contains "--"; consecutive dashes are not allowed.`,
      fix: "Use your vault's exact name: it has no double dashes.",
    },
    /** A vault-name problem found in the host of a URL variable. */
    inVariable: (variable: string, message: string) => `In ${variable}: ${message}`,
    urlIsName: {
      message: (variable: string, text: string) => `${variable} is "${text}", a name rather than a URL.`,
      fix: (variable: string, name: string) => `Set ${variable}=https://${name}.vault.azure.net, or put the name in KEY_VAULT_NAME instead.`,
    },
    urlInvalid: {
      message: (variable: string, text: string) => `${variable} is "${text}", which is not a URL.`,
      fix: (variable: string) => `Set ${variable} to your vault's URL, e.g. https://<vault-name>.vault.azure.net (az keyvault show -n <vault-name> --query properties.vaultUri -o tsv).`,
      /** The fix when the text is one typo away from a URL: "https//localhost:47443", "localhost:47443". */
      didYouMean: (variable: string, url: string) => `Did you mean ${variable}=${url}? Correct it in .env (a URL starts with https://), then run again.`,
    },
    notHttps: {
      message: (variable: string, protocol: string) => `${variable} uses ${protocol}//; Key Vault (and the local emulator) only speak HTTPS.`,
      fix: (httpsUrl: string) => `Change it to ${httpsUrl}.`,
    },
    hasPath: (variable: string, text: string, path: string) => `${variable} is "${text}", which includes a path (${path}); the client needs the vault's base URL only.`,
    extra: (variable: string) => `${variable} carries a query, fragment or user name; the client needs the vault's base URL only.`,
    /** The fix for a path, query, fragment or user name in the URL. */
    useBaseUrl: (variable: string, baseUrl: string) => `Set ${variable}=${baseUrl}`,
    unknownHost: {
      message: (variable: string, host: string) => `${variable} host "${host}" is not a Key Vault host (*.vault.azure.net, *.vault.azure.cn, *.vault.usgovcloudapi.net).`,
      fix: "If this is not deliberate (a proxy, a custom DNS name), copy the URL from: az keyvault show -n <vault-name> --query properties.vaultUri -o tsv",
    },
  },

  signIn: {
    tokenCredentialsUnknown: {
      message: (value: string) => `AZURE_TOKEN_CREDENTIALS is "${value}", which DefaultAzureCredential does not know.`,
      fix: 'Use "dev", "prod" or a credential name such as "azureclicredential" — or remove the variable.',
    },
    emulatorVariableMissing: {
      message: (variable: string) => `The vault is the local emulator, but ${variable} is not set, so there is nowhere to get a token from.`,
      fix: "Start the emulator with `npm run emulator` (it writes IDENTITY_ENDPOINT, IDENTITY_HEADER and the rest into .env), then load .env again.",
    },
    emulatorCaMissing: {
      message: "The vault is the local emulator, but KVQ_EMULATOR_CA does not name its CA certificate, so TLS cannot be verified.",
      fix: "Start the emulator with `npm run emulator`; it writes KVQ_EMULATOR_CA into .env.",
    },
    emulatorCaNotFound: {
      message: (variable: string, file: string) => `${variable} names ${file}, which does not exist.`,
      fix: "Start the emulator once (`npm run emulator`): it creates its CA there and rewrites .env.",
    },
    emulatorCaIsFolder: {
      message: (variable: string, folder: string) => `${variable} names ${folder}, which is a folder, not the emulator's CA certificate.`,
      fix: (variable: string) =>
        `Set ${variable} to the certificate file itself: ca.pem in the tls folder of the emulator's state folder (.kvq/emulator/tls/ca.pem unless it was started with --state), or restart the emulator with \`npm run emulator\`, which writes it into .env.`,
    },
    emulatorCaUnreadable: {
      message: (variable: string, file: string, code: string) => `${variable} names ${file}, which cannot be read (${code}).`,
      fix: (file: string) =>
        `Give yourself read access to it (it is the emulator's CA certificate, not a secret), e.g. chmod u+r ${file} — or delete it and start the emulator again (\`npm run emulator\`), which makes a new one.`,
    },
    emulatorWithServicePrincipal: {
      message: "AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET are set, so DefaultAzureCredential would sign in to Entra ID as that service principal instead of using the emulator's token endpoint.",
      fix: "Set AZURE_TOKEN_CREDENTIALS=managedidentitycredential (npm run emulator writes it), or remove the service-principal variables.",
    },
    emulatorVariablesWithAzureVault: {
      message: (variables: string[]) => `The vault is in Azure, but the emulator's sign-in variables are still set (${variables.join(", ")}): the credential would ask the emulator for a token, which Azure rejects.`,
      fix: (variables: string[]) => `Remove ${variables.join(", ")} from .env (and your shell), then restart the kernel or the run.`,
    },
    managedIdentityOnly: {
      message: "AZURE_TOKEN_CREDENTIALS=managedidentitycredential: only a managed identity is tried, which exists on Azure-hosted compute, not on your laptop.",
      fix: "On your own machine remove AZURE_TOKEN_CREDENTIALS (or set it to dev) and sign in with `az login`.",
    },
    servicePrincipalInUse: {
      message: (secretVariable: string, clientId: string) =>
        `AZURE_CLIENT_ID, AZURE_TENANT_ID and ${secretVariable} are set, so DefaultAzureCredential signs in as service principal ${clientId} — not as your az login account (EnvironmentCredential comes first in its chain).`,
      fix: "That is right if you created a service principal as in the 2020 quickstart. If you meant to use az login, remove AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET from .env and your shell.",
    },
    environmentCredentialIncomplete: {
      message: "AZURE_TOKEN_CREDENTIALS=environmentcredential, but the service-principal variables are not all set.",
      fix: "Set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET, or remove AZURE_TOKEN_CREDENTIALS to sign in with az login.",
    },
    servicePrincipalIncomplete: {
      message: (present: string[], missing: string[]) =>
        `${present.join(", ")} ${present.length === 1 ? "is" : "are"} set but ${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} missing, so DefaultAzureCredential cannot sign in as the service principal and falls through to other sign-ins.`,
      fix: (missing: string[], present: string[]) => `To use the service principal, set ${missing.join(" and ")} (az ad sp create-for-rbac prints them). To use az login instead, remove ${present.join(", ")}.`,
    },
    /** SignIn.description: one line saying who the notebook will be. */
    describe: {
      emulator: "managed identity from the local emulator's token endpoint",
      managedIdentity: "managed identity (Azure-hosted compute)",
      developer: "your own account: Azure CLI (az login), or VS Code / Azure PowerShell / azd if signed in there",
      servicePrincipal: (clientId: string) => `service principal ${clientId} (EnvironmentCredential)`,
      workloadIdentity: (clientId: string) => `workload identity ${clientId} (AZURE_FEDERATED_TOKEN_FILE)`,
    },
  },

  /** The object kinds (kinds/), as the messages below name them. */
  kinds: KIND_WORDS,

  /** Names free of live and soft-deleted objects; `noun` is the kind's (kinds above). */
  keyNames: {
    rule: RULE,
    empty: (noun: string) => `A ${noun} name cannot be empty; it takes ${RULE}.`,
    tooLong: (start: string, length: number, max: number, noun: string) => `"${start}…" has ${length} characters; a ${noun} name has at most ${max}.`,
    characters: (name: string, characters: string[], noun: string) =>
      `"${name}" contains ${characters.map((c) => (c === " " ? "a space" : JSON.stringify(c))).join(", ")}; a ${noun} name takes ${RULE}.`,
    /** Why a name is refused: completes "Not using <name>: …". */
    exists: (name: string, noun: string) => `a ${noun} named ${name} already exists (${noun === "secret" ? "setting" : "creating"} it again would add a new version)`,
    softDeleted: (name: string, purgeDate: string | undefined, noun: string) => `a soft-deleted ${noun} named ${name} holds the name${purgeDate ? ` until it is purged on ${purgeDate}` : ""}`,
    inTransition: (name: string, state: "being-deleted" | "being-recovered", noun: string) => `a ${noun} named ${name} is ${state === "being-deleted" ? "being deleted" : "being recovered"} and holds the name`,
    /** A name held in another collection the object takes its name in (a certificate's key and secret). */
    heldByOther: (name: string, other: string, state: "live" | "soft-deleted" | "being-deleted" | "being-recovered", purgeDate: string | undefined, noun: string) =>
      `${state === "live" ? `a ${other} named ${name} exists` : state === "soft-deleted" ? `a soft-deleted ${other} named ${name} holds the name${purgeDate ? ` until it is purged on ${purgeDate}` : ""}` : `a ${other} named ${name} is ${state === "being-deleted" ? "being deleted" : "being recovered"}`}, and a ${noun}'s own key and secret take its name`,
    noFreeName: (tries: number, names: string[], noun: string) => `No free ${noun} name after ${tries} tries (${names.join(", ")}). Choose another prefix.`,
  },

  /** keyStateAdvice: where a key stands, for "Try to reuse the name" (the quickstart's step names, quoted). */
  keyState: {
    live: (name: string) => `${name} is still live: run "Delete the key" first (creating it again now would only add a version).`,
    "being-deleted": (name: string) =>
      `${name} is still being deleted: the vault accepted the delete and has not finished it (it shows the key neither live nor deleted until then, and refuses to create the name: 409 ObjectIsBeingDeleted). Wait a few seconds and run this step again.`,
    "soft-deleted": (name: string) => `${name} is soft-deleted: recoverable, and its name stays taken until it is purged.`,
    "being-recovered": (name: string) =>
      `${name} is being recovered: the vault accepted the recover and has not finished it. Wait a few seconds, then run "Delete the key" and this step again.`,
    absent: (name: string) => `There is no key ${name}, live or deleted: run "Create an RSA key" and "Delete the key" first.`,
  },

  /** secretStateAdvice: the same for a secret, naming the secrets quickstart's steps. */
  secretState: {
    live: (name: string) => `${name} is still live: run "Delete the secret" first (setting it again now would only add a version).`,
    "being-deleted": (name: string) =>
      `${name} is still being deleted: the vault accepted the delete and has not finished it (it shows the secret neither live nor deleted until then, and refuses to set the name: 409 ObjectIsBeingDeleted). Wait a few seconds and run this step again.`,
    "soft-deleted": (name: string) => `${name} is soft-deleted: recoverable, and its name stays taken until it is purged.`,
    "being-recovered": (name: string) =>
      `${name} is being recovered: the vault accepted the recover and has not finished it. Wait a few seconds, then run "Delete the secret" and this step again.`,
    absent: (name: string) => `There is no secret ${name}, live or deleted: run "Set a secret" and "Delete the secret" first.`,
  },

  /** certificateStateAdvice: the same for a certificate, naming the certificates quickstart's steps. */
  certificateState: {
    live: (name: string) => `${name} is still live: run "Delete the certificate" first (creating it again now would only add a version).`,
    "being-deleted": (name: string) =>
      `${name} is still being deleted: the vault accepted the delete and has not finished it (it shows the certificate neither live nor deleted until then, and refuses to create the name: 409 ObjectIsBeingDeleted). Wait a few seconds and run this step again.`,
    "soft-deleted": (name: string) => `${name} is soft-deleted, with its key and secret: recoverable, and its name stays taken until it is purged.`,
    "being-recovered": (name: string) =>
      `${name} is being recovered: the vault accepted the recover and has not finished it. Wait a few seconds, then run "Delete the certificate" and this step again.`,
    absent: (name: string) => `There is no certificate ${name}, live or deleted: run "Create a certificate" and "Delete the certificate" first.`,
  },

  cleanup: {
    stillBeingDeleted: (name: string) => `${name}: still being deleted after waiting; it stays in the run's ledger. Run npx kvq cleanup --yes in a minute.`,
    purged: (name: string) => `${name}: deleted and purged.`,
    alreadyGone: (name: string, _noun: string) => `${name}: not in the vault, live or deleted (never created, or already purged): nothing to clean.`,
    awaitingPurge: (name: string, purgeDate?: string) =>
      `${name}: deleted. The vault has purge protection, so it cannot be purged now; ` +
      `the service purges it${purgeDate ? ` on ${purgeDate}` : " when its retention ends"}, and until then the name stays taken.`,
    leftAlone: (name: string) => `${name}: left alone — it does not carry this tutorial run's tags, so the tutorial did not create it.`,
    /** A key or secret that backs certificate `name` (the service's "managed"): never cleaned apart from it. */
    managedByCertificate: (name: string, noun: string) =>
      `${name}: left alone — this ${noun} is certificate ${name}'s own (managed): it is deleted, recovered and purged with the certificate, never on its own.`,
    explained: (meaning: string, fix: string) => `${meaning} Fix: ${fix}`,
    failed: (name: string, message: string) => `Cleanup of ${name} failed: ${message}`,
  },

  errors: {
    /** describeError's "What it means: …" line. */
    meaningPrefix: "What it means: ",
    /** What each of vault-errors.ts's rules means and how to fix it, by rule id. */
    rules: {
      ObjectIsDeletedButRecoverable: {
        meaning: "A soft-deleted key still holds this name: until it is recovered or purged (or its retention ends), the name cannot be reused.",
        fix: "Recover it (beginRecoverDeletedKey), purge it (purgeDeletedKey), or use another name — chooseKeyName picks a free one.",
      },
      SecretIsDeletedButRecoverable: {
        meaning: "A soft-deleted secret still holds this name: until it is recovered or purged (or its retention ends), the name cannot be reused.",
        fix: "Recover it (beginRecoverDeletedSecret), purge it (purgeDeletedSecret), or use another name — chooseSecretName picks a free one.",
      },
      CertificateIsDeletedButRecoverable: {
        meaning: "A soft-deleted certificate still holds this name, with its key and secret: until it is recovered or purged (or its retention ends), the name cannot be reused.",
        fix: "Recover it (beginRecoverDeletedCertificate), purge it (purgeDeletedCertificate), or use another name — chooseCertificateName picks a free one.",
      },
      ObjectIsBeingDeleted: {
        meaning: "The key is still being deleted; for a few seconds its name can be neither reused nor purged.",
        fix: "Wait a moment and try again (cleanup retries this by itself).",
      },
      PurgeProtection: {
        meaning: "The vault has purge protection: a deleted key cannot be purged; the service purges it when its retention period ends.",
        fix: "Nothing to do: the key stays soft-deleted until its scheduled purge date. Use a vault without purge protection for tutorials you repeat.",
      },
      ForbiddenByRbac: {
        meaning: (action?: string) => `Your sign-in has no role that allows this on the vault${action ? ` (needed: ${action})` : ""}.`,
        fix: 'Assign yourself "Key Vault Crypto Officer" on the vault: az role assignment create --role "Key Vault Crypto Officer" --assignee <your-upn> --scope <vault resource id>. Role assignments take a few minutes to apply.',
      },
      SecretForbiddenByRbac: {
        meaning: (action?: string) => `Your sign-in has no role that allows this on the vault's secrets${action ? ` (needed: ${action})` : ""}.`,
        fix: 'Assign yourself "Key Vault Secrets Officer" on the vault: az role assignment create --role "Key Vault Secrets Officer" --assignee <your-upn> --scope <vault resource id>. Role assignments take a few minutes to apply.',
      },
      CertificateForbiddenByRbac: {
        meaning: (action?: string) => `Your sign-in has no role that allows this on the vault's certificates${action ? ` (needed: ${action})` : ""}.`,
        fix: 'Assign yourself "Key Vault Certificates Officer" on the vault: az role assignment create --role "Key Vault Certificates Officer" --assignee <your-upn> --scope <vault resource id>. Role assignments take a few minutes to apply.',
      },
      CertificateForbiddenByPolicy: {
        meaning: (permission?: string) => `The vault uses access policies, and yours lacks a certificate permission${permission ? ` (${permission})` : ""}.`,
        fix: "az keyvault set-policy --name <vault> --upn <you> (or --spn <client id>) --certificate-permissions get list create delete recover purge",
      },
      SecretForbiddenByPolicy: {
        meaning: (permission?: string) => `The vault uses access policies, and yours lacks a secret permission${permission ? ` (${permission})` : ""}.`,
        fix: "az keyvault set-policy --name <vault> --upn <you> (or --spn <client id>) --secret-permissions get list set delete recover purge",
      },
      ForbiddenByPolicy: {
        meaning: (permission?: string) => `The vault uses access policies, and yours lacks a key permission${permission ? ` (${permission})` : ""}.`,
        fix: "az keyvault set-policy --name <vault> --upn <you> (or --spn <client id>) --key-permissions get list create delete recover purge",
      },
      ForbiddenByFirewall: {
        meaning: "The vault's firewall does not allow your network address.",
        fix: "Add your address: az keyvault network-rule add --name <vault> --ip-address <your public IP>, or ask the vault's owner.",
      },
      ForbiddenByConnection: {
        meaning: "The vault accepts private-endpoint connections only, and this machine is not on that network.",
        fix: "Connect through the vault's private network (VPN), or use a vault with public access for the tutorial.",
      },
      AKV10032: {
        meaning: "Your token comes from a different Entra ID tenant than the vault's.",
        fix: "Sign in to the vault's tenant: az login --tenant <tenant-id> (find it with az keyvault show -n <vault> --query properties.tenantId).",
      },
      KeyNotFound: {
        meaning: "There is no (live) key with that name or version in this vault.",
        fix: "Check the name; a recently deleted key is found with getDeletedKey and brought back with beginRecoverDeletedKey.",
      },
      Throttled: {
        meaning: "The vault is busy: too many requests in the last 10 seconds (for RSA key creation the limit is 20 per vault).",
        fix: "Wait the seconds the service asks for (the SDK retries by itself); in a workshop, give each table its own vault.",
      },
      AADSTS7000215: {
        meaning: "The service principal's client secret is wrong.",
        fix: "Create a new secret (az ad sp credential reset --id <client id>) and put it in AZURE_CLIENT_SECRET.",
      },
      AADSTS7000222: {
        meaning: "The service principal's client secret has expired.",
        fix: "Create a new secret (az ad sp credential reset --id <client id>) and put it in AZURE_CLIENT_SECRET.",
      },
      AADSTS700016: {
        meaning: "AZURE_CLIENT_ID names an application that does not exist in AZURE_TENANT_ID's tenant.",
        fix: "Check AZURE_CLIENT_ID (the appId) and AZURE_TENANT_ID (az account show --query tenantId).",
      },
      AADSTS700082: {
        meaning: "Your Azure CLI sign-in has expired.",
        fix: "Run az login again.",
      },
      ChallengeResourceMismatch: {
        meaning: "The vault answered for a different resource than its host name: it is not under vault.azure.net (the local emulator, or a proxy).",
        fix: "Create the client with clientOptionsFor(vaultUrl) from the helpers (it sets disableChallengeResourceVerification for the emulator only).",
      },
      EmulatorIdentityHeader: {
        meaning: "The emulator refused to sign you in: IDENTITY_HEADER is not the secret of the emulator running at IDENTITY_ENDPOINT.",
        fix: "Copy IDENTITY_HEADER from the lines the emulator printed (or restart it with npm run emulator, which writes .env), then restart the kernel (or the run): the sign-in keeps the first value it saw.",
      },
      CredentialUnavailable: {
        meaning: "DefaultAzureCredential found no way to sign in.",
        fix: "Run az login (then restart the kernel or the run), or for the local emulator run npm run emulator so .env has IDENTITY_ENDPOINT and IDENTITY_HEADER.",
      },
      TlsUntrusted: {
        meaning: "The vault's TLS certificate is not trusted by this process.",
        fix: "For the emulator: KVQ_EMULATOR_CA must name the CA of the emulator you use — restart it with npm run emulator (it rewrites .env), then run again. Behind a proxy that replaces certificates: point NODE_EXTRA_CA_CERTS at its root CA. Never turn TLS verification off.",
      },
      ConnectionRefused: {
        meaning: "Nothing answers at the vault's address.",
        fix: "For the local emulator: start it with npm run emulator and keep it running.",
      },
      HostNotFound: {
        meaning: "The vault's host name does not resolve: the name is wrong or there is no network.",
        fix: "Check KEY_VAULT_NAME / KEY_VAULT_URL against az keyvault list -o table, and your network.",
      },
    },
  },

  clientOptions: {
    caNotNamed:
      "The vault URL points at this machine, but KVQ_EMULATOR_CA does not name the emulator's CA certificate. " +
      "Start the emulator with `npm run emulator` (it writes the variable into .env), then load .env again.",
    caUnreadable: (file: string, reason: string) => `Cannot read the emulator's CA certificate at ${file}: ${reason}. Start the emulator once (\`npm run emulator\`) to create it.`,
  },

  throttle: {
    busy: (seconds: number, status = 429) =>
      `The vault is busy (HTTP ${status}: ${status === 429 ? "too many requests" : "service unavailable"}). Waiting ${seconds} s, then trying again…`,
  },

  doctor: {
    emulatorState: {
      title: "Emulator's state folder",
      notLocal: "The vault is in Azure: there is no emulator state to check.",
      clean: (dir: string) => `No damage found in ${dir}.`,
      fix: (folders: string[]) => `The intact keys were kept and are served. Once you have read what was lost, delete ${folders.join(" and ")}.`,
    },
    kernel: {
      title: "Notebook kernel (JupyterLab, VS Code)",
      installed: (file: string) => `Installed: ${file}.`,
      notInstalled: "Not installed, so JupyterLab and VS Code will not offer it (npm start and npm run learn work without it).",
      unreadable: (file: string) => `${file} cannot be read.`,
      otherProject: (file: string, owner: string) => `${file} starts the copy of this project in ${owner}, not this one.`,
      broken: (file: string, missing: string[]) => `${file} points at files that are gone: ${missing.join(", ")} (the project moved, or Node changed).`,
      editionNotInstalled: (name: string) => `The kernel ${name} is not installed: the notebooks that name it will ask for a kernel.`,
      noJupyter: "Jupyter itself was not found (only needed for JupyterLab; VS Code brings its own).",
      fix: "Run: npx kvq kernel install",
      jupyterFix: "pip install jupyterlab, or open the notebook in VS Code with its Jupyter extension.",
    },
    node: {
      title: "Node.js version",
      ok: (version: string) => `Node.js ${version}`,
      tooOld: (version: string, minimum: string) => `Node.js ${version} is too old: the notebook needs ${minimum} or later (require() of ES modules).`,
      fix: "Install the current Node.js LTS from https://nodejs.org, then run npm install again.",
    },
    dependencies: {
      title: "Dependencies installed",
      ok: (packages: string[]) => packages.join(", "),
      missing: (packages: string[]) => `Not installed: ${packages.join(", ")}.`,
      fix: (projectRoot: string) => `Run npm install in ${projectRoot}.`,
    },
    settings: {
      title: "Settings (.env)",
      noEnvFile: "the environment (no .env found)",
      problems: (count: number, source: string) => `${count} ${count === 1 ? "problem" : "problems"} in ${source}:`,
      summary: (vaultUrl: string, where: string, signIn: string, source: string) => `${vaultUrl} (${where}), sign-in: ${signIn}; from ${source}`,
    },
    network: {
      title: "Vault reachable over verified TLS",
      verified: (host: string, withEmulatorCa: boolean) => `${host}: TLS handshake verified${withEmulatorCa ? " with the emulator's CA" : ""}.`,
      timeout: (host: string) => `${host} did not answer within 5 s.`,
      timeoutFix: "Check your network, proxy or VPN; private-endpoint vaults answer only on their private network.",
      tlsFailed: (host: string, reason: string) => `TLS to ${host} failed: ${reason}`,
      tlsEmulatorFix: "Restart the emulator (npm run emulator) so .env names its current CA.",
      tlsAzureFix: "Check the system time and any TLS-inspecting proxy; never turn verification off.",
      caMissing: (file?: string) => `the emulator's CA file ${file ?? "(not set)"} is missing`,
    },
    signIn: {
      title: "Sign-in (DefaultAzureCredential)",
      someCredential: "a credential in the chain",
      token: (credential: string, validUntil: string) => `Token from ${credential}, valid until ${validUntil}.`,
      failed: "Getting a token failed",
    },
    permissions: {
      title: "Permissions round trip (probe key)",
      allowed: (steps: string[]) => `${steps.join(", ")}: all allowed.`,
      refused: (step: string, done: string[]) => `${step} was refused after ${needs(done)}`,
      needed: "The tutorial needs: get, list, create, delete, recover and purge on keys.",
    },
    secretPermissions: {
      title: "Permissions round trip (probe secret)",
      needed:
        'The secrets quickstart needs: get, list, set, delete, recover and purge on secrets — RBAC: "Key Vault Secrets Officer" (az role assignment create --role "Key Vault Secrets Officer" --assignee <your-upn> --scope <vault resource id>); access policy: az keyvault set-policy -n <vault> --upn <you> --secret-permissions get list set delete recover purge.',
    },
    certificatePermissions: {
      title: "Permissions round trip (probe certificate)",
      needed:
        'The certificates quickstart needs: get, list, create, delete, recover and purge on certificates, and, to read the certificate\'s key and secret, get and sign on keys and get on secrets — RBAC: "Key Vault Certificates Officer" (az role assignment create --role "Key Vault Certificates Officer" --assignee <your-upn> --scope <vault resource id>; it gives no key or secret access: add "Key Vault Crypto User" and "Key Vault Secrets User" the same way, unless you already have the keys\' and secrets\' Officer roles); access policy: az keyvault set-policy -n <vault> --upn <you> --certificate-permissions get list create delete recover purge --key-permissions get sign --secret-permissions get.',
    },
    softDelete: {
      title: "Soft delete and purge protection",
      purgeProtected: (days: number | undefined, recoveryLevel: string, kind: KindWord) =>
        `${kept(days, kind)}, and purge protection is on (${recoveryLevel}): the tutorial's clean-up can delete its ${KIND_WORDS[kind]} but not purge it, so each run's ${KIND_WORDS[kind]} name stays taken ${days ? `for ${days} days` : "until the retention period ends"}.`,
      purgeProtectedFix: "Fine for one run. For a tutorial you repeat, use a vault without purge protection (it cannot be turned off on an existing vault).",
      purgeAllowed: (days: number | undefined, recoveryLevel: string, kind: KindWord) =>
        `${kept(days, kind)}; purge is allowed (${recoveryLevel}), so the tutorial's clean-up removes its ${KIND_WORDS[kind]} completely.`,
    },
    skipped: (title: string) => `Skipped: needs "${title}" to pass first.`,
    couldNotRun: (title: string) => `${title} could not run`,
    /** "<what failed>: <codes>: <what it means or the service's message>". */
    failure: (what: string, codes: string, text: string) => `${what}: ${codes ? `${codes}: ` : ""}${text}`,
    serviceSaid: (message: string) => `(${message})`,
    unexplainedFix: "Run the notebook's first cell for details, or see the troubleshooting table in setup.md.",
  },

  rehearse: {
    /** azureExpectations: what a class of N attendees meets on Azure, counted as each kind's limit counts. */
    requests: {
      key: (attendees: number, requests: number, perAttendee: number, limit: number) =>
        `${people(attendees)} ${attendees === 1 ? "makes" : "make"} about ${count(requests)} key-create requests (${perAttendee} each: the key, and the deliberate 409). One vault accepts ${count(limit)} per 10 s.`,
      secret: (attendees: number, requests: number, perAttendee: number, limit: number) =>
        `${people(attendees)} ${attendees === 1 ? "makes" : "make"} about ${count(requests)} secret transactions (${perAttendee} each: every request for a secret counts, lists and the pollers' checks too). One vault accepts ${count(limit)} per 10 s.`,
      certificate: (attendees: number, requests: number, perAttendee: number, limit: number) =>
        `${people(attendees)} ${attendees === 1 ? "makes" : "make"} about ${count(requests)} certificate-create requests (${perAttendee} each: the certificate, and the deliberate 409). ` +
        `Azure names no limit of its own for creating a certificate; each one creates the certificate's key, so plan with the key-create limit: one vault accepts ${count(limit)} per 10 s, the keys quickstart's creates included. ` +
        `The other requests (reads, the pollers', the signature) count against 4,000 per 10 s.`,
    } satisfies Record<KindWord, unknown>,
    nobodyWaits: "Even if everyone makes them in the same moment, nobody waits.",
    lastOnesWait: (seconds: number, retries: number) => `If everyone makes them in the same moment, the last ones see "the vault is busy" and wait up to ${seconds} s (${retries} ${retries === 1 ? "retry" : "retries"}).`,
    tooManyRetries: (maxRetries: number, vaults: number) => `That is more than the tutorial's ${maxRetries} retries: some requests would fail. Use ${vaults} vaults (a vault per table).`,
    vaultPerTable: (acceptableWait: number, vaults: number, perVault: number, neverWait: number) =>
      `Everyone finishes, but waits over ${acceptableWait} s feel stuck: give each table its own vault — ${vaults} vaults of at most ${perVault} attendees (${neverWait} or fewer per vault never wait).`,
    oneVault: (perVault: number, neverWait: number) => `One vault is enough. Above ${perVault} attendees starting together, give each table its own vault (${neverWait} or fewer per vault never wait).`,
    expectedConflict: (got: string) => `expected the 409 ObjectIsDeletedButRecoverable, got ${got}`,
    notEveryoneFinished: (failed: number, attendees: number) =>
      `In this rehearsal ${failed} of ${attendees} attendees did not finish (✖ above): on Azure they would not either. Fix that first, or rehearse with fewer attendees per vault.`,
  },

  commands: {
    emulator: {
      /** The state folder (private keys, CA, secrets) may be changed by other users. */
      stateFolderWritable: (dir: string, mode: string) =>
        `The emulator's state folder ${dir} can be written by other users (mode ${mode}): someone could replace its CA or secrets. Nothing was used. ` +
        `If you trust what is in it, run "chmod 700 ${dir}" and start again; otherwise delete the folder (the vault starts empty).`,
      stateFolderForeign: (dir: string, uid: number) =>
        `The emulator's state folder ${dir} belongs to another user (uid ${uid}). It holds private keys and the CA: use a folder of your own (--state DIR).`,
      /** A second emulator on a folder one already uses (the lock is vault.db's). */
      stateFolderInUse: (dir: string, url: string, pid: number) =>
        `Another emulator (process ${pid}) is using the state folder ${dir}; it serves ${url}. Two emulators on one folder would lose each other's keys, so this one did not start. ` +
        `Use the one that runs (it printed its variables; npm run emulator also wrote them into .env), stop it first (Ctrl-C where it runs, or kill ${pid}), or give this one a folder of its own with --state DIR.`,
      stateFileLocked: (file: string) =>
        `The vault's database ${file} is locked by another process: an emulator that is starting, or a program that has the file open. Stop that process, or give this emulator a folder of its own with --state DIR.`,
      notThisVaultsFile: (file: string) => `${file} is an SQLite file, but not this emulator's`,
      stateFileTooNew: (file: string, format: number) =>
        `${file} was written by a newer kvq (its format is ${format}). Update this project (git pull, then npm install), or start with another folder (--state DIR).`,
      /** Said once, on the first start after an update: an older emulator's files are now in vault.db. */
      migrated: (records: number, files: string[], movedTo: string) =>
        `# Moved ${records} ${records === 1 ? "record" : "records"} from ${files.join(" and ")} (an older emulator's files) into vault.db. The old files are kept in ${movedTo}; delete that folder when you like.`,
      damaged: (dir: string, kept: number, lost: string[], keptIn: string) =>
        `The vault's state in ${dir} was damaged. Kept: ${kept} intact ${kept === 1 ? "record" : "records"}. Lost: ${lost.join("; ")}. ` +
        `The damaged files are kept, unchanged, in ${keptIn}. If you have a copy of the state folder from before, stop the emulator and put that copy back; otherwise create the lost keys again. ` +
        `Delete ${keptIn} once you no longer need it (kvq doctor reports it until then).`,
      lost: {
        record: (kind: "keys" | "secrets" | "certificates" | "certificate-issuers" | "certificate-contacts", deleted: boolean, name: string, why: string) =>
          kind === "certificate-contacts"
            ? `the vault's certificate contacts (${why})`
            : `${deleted ? "soft-deleted " : ""}${{ keys: "key", secrets: "secret", certificates: "certificate", "certificate-issuers": "certificate issuer" }[kind]} "${name}" (${why})`,
        records: (count: number | undefined, why: string) =>
          count === undefined ? `what a part that ${why} held (not known)` : `${count} ${count === 1 ? "record" : "records"} that ${why}`,
        gap: (count: number) => `${count} ${count === 1 ? "change" : "changes"} missing from the old journal (or the snapshot it follows)`,
        wal: (commits: number, offset: number) => `${commits} ${commits === 1 ? "commit" : "commits"} after byte ${offset} of vault.db-wal, which is damaged there`,
        structure: (finding: string) => `the file's structure (SQLite: ${finding})`,
        why: {
          checksum: "its bytes fail their checksum",
          unreadable: "could not be read",
          malformed: "it is not a well-formed record",
          misfiled: "it is filed under another name",
          material: "its private and public halves do not match",
        },
      },
    },
    doctor: {
      line: (title: string, detail: string) => `${title} — ${detail}`,
      summary: (failed: number, warned: number) =>
        `${failed === 0 ? "Ready" : `${failed} ${failed === 1 ? "check" : "checks"} failed`}${warned ? `, ${warned} ${warned === 1 ? "warning" : "warnings"}` : ""}.`,
    },
    cleanup: {
      notADuration: (text: string) => `--older-than "${text}" is not a duration. Use e.g. 2h, 30m, 1d.`,
      looking: (vaultUrl: string) => `Looking for what the tutorials left in ${vaultUrl}`,
      /** "2 keys", "1 secret": a kind's count in the summary. */
      counted: (kind: KindWord, count: number) => `${count} ${KIND_WORDS[kind]}${count === 1 ? "" : "s"}`,
      found: (counted: string[], runs: number, vaultUrl: string, dryRun: boolean) =>
        `${counted.length ? counted.join(", ") : "Nothing"} left by the tutorials${runs ? ` in ${runs} ${runs === 1 ? "run" : "runs"}` : ""} at ${vaultUrl}${dryRun ? " (dry run)" : ""}.`,
      nothingChanged: "Nothing was changed. Run again with --yes to delete and purge them.",
      done: (cleaned: number, failed: number) => `${cleaned} cleaned, ${failed} failed.`,
      run: (runId: string, attendee: string | undefined, started: string | undefined, hasLedger: boolean) => {
        const since = started ? `, started ${started}` : "";
        return `Run ${runId}${attendee ? ` (attendee ${attendee}${since})` : since}${hasLedger ? "" : " — no local ledger"}`;
      },
      /** An object's state, as the first column of its line (its kind, kinds above, is the second). */
      states: { live: "live", deleted: "deleted", "ledger-only": "recorded" },
      created: (when: string) => `(created ${when})`,
      deleted: (when: string, purge: string) => `(deleted ${when}, purge scheduled ${purge})`,
      ledgerOnly: "(in the run's ledger, not in the vault: never created, or already purged)",
    },
    rehearse: {
      starting: (tutorial: string, attendees: number, limit: string) => `Rehearsing ${tutorial} with ${people(attendees)} against an emulator limited to ${limit}`,
      /** The emulator's limit, in the starting line: what each kind's limit counts. */
      limit: {
        key: (perTenSeconds: number) => `${count(perTenSeconds)} key creates per 10 s`,
        secret: (perTenSeconds: number) => `${count(perTenSeconds)} secret transactions per 10 s`,
        certificate: (perTenSeconds: number) => `${count(perTenSeconds)} key creates per 10 s (each certificate create is one)`,
      } satisfies Record<KindWord, unknown>,
      progress: (done: number, attendees: number) => `Rehearsing: ${done}/${attendees} attendees done`,
      finished: (finished: number, attendees: number, seconds: string) => `${finished}/${attendees} attendees finished in ${seconds} s`,
      /** Report rows; the labels are padded to line up. */
      finishedLabel: "Attendees finished:",
      timeLabel: "Time to all done:",
      leftoverLabel: (kind: KindWord) => `Leftover ${KIND_WORDS[kind]}s:`,
      /** The requests the limit counted, under its own name. */
      countedLabel: { key: "Key creates:", secret: "Secret transactions:", certificate: "Key creates (certificates):" } satisfies Record<KindWord, string>,
      counted: (requests: number, perAttendee: number) => `${count(requests)} (${perAttendee} per attendee)`,
      seconds: (seconds: string) => `${seconds} s`,
      leftover: (_kind: KindWord, names: string[]) => `${names.length}${names.length ? ` (${names.join(", ")})` : ""}`,
      retries: (retries: number, busyInsteadOfConflict: number) =>
        `"Vault is busy" (429) retries: ${retries}${busyInsteadOfConflict ? ` (${busyInsteadOfConflict} saw "busy" instead of the 409 in the reuse step)` : ""}`,
      failedAttendee: (attendee: string, error: string) => `${attendee}: ${error}`,
      columns: { step: "step", p50: "p50 s", p95: "p95 s", max: "max s" },
      /** The human names of the rehearsal's steps (rehearsal-flows.ts; the JSON report keeps the ids). */
      steps: {
        settings: "settings",
        name: "name",
        create: "create",
        set: "set",
        get: "get",
        versions: "versions",
        "key + secret": "key + secret",
        delete: "delete",
        "reuse (409)": "reuse (409)",
        "recover + delete": "recover + delete",
        "clean up": "clean up",
      },
      onAzure: "On Azure:",
    },
  },
  runner: runnerEn,
  workshop: workshopEn,
  failures: failuresEn,
};

export type Messages = typeof en;
