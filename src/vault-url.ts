/**
 * Which vault: the vault-name rules (FACTS.md §2), the URL a name makes in each Azure cloud, and
 * the checks that catch what learners paste by mistake (a key's URL, http://, a name in the URL
 * variable or a URL in the name variable).
 */
import { isLocalVaultUrl } from "./client-options";
import { problem, type Problem } from "./problems";

export type CloudName = "AzurePublicCloud" | "AzureChinaCloud" | "AzureUSGovernment";

export const CLOUDS: Record<CloudName, { label: string; vaultSuffix: string; hsmSuffix: string; authorityHost: string }> = {
  AzurePublicCloud: { label: "Azure public cloud", vaultSuffix: "vault.azure.net", hsmSuffix: "managedhsm.azure.net", authorityHost: "login.microsoftonline.com" },
  AzureChinaCloud: { label: "Azure China (21Vianet)", vaultSuffix: "vault.azure.cn", hsmSuffix: "managedhsm.azure.cn", authorityHost: "login.chinacloudapi.cn" },
  AzureUSGovernment: { label: "Azure US Government", vaultSuffix: "vault.usgovcloudapi.net", hsmSuffix: "managedhsm.usgovcloudapi.net", authorityHost: "login.microsoftonline.us" },
};

/** Names people use for the clouds (Azure CLI's `az cloud list`, the SDKs, shorthand). */
const CLOUD_ALIASES: Record<string, CloudName> = {
  azurecloud: "AzurePublicCloud", azurepubliccloud: "AzurePublicCloud", public: "AzurePublicCloud", azure: "AzurePublicCloud",
  azurechinacloud: "AzureChinaCloud", china: "AzureChinaCloud", mooncake: "AzureChinaCloud",
  azureusgovernment: "AzureUSGovernment", azureusgovernmentcloud: "AzureUSGovernment", usgov: "AzureUSGovernment", usgovernment: "AzureUSGovernment",
};

export function parseCloudName(text: string): CloudName | undefined {
  return CLOUD_ALIASES[text.trim().toLowerCase().replace(/[\s_-]/g, "")];
}

/** The cloud a vault URL belongs to, from its DNS suffix. */
export function cloudOfHost(host: string): CloudName | undefined {
  return (Object.keys(CLOUDS) as CloudName[]).find((c) => host.endsWith(`.${CLOUDS[c].vaultSuffix}`) || host.endsWith(`.${CLOUDS[c].hsmSuffix}`));
}

/** Every rule the name breaks (none: a valid name). Rules: 3–24 characters, 0-9 a-z A-Z -, starts with a letter, ends with a letter or digit, no "--". */
export function vaultNameProblems(name: string, variable = "KEY_VAULT_NAME"): Problem[] {
  const problems: Problem[] = [];
  const add = (code: string, message: string, fix: string) => problems.push(problem(code, message, fix, variable));
  if (/^https?:\/\//i.test(name) || name.includes(".")) {
    add("vault-name-is-url", `${variable} is "${name}", which looks like a URL or host name, not a vault name.`, `Put the vault's URL in KEY_VAULT_URL instead, or set ${variable} to just the name (the part before .vault.azure.net).`);
    return problems;
  }
  if (name.length < 3 || name.length > 24) {
    add(name.length < 3 ? "vault-name-too-short" : "vault-name-too-long", `Vault name "${name}" has ${name.length} characters; vault names have 3 to 24.`, `Use your vault's exact name (az keyvault list --query "[].name" -o tsv).`);
  }
  const bad = [...new Set(name.replace(/[0-9a-zA-Z-]/g, ""))];
  if (bad.length > 0) {
    add("vault-name-characters", `Vault name "${name}" contains ${bad.map((c) => JSON.stringify(c)).join(", ")}; only letters, digits and dashes are allowed.`, "Use your vault's exact name: letters, digits and dashes only.");
  }
  if (name.length > 0 && !/^[a-zA-Z]/.test(name)) add("vault-name-start", `Vault name "${name}" starts with "${name[0]}"; it must start with a letter.`, "Use your vault's exact name: it starts with a letter.");
  if (name.length > 0 && !/[a-zA-Z0-9]$/.test(name)) add("vault-name-end", `Vault name "${name}" ends with "${name[name.length - 1]}"; it must end with a letter or digit.`, "Use your vault's exact name: it ends with a letter or digit.");
  if (name.includes("--")) add("vault-name-double-dash", `Vault name "${name}" contains "--"; consecutive dashes are not allowed.`, "Use your vault's exact name: it has no double dashes.");
  return problems;
}

export const vaultUrlForName = (name: string, cloud: CloudName) => `https://${name.toLowerCase()}.${CLOUDS[cloud].vaultSuffix}`;

export interface ParsedVaultUrl {
  url: string;
  /** The vault's name (first DNS label), or "emulator" for a local URL. */
  name: string;
  local: boolean;
  cloud?: CloudName;
}

/** Checks a vault URL and returns it without a trailing slash, or the problems with it. */
export function parseVaultUrl(text: string, variable: string): { vault?: ParsedVaultUrl; problems: Problem[]; warnings: Problem[] } {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    if (/^[a-zA-Z][a-zA-Z0-9-]*$/.test(text.trim())) {
      problems.push(problem("vault-url-is-name", `${variable} is "${text}", a name rather than a URL.`, `Set ${variable}=https://${text.trim().toLowerCase()}.vault.azure.net, or put the name in KEY_VAULT_NAME instead.`, variable));
    } else {
      problems.push(problem("vault-url-invalid", `${variable} is "${text}", which is not a URL.`, `Set ${variable} to your vault's URL, e.g. https://<vault-name>.vault.azure.net (az keyvault show -n <vault-name> --query properties.vaultUri -o tsv).`, variable));
    }
    return { problems, warnings };
  }
  const local = isLocalVaultUrl(url.href);
  if (url.protocol !== "https:") {
    problems.push(problem("vault-url-not-https", `${variable} uses ${url.protocol}//; Key Vault (and the local emulator) only speak HTTPS.`, `Change it to https://${url.host}${url.pathname === "/" ? "" : url.pathname}.`, variable));
  }
  if (url.pathname !== "/" && url.pathname !== "") {
    problems.push(problem("vault-url-has-path", `${variable} is "${text}", which includes a path (${url.pathname}); the client needs the vault's base URL only.`, `Set ${variable}=${url.protocol}//${url.host}`, variable));
  }
  if (url.search || url.hash || url.username) {
    problems.push(problem("vault-url-extra", `${variable} carries a query, fragment or user name; the client needs the vault's base URL only.`, `Set ${variable}=${url.protocol}//${url.host}`, variable));
  }
  const host = url.hostname.toLowerCase();
  const base = `https://${url.host.toLowerCase()}`;
  if (local) return { vault: { url: base, name: "emulator", local: true }, problems, warnings };
  const cloud = cloudOfHost(host);
  const name = host.split(".")[0];
  if (!cloud) {
    warnings.push(problem("vault-url-unknown-host", `${variable} host "${host}" is not a Key Vault host (*.vault.azure.net, *.vault.azure.cn, *.vault.usgovcloudapi.net).`, "If this is not deliberate (a proxy, a custom DNS name), copy the URL from: az keyvault show -n <vault-name> --query properties.vaultUri -o tsv", variable));
  } else {
    for (const p of vaultNameProblems(name, variable)) problems.push({ ...p, message: `In ${variable}: ${p.message}` });
  }
  return { vault: { url: base, name, local: false, cloud }, problems, warnings };
}
