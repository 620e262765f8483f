/**
 * Object names (keys, secrets, certificates: the same rule) that are valid, unique, and free — free
 * of live objects *and* of soft-deleted ones, so creating the key or the certificate, or setting the
 * secret, never meets the 409 "deleted but recoverable" the quickstarts warn about. A certificate's
 * key and secret take its name too: its name must also be free of keys and secrets (`alsoFreeIn`).
 *
 * Names look like `<prefix>-<yyyymmdd>-<random>`. The seeded mode gives the same names on every
 * run (and a fixed date), so generated docs do not change from one regeneration to the next.
 */
import { randomBytes } from "node:crypto";
import type { KeyClient } from "@azure/keyvault-keys";
import type { SecretClient } from "@azure/keyvault-secrets";
import type { CertificateClient } from "@azure/keyvault-certificates";
import { attendeeName } from "./attendee";
import { mulberry32, seedFromText } from "./util/prng";
import { messagesFor, t } from "./i18n";
import { kindOf, type KindId, type VaultObjectClient } from "./kinds/index";
import { objectState, type ObjectState } from "./object-state";

export { isNotFound } from "./object-state";

export const KEY_NAME_MAX = 127;
/** The rule in English, as exported since the first version; keyNameProblem speaks the current language. */
export const KEY_NAME_RULE = messagesFor("en").keyNames.rule;
const KEY_NAME = /^[0-9a-zA-Z-]{1,127}$/;

/** Why a name is not a valid name for the kind (a key's by default), or undefined when it is. */
export function keyNameProblem(name: string, kind: KindId = "key"): string | undefined {
  const m = t().keyNames;
  const noun = t().kinds[kind];
  if (name.length === 0) return m.empty(noun);
  if (name.length > KEY_NAME_MAX) return m.tooLong(name.slice(0, 20), name.length, KEY_NAME_MAX, noun);
  const bad = [...new Set(name.replace(/[0-9a-zA-Z-]/g, ""))];
  if (bad.length > 0) return m.characters(name, bad, noun);
  return undefined;
}

/** Why a name is not a valid secret name (the same rule as keys'), or undefined when it is. */
export const secretNameProblem = (name: string): string | undefined => keyNameProblem(name, "secret");
/** Why a name is not a valid certificate name (the same rule again), or undefined when it is. */
export const certificateNameProblem = (name: string): string | undefined => keyNameProblem(name, "certificate");

export const isValidKeyName = (name: string) => KEY_NAME.test(name);

/** Turns any text into a valid key name: other characters become dashes, runs of dashes collapse. */
export function toValidKeyName(text: string, fallback = "quickstart-key"): string {
  const cleaned = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "") // accents split off by NFKD: "é" → "e"
    .replace(/[^0-9a-zA-Z-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, KEY_NAME_MAX)
    .replace(/-+$/, "");
  return cleaned || fallback;
}

/** Where the random part of a name comes from: `crypto` for real runs, a seeded generator for docs. */
export interface NameSource {
  /** `length` characters of [0-9a-z]. */
  random(length: number): string;
  /** The date stamped into names. */
  now(): Date;
}

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

export const randomNameSource: NameSource = {
  random: (length) => [...randomBytes(length)].map((b) => ALPHABET[b % ALPHABET.length]).join(""),
  now: () => new Date(),
};

/** Same seed, same names, same date: for reproducible docs. */
/**
 * The date the docs show (names, timestamps; normalize.ts maps every time onto it). Fixed, so
 * regenerated docs are byte-identical, and recent-looking, so a reader does not take the page for
 * an old one (it was the seed quickstart's 2020-09-03 before). Moved forward now and then, with
 * `npx kvq docs`.
 */
export const DOCS_DATE = new Date(Date.UTC(2026, 0, 12, 9));

