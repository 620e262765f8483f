/**
 * The helpers the quickstart notebook imports as "kvq" (npm links this folder into node_modules).
 * Each lives in its own module; this list is the whole surface the notebook sees.
 */
export { clientOptionsFor, isLocalVaultUrl } from "./client-options";
export { checkEnvironment, ConfigurationError, describeConfig, loadEnvFile, loadQuickstartEnvironment, type QuickstartConfig } from "./env";
export { chooseKeyName, checkKeyNameFree, keyNameProblem, toValidKeyName, uniqueKeyName, KEY_NAME_RULE } from "./key-names";
export { attendeeName, isTutorialKey, RunLedger, TUTORIAL_TAG } from "./run-ledger";
export { cleanupKey, cleanupRuns, ledgersToClean, type KeyCleanup } from "./cleanup";
export { errorCodes, explainError } from "./vault-errors";
export { formatProblem, type Problem } from "./problems";
export { redact, secretValues, SECRET_VARIABLES } from "./secrets";
