/**
 * Replays a recording of the real service against a vault (the emulator) and compares every answer.
 *
 * Each recorded request is sent as the SDK sent it (the vault's URL, a token where the recording had
 * one, the recorded body), with the values the service generated earlier in the recording replaced by
 * the emulator's own (versions in URIs, a signature sent back to verify, a backup blob sent back to
 * restore: compare.ts keeps the maps). Three things a client does are replayed as the client does
 * them rather than request by request:
 * - polls and retries (kinds.ts): repeated while the vault answers "not yet", however often either
 *   vault said so; the answers in between are compared with the recorded ones when both vaults gave one;
 * - list pages: the emulator's nextLinks are followed, and the items of all pages are compared, the
 *   items of objects other tests left in the shared recorded vault set aside on both sides;
 * - the challenge: a request recorded without a token is sent without one.
 */
import { randomUUID } from "node:crypto";
import { Agent, request as httpsRequest } from "node:https";
import { compareBodies, compareHeaders, normalizeVaultUrl, ReplayState, templateRegex, type Answer, type Difference } from "./compare";
import { isPending, type ObjectKind, type PollRule } from "./kinds";
import type { RecordedEntry, Recording } from "./recording";

export interface ReplayTarget {
  url: string;
  ca: string;
  token(): Promise<string>;
}

export interface EntryOutcome {
  index: number;
  /** "METHOD /path?query" as recorded, for reports. */
  request: string;
  /** compared: the emulator answered this recorded exchange; collapsed: a poll or page the emulator did not need. */
  outcome: "compared" | "collapsed";
  differences: Difference[];
}

export interface RecordingResult {
  name: string;
  entries: EntryOutcome[];
}

const RECORDED_HOST = /^https:\/\/(?:Sanitized|keyvault_name)\.vault\.azure\.net(?::443)?/i;
const POLL_INTERVAL_MS = 20;
const POLL_LIMIT = 500;

export async function replayRecording(recording: Recording, target: ReplayTarget, kind: ObjectKind): Promise<RecordingResult> {
  const agent = new Agent({ keepAlive: true, ca: target.ca, maxSockets: 1 });
  const state = new ReplayState(kind, target.url);
  const own = ownNames(recording, kind);
  const armed = new Map<PollRule, Set<string>>();
  const outcomes: EntryOutcome[] = [];
  const token = await target.token();
  const entries = recording.entries;
  // The emulator's latest answer naming each object ("/keys/{name}/{version}"), for requests the client computes.
  const latest = new Map<string, Record<string, unknown>>();
  const send = async (method: string, url: string, entry: RecordedEntry) => {
    const answer = await sendRequest(agent, method, url, entry, state, token);
    const id = valueAt(answer.body, kind.idField);
    if (typeof id === "string") latest.set(objectPath(id, state), answer.body as Record<string, unknown>);
    return answer;
  };
  try {
    for (let i = 0; i < entries.length; ) {
      const entry = entries[i];
      const line = requestLine(entry);
      const group = listGroup(entries, i, kind);
      if (group > 1 || isList(line, kind)) {
        outcomes.push(...(await replayList(entries.slice(i, i + group), i, send, state, own)));
        i += group;
        continue;
      }
      const poll = kind.polls.find((rule) => isPollOf(rule, line, armed));
      if (poll) {
        const run = pollRun(entries, i, poll);
        outcomes.push(...(await replayPoll(entries.slice(i, i + run), i, poll, send, state)));
        disarm(armed, poll, line);
        i += run;
        continue;
      }
      const url = targetUrl(entry.RequestUri, target.url, state);
      const answer = await send(entry.RequestMethod, url, clientMade(entry, url, kind, state, latest) ?? entry);
      outcomes.push({ index: i, request: shortUri(entry), outcome: "compared", differences: compareAnswer(entry, answer, state) });
      arm(armed, kind, line);
      i++;
    }
  } finally {
    agent.destroy();
  }
  return { name: recording.name, entries: outcomes };
}

type Send = (method: string, url: string, entry: RecordedEntry) => Promise<Answer & { requestId: string }>;

function compareAnswer(entry: RecordedEntry, answer: Answer & { requestId: string }, state: ReplayState): Difference[] {
  const differences: Difference[] = [];
  if (answer.status !== entry.StatusCode) differences.push({ where: "status", recorded: entry.StatusCode, actual: answer.status });
  differences.push(...compareHeaders(entry.ResponseHeaders, answer.headers, answer.requestId));
  differences.push(...compareBodies(entry.ResponseBody, answer.body, state, requestLine(entry)));
  return differences;
}

