/**
 * Which values are secret, and replacing them wherever text leaves the process: the executed
 * notebook, generated docs, logs. Client secrets, passwords, the identity header, tokens and
 * private keys in PEM never appear.
 */
export const SECRET_VARIABLES = [
  "AZURE_CLIENT_SECRET",
  "AZURE_CLIENT_CERTIFICATE_PASSWORD",
  "AZURE_PASSWORD",
  "IDENTITY_HEADER",
  "MSI_SECRET",
  "AZURE_FEDERATED_TOKEN",
] as const;

const MIN_SECRET_LENGTH = 6; // shorter values would redact ordinary words

/** The values of the secret variables that are set (long enough to redact safely). */
export function secretValues(env: Record<string, string | undefined> = process.env, extra: string[] = []): string[] {
  const values = [...SECRET_VARIABLES.map((name) => env[name]), ...extra].filter((v): v is string => !!v && v.length >= MIN_SECRET_LENGTH);
  // Longest first, so a secret that contains another is replaced whole.
  return [...new Set(values)].sort((a, b) => b.length - a.length);
}

/** JWTs (three base64url parts starting with eyJ) are access tokens: never shown. */
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g;
/** The credential of an Authorization header (`Bearer …`, `Basic …`), whatever its format. */
const AUTHORIZATION = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/-]{12,}=*/gi;
/** The identity header (or variable) printed with its name, when its value is not known here. */
const IDENTITY_HEADER = /\b(x-identity-header|identity_header|msi_secret)(["']?\s*[:=]\s*["']?)[^\s"',;[]{6,}/gi;

/**
 * A private key in PEM (PKCS#8, PKCS#1, EC, encrypted), as a certificate's secret holds it: a cell
 * that prints the secret's value shows it live, and nothing kvq saves keeps it. An unfinished one
 * (a cut-off output) is redacted to its end.
 */
const PRIVATE_KEY_PEM = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;

export function redact(text: string, secrets: string[] = secretValues()): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("[redacted]");
  return out.replace(PRIVATE_KEY_PEM, "[redacted private key]").replace(JWT, "[redacted token]").replace(AUTHORIZATION, "$1 [redacted token]").replace(IDENTITY_HEADER, "$1$2[redacted]");
}
