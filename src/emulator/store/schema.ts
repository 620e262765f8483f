/**
 * The tables of `vault.db`. One table holds every object of every kind: a row is one record (a
 * live object with its versions, or a soft-deleted one) as JSON, under its kind, its state and its
 * name key, with a CRC-32 of all four. SQLite finds damage to its own structure (quick_check); the
 * checksum finds damage inside a record, which SQLite would hand back as if it were data.
 */
import { crc32 } from "node:zlib";
import type { StoreKind } from "../model";
import type { Statement } from "./database";
import type { RecordState } from "./kinds";

/** Marks the file as this vault's ("kvq1"), so a foreign SQLite file is not taken for one. */
export const APPLICATION_ID = 0x6b767131;
export const FORMAT = 1;

export const CREATE_SCHEMA = `
BEGIN;
CREATE TABLE objects (
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  checksum INTEGER NOT NULL,
  UNIQUE (kind, state, id)
);
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
PRAGMA application_id = ${APPLICATION_ID};
PRAGMA user_version = ${FORMAT};
COMMIT;`;

/** rowid first: a salvage reads rows by rowid when a scan cannot get past damage. */
export const SELECT_ROWS = "SELECT rowid, kind, state, id, body, checksum FROM objects";

/** A record as the store writes it: its JSON, or null when it is gone. */
export interface Row {
  kind: StoreKind;
  state: RecordState;
  id: string;
  body: string | null;
}

/** CRC-32 of `kind\nstate\nid\nbody`, the body taken on from the rest's (no copy of a long body). */
export const rowChecksum = (kind: string, state: string, id: string, body: string) => crc32(body, crc32(`${kind}\n${state}\n${id}\n`));

const UPSERT =
  "INSERT INTO objects (kind, state, id, body, checksum) VALUES (?, ?, ?, ?, ?) " +
  "ON CONFLICT (kind, state, id) DO UPDATE SET body = excluded.body, checksum = excluded.checksum";
const DELETE = "DELETE FROM objects WHERE kind = ? AND state = ? AND id = ?";

export const rowStatements = (rows: Iterable<Row>): Statement[] =>
  [...rows].map(({ kind, state, id, body }) =>
    body === null ? [DELETE, [kind, state, id]] : [UPSERT, [kind, state, id, body, rowChecksum(kind, state, id, body)]],
  );

export const setMeta = (name: string, value: string): Statement => [
  "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
  [name, value],
];
