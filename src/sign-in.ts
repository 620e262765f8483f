/**
 * Which sign-in `DefaultAzureCredential` will use, worked out from the environment alone, and the
 * variable mix-ups that make it sign in as someone unexpected (FACTS.md §1, §4): a half-set service
 * principal, one left over next to `az login`, or the emulator's variables left in place for Azure.
 */
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
  /** One line for a learner, e.g. "Azure CLI (az login), or VS Code / Azure PowerShell / azd". */
  description: string;
}

export interface SignInCheck {
  signIn?: SignIn;
  problems: Problem[];
  warnings: Problem[];
}

type Env = Record<string, string | undefined>;

const isSet = (env: Env, name: string) => (env[name] ?? "").trim() !== "";
const isLoopbackEndpoint = (value: string | undefined) => /^https?:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:|\/|$)/i.test(value ?? "");

export function detectSignIn(env: Env, target: { local: boolean }, fileExists: (path: string) => boolean): SignInCheck {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const restriction = env.AZURE_TOKEN_CREDENTIALS?.trim().toLowerCase();
  if (restriction && !TOKEN_CREDENTIALS.has(restriction)) {
    problems.push(problem("token-credentials-unknown", `AZURE_TOKEN_CREDENTIALS is "${env.AZURE_TOKEN_CREDENTIALS}", which DefaultAzureCredential does not know.`, 'Use "dev", "prod" or a credential name such as "azureclicredential" — or remove the variable.', "AZURE_TOKEN_CREDENTIALS"));
  }

  const sp = servicePrincipal(env);
  if (sp.partial) problems.push(sp.partial);

  if (target.local) {
    for (const name of ["IDENTITY_ENDPOINT", "IDENTITY_HEADER"]) {
      if (!isSet(env, name)) problems.push(problem("emulator-variable-missing", `The vault is the local emulator, but ${name} is not set, so there is nowhere to get a token from.`, "Start the emulator with `npm run emulator` (it writes IDENTITY_ENDPOINT, IDENTITY_HEADER and the rest into .env), then load .env again.", name));
    }
    const caVariable = isSet(env, "KVQ_EMULATOR_CA") ? "KVQ_EMULATOR_CA" : "NODE_EXTRA_CA_CERTS";
    const ca = env[caVariable];
    if (!ca) {
      problems.push(problem("emulator-ca-missing", "The vault is the local emulator, but KVQ_EMULATOR_CA does not name its CA certificate, so TLS cannot be verified.", "Start the emulator with `npm run emulator`; it writes KVQ_EMULATOR_CA into .env.", "KVQ_EMULATOR_CA"));
    } else if (!fileExists(ca)) {
      problems.push(problem("emulator-ca-not-found", `${caVariable} names ${ca}, which does not exist.`, "Start the emulator once (`npm run emulator`): it creates its CA there and rewrites .env.", caVariable));
    }
    if (sp.complete && restriction !== "managedidentitycredential") {
      problems.push(problem("emulator-with-service-principal", "AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET are set, so DefaultAzureCredential would sign in to Entra ID as that service principal instead of using the emulator's token endpoint.", "Set AZURE_TOKEN_CREDENTIALS=managedidentitycredential (npm run emulator writes it), or remove the service-principal variables.", "AZURE_CLIENT_ID"));
    }
    return { signIn: { method: "emulator", description: "managed identity from the local emulator's token endpoint" }, problems, warnings };
  }

  // A real vault. The emulator's variables send tokens requests to the emulator: a token it issues means nothing to Azure.
  if (isLoopbackEndpoint(env.IDENTITY_ENDPOINT) || restriction === "managedidentitycredential" && isSet(env, "IDENTITY_HEADER")) {
    const present = EMULATOR_VARS.filter((name) => isSet(env, name));
    problems.push(problem("emulator-variables-with-azure-vault", `The vault is in Azure, but the emulator's sign-in variables are still set (${present.join(", ")}): the credential would ask the emulator for a token, which Azure rejects.`, `Remove ${present.join(", ")} from .env (and your shell), then restart the kernel or the run.`, "IDENTITY_ENDPOINT"));
  }
  if (restriction === "managedidentitycredential") {
    warnings.push(problem("managed-identity-only", "AZURE_TOKEN_CREDENTIALS=managedidentitycredential: only a managed identity is tried, which exists on Azure-hosted compute, not on your laptop.", "On your own machine remove AZURE_TOKEN_CREDENTIALS (or set it to dev) and sign in with `az login`.", "AZURE_TOKEN_CREDENTIALS"));
    return { signIn: { method: "managed-identity", description: "managed identity (Azure-hosted compute)" }, problems, warnings };
  }
  const developer: SignIn = { method: "developer", description: "your own account: Azure CLI (az login), or VS Code / Azure PowerShell / azd if signed in there" };
  if (restriction === "dev" || restriction?.endsWith("clicredential") || restriction?.endsWith("powershellcredential") || restriction === "visualstudiocodecredential") {
    return { signIn: developer, problems, warnings };
  }
  if (sp.complete) {
    warnings.push(problem("service-principal-in-use", `AZURE_CLIENT_ID, AZURE_TENANT_ID and ${sp.secretVariable} are set, so DefaultAzureCredential signs in as service principal ${env.AZURE_CLIENT_ID} — not as your az login account (EnvironmentCredential comes first in its chain).`, "That is right if you created a service principal as in the 2020 quickstart. If you meant to use az login, remove AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET from .env and your shell.", "AZURE_CLIENT_ID"));
    return { signIn: { method: "service-principal", description: `service principal ${env.AZURE_CLIENT_ID} (EnvironmentCredential)` }, problems, warnings };
  }
  if (restriction === "environmentcredential") {
    problems.push(problem("environment-credential-incomplete", "AZURE_TOKEN_CREDENTIALS=environmentcredential, but the service-principal variables are not all set.", "Set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET, or remove AZURE_TOKEN_CREDENTIALS to sign in with az login.", "AZURE_TOKEN_CREDENTIALS"));
  }
  if (isSet(env, "AZURE_FEDERATED_TOKEN_FILE") && isSet(env, "AZURE_CLIENT_ID") && isSet(env, "AZURE_TENANT_ID")) {
    return { signIn: { method: "workload-identity", description: `workload identity ${env.AZURE_CLIENT_ID} (AZURE_FEDERATED_TOKEN_FILE)` }, problems, warnings };
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
    partial: problem(
      "service-principal-incomplete",
      `${present.join(", ")} ${present.length === 1 ? "is" : "are"} set but ${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} missing, so DefaultAzureCredential cannot sign in as the service principal and falls through to other sign-ins.`,
      `To use the service principal, set ${missing.join(" and ")} (az ad sp create-for-rbac prints them). To use az login instead, remove ${present.join(", ")}.`,
      missing[0],
    ),
  };
}
