/**
 * The deletes and recovers a vault accepted from this process, and not yet seen finished. The
 * service shows a key that is being deleted or being recovered to neither `getKey` nor
 * `getDeletedKey` (both answer 404 until the change is done, FACTS.md §3): only the process that
 * asked knows the difference between such a key and one that is gone. The clients of
 * clientOptionsFor record it here, so the tutorial's keyState can say "being deleted: wait" instead
 * of "there is no key". Tutorial scaffolding, in memory: nothing is written anywhere.
 *
 * Written for keys (`/keys/{name}`, `/deletedkeys/{name}`); the collection is the one thing
 * another object kind (secrets, certificates) changes.
 */
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

export type Transition = "being-deleted" | "being-recovered";

export const LIFECYCLE_POLICY = "kvqLifecycleRequests";

/** `${origin}/${name}` (names are case-insensitive) → the change under way. */
const underWay = new Map<string, Transition>();

const entry = (vaultUrl: string, name: string) => `${new URL(vaultUrl).origin}/${name.toLowerCase()}`;

/** The change the vault accepted for this name from this process and has not shown finished, if any. */
export const transitionOf = (vaultUrl: string, name: string): Transition | undefined => underWay.get(entry(vaultUrl, name));

/** The key was seen where it settles (live, soft-deleted, or gone for good): nothing is under way. */
export const settled = (vaultUrl: string, name: string): void => void underWay.delete(entry(vaultUrl, name));

/**
 * What each answer says about the name: a delete accepted (200 on DELETE /keys/{name}), a recover
 * accepted (200 on POST /deletedkeys/{name}/recover); a key read live or deleted, purged or created
 * again (the change is over).
 */
export function lifecycleRequestsPolicy(): PipelinePolicy {
  return {
    name: LIFECYCLE_POLICY,
    async sendRequest(request, next) {
      const response = await next(request);
      const url = new URL(request.url);
      const [collection, rawName, action] = url.pathname.split("/").filter(Boolean);
      if (!rawName || (collection !== "keys" && collection !== "deletedkeys")) return response;
      const name = decodeURIComponent(rawName);
      const key = entry(url.origin, name);
      const ok = response.status >= 200 && response.status < 300;
      if (collection === "keys" && request.method === "DELETE" && !action && ok) underWay.set(key, "being-deleted");
      else if (collection === "deletedkeys" && request.method === "POST" && action === "recover" && ok) underWay.set(key, "being-recovered");
      else if (ok) underWay.delete(key);
      return response;
    },
  };
}
