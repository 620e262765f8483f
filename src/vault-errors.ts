/**
 * What Key Vault's errors mean and how to fix them (FACTS.md §3), as a table: the notebook, the
 * runner, cleanup and the doctor all explain an error by looking it up here. The table says which
 * error is which; the words are in the message catalogs (i18n/), under the rule's id.
 */
import { t, type Messages } from "./i18n";
import { explainUnreachable, VaultUnreachableError } from "./vault-unreachable";

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
  /** Shown instead of the error's message when set. */
  summary?: string;
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

/** The rule ids are the keys of the catalogs' errors.rules: each rule's meaning and fix, in every language. */
type RuleId = keyof Messages["errors"]["rules"];

interface Rule {
  id: RuleId;
  matches: (f: ErrorFacts) => boolean;
  /** The value a rule's meaning names, when the service's message carries one (the missing action or permission). */
  detail?: (f: ErrorFacts) => string | undefined;
  /** The one line of a long message that matters (a credential chain lists every credential it tried). */
  summary?: (f: ErrorFacts) => string;
}

const has = (f: ErrorFacts, text: string) => f.message.includes(text);
const rbacAction = (f: ErrorFacts) => /Action: '([^']+)'/.exec(f.message)?.[1];

// The first rule that matches explains the error.
const RULES: Rule[] = [
  // The service names the kind first ("Secret x is currently in a deleted but recoverable state").
  { id: "SecretIsDeletedButRecoverable", matches: (f) => (f.innerCode === "ObjectIsDeletedButRecoverable" || (f.statusCode === 409 && has(f, "deleted but recoverable"))) && /^Secret /.test(f.message) },
  { id: "ObjectIsDeletedButRecoverable", matches: (f) => f.innerCode === "ObjectIsDeletedButRecoverable" || (f.statusCode === 409 && has(f, "deleted but recoverable")) },
  { id: "ObjectIsBeingDeleted", matches: (f) => f.innerCode === "ObjectIsBeingDeleted" || (f.statusCode === 409 && has(f, "being deleted")) },
  { id: "PurgeProtection", matches: (f) => f.statusCode === 403 && has(f, "purge protection is enabled") },
  // A refusal names the kind it is about (an action under vaults/secrets/, "secrets get permission"): its fix is that kind's role or permissions.
  { id: "SecretForbiddenByRbac", matches: (f) => f.innerCode === "ForbiddenByRbac" && /Action: '[^']*\/secrets\//.test(f.message), detail: rbacAction },
  { id: "SecretForbiddenByPolicy", matches: (f) => f.innerCode === "ForbiddenByPolicy" && /secrets \w+ permission/.test(f.message), detail: (f) => /secrets (\w+) permission/.exec(f.message)?.[1] },
  { id: "CertificateForbiddenByRbac", matches: (f) => f.innerCode === "ForbiddenByRbac" && /Action: '[^']*\/certificates\//.test(f.message), detail: rbacAction },
  { id: "CertificateForbiddenByPolicy", matches: (f) => f.innerCode === "ForbiddenByPolicy" && /certificates \w+ permission/.test(f.message), detail: (f) => /certificates (\w+) permission/.exec(f.message)?.[1] },
  { id: "ForbiddenByRbac", matches: (f) => f.innerCode === "ForbiddenByRbac", detail: rbacAction },
  { id: "ForbiddenByPolicy", matches: (f) => f.innerCode === "ForbiddenByPolicy", detail: (f) => /keys (\w+) permission/.exec(f.message)?.[1] },
  { id: "ForbiddenByFirewall", matches: (f) => f.innerCode === "ForbiddenByFirewall" },
  { id: "ForbiddenByConnection", matches: (f) => f.innerCode === "ForbiddenByConnection" },
  { id: "AKV10032", matches: (f) => has(f, "AKV10032") },
  { id: "KeyNotFound", matches: (f) => f.code === "KeyNotFound" },
  { id: "Throttled", matches: (f) => f.statusCode === 429 },
  { id: "AADSTS7000215", matches: (f) => has(f, "AADSTS7000215") },
  { id: "AADSTS7000222", matches: (f) => has(f, "AADSTS7000222") },
  { id: "AADSTS700016", matches: (f) => has(f, "AADSTS700016") },
  { id: "AADSTS700082", matches: (f) => has(f, "AADSTS700082") },
  { id: "ChallengeResourceMismatch", matches: (f) => has(f, "does not match the requested domain") },
  // The emulator's identity endpoint says so in its answer, buried in the credential chain's message.
  { id: "EmulatorIdentityHeader", matches: (f) => has(f, "X-IDENTITY-HEADER is missing or wrong"), summary: () => "X-IDENTITY-HEADER is missing or wrong." },
  { id: "CredentialUnavailable", matches: (f) => f.name === "CredentialUnavailableError" || f.name === "AggregateAuthenticationError" || has(f, "ChainedTokenCredential authentication failed") },
  { id: "TlsUntrusted", matches: (f) => /self[- ]signed certificate|unable to verify the first certificate|UNABLE_TO_GET_ISSUER_CERT/i.test(f.message) },
  { id: "ConnectionRefused", matches: (f) => /ECONNREFUSED/.test(f.message) },
  { id: "HostNotFound", matches: (f) => /ENOTFOUND|getaddrinfo/.test(f.message) },
];

/** The explanation for a known error, in the current language, or undefined. */
export function explainError(error: unknown): Explanation | undefined {
  // Worked out when it happened (which port the emulator is on, which host did not resolve).
  if (error instanceof VaultUnreachableError) return { id: `${error.name}/${error.diagnosis.cause}`, ...explainUnreachable(error) };
  const facts = errorFacts(error);
  const rule = RULES.find((r) => r.matches(facts));
  if (!rule) return undefined;
  const text = t().errors.rules[rule.id];
  const meaning = typeof text.meaning === "function" ? text.meaning(rule.detail?.(facts)) : text.meaning;
  return { id: rule.id, meaning, fix: text.fix, summary: rule.summary?.(facts) };
}

/** "409 Conflict / ObjectIsDeletedButRecoverable" — the codes of an error in one line. */
export function errorCodes(error: unknown): string {
  const f = errorFacts(error);
  return [f.statusCode, f.code, f.innerCode && `/ ${f.innerCode}`].filter(Boolean).join(" ");
}
