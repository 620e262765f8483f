/**
 * One recorded answer against the emulator's answer to the same request, field by field, with the
 * rules a faithful comparison needs and nothing looser:
 * - the vault's URL is the service's or the emulator's, and object versions are each vault's own:
 *   ids are compared by collection and name, versions by a one-to-one map kept over the recording;
 * - values the vault generates (key material, signatures, blobs: kinds.ts) by shape and length;
 * - timestamps by their relations within one object (equal stays equal, a retention of 7 days stays
 *   7 days; seconds of recording time are timing, and only their direction counts);
 * - headers by value, except those that carry a request's identity (by presence or shape);
 * - everything else exactly, with missing and extra fields named.
 * A value the replay sent in a request (an imported key's exponent, an expiry the client chose) is an
 * input, never "generated": it is compared exactly.
 */
import type { ObjectKind, Shape } from "./kinds";

export interface Difference {
  /** What differs: "status", "header content-type", "body.attributes.key_size" … */
  where: string;
  recorded: unknown;
  actual: unknown;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** What the comparisons of one recording share: maps of the recording's generated values to the emulator's. */
export class ReplayState {
  /** Recorded version → the emulator's, and back (one-to-one). */
  readonly versions = new Map<string, string>();
  private readonly versionsBack = new Map<string, string>();
  /** Recorded generated value (a signature, a blob) → the emulator's, to send in later requests. */
  readonly values = new Map<string, string>();
  /** Strings and numbers the replay sent in request bodies: inputs, compared exactly. */
  readonly inputs = new Set<string>();

  constructor(
    readonly kind: ObjectKind,
    readonly emulatorUrl: string,
  ) {}

  mapVersion(recorded: string, actual: string): boolean {
    const known = this.versions.get(recorded);
    if (known !== undefined) return known === actual;
    if (this.versionsBack.has(actual)) return false;
    this.versions.set(recorded, actual);
    this.versionsBack.set(actual, recorded);
    return true;
  }

