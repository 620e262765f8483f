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

export type Shape = "base64url" | "base64" | "hex32";

/** A client repeats `request` after `after` while the vault answers `pending` (an SDK poller, a retry). */
export interface PollRule {
  /** The request that starts the wait, as "METHOD /template" with {name} for the object's name. */
  after: string;
  /** The request repeated. */
  request: string;
  /** The status that means "not yet": the client asks again. */
  pending: number;
  /** Where "not yet" is in the answer's body too (a certificate's operation answers 200 while it is in progress). */
  pendingBody?: (body: unknown) => boolean;
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

/** Whether an answer is the poll's "not yet". */
export const isPending = (rule: PollRule, status: number, body: unknown) => status === rule.pending && (rule.pendingBody?.(body) ?? true);

/** The vault the recordings were made against: its soft-delete retention, whether purge is allowed. */
export interface RecordedVault {
  retentionDays: number;
  purgeProtection: boolean;
}

export interface ObjectKind {
  name: string;
  /** The kind's recordings, test/fixtures/recordings/<folder>. */
  folder: string;
  /** The vault they were recorded against, if not the keys' and secrets' (7 days' retention, purge allowed). */
  vault?: RecordedVault;
  /**
   * URI collections whose next segment is an object's name, then maybe a version: /keys/{name}/{version}.
   * A collection may be nested (certificates/issuers): the longest that fits a path names its object.
   */
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

/**
 * A certificate, with its key and secret under their own collections (the same versions), its
 * issuers (a nested collection), and its create operation polled while it answers "inProgress".
 * Recorded against a vault of 90 days' retention with access policies (no RBAC assignment header).
 */
export const CERTIFICATES: ObjectKind = {
  name: "certificates",
  folder: path.join(FIXTURES, "keyvault-certificates"),
  vault: { retentionDays: 90, purgeProtection: false },
  collections: ["certificates", "deletedcertificates", "certificates/issuers", "keys", "secrets"],
  generated: [
    { path: "csr", shape: "base64", compareLength: true, why: "a CSR signed by the key the vault generated for the new version: as long as the key and the policy make it" },
    { path: "cer", shape: "base64", compareLength: false, why: "the X.509 the vault issued: its serial and signature are the vault's own (their DER lengths vary by a byte or two)" },
    { path: "x5t", shape: "base64url", compareLength: true, why: "the SHA-1 thumbprint of the vault's certificate" },
    { path: "request_id", shape: "hex32", compareLength: true, why: "the id the vault gave the create operation" },
    { path: "value", request: "GET /secrets/{name}/{version}", shape: "base64", compareLength: false, why: "the certificate's PKCS#12 or PEM with its private key: the vault's own key and certificate" },
    { path: "value", request: "POST /certificates/{name}/backup", shape: "base64url", compareLength: false, why: "a backup blob is sealed by each vault its own way: only its shape is the service's" },
  ],
  timestamps: TIMESTAMPS,
  polls: [
    ...lifecyclePolls("certificates", "certificate"),
    {
      after: "POST /certificates/{name}/create",
      request: "GET /certificates/{name}/pending",
      pending: 200,
      pendingBody: (body) => (body as { status?: string } | null)?.status === "inProgress",
      why: "the SDK's create poller waits for the operation to leave inProgress",
    },
  ],
  idField: "id",
  client: [],
};

export const KINDS: ObjectKind[] = [KEYS, SECRETS, CERTIFICATES];
