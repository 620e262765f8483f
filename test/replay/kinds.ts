/**
 * What the replay needs to know about one kind of vault object, as data: where its recordings are,
 * which URI collections name its objects, which answer fields the vault generates (compared by shape,
 * substituted into later requests), which are timestamps (compared by relation), which requests
 * a client repeats while the vault is still busy (polls and retries, collapsed), and which request
 * bodies the client computes itself from the vault's answers (made again with the emulator's). The
 * engine and the deviations table know nothing else about keys; secrets and certificates add an
 * entry here (test/replay/README.md).
 */
import { constants, createPublicKey, publicEncrypt } from "node:crypto";
import path from "node:path";

export type Shape = "base64url" | "hex32";

/** A client repeats `request` after `after` while the vault answers `pending` (an SDK poller, a retry). */
export interface PollRule {
  /** The request that starts the wait, as "METHOD /template" with {name} for the object's name. */
  after: string;
  /** The request repeated. */
  request: string;
  /** The status that means "not yet": the client asks again. */
  pending: number;
  /** Why a client repeats it (shown when a poll never ends). */
  why: string;
}

/**
 * A request body the client computed itself from the vault's answers (an SDK that encrypts or wraps
 * with the key's public half, locally): the recorded body was made with the recorded vault's key,
 * so the replay makes it again with the emulator's, from the emulator's latest answer naming the
 * object. Applies only where the recorded value is not one the vault generated (those are substituted).
 */
export interface ClientRule {
  /** "METHOD /template", {name} and {version} the object's. */
  request: string;
  /** The body field the client computed. */
  field: string;
  why: string;
  /**
   * The body to send, and the values the client knew (compared exactly in the answer), from the
   * recorded request and answer and the emulator's latest answer naming the object.
   */
  remake(recorded: Record<string, unknown>, recordedAnswer: Record<string, unknown>, latest: Record<string, unknown>): { body: Record<string, unknown>; knew: string[] };
}

export interface ObjectKind {
  name: string;
  /** The kind's recordings, test/fixtures/recordings/<folder>. */
  folder: string;
  /** URI collections whose next segment is an object's name, then maybe a version: /keys/{name}/{version}. */
  collections: string[];
  /**
   * Body fields the vault generates (by their path, "key.n"), in the answers to `request` if given:
   * compared by shape (and length, where the length is the service's too); the first rule that fits applies.
   */
  generated: { path: string; request?: string; shape: Shape; compareLength: boolean; why: string }[];
  /** Field names holding Unix times: compared by their relations within one object. */
  timestamps: string[];
  polls: PollRule[];
  /** Where an answer names its object ("key.kid"): the emulator's latest answer per object, for `client`. */
  idField: string;
  client: ClientRule[];
}

/** The SDK's local RSA encryption (its RsaCryptographyProvider): the answer's plaintext under the emulator's public key. */
function encryptLocally(recorded: Record<string, unknown>, answer: Record<string, unknown>, latest: Record<string, unknown>) {
  const { kty, n, e } = latest.key as { kty: string; n: string; e: string };
  const alg = String(recorded.alg);
  const plaintext = Buffer.from(String(answer.value), "base64url");
  const key = createPublicKey({ key: { kty, n, e }, format: "jwk" });
  const padding = alg === "RSA1_5" ? constants.RSA_PKCS1_PADDING : constants.RSA_PKCS1_OAEP_PADDING;
  const value = publicEncrypt({ key, padding, oaepHash: alg === "RSA-OAEP-256" ? "sha256" : "sha1" }, plaintext).toString("base64url");
  return { body: { ...recorded, value }, knew: [String(answer.value)] };
}

const FIXTURES = path.resolve(__dirname, "..", "fixtures", "recordings");

/** Every kind's Unix times. */
const TIMESTAMPS = ["created", "updated", "nbf", "exp", "deletedDate", "scheduledPurgeDate"];

/** The waits every kind's clients have: the SDKs' delete and recover pollers, a restore retried after a purge. */
const lifecyclePolls = (collection: string, noun: string): PollRule[] => [
  { after: `DELETE /${collection}/{name}`, request: `GET /deleted${collection}/{name}`, pending: 404, why: `the SDK's delete poller waits for the deleted ${noun} to appear` },
  { after: `POST /deleted${collection}/{name}/recover`, request: `GET /${collection}/{name}/`, pending: 404, why: `the SDK's recover poller waits for the ${noun} to come back` },
  { after: `DELETE /deleted${collection}/{name}`, request: `POST /${collection}/restore`, pending: 409, why: "a restore right after a purge is retried until the name is free" },
];

export const KEYS: ObjectKind = {
  name: "keys",
  folder: path.join(FIXTURES, "keyvault-keys"),
  collections: ["keys", "deletedkeys"],
  generated: [
    { path: "key.n", shape: "base64url", compareLength: true, why: "an RSA modulus the vault generated: its length is the key size" },
    { path: "key.x", shape: "base64url", compareLength: true, why: "an EC point the vault generated: its length is the curve's" },
    { path: "key.y", shape: "base64url", compareLength: true, why: "an EC point the vault generated: its length is the curve's" },
    { path: "value", request: "POST /keys/{name}/backup", shape: "base64url", compareLength: false, why: "a backup blob is sealed by each vault its own way: only its shape is the service's" },
    // sign, encrypt and wrapkey answer {kid, value}: a signature's or ciphertext's length is the key's.
    { path: "value", shape: "base64url", compareLength: true, why: "a signature, ciphertext or random bytes: random, but as long as the key (or count) makes them" },
  ],
  timestamps: TIMESTAMPS,
  polls: lifecyclePolls("keys", "key"),
  idField: "key.kid",
  client: [
    { request: "POST /keys/{name}/{version}/decrypt", field: "value", why: "the SDK encrypted with the key's public half, locally", remake: encryptLocally },
    { request: "POST /keys/{name}/{version}/unwrapkey", field: "value", why: "the SDK wrapped with the key's public half, locally", remake: encryptLocally },
  ],
};

/** A secret's value is the client's (compared exactly); only a backup blob and the version ids are the vault's. */
export const SECRETS: ObjectKind = {
  name: "secrets",
  folder: path.join(FIXTURES, "keyvault-secrets"),
  collections: ["secrets", "deletedsecrets"],
  generated: [
    { path: "value", request: "POST /secrets/{name}/backup", shape: "base64url", compareLength: false, why: "a backup blob is sealed by each vault its own way: only its shape is the service's" },
  ],
  timestamps: TIMESTAMPS,
  polls: lifecyclePolls("secrets", "secret"),
  idField: "id",
  client: [],
};

export const KINDS: ObjectKind[] = [KEYS, SECRETS];