  noteInputs(body: unknown): void {
    if (typeof body === "string" || typeof body === "number") this.inputs.add(String(body));
    else if (body && typeof body === "object") for (const v of Object.values(body)) this.noteInputs(v);
  }
}

const RECORDED_VAULT = /https:\/\/(?:keyvault_name|Sanitized)\.vault\.azure\.net(?::443)?/gi;

/** Both vaults' URLs as one placeholder, wherever they are, so that ids, links and messages compare by what follows. */
export function normalizeVaultUrl(text: string, emulatorUrl: string): string {
  return text.replace(RECORDED_VAULT, "{vault}").replaceAll(emulatorUrl, "{vault}");
}

/** Versions quoted in free text (an error message naming a key id) as the emulator's. */
const withMappedVersions = (text: string, state: ReplayState) =>
  text.replace(/(\{vault\}\/[a-z]+\/[^/\s']+\/)([0-9a-f]{32})/gi, (_m, prefix: string, v: string) => `${prefix}${state.versions.get(v) ?? v}`);

const SHAPES: Record<Shape, RegExp> = { base64url: /^[A-Za-z0-9_-]*$/, base64: /^[A-Za-z0-9+/]*={0,2}$/, hex32: /^[0-9a-f]{32}$/ };
/** A recorded value the fixture elides (a backup blob): "elided:base64url:10032". */
const ELIDED = /^elided:(base64url):(\d+)$/;

/** Headers that name one request, not the service's behaviour: compared by presence or shape. */
const HEADER_RULES: Record<string, (recorded: string, actual: string, sentRequestId: string) => boolean> = {
  date: () => true,
  "content-length": () => true,
  "x-ms-request-id": (_r, a) => a.length > 0,
  // The service echoes the client's request id (the recording sanitized it).
  "x-ms-client-request-id": (_r, a, sent) => a === sent,
  "x-ms-keyvault-network-info": (_r, a) => /^conn_type=Ipv[46];addr=[^;]+;act_addr_fam=InterNetwork(V6)?;$/.test(a),
  "x-ms-keyvault-rbac-assignment-id": (_r, a) => /^[0-9a-f]{32}$/.test(a),
  // A pending certificate's operation: the same path and api-version on each vault, the request id its own.
  location: (r, a) => locationForm(r) === locationForm(a),
};

const locationForm = (url: string) => url.replace(/^https:\/\/[^/]+/, "{vault}").replace(/(request_id=)[0-9a-f]{32}/, "$1{id}");
/** Headers of the connection, not of the answer. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding"]);
const TENANT = /login\.microsoftonline\.com\/[0-9a-f-]{36}/i;

export function compareHeaders(recorded: Record<string, string>, actual: Record<string, string>, sentRequestId: string): Difference[] {
  const differences: Difference[] = [];
  const rec = lowerKeys(recorded);
  const act = lowerKeys(actual);
  for (const [name, value] of Object.entries(rec)) {
    const got = act[name];
    if (got === undefined) {
      differences.push({ where: `header ${name}`, recorded: value, actual: undefined });
      continue;
    }
    const rule = HEADER_RULES[name];
    const same = rule ? rule(value, got, sentRequestId) : value.replace(TENANT, "login.microsoftonline.com/{tenant}") === got.replace(TENANT, "login.microsoftonline.com/{tenant}");
    if (!same) differences.push({ where: `header ${name}`, recorded: value, actual: got });
  }
  for (const [name, value] of Object.entries(act)) {
    if (rec[name] === undefined && !HOP_BY_HOP.has(name)) differences.push({ where: `header ${name}`, recorded: undefined, actual: value });
  }
  return differences;
}

const lowerKeys = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));

/** The generated-field rule for a body path in the answer to `request` ("METHOD /path"), if any. */
function generatedRule(kind: ObjectKind, path: string, request: string) {
  return kind.generated.find((g) => g.path === path && (g.request === undefined || templateRegex(g.request).test(request)));
}

/** "GET /keys/{name}/" → a regex over "METHOD /path" (no query): group 1 the name; {version} any one segment. */
export function templateRegex(template: string): RegExp {
  const escape = (part: string) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = template
    .split("{name}")
    .map((part) => part.split("{version}").map(escape).join("[^/]+"))
    .join("([^/]*)");
  return new RegExp(`^${pattern}$`, "i");
}

export function compareBodies(recorded: unknown, actual: unknown, state: ReplayState, request: string): Difference[] {
  const differences: Difference[] = [];
  walk(recorded, actual, "", state, request, differences);
  return differences;
}

function walk(rec: unknown, act: unknown, path: string, state: ReplayState, request: string, out: Difference[]): void {
  const where = path === "" ? "body" : `body.${path}`;
  if (isObject(rec) && isObject(act)) {
    compareTimestamps(rec, act, path, state, out);
    for (const key of Object.keys(rec)) {
      if (state.kind.timestamps.includes(key) && key in act) continue;
      if (!(key in act)) out.push({ where: join(where, key), recorded: rec[key], actual: undefined });
      else walk(rec[key], act[key], join(path, key), state, request, out);
    }
    for (const key of Object.keys(act)) if (!(key in rec)) out.push({ where: join(where, key), recorded: undefined, actual: act[key] });
    return;
  }
  if (Array.isArray(rec) && Array.isArray(act)) {
    if (rec.length !== act.length) out.push({ where: `${where}.length`, recorded: rec.length, actual: act.length });
    for (let i = 0; i < Math.min(rec.length, act.length); i++) walk(rec[i], act[i], `${path}[${i}]`, state, request, out);
    return;
  }
  if (typeof rec === "string" && typeof act === "string") {
    if (!sameString(rec, act, path.replace(/\[\d+\]/g, ""), state, request)) out.push({ where, recorded: rec, actual: act });
    return;
  }
  if (rec !== act) out.push({ where, recorded: rec, actual: act });
}

function sameString(rec: string, act: string, path: string, state: ReplayState, request: string): boolean {
  const r = normalizeVaultUrl(rec, state.emulatorUrl);
  const a = normalizeVaultUrl(act, state.emulatorUrl);
  if (r.startsWith("{vault}/") && a.startsWith("{vault}/")) return sameVaultLink(r, a, state);
  const rule = generatedRule(state.kind, path, request);
  if (rule && !state.inputs.has(rec)) {
    const elided = ELIDED.exec(rec);
    const length = elided ? Number(elided[2]) : rec.length;
    const ok = SHAPES[rule.shape].test(act) && (!rule.compareLength || length === act.length);
    if (ok) state.values.set(rec, act);
    return ok;
  }
  return withMappedVersions(r, state) === a;
}

/**
 * `{vault}/keys/{name}/{version}`, `{vault}/deletedkeys/{name}`, a list's nextLink: the same
 * collection and name, a version the recording's map pairs with this one, and a $skiptoken where
 * the recording has one (each vault's tokens are its own).
 */
function sameVaultLink(rec: string, act: string, state: ReplayState): boolean {
  const [recPath, recQuery = ""] = rec.split("?");
  const [actPath, actQuery = ""] = act.split("?");
  if (recQuery || actQuery) {
    const token = (q: string) => q.replace(/(\$skiptoken=)[^&]*/, "$1{token}");
    if (token(recQuery) !== token(actQuery)) return false;
  }
  const recParts = recPath.split("/");
  const actParts = actPath.split("/");
  if (recParts.length !== actParts.length) return false;
  for (let i = 0; i < recParts.length; i++) {
    const isVersion = i === 3 && state.kind.collections.includes(recParts[1]);
    if (isVersion && /^[0-9a-f]{32}$/.test(recParts[i])) {
      if (!/^[0-9a-f]{32}$/.test(actParts[i]) || !state.mapVersion(recParts[i], actParts[i])) return false;
    } else if (recParts[i] !== actParts[i]) return false;
  }
  return true;
}

/**
 * Timestamps within one object: a value the client sent is compared exactly; the vault's own are
 * compared by their differences from one another: one of seconds (recording time) by direction only,
 * one of an hour or more (a retention, a rotation's expiry, a validity) exactly but for the seconds of
 * recording time the object shows on either vault (a certificate's exp is its created + 365 days, and
 * its updated a second after created on the service, the same second here).
 */
function compareTimestamps(rec: Record<string, unknown>, act: Record<string, unknown>, path: string, state: ReplayState, out: Difference[]): void {
  const fields = state.kind.timestamps.filter((f) => typeof rec[f] === "number" && typeof act[f] === "number");
  const generated: string[] = [];
  for (const f of fields) {
    const where = `body.${join(path, f)}`;
    if (state.inputs.has(String(rec[f]))) {
      if (rec[f] !== act[f]) out.push({ where, recorded: rec[f], actual: act[f] });
    } else generated.push(f);
  }
  for (const f of state.kind.timestamps) {
    if (f in rec && f in act && !fields.includes(f) && rec[f] !== act[f]) out.push({ where: `body.${join(path, f)}`, recorded: rec[f], actual: act[f] });
  }
  const pairs: [string, number, number][] = [];
  for (let i = 0; i < generated.length; i++) {
    for (let j = i + 1; j < generated.length; j++) {
      const [a, b] = [generated[i], generated[j]];
      pairs.push([`${a}-${b}`, (rec[a] as number) - (rec[b] as number), (act[a] as number) - (act[b] as number)]);
    }
  }
  const short = (d: number) => Math.abs(d) < 3600;
  const slack = Math.max(0, ...pairs.flatMap(([, dRec, dAct]) => [short(dRec) ? Math.abs(dRec) : 0, short(dAct) ? Math.abs(dAct) : 0]));
  for (const [name, dRec, dAct] of pairs) {
    const ok = short(dRec) ? short(dAct) && (dRec === 0 || Math.sign(dAct) !== -Math.sign(dRec)) : Math.abs(dAct - dRec) <= slack;
    if (!ok) out.push({ where: `body.${join(path, name)}`, recorded: dRec, actual: dAct });
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const join = (a: string, b: string) => (a === "" || a === "body" ? (a === "body" ? `body.${b}` : b) : `${a}.${b}`);
