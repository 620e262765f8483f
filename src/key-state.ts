/**
 * Where a key stands, for notebook steps that only make sense in one state. A learner can skip,
 * re-run or interrupt cells in any order; a step that assumed the previous one ran (or finished)
 * would print something false. Tutorial scaffolding, not part of Azure's API.
 *
 *  - live:            `getKey` finds it.
 *  - soft-deleted:    `getDeletedKey` finds it: recoverable, its name taken.
 *  - being-deleted:   a delete the vault accepted has not finished (an interrupted "Delete the key"):
 *                     the service shows it to neither call yet, and refuses to create it again (409 ObjectIsBeingDeleted).
 *  - being-recovered: likewise for a recover.
 *  - absent:          neither, and nothing under way: never created, or purged.
 *
 * The two transitional states are known only to the process that asked for the change (through
 * clientOptionsFor's clients, lifecycle-requests.ts); elsewhere they read as absent. Written for
 * keys; the two reads are what another object kind would change.
 */
import type { KeyClient } from "@azure/keyvault-keys";
import { t } from "./i18n";
import { settled, transitionOf } from "./lifecycle-requests";

export const isNotFound = (error: unknown) => (error as { statusCode?: number })?.statusCode === 404;

export type KeyState = "live" | "being-deleted" | "soft-deleted" | "being-recovered" | "absent";

export async function keyState(client: KeyClient, name: string): Promise<KeyState> {
  const found = (promise: Promise<unknown>) => promise.then(() => true, (error) => (isNotFound(error) ? false : Promise.reject(error)));
  const state: KeyState = (await found(client.getKey(name))) ? "live" : (await found(client.getDeletedKey(name))) ? "soft-deleted" : (transitionOf(client.vaultUrl, name) ?? "absent");
  if (state === "live" || state === "soft-deleted") settled(client.vaultUrl, name);
  return state;
}

/**
 * Where the key stands and what to do, in the current language, for a step that needs it
 * soft-deleted ("Try to reuse the name"): the quickstart's steps that lead to each state are named.
 */
export const keyStateAdvice = (state: KeyState, name: string): string => t().keyState[state](name);