/** Repeats the request while the emulator answers "pending", as the client does; compares the answers in between and the last. */
async function replayPoll(run: RecordedEntry[], start: number, rule: PollRule, send: Send, state: ReplayState): Promise<EntryOutcome[]> {
  const last = run[run.length - 1];
  const recordedPending = run.filter((e) => isPending(rule, e.StatusCode, e.ResponseBody) && e !== last);
  const url = targetUrl(run[0].RequestUri, state.emulatorUrl, state);
  let pendingDifferences: Difference[] | undefined;
  let answer = await send(run[0].RequestMethod, url, run[0]);
  for (let tries = 0; isPending(rule, answer.status, answer.body) && !isPending(rule, last.StatusCode, last.ResponseBody) && tries < POLL_LIMIT; tries++) {
    if (recordedPending.length > 0 && pendingDifferences === undefined) pendingDifferences = compareAnswer(recordedPending[0], answer, state);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    answer = await send(run[0].RequestMethod, url, run[0]);
  }
  return run.map((entry, k) => {
    const base = { index: start + k, request: shortUri(entry) };
    if (entry === last) return { ...base, outcome: "compared" as const, differences: compareAnswer(entry, answer, state) };
    return pendingDifferences ? { ...base, outcome: "compared" as const, differences: pendingDifferences } : { ...base, outcome: "collapsed" as const, differences: [] };
  });
}

/** A list and its recorded next pages: the emulator's pages followed to the end, all items compared at once. */
async function replayList(pages: RecordedEntry[], start: number, send: Send, state: ReplayState, own: Set<string>): Promise<EntryOutcome[]> {
  const first = await send(pages[0].RequestMethod, targetUrl(pages[0].RequestUri, state.emulatorUrl, state), pages[0]);
  const answers = [first];
  for (let next = nextLinkOf(first); next && answers.length < 50; next = nextLinkOf(answers[answers.length - 1])) {
    answers.push(await send("GET", next, pages[0]));
  }
  const differences = compareHeaders(pages[0].ResponseHeaders, first.headers, first.requestId);
  if (first.status !== pages[0].StatusCode) differences.push({ where: "status", recorded: pages[0].StatusCode, actual: first.status });
  const items = (bodies: unknown[]) => bodies.flatMap((b) => ((b as { value?: unknown[] })?.value ?? []).filter((item) => own.has(itemName(item, state))));
  differences.push(...compareBodies({ value: items(pages.map((p) => p.ResponseBody)) }, { value: items(answers.map((a) => a.body)) }, state, requestLine(pages[0])));
  // A nextLink where both vaults gave one has the service's form (each vault cuts its pages where it will).
  pages.forEach((page, p) => {
    const recorded = (page.ResponseBody as { nextLink?: string | null })?.nextLink;
    const actual = answers[p] ? nextLinkOf(answers[p]) : undefined;
    if (recorded && actual) differences.push(...compareBodies({ nextLink: recorded }, { nextLink: actual }, state, requestLine(page)));
    if (p === pages.length - 1 && !recorded && answers.length > pages.length) differences.push({ where: "body.nextLink", recorded: null, actual });
  });
  return pages.map((page, p) => ({
    index: start + p,
    request: shortUri(page),
    outcome: p === 0 || p < answers.length ? ("compared" as const) : ("collapsed" as const),
    differences: p === 0 ? differences : [],
  }));
}

async function sendRequest(agent: Agent, method: string, url: string, entry: RecordedEntry, state: ReplayState, token: string): Promise<Answer & { requestId: string }> {
  const requestId = randomUUID();
  const headers: Record<string, string> = { accept: "application/json", "x-ms-client-request-id": requestId };
  const recordedHeaders = Object.fromEntries(Object.entries(entry.RequestHeaders).map(([k, v]) => [k.toLowerCase(), v]));
  if (recordedHeaders["content-type"]) headers["content-type"] = recordedHeaders["content-type"];
  if (recordedHeaders.authorization) headers.authorization = `Bearer ${token}`;
  state.noteInputs(entry.RequestBody);
  const body = entry.RequestBody === null || entry.RequestBody === undefined ? "" : JSON.stringify(substitute(entry.RequestBody, state.values));
  headers["content-length"] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const responseHeaders = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : String(v)]));
        let parsed: unknown = null;
        if (text !== "") {
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = text;
          }
        }
        resolve({ status: res.statusCode ?? 0, headers: responseHeaders, body: parsed, requestId });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The recorded URI on the emulator, with the recording's versions and list tokens replaced by the emulator's. */
function targetUrl(recordedUri: string, emulatorUrl: string, state: ReplayState): string {
  const [path, query] = recordedUri.replace(RECORDED_HOST, "").split("?");
  const segments = path.split("/").map((s) => state.versions.get(s) ?? s);
  return `${emulatorUrl}${segments.join("/")}${query ? `?${query}` : ""}`;
}

/**
 * The entry with the body the client would have computed against the emulator (kinds.ts, `client`),
 * or undefined where the client sent what the vault gave it (substituted as usual) or nothing.
 */
function clientMade(entry: RecordedEntry, url: string, kind: ObjectKind, state: ReplayState, latest: Map<string, Record<string, unknown>>): RecordedEntry | undefined {
  const line = requestLine(entry);
  const rule = kind.client.find((r) => templateRegex(r.request).test(line));
  const body = entry.RequestBody as Record<string, unknown> | null;
  const value = body?.[rule?.field ?? ""];
  if (!rule || typeof value !== "string" || state.values.has(value)) return undefined;
  const object = latest.get(objectPath(url.split("?")[0].split("/").slice(0, -1).join("/"), state));
  if (!object) return undefined;
  const { body: remade, knew } = rule.remake(body!, entry.ResponseBody as Record<string, unknown>, object);
  for (const v of knew) state.inputs.add(v);
  return { ...entry, RequestBody: remade };
}

