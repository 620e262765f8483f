/**
 * Making an executed notebook's outputs reproducible, so regenerated docs are byte-identical: the
 * values that differ from run to run — ports, key versions, run ids, timestamps, paths — become
 * stable ones. Relations survive: the same version maps to the same placeholder everywhere, and
 * timestamps keep their distance in whole days (deleted + 90 days is still the scheduled purge).
 */
import { createHash } from "node:crypto";
import { DOCS_DATE } from "../object-names";

export interface NormalizeOptions {
  /** Absolute paths to show as "<project>" (the repository root) and similar. */
  paths?: Record<string, string>;
  /** The stand-in for the first timestamp seen. Default DOCS_DATE (object-names.ts): 2026-01-12T09:00:00Z. */
  baseTime?: Date;
}

const DAY_MS = 86_400_000;
const VERSION = /\b[0-9a-f]{32}\b/g;
const RUN_ID = /\b\d{8}T\d{6}Z-[0-9a-f]{4}\b/g;
const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z\b/g;
const LOCAL_PORT = /\b(localhost|127\.0\.0\.1):\d{2,5}\b/g;

/** A normaliser with memory: call it on every output of one notebook, in order. */
export function createNormalizer(options: NormalizeOptions = {}): (text: string) => string {
  const versions = new Map<string, string>();
  const runIds = new Map<string, string>();
  const base = (options.baseTime ?? DOCS_DATE).getTime();
  const runIdStamp = new Date(base).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  let firstTime: number | undefined;
  const paths = Object.entries(options.paths ?? {}).sort((a, b) => b[1].length - a[1].length);

  return (text) => {
    let out = text;
    for (const [label, dir] of paths) out = out.split(dir).join(label);
    out = out.replace(LOCAL_PORT, (_, host: string) => `${host}:47443`);
    out = out.replace(RUN_ID, (id) => mapped(runIds, id, (n) => `${runIdStamp}-${String(n).padStart(4, "0")}`));
    out = out.replace(VERSION, (v) => mapped(versions, v, (n) => createHash("sha256").update(`kvq-docs-version-${n}`).digest("hex").slice(0, 32)));
    out = out.replace(ISO_TIME, (iso) => {
      const t = Date.parse(iso);
      firstTime ??= t;
      const days = Math.round((t - firstTime) / DAY_MS);
      return new Date(base + days * DAY_MS).toISOString();
    });
    return out;
  };
}

function mapped(map: Map<string, string>, key: string, make: (n: number) => string): string {
  let value = map.get(key);
  if (!value) map.set(key, (value = make(map.size + 1)));
  return value;
}
