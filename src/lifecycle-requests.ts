/**
 * The deletes and recovers a vault accepted from this process, and not yet seen finished. The
 * service shows an object (a key, a secret) that is being deleted or being recovered to neither
 * its get nor its get-deleted (both answer 404 until the change is done, FACTS.md §3): only the
 * process that asked knows the difference between such an object and one that is gone. The
 * clients of clientOptionsFor record it here, so the tutorial's objectState can say "being
 * deleted: wait" instead of "there is none". Tutorial scaffolding, in memory: nothing is written
 * anywhere. Every kind's collections are read from kinds/ (`/keys/{name}`, `/deletedsecrets/{name}`…).
 */
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { kindOfCollection, type KindId } from "./kinds/index";

export type Transition = "being-deleted" | "being-recovered";

export const LIFECYCLE_POLICY = "kvqLifecycleRequests";

/** `${origin}/${kind}/${name}` (names are case-insensitive; a key and a secret may share one) → the change under way. */
const underWay = new Map<string, Transition>();

const entry = (vaultUrl: string, kind: KindId, name: string) => `${new URL(vaultUrl).origin}/${kind}/${name.toLowerCase()}`;

/** The change the vault accepted for this object from this process and has not shown finished, if any. */
export const transitionOf = (vaultUrl: string, kind: KindId, name: string): Transition | undefined => underWay.get(entry(vaultUrl, kind, name));

/** The object was seen where it settles (live, soft-deleted, or gone for good): nothing is under way. */
export const settled = (vaultUrl: string, kind: KindId, name: string): void => void underWay.delete(entry(vaultUrl, kind, name));

/**
 * What each answer says about the name: a delete accepted (200 on DELETE /keys/{name}), a recover
 * accepted (200 on POST /deletedkeys/{name}/recover); an object read live or deleted, purged or
 * created again (the change is over). The same for every kind's collections.
 */
export function lifecycleRequestsPolicy(): PipelinePolicy {
  return {
    name: LIFECYCLE_POLICY,
    async sendRequest(request, next) {
      const response = await next(request);
      const url = new URL(request.url);
      const [collection, rawName, action] = url.pathname.split("/").filter(Boolean);
      const kind = collection === undefined ? undefined : kindOfCollection(collection);
      if (!rawName || !kind) return response;
      const name = decodeURIComponent(rawName);
      const key = entry(url.origin, kind.kind.id, name);
      const ok = response.status >= 200 && response.status < 300;
      if (!kind.deleted && request.method === "DELETE" && !action && ok) underWay.set(key, "being-deleted");
      else if (kind.deleted && request.method === "POST" && action === "recover" && ok) underWay.set(key, "being-recovered");
      else if (ok) underWay.delete(key);
      return response;
    },
  };
}
