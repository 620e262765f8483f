/**
 * Where an object (a key, a secret, a certificate) stands, for notebook steps that only make sense in one state. A
 * learner can skip, re-run or interrupt cells in any order; a step that assumed the previous one
 * ran (or finished) would print something false. Tutorial scaffolding, not part of Azure's API.
 *
 *  - live:            its get finds it (`getKey`, `getSecret`).
 *  - soft-deleted:    its get-deleted finds it (`getDeletedKey`, `getDeletedSecret`): recoverable, its name taken.
 *  - being-deleted:   a delete the vault accepted has not finished (an interrupted "Delete the key"):
 *                     the service shows it to neither call yet, and refuses to create it again (409 ObjectIsBeingDeleted).
 *  - being-recovered: likewise for a recover.
 *  - absent:          neither, and nothing under way: never created, or purged.
 *
 * The two transitional states are known only to the process that asked for the change (through
 * clientOptionsFor's clients, lifecycle-requests.ts); elsewhere they read as absent. The kind
 * (kinds/) is told by the client.
 */
import type { KeyClient } from "@azure/keyvault-keys";
import type { SecretClient } from "@azure/keyvault-secrets";
import type { CertificateClient } from "@azure/keyvault-certificates";
import { t } from "./i18n";
import { kindOf, type KindId, type VaultObjectClient } from "./kinds/index";
import { settled, transitionOf } from "./lifecycle-requests";

export const isNotFound = (error: unknown) => (error as { statusCode?: number })?.statusCode === 404;

export type ObjectState = "live" | "being-deleted" | "soft-deleted" | "being-recovered" | "absent";
/** The name the keys quickstart has always used. */
export type KeyState = ObjectState;
export type SecretState = ObjectState;
export type CertificateState = ObjectState;

/** True when the read finds it, false on 404; any other failure is the caller's. */
export const found = (read: Promise<unknown>): Promise<boolean> => read.then(() => true, (error) => (isNotFound(error) ? false : Promise.reject(error)));

export async function objectState(client: VaultObjectClient, name: string): Promise<ObjectState> {
  const kind = kindOf(client);
  const state: ObjectState = (await found(kind.get(client, name)))
    ? "live"
    : (await found(kind.getDeleted(client, name)))
      ? "soft-deleted"
      : (transitionOf(client.vaultUrl, kind.id, name) ?? "absent");
  if (state === "live" || state === "soft-deleted") settled(client.vaultUrl, kind.id, name);
  return state;
}

/** Where a key stands (objectState, for a KeyClient). */
export const keyState: (client: KeyClient, name: string) => Promise<KeyState> = objectState;
/** Where a secret stands (objectState, for a SecretClient). */
export const secretState: (client: SecretClient, name: string) => Promise<SecretState> = objectState;
/** Where a certificate stands (objectState, for a CertificateClient). */
export const certificateState: (client: CertificateClient, name: string) => Promise<CertificateState> = objectState;

const ADVICE = { key: "keyState", secret: "secretState", certificate: "certificateState" } as const satisfies Record<KindId, string>;

/**
 * Where the object stands and what to do, in the current language, for a step that needs it
 * soft-deleted ("Try to reuse the name"): the quickstart's steps that lead to each state are named.
 */
export const objectStateAdvice = (kind: KindId, state: ObjectState, name: string): string => t()[ADVICE[kind]][state](name);
export const keyStateAdvice = (state: KeyState, name: string): string => objectStateAdvice("key", state, name);
export const secretStateAdvice = (state: SecretState, name: string): string => objectStateAdvice("secret", state, name);
export const certificateStateAdvice = (state: CertificateState, name: string): string => objectStateAdvice("certificate", state, name);
