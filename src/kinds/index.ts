/**
 * The object kinds the tutorial knows, and which one a client is. A kind is one file here and one
 * entry below; the scaffolding that uses kinds does not change.
 */
import type { KindId, ObjectKind, VaultObjectClient } from "./kind";
import { keyKind } from "./key";
import { secretKind } from "./secret";
import { certificateKind } from "./certificate";

export type { DeletedFacts, KindId, LiveFacts, ObjectKind, VaultObjectClient } from "./kind";
export { certificateKind, keyKind, secretKind };

export const KINDS: readonly ObjectKind[] = [keyKind as ObjectKind, secretKind as ObjectKind, certificateKind as ObjectKind];

export const kindById = (id: KindId): ObjectKind => KINDS.find((k) => k.id === id)!;

/** The kind of a client the notebook made (a KeyClient, a SecretClient, a CertificateClient). */
export function kindOf(client: VaultObjectClient): ObjectKind {
  const kind = KINDS.find((k) => k.owns(client));
  if (!kind) throw new TypeError("Not a Key Vault client the tutorial knows: pass a KeyClient, a SecretClient or a CertificateClient.");
  return kind;
}

/** The kind whose URL collection (or deleted collection) a request path starts with. */
export const kindOfCollection = (collection: string): { kind: ObjectKind; deleted: boolean } | undefined => {
  for (const kind of KINDS) {
    if (kind.collection === collection) return { kind, deleted: false };
    if (kind.deletedCollection === collection) return { kind, deleted: true };
  }
  return undefined;
};
