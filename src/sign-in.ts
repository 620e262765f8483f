/**
 * Which sign-in `DefaultAzureCredential` will use, worked out from the environment alone, and the
 * variable mix-ups that make it sign in as someone unexpected (FACTS.md §1, §4): a half-set service
 * principal, one left over next to `az login`, or the emulator's variables left in place for Azure.
 */
import { readFileSync } from "node:fs";
import { t } from "./i18n";
import { problem, type Problem } from "./problems";

/** Values AZURE_TOKEN_CREDENTIALS accepts (@azure/identity ≥ 4.10), lower-cased. */
const TOKEN_CREDENTIALS = new Set([
  "dev", "prod", "environmentcredential", "workloadidentitycredential", "managedidentitycredential",
  "visualstudiocodecredential", "azureclicredential", "azurepowershellcredential", "azuredeveloperclicredential",
]);

const SERVICE_PRINCIPAL_VARS = ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET"] as const;
const EMULATOR_VARS = ["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "AZURE_TOKEN_CREDENTIALS", "NODE_EXTRA_CA_CERTS", "KVQ_EMULATOR_CA"];

export type SignInMethod = "emulator" | "service-principal" | "workload-identity" | "managed-identity" | "developer";

export interface SignIn {
  method: SignInMethod;
  /** One line for a learner, in the current language, e.g. "Azure CLI (az login), or VS Code / Azure PowerShell / azd". */
  description: string;
}

export interface SignInCheck {
  signIn?: SignIn;
  problems: Problem[];
  warnings: Problem[];
}

type Env = Record<string, string | undefined>;

/** Why a file cannot be read — Node's error code (ENOENT, EISDIR, EACCES …) — or undefined when it can. */
export type ReadError = (file: string) => string | undefined;

/** Reads the file (the emulator's CA: about a kilobyte) to be sure a client can, as a stat cannot. */
export const readErrorOf: ReadError = (file) => {
  try {
    readFileSync(file);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? "EIO";
  }
};

const isSet = (env: Env, name: string) => (env[name] ?? "").trim() !== "";
const isLoopbackEndpoint = (value: string | undefined) => /^https?:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:|\/|$)/i.test(value ?? "");

/**
 * target.azure: the vault is at an Azure address (default true). False for a URL that did not
 * parse or a host that is no vault address: whether the emulator's variables are wrong for it is
 * then unknown, and the URL's own problem is the one to fix.
 */
