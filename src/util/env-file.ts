/**
 * Reading and writing dotenv files without disturbing them: `upsertEnvFile` replaces the named
 * variables where they stand, appends the missing ones, and keeps every other line, comment and
 * line ending as it was.
 */
import { existsSync, readFileSync } from "node:fs";
import { writeFileAtomicSync } from "./atomic-write";

/** One `NAME=value` line; values that dotenv would misread (spaces, #, quotes) are single-quoted (literal). */
export function formatEnvLine(name: string, value: string): string {
  return `${name}=${/[\s#"'`\\]/.test(value) && !value.includes("'") ? `'${value}'` : value}`;
}

export function formatEnv(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => formatEnvLine(name, value))
    .join("\n");
}

export interface EnvFileChange {
  added: string[];
  updated: string[];
}

export function upsertEnvFile(file: string, values: Record<string, string>): EnvFileChange {
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const lines = text === "" ? [] : text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const change: EnvFileChange = { added: [], updated: [] };
  const pending = new Map(Object.entries(values));
  for (let i = 0; i < lines.length; i++) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=/.exec(lines[i]);
    if (!match || !pending.has(match[1])) continue;
    const name = match[1];
    const line = formatEnvLine(name, pending.get(name)!);
    if (lines[i] !== line) change.updated.push(name);
    lines[i] = line;
    pending.delete(name);
  }
  for (const [name, value] of pending) {
    lines.push(formatEnvLine(name, value));
    change.added.push(name);
  }
  // 0600: the file holds the managed-identity header (and, for Azure, perhaps a client secret).
  writeFileAtomicSync(file, lines.join(eol) + eol, { mode: 0o600 });
  return change;
}