/** An object's id or URL as "/keys/{name}/{version}", lower case, whichever vault's. */
const objectPath = (id: string, state: ReplayState) => normalizeVaultUrl(id, state.emulatorUrl).replace("{vault}", "").toLowerCase();

const valueAt = (body: unknown, dotted: string): unknown =>
  dotted.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), body);

/** Replaces every string the recording's service generated (a signature, a blob) with the emulator's. */
function substitute(value: unknown, values: Map<string, string>): unknown {
  if (typeof value === "string") return values.get(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => substitute(v, values));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, values)]));
  return value;
}

/** "METHOD /path" without host or query, as kinds.ts's templates are written. */
function requestLine(entry: RecordedEntry): string {
  return `${entry.RequestMethod} ${entry.RequestUri.replace(RECORDED_HOST, "").split("?")[0]}`;
}

const shortUri = (entry: RecordedEntry) => `${entry.RequestMethod} ${entry.RequestUri.replace(RECORDED_HOST, "")}`;

/** A list: GET /{collection} or GET /{collection}/{name}/versions. */
const isList = (line: string, kind: ObjectKind) =>
  kind.collections.some((c) => new RegExp(`^GET /${c}(/[^/]+/versions)?$`, "i").test(line));

/** How many entries from `i` are one list and its next pages. */
function listGroup(entries: RecordedEntry[], i: number, kind: ObjectKind): number {
  if (!isList(requestLine(entries[i]), kind) || entries[i].RequestUri.includes("$skiptoken")) return 1;
  let n = 1;
  while (i + n < entries.length && requestLine(entries[i + n]) === requestLine(entries[i]) && entries[i + n].RequestUri.includes("$skiptoken")) n++;
  return n;
}

function nextLinkOf(answer: Answer): string | undefined {
  const link = (answer.body as { nextLink?: string | null } | null)?.nextLink;
  return typeof link === "string" && link !== "" ? link : undefined;
}

/** The names the recording's requests use: list items of other names belong to other tests. */
function ownNames(recording: Recording, kind: ObjectKind): Set<string> {
  const names = new Set<string>();
  for (const e of recording.entries) {
    const name = objectName(e.RequestUri.replace(RECORDED_HOST, "").split("?")[0].split("/").slice(1), kind);
    if (name) names.add(name);
  }
  return names;
}

/** A list item's object name, from the field the kind names its objects by (a key's item: its kid). */
function itemName(item: unknown, state: ReplayState): string {
  const fields = [state.kind.idField.split(".").pop()!, "id", "recoveryId"];
  const id = fields.map((f) => (item as Record<string, unknown>)?.[f]).find((v): v is string => typeof v === "string") ?? "";
  return objectName(normalizeVaultUrl(id, state.emulatorUrl).split("/").slice(1), state.kind) ?? "";
}

/** The object a path's segments name: the one after the longest of the kind's collections they start with. */
function objectName(segments: string[], kind: ObjectKind): string | undefined {
  const fits = kind.collections.map((c) => c.split("/")).filter((c) => c.every((part, i) => segments[i]?.toLowerCase() === part));
  const longest = fits.sort((a, b) => b.length - a.length)[0];
  const name = longest && segments[longest.length];
  return name ? name.toLowerCase() : undefined;
}

function arm(armed: Map<PollRule, Set<string>>, kind: ObjectKind, line: string): void {
  for (const rule of kind.polls) {
    const match = templateRegex(rule.after).exec(line);
    if (!match) continue;
    const names = armed.get(rule) ?? new Set<string>();
    names.add((match[1] ?? "").toLowerCase());
    armed.set(rule, names);
  }
}

function isPollOf(rule: PollRule, line: string, armed: Map<PollRule, Set<string>>): boolean {
  const names = armed.get(rule);
  const match = templateRegex(rule.request).exec(line);
  if (!names || !match) return false;
  return match[1] === undefined ? names.size > 0 : names.has(match[1].toLowerCase());
}

function disarm(armed: Map<PollRule, Set<string>>, rule: PollRule, line: string): void {
  const match = templateRegex(rule.request).exec(line);
  const names = armed.get(rule);
  if (!names) return;
  if (match?.[1] === undefined) names.clear();
  else names.delete(match[1].toLowerCase());
}

/** The poll's entries: the same request repeated, up to the first answer that is not "pending". */
function pollRun(entries: RecordedEntry[], i: number, rule: PollRule): number {
  let n = 0;
  while (i + n < entries.length && shortUri(entries[i + n]) === shortUri(entries[i])) {
    n++;
    if (!isPending(rule, entries[i + n - 1].StatusCode, entries[i + n - 1].ResponseBody)) break;
  }
  return n;
}
