/**
 * Making an executed notebook's outputs reproducible, so regenerated docs are byte-identical: the
 * values that differ from run to run — ports, key versions, run ids, timestamps, paths — become
 * stable ones. Relations survive: the same version (or thumbprint, or serial number) maps to the same
 * placeholder everywhere, and timestamps keep their distance in whole days (deleted + 90 days is
 * still the scheduled purge) — or in whole years, for a time that many calendar years after the
 * first (a certificate valid for 12 months ends a year after it starts, 365 days or 366).
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
/** Other random hex: SHA-1 thumbprints (40), SHA-256 fingerprints (64), upper-case serial numbers. */
const OTHER_HEX = /\b(?:[0-9a-f]{40}|[0-9a-f]{64}|(?=[0-9A-F]*[A-F])(?=[0-9A-F]*[0-9])[0-9A-F]{16,64})\b/g;
const RUN_ID = /\b\d{8}T\d{6}Z-[0-9a-f]{4}\b/g;
const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z\b/g;
const LOCAL_PORT = /\b(localhost|127\.0\.0\.1):\d{2,5}\b/g;

/** A normaliser with memory: call it on every output of one notebook, in order. */
export function createNormalizer(options: NormalizeOptions = {}): (text: string) => string {
  const versions = new Map<string, string>();
  const otherHex = new Map<string, string>();
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
    out = out.replace(OTHER_HEX, (hex) => mapped(otherHex, hex, (n) => sameShape(hex, createHash("sha512").update(`kvq-docs-hex-${n}`).digest("hex"))));
    out = out.replace(ISO_TIME, (iso) => {
      const t = Date.parse(iso);
      firstTime ??= t;
      const years = wholeYearsBetween(firstTime, t);
      if (years !== undefined) return addYears(base, years).toISOString();
      const days = Math.round((t - firstTime) / DAY_MS);
      return new Date(base + days * DAY_MS).toISOString();
    });
    return out;
  };
}

/** The stand-in cut to the original's length and case. */
const sameShape = (original: string, hex: string) => (original === original.toUpperCase() && /[A-F]/.test(original) ? hex.toUpperCase() : hex).slice(0, original.length);

const addYears = (time: number, years: number) => {
  const date = new Date(time);
  date.setUTCFullYear(date.getUTCFullYear() + years);
  return date;
};

/** The whole number of calendar years (at least one) from `from` to `to`, within a day; else undefined. */
function wholeYearsBetween(from: number, to: number): number | undefined {
  const years = Math.round((to - from) / (365.25 * DAY_MS));
  if (years < 1) return undefined;
  return Math.abs(addYears(from, years).getTime() - to) < DAY_MS / 2 ? years : undefined;
}

function mapped(map: Map<string, string>, key: string, make: (n: number) => string): string {
  let value = map.get(key);
  if (!value) map.set(key, (value = make(map.size + 1)));
  return value;
}
