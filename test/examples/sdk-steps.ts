/**
 * The Azure SDK steps of a piece of code, in order: the constructors of the credential and the
 * clients, every `client.method(` call, every `.pollUntilDone(`, and the vault URL built from the
 * name. What the tutorial's helpers do (kvq imports) is not an SDK step and does not appear.
 */
const PATTERNS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/\bnew (DefaultAzureCredential|KeyClient|CryptographyClient)\(/g, (m) => `new ${m[1]}`],
  [/\bclient\.(\w+)\(/g, (m) => m[1]],
  [/\.pollUntilDone\(/g, () => "pollUntilDone"],
  [/`https:\/\/\$\{[^}]*KEY_VAULT_NAME\}\.vault\.azure\.net`/g, () => "vault URL from KEY_VAULT_NAME"],
];

export function sdkSteps(code: string): string[] {
  const found: { at: number; step: string }[] = [];
  // Comments name SDK calls too; only code counts.
  const stripped = code.replace(/\/\*[\s\S]*?\*\//g, (c) => " ".repeat(c.length)).replace(/(^|\s)\/\/[^\n]*/gm, (c) => " ".repeat(c.length));
  for (const [pattern, name] of PATTERNS) {
    for (const m of stripped.matchAll(pattern)) found.push({ at: m.index!, step: name(m as RegExpExecArray) });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.step);
}
