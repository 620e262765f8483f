/**
 * Paging as the service does it: `maxresults` (1-25, default 25) items a page and an absolute
 * `nextLink` that carries a `$skiptoken`. The token is the sort key of the last item sent, so a
 * page stays correct when keys are added or removed between requests.
 */
import type { VaultContext, VaultRequest } from "../context";
import { badParameter } from "../errors";

export interface PageEntry {
  sortKey: string;
  item: () => unknown;
}

export function paginate(ctx: VaultContext, req: VaultRequest, path: string, entries: PageEntry[]): { value: unknown[]; nextLink: string | null } {
  const max = parseMaxResults(req.query.get("maxresults"));
  const token = req.query.get("$skiptoken");
  let after: string | undefined;
  if (token) {
    try {
      after = Buffer.from(token, "base64url").toString("utf8");
    } catch {
      throw badParameter("The $skiptoken is not valid.");
    }
  }
  const remaining = after === undefined ? entries : entries.filter((e) => e.sortKey > after!);
  const page = remaining.slice(0, max);
  let nextLink: string | null = null;
  if (remaining.length > max) {
    // As the service writes it: api-version, $skiptoken (a literal "$"), maxresults.
    const token = Buffer.from(page[page.length - 1].sortKey, "utf8").toString("base64url");
    nextLink = `${ctx.vaultUrl}${path}?api-version=${encodeURIComponent(req.apiVersion)}&$skiptoken=${token}&maxresults=${max}`;
  }
  return { value: page.map((e) => e.item()), nextLink };
}

function parseMaxResults(text: string | null): number {
  if (text === null || text === "") return 25;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 25) throw badParameter(`Invalid maxresults ${text}: it must be between 1 and 25.`);
  return n;
}
