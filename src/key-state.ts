/**
 * Where a key stands — live, soft-deleted, or absent — for notebook steps that only make sense in
 * one of those states. A learner can skip or re-run cells in any order; a step that assumed the
 * previous one ran would print something false. Tutorial scaffolding, not part of Azure's API.
 */
import type { KeyClient } from "@azure/keyvault-keys";
import { isNotFound } from "./key-names";

export type KeyState = "live" | "soft-deleted" | "absent";

export async function keyState(client: KeyClient, name: string): Promise<KeyState> {
  const found = (promise: Promise<unknown>) => promise.then(() => true, (error) => (isNotFound(error) ? false : Promise.reject(error)));
  if (await found(client.getKey(name))) return "live";
  return (await found(client.getDeletedKey(name))) ? "soft-deleted" : "absent";
}
