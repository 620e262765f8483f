/**
 * The operations every object kind has, written once with the kind as a parameter: list the objects
 * and one object's versions, delete, and read, list, recover and purge the soft-deleted ones. Each
 * kind's routes (routes.ts) bind these to its paths; what a kind answers is its own (ANSWERS).
 */
import { ok, type Operation } from "../context";
import { findDeleted, isBeingRecovered, listed, listedDeleted, purge, recover, softDelete } from "../lifecycle";
import { nameKey, type DeletedOf, type LiveOf, type ObjectKind, type VersionOf } from "../model";
import { checkName } from "../validate";
import type { WireMapper } from "../wire";
import { paginate } from "./paging";

/** How a kind's records are answered on the wire (wire.ts has the shapes). */
export interface KindAnswers<K extends ObjectKind> {
  bundle(wire: WireMapper, object: LiveOf<K>, version?: VersionOf<K>): unknown;
  item(wire: WireMapper, object: LiveOf<K>, version?: VersionOf<K>, withVersion?: boolean): unknown;
  deletedBundle(wire: WireMapper, deleted: DeletedOf<K>): unknown;
  deletedItem(wire: WireMapper, deleted: DeletedOf<K>): unknown;
  /** A recover's answer: a key's bundle; a secret's without its value (recorded: keyvault-secrets). */
  recovered(wire: WireMapper, object: LiveOf<K>): unknown;
}

export const ANSWERS: { [K in ObjectKind]: KindAnswers<K> } = {
  keys: {
    bundle: (wire, key, version) => wire.keyBundle(key, version),
    item: (wire, key, version, withVersion) => wire.keyItem(key, version, withVersion),
    deletedBundle: (wire, deleted) => wire.deletedKeyBundle(deleted),
    deletedItem: (wire, deleted) => wire.deletedKeyItem(deleted),
    recovered: (wire, key) => wire.keyBundle(key),
  },
  secrets: {
    bundle: (wire, secret, version) => wire.secretBundle(secret, version),
    item: (wire, secret, version, withVersion) => wire.secretItem(secret, version, withVersion),
    deletedBundle: (wire, deleted) => wire.deletedSecretBundle(deleted),
    deletedItem: (wire, deleted) => wire.deletedSecretItem(deleted),
    recovered: (wire, secret) => wire.secretBundle(secret, undefined, { withValue: false }),
  },
  certificates: {
    bundle: (wire, certificate, version) => wire.certificateBundle(certificate, version),
    item: (wire, certificate, version, withVersion) => wire.certificateItem(certificate, version, withVersion),
    deletedBundle: (wire, deleted) => wire.deletedCertificateBundle(deleted),
    deletedItem: (wire, deleted) => wire.deletedCertificateItem(deleted),
    recovered: (wire, certificate) => wire.certificateBundle(certificate),
  },
};

export interface ObjectOperations {
  list: Operation;
  listVersions: Operation;
  remove: Operation;
  listDeleted: Operation;
  getDeleted: Operation;
  recoverDeleted: Operation;
  purgeDeleted: Operation;
}

export function objectOperations<K extends ObjectKind>(kind: K): ObjectOperations {
  const answers = ANSWERS[kind] as KindAnswers<K>;
  return {
    list: (ctx, req) =>
      ok(paginate(ctx, req, `/${kind}`, listed(ctx, kind).map((o) => ({ sortKey: nameKey(o.name), item: () => answers.item(ctx.wire, o) })))),

    listVersions: (ctx, req) => {
      const name = checkName(kind, req.params.name);
      // A name that does not exist has no versions: the service answers an empty list, not 404 (FACTS.md §8).
      const object = ctx.store.of(kind).live.get(name) as LiveOf<K> | undefined;
      if (!object || isBeingRecovered(ctx, object)) return ok({ value: [], nextLink: null });
      const entries = (object.versions as VersionOf<K>[]).map((v, index) => ({
        sortKey: String(index).padStart(8, "0"),
        item: () => answers.item(ctx.wire, object, v, true),
      }));
      return ok(paginate(ctx, req, `/${kind}/${object.name}/versions`, entries));
    },

    remove: (ctx, req) => ok(answers.deletedBundle(ctx.wire, softDelete(ctx, kind, checkName(kind, req.params.name)))),

    listDeleted: (ctx, req) =>
      ok(
        paginate(
          ctx,
          req,
          `/deleted${kind}`,
          listedDeleted(ctx, kind).map(({ deleted, object }) => ({ sortKey: nameKey(object.name), item: () => answers.deletedItem(ctx.wire, deleted) })),
        ),
      ),

    getDeleted: (ctx, req) => ok(answers.deletedBundle(ctx.wire, findDeleted(ctx, kind, checkName(kind, req.params.name)))),

    recoverDeleted: (ctx, req) => ok(answers.recovered(ctx.wire, recover(ctx, kind, checkName(kind, req.params.name)))),

    purgeDeleted: (ctx, req) => {
      purge(ctx, kind, checkName(kind, req.params.name));
      return { status: 204 };
    },
  };
}

