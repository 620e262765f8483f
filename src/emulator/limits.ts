/**
 * Bounds on what one client can make the emulator hold. The service's own limits (tags, RSA sizes)
 * are checked where the input is read (validate.ts, key-material.ts); these are the local ones a
 * real vault does not need but a process on a learner's laptop does. Each is an option of
 * `startEmulator({ limits })`, documented in README ("Limits").
 */
import { VaultError } from "./errors";

export interface EmulatorLimits {
  /** Live and soft-deleted keys together (a deleted key still holds its material). */
  keys: number;
  /** Live and soft-deleted secrets together (a deleted secret still holds its values). */
  secrets: number;
  /** Live and soft-deleted certificates together (each with its key and secret). */
  certificates: number;
  /** Certificate issuers (`/certificates/issuers`). */
  certificateIssuers: number;
  /** Versions of one key or one secret (each rotation, re-create or set adds one). */
  versionsPerKey: number;
  /** Open connections to the vault (and, separately, to the identity endpoint). */
  connections: number;
  /** Key generations queued or running; past it a create answers 429 with Retry-After. */
  pendingKeyGenerations: number;
  /** A TLS handshake not finished by then is closed (Node's own default: 120 s). */
  handshakeTimeoutMs: number;
  /** A request's headers and body must have arrived whole by then (checked every second). */
  requestTimeoutMs: number;
}

export const DEFAULT_LIMITS: EmulatorLimits = {
  keys: 10_000,
  secrets: 10_000,
  certificates: 10_000,
  certificateIssuers: 1_000,
  versionsPerKey: 500,
  connections: 256,
  pendingKeyGenerations: 64,
  handshakeTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
};

/** Every connection is busy: come back in a second (the SDK retries a 503 with Retry-After; a reset it would not). */
export const tooManyConnections = () =>
  new VaultError(503, "ServiceUnavailable", "The emulator has as many connections open as it takes, all of them busy. Retry after the time in Retry-After.", undefined, {
    "Retry-After": "1",
    Connection: "close",
  });

/** Answered like the service's quota errors: 403 Forbidden with an inner code, the limit named. */
export const quotaExceeded = (what: string, limit: number) =>
  new VaultError(
    403,
    "Forbidden",
    `This vault holds at most ${limit.toLocaleString("en-US")} ${what} (a local emulator limit). Delete and purge some, or start the emulator with a higher limit.`,
    "QuotaExceeded",
  );

/** Too much work queued: the client should wait and retry, as after the service's throttle. */
export const busy = (retryAfterSeconds: number) =>
  new VaultError(
    429,
    "Throttled",
    "Request was not processed because too many key generations are queued. Retry after the time in Retry-After.",
    undefined,
    { "Retry-After": String(retryAfterSeconds) },
  );