export function detectSignIn(env: Env, target: { local: boolean; azure?: boolean }, readError: ReadError): SignInCheck {
  const m = t().signIn;
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const restriction = env.AZURE_TOKEN_CREDENTIALS?.trim().toLowerCase();
  if (restriction && !TOKEN_CREDENTIALS.has(restriction)) {
    problems.push(problem("token-credentials-unknown", m.tokenCredentialsUnknown.message(env.AZURE_TOKEN_CREDENTIALS!), m.tokenCredentialsUnknown.fix, "AZURE_TOKEN_CREDENTIALS"));
  }

  const sp = servicePrincipal(env);
  if (sp.partial) problems.push(sp.partial);

  if (target.local) {
    for (const name of ["IDENTITY_ENDPOINT", "IDENTITY_HEADER"]) {
      if (!isSet(env, name)) problems.push(problem("emulator-variable-missing", m.emulatorVariableMissing.message(name), m.emulatorVariableMissing.fix, name));
    }
    const caVariable = isSet(env, "KVQ_EMULATOR_CA") ? "KVQ_EMULATOR_CA" : "NODE_EXTRA_CA_CERTS";
    const ca = env[caVariable];
    const unreadable = ca ? readError(ca) : undefined;
    if (!ca) {
      problems.push(problem("emulator-ca-missing", m.emulatorCaMissing.message, m.emulatorCaMissing.fix, "KVQ_EMULATOR_CA"));
    } else if (unreadable === "ENOENT" || unreadable === "ENOTDIR") {
      problems.push(problem("emulator-ca-not-found", m.emulatorCaNotFound.message(caVariable, ca), m.emulatorCaNotFound.fix, caVariable));
    } else if (unreadable === "EISDIR") {
      problems.push(problem("emulator-ca-is-folder", m.emulatorCaIsFolder.message(caVariable, ca), m.emulatorCaIsFolder.fix(caVariable), caVariable));
    } else if (unreadable) {
      problems.push(problem("emulator-ca-unreadable", m.emulatorCaUnreadable.message(caVariable, ca, unreadable), m.emulatorCaUnreadable.fix(ca), caVariable));
    }
    if (sp.complete && restriction !== "managedidentitycredential") {
      problems.push(problem("emulator-with-service-principal", m.emulatorWithServicePrincipal.message, m.emulatorWithServicePrincipal.fix, "AZURE_CLIENT_ID"));
    }
    return { signIn: { method: "emulator", description: m.describe.emulator }, problems, warnings };
  }

  // A URL that is no vault address, with the emulator's variables: the URL is what to fix, the credential will ask the emulator.
  if (target.azure === false && isLoopbackEndpoint(env.IDENTITY_ENDPOINT)) {
    return { signIn: { method: "emulator", description: m.describe.emulator }, problems, warnings };
  }
  // A real vault. The emulator's variables send tokens requests to the emulator: a token it issues means nothing to Azure.
  if (target.azure !== false && (isLoopbackEndpoint(env.IDENTITY_ENDPOINT) || (restriction === "managedidentitycredential" && isSet(env, "IDENTITY_HEADER")))) {
    const present = EMULATOR_VARS.filter((name) => isSet(env, name));
    problems.push(problem("emulator-variables-with-azure-vault", m.emulatorVariablesWithAzureVault.message(present), m.emulatorVariablesWithAzureVault.fix(present), "IDENTITY_ENDPOINT"));
  }
  if (restriction === "managedidentitycredential") {
    warnings.push(problem("managed-identity-only", m.managedIdentityOnly.message, m.managedIdentityOnly.fix, "AZURE_TOKEN_CREDENTIALS"));
    return { signIn: { method: "managed-identity", description: m.describe.managedIdentity }, problems, warnings };
  }
  const developer: SignIn = { method: "developer", description: m.describe.developer };
  if (restriction === "dev" || restriction?.endsWith("clicredential") || restriction?.endsWith("powershellcredential") || restriction === "visualstudiocodecredential") {
    return { signIn: developer, problems, warnings };
  }
  if (sp.complete) {
    warnings.push(problem("service-principal-in-use", m.servicePrincipalInUse.message(sp.secretVariable, env.AZURE_CLIENT_ID!), m.servicePrincipalInUse.fix, "AZURE_CLIENT_ID"));
    return { signIn: { method: "service-principal", description: m.describe.servicePrincipal(env.AZURE_CLIENT_ID!) }, problems, warnings };
  }
  if (restriction === "environmentcredential") {
    problems.push(problem("environment-credential-incomplete", m.environmentCredentialIncomplete.message, m.environmentCredentialIncomplete.fix, "AZURE_TOKEN_CREDENTIALS"));
  }
  if (isSet(env, "AZURE_FEDERATED_TOKEN_FILE") && isSet(env, "AZURE_CLIENT_ID") && isSet(env, "AZURE_TENANT_ID")) {
    return { signIn: { method: "workload-identity", description: m.describe.workloadIdentity(env.AZURE_CLIENT_ID!) }, problems, warnings };
  }
  return { signIn: developer, problems, warnings };
}

function servicePrincipal(env: Env): { complete: boolean; secretVariable: string; partial?: Problem } {
  const secretVariable = isSet(env, "AZURE_CLIENT_SECRET") ? "AZURE_CLIENT_SECRET" : "AZURE_CLIENT_CERTIFICATE_PATH";
  const hasSecret = isSet(env, "AZURE_CLIENT_SECRET") || isSet(env, "AZURE_CLIENT_CERTIFICATE_PATH");
  const complete = isSet(env, "AZURE_CLIENT_ID") && isSet(env, "AZURE_TENANT_ID") && hasSecret;
  // AZURE_CLIENT_ID alone is normal: it picks a user-assigned managed identity.
  const started = isSet(env, "AZURE_TENANT_ID") || hasSecret;
  if (complete || !started) return { complete, secretVariable };
  const missing = SERVICE_PRINCIPAL_VARS.filter((name) => (name === "AZURE_CLIENT_SECRET" ? !hasSecret : !isSet(env, name)));
  const present = [...SERVICE_PRINCIPAL_VARS, "AZURE_CLIENT_CERTIFICATE_PATH"].filter((name) => isSet(env, name));
  return {
    complete,
    secretVariable,
    partial: problem("service-principal-incomplete", t().signIn.servicePrincipalIncomplete.message(present, missing), t().signIn.servicePrincipalIncomplete.fix(missing, present), missing[0]),
  };
}
