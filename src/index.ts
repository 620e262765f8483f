/**
 * The helpers the quickstart notebook imports as "kvq" (npm links this folder into node_modules).
 * Each lives in its own module; this list is the whole surface the notebook sees.
 *
 * Importing it also makes Azure SDK errors print as their codes, meaning and fix instead of a dump
 * of the request (friendly-errors.ts): a cell that fails should teach, not scroll.
 */
import { installFriendlyErrorDisplay } from "./friendly-errors";

installFriendlyErrorDisplay();

export { clientOptionsFor, isLocalVaultUrl } from "./client-options";
export { checkEnvironment, ConfigurationError, describeConfig, loadEnvFile, loadQuickstartEnvironment, type QuickstartConfig } from "./env";
// Every helper about vault objects is written once for every kind (kinds/); each kind keeps
// readable names of its own (chooseKeyName, chooseSecretName …), the same function underneath.
export {
  chooseCertificateName,
  chooseKeyName,
  chooseName,
  chooseSecretName,
  checkCertificateNameFree,
  checkKeyNameFree,
  checkNameFree,
  checkSecretNameFree,
  certificateNameProblem,
  defaultCertificatePrefix,
  defaultKeyPrefix,
  defaultSecretPrefix,
  keyNameProblem,
  secretNameProblem,
  toValidKeyName,
  uniqueKeyName,
  KEY_NAME_RULE,
  type ChooseCertificateNameOptions,
  type ChooseKeyNameOptions,
  type ChosenKeyName,
  type NameStatus,
} from "./object-names";
export { attendeeName } from "./attendee";
export { isTutorialKey, isTutorialObject, RunLedger, TUTORIAL_TAG } from "./run-ledger";
export { cleanupCertificate, cleanupKey, cleanupObject, cleanupRuns, cleanupSecret, ledgersToClean, type KeyCleanup, type ObjectCleanup } from "./cleanup";
export { errorCodes, explainError } from "./vault-errors";
export {
  keyState,
  keyStateAdvice,
  objectState,
  objectStateAdvice,
  secretState,
  secretStateAdvice,
  certificateState,
  certificateStateAdvice,
  type KeyState,
  type ObjectState,
  type SecretState,
  type CertificateState,
} from "./object-state";
export { formatProblem, type Problem } from "./problems";
export { redact, secretValues, SECRET_VARIABLES } from "./secrets";
export { describeError } from "./friendly-errors";