export function seededNameSource(seed: string): NameSource {
  const next = mulberry32(seedFromText(seed));
  return {
    random: (length) => Array.from({ length }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join(""),
    now: () => DOCS_DATE,
  };
}

/** `<prefix>-<yyyymmdd>-<6 random>`, always a valid name within 127 characters. */
export function uniqueKeyName(prefix: string, source: NameSource = randomNameSource): string {
  const stamp = source.now().toISOString().slice(0, 10).replace(/-/g, "");
  const suffix = `-${stamp}-${source.random(6)}`;
  return `${toValidKeyName(prefix).slice(0, KEY_NAME_MAX - suffix.length).replace(/-+$/, "")}${suffix}`;
}

export type NameStatus = { free: true } | { free: false; reason: Exclude<ObjectState, "absent">; detail: string };

/**
 * Asks the vault whether a name is free: no object of the client's kind holds it, live,
 * soft-deleted, or on its way to either — nor any object of the kinds of `alsoFreeIn`'s clients
 * (a certificate's name is its key's and its secret's too: a key or secret holding it, even
 * soft-deleted, makes the certificate's create fail with 409).
 */
export async function checkNameFree(client: VaultObjectClient, name: string, alsoFreeIn: readonly VaultObjectClient[] = []): Promise<NameStatus> {
  const m = t().keyNames;
  const noun = t().kinds[kindOf(client).id];
  const own = await whereNameStands(client, name);
  if (own) {
    const { state, purgeDate } = own;
    const detail = state === "live" ? m.exists(name, noun) : state === "soft-deleted" ? m.softDeleted(name, purgeDate, noun) : m.inTransition(name, state, noun);
    return { free: false, reason: state, detail };
  }
  for (const other of alsoFreeIn) {
    const held = await whereNameStands(other, name);
    if (held) return { free: false, reason: held.state, detail: m.heldByOther(name, t().kinds[kindOf(other).id], held.state, held.purgeDate, noun) };
  }
  return { free: true };
}

/** What holds a name in one client's kind (undefined: nothing), and a soft-deleted one's purge date. */
async function whereNameStands(client: VaultObjectClient, name: string): Promise<{ state: Exclude<ObjectState, "absent">; purgeDate?: string } | undefined> {
  const state = await objectState(client, name);
  if (state === "absent") return undefined;
  if (state !== "soft-deleted") return { state };
  const deleted = await kindOf(client).getDeleted(client, name).catch(() => undefined);
  return { state, purgeDate: deleted?.scheduledPurgeDate?.toISOString().slice(0, 10) };
}
export const checkKeyNameFree: (client: KeyClient, name: string) => Promise<NameStatus> = checkNameFree;
export const checkSecretNameFree: (client: SecretClient, name: string) => Promise<NameStatus> = checkNameFree;
/** checkNameFree for a CertificateClient: pass the KeyClient and SecretClient too, whose names a certificate takes. */
export const checkCertificateNameFree: (client: CertificateClient, name: string, alsoFreeIn: readonly [KeyClient, SecretClient]) => Promise<NameStatus> = checkNameFree;

export interface ChosenKeyName {
  name: string;
  /** Names tried and refused, with why. */
  skipped: { name: string; why: string }[];
}

/** "quickstart-<attendee>": names of attendees sharing a vault never collide. */
export const defaultKeyPrefix = (env: NodeJS.ProcessEnv = process.env) => `quickstart-${toValidKeyName(attendeeName(env), "attendee")}`;
/** The same for secrets ("quickstart-<attendee>" too: a key and a secret may share a name). */
export const defaultSecretPrefix = defaultKeyPrefix;
/** The same for certificates (the random part keeps them apart from the other quickstarts' keys and secrets). */
export const defaultCertificatePrefix = defaultKeyPrefix;

export interface ChooseKeyNameOptions {
  /** Default: "quickstart-<attendee>". */
  prefix?: string;
  /** The learner's own choice: used as given when valid and free, otherwise the reason is reported and a unique name is used. */
  preferred?: string;
  /** Seed for reproducible names (docs); default random. */
  seed?: string;
  maxAttempts?: number;
  /**
   * Clients of other kinds whose names the object takes too: a certificate's KeyClient and
   * SecretClient (its key and secret are named as the certificate). The name must be free there as well.
   */
  alsoFreeIn?: readonly VaultObjectClient[];
}

/**
 * A valid name that no live or soft-deleted object of the client's kind holds. The learner's own
 * name is used when it is valid and free; otherwise it becomes the prefix of unique names, and
 * each refusal says why.
 */
export async function chooseName(client: VaultObjectClient, options: ChooseKeyNameOptions = {}): Promise<ChosenKeyName> {
  const kind = kindOf(client).id;
  const source = options.seed ? seededNameSource(options.seed) : randomNameSource;
  const preferred = options.preferred?.trim();
  const skipped: ChosenKeyName["skipped"] = [];
  const candidates: string[] = [];
  if (preferred) {
    const invalid = keyNameProblem(preferred, kind);
    if (invalid) skipped.push({ name: preferred, why: invalid });
    else candidates.push(preferred);
  }
  const base = preferred ? toValidKeyName(preferred) : options.prefix || defaultKeyPrefix();
  for (let i = 0; i < (options.maxAttempts ?? 5); i++) candidates.push(uniqueKeyName(base, source));
  for (const name of candidates) {
    const status = await checkNameFree(client, name, options.alsoFreeIn);
    if (status.free) return { name, skipped };
    skipped.push({ name, why: status.detail });
  }
  throw new Error(t().keyNames.noFreeName(candidates.length, skipped.map((s) => s.name), t().kinds[kind]));
}

/** A key name no live or soft-deleted key holds (chooseName, for a KeyClient). */
export const chooseKeyName: (client: KeyClient, options?: ChooseKeyNameOptions) => Promise<ChosenKeyName> = chooseName;
/** A secret name no live or soft-deleted secret holds (chooseName, for a SecretClient). */
export const chooseSecretName: (client: SecretClient, options?: ChooseKeyNameOptions) => Promise<ChosenKeyName> = chooseName;

export interface ChooseCertificateNameOptions extends ChooseKeyNameOptions {
  /** The vault's KeyClient and SecretClient: a certificate's key and secret take its name. */
  alsoFreeIn: readonly [KeyClient, SecretClient];
}
/**
 * A certificate name no live or soft-deleted certificate holds, nor any key or secret (chooseName,
 * for a CertificateClient, with the KeyClient and SecretClient its key and secret are named in).
 */
export const chooseCertificateName: (client: CertificateClient, options: ChooseCertificateNameOptions) => Promise<ChosenKeyName> = chooseName;

