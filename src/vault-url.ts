/**
 * Which vault: the vault-name rules (FACTS.md §2), the URL a name makes in each Azure cloud, and
 * the checks that catch what learners paste by mistake (a key's URL, http://, a name in the URL
 * variable or a URL in the name variable).
 */
import { t } from "./i18n";
import { problem, type Problem } from "./problems";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** True for a vault on this machine (the emulator), false for anything else. */
export function isLocalVaultUrl(vaultUrl: string): boolean {
  try {
    const host = new URL(vaultUrl).hostname.toLowerCase();
    return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

export type CloudName = "AzurePublicCloud" | "AzureChinaCloud" | "AzureUSGovernment";

export const CLOUDS: Record<CloudName, { vaultSuffix: string; hsmSuffix: string; authorityHost: string }> = {
  AzurePublicCloud: { vaultSuffix: "vault.azure.net", hsmSuffix: "managedhsm.azure.net", authorityHost: "login.microsoftonline.com" },
  AzureChinaCloud: { vaultSuffix: "vault.azure.cn", hsmSuffix: "managedhsm.azure.cn", authorityHost: "login.chinacloudapi.cn" },
  AzureUSGovernment: { vaultSuffix: "vault.usgovcloudapi.net", hsmSuffix: "managedhsm.usgovcloudapi.net", authorityHost: "login.microsoftonline.us" },
};

/** The cloud's name for a learner, e.g. "Azure China (21Vianet)", in the current language. */
export const cloudLabel = (cloud: CloudName) => t().vaultUrl.clouds[cloud];

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
  const m = t().vaultUrl;
  const problems: Problem[] = [];
  const add = (code: string, message: string, fix: string) => problems.push(problem(code, message, fix, variable));
  if (/^https?:\/\//i.test(name) || name.includes(".")) {
    add("vault-name-is-url", m.nameIsUrl.message(variable, name), m.nameIsUrl.fix(variable));
    return problems;
  }
  if (name.length < 3 || name.length > 24) {
    add(name.length < 3 ? "vault-name-too-short" : "vault-name-too-long", m.nameLength.message(name, name.length), m.nameLength.fix);
  }
  const bad = [...new Set(name.replace(/[0-9a-zA-Z-]/g, ""))];
  if (bad.length > 0) add("vault-name-characters", m.nameCharacters.message(name, bad), m.nameCharacters.fix);
  if (name.length > 0 && !/^[a-zA-Z]/.test(name)) add("vault-name-start", m.nameStart.message(name, name[0]), m.nameStart.fix);
  if (name.length > 0 && !/[a-zA-Z0-9]$/.test(name)) add("vault-name-end", m.nameEnd.message(name, name[name.length - 1]), m.nameEnd.fix);
  if (name.includes("--")) add("vault-name-double-dash", m.nameDoubleDash.message(name), m.nameDoubleDash.fix);
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

/** The URL a malformed one most likely meant: "https//localhost:47443", "https:/x.vault.azure.net", "localhost:47443" → https://… */
function likelyMeant(text: string): string | undefined {
  const rest = text.trim().replace(/^(https?)?:?\/*/i, "");
  if (!/^[a-zA-Z0-9.[\]:-]+$/.test(rest) || !/[.:]|^localhost$/i.test(rest)) return undefined;
  try {
    const url = new URL(`https://${rest}`);
    return url.hostname.includes(".") || isLocalVaultUrl(url.href) ? `https://${url.host}` : undefined;
  } catch {
    return undefined;
  }
}

/** Checks a vault URL and returns it without a trailing slash, or the problems with it. */
export function parseVaultUrl(text: string, variable: string): { vault?: ParsedVaultUrl; problems: Problem[]; warnings: Problem[] } {
  const m = t().vaultUrl;
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  let url: URL;
  try {
    // "localhost:47443" parses, with "localhost:" as its scheme: a URL without "://" is a typo too.
    if (!text.includes("://")) throw new TypeError("no scheme");
    url = new URL(text.trim());
  } catch {
    const meant = likelyMeant(text);
    if (/^[a-zA-Z][a-zA-Z0-9-]*$/.test(text.trim())) {
      problems.push(problem("vault-url-is-name", m.urlIsName.message(variable, text), m.urlIsName.fix(variable, text.trim().toLowerCase()), variable));
    } else {
      problems.push(problem("vault-url-invalid", m.urlInvalid.message(variable, text), meant ? m.urlInvalid.didYouMean(variable, meant) : m.urlInvalid.fix(variable), variable));
    }
    return { problems, warnings };
  }
  const local = isLocalVaultUrl(url.href);
  if (url.protocol !== "https:") {
    problems.push(problem("vault-url-not-https", m.notHttps.message(variable, url.protocol), m.notHttps.fix(`https://${url.host}${url.pathname === "/" ? "" : url.pathname}`), variable));
  }
  if (url.pathname !== "/" && url.pathname !== "") {
    problems.push(problem("vault-url-has-path", m.hasPath(variable, text, url.pathname), m.useBaseUrl(variable, `${url.protocol}//${url.host}`), variable));
  }
  if (url.search || url.hash || url.username) {
    problems.push(problem("vault-url-extra", m.extra(variable), m.useBaseUrl(variable, `${url.protocol}//${url.host}`), variable));
  }
  const host = url.hostname.toLowerCase();
  const base = `https://${url.host.toLowerCase()}`;
  if (local) return { vault: { url: base, name: "emulator", local: true }, problems, warnings };
  const cloud = cloudOfHost(host);
  const name = host.split(".")[0];
  if (!cloud) {
    warnings.push(problem("vault-url-unknown-host", m.unknownHost.message(variable, host), m.unknownHost.fix, variable));
  } else {
    for (const p of vaultNameProblems(name, variable)) problems.push({ ...p, message: m.inVariable(variable, p.message) });
  }
  return { vault: { url: base, name, local: false, cloud }, problems, warnings };
}
