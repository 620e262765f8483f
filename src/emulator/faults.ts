/**
 * Fault injection: the errors a real vault gives that a local one never would on its own.
 *
 * - A throttle: at most N transactions of a type per 10 seconds, then 429 with Retry-After, as the
 *   service limits them per vault (FACTS.md §2; learn.microsoft.com, Key Vault service limits): software-key
 *   creates (20) and secret transactions (4,000, every secret operation), each counted apart, so the SDK's
 *   retry path and the tutorial's "the vault is busy" message run for real. As on the service, a request
 *   answered 429 does not count.
 * - Injected errors: a chosen operation answers a chosen error (a missing role, an access policy
 *   without the permission, a firewall, a token from the wrong tenant …) for a number of times.
 */
import { FORBIDDEN_REASONS, throttled, VaultError, type ForbiddenReason } from "./errors";
import type { Route, ThrottleBucket } from "./routes";

/** Errors that can be injected by name; each builds the service's exact response for a route. */
export const NAMED_FAULTS = {
  ForbiddenByRbac: (r: Route) => new VaultError(403, "Forbidden", FORBIDDEN_REASONS.ForbiddenByRbac(r.dataAction), "ForbiddenByRbac"),
  ForbiddenByPolicy: (r: Route) => new VaultError(403, "Forbidden", FORBIDDEN_REASONS.ForbiddenByPolicy(`${r.kind} ${r.permission}`), "ForbiddenByPolicy"),
  ForbiddenByFirewall: () => new VaultError(403, "Forbidden", FORBIDDEN_REASONS.ForbiddenByFirewall(), "ForbiddenByFirewall"),
  ForbiddenByConnection: () => new VaultError(403, "Forbidden", FORBIDDEN_REASONS.ForbiddenByConnection(), "ForbiddenByConnection"),
  WrongTenant: () =>
    new VaultError(401, "Unauthorized", "AKV10032: Invalid issuer. Expected one of https://sts.windows.net/00000000-0000-0000-0000-000000000000/, found https://sts.windows.net/11111111-1111-1111-1111-111111111111/."),
  Throttled: () => throttled(5),
  ServiceUnavailable: () => new VaultError(503, "ServiceUnavailable", "The service is temporarily unavailable. Please retry.", undefined, { "Retry-After": "1" }),
} satisfies Record<string, (route: Route) => VaultError>;
export type FaultName = keyof typeof NAMED_FAULTS;
// Own keys only: "toString" is in every object, and is no fault.
export const isFaultName = (name: string): name is FaultName => Object.hasOwn(NAMED_FAULTS, name);

export interface FaultRule {
  /** The operation to fail (e.g. "createKey", "purgeDeletedKey"), or "*" for every operation. */
  operation: string;
  /** A named fault, or a custom error. */
  fault: FaultName | { status: number; code: string; message: string; innerCode?: string; headers?: Record<string, string> };
  /** How many requests fail before the rule is spent; default: all of them. */
  times?: number;
}

export interface InjectedFault {
  /** Stops this rule. */
  remove(): void;
  /** How many requests it has failed so far. */
  readonly hits: number;
}

const WINDOW_MS = 10_000;

/** Transactions allowed per 10 s, by type; a type left out (or 0) is not throttled. */
export type ThrottleLimits = Partial<Record<ThrottleBucket, number>>;

/** A number is the key-create limit alone (what `--throttle` always meant). */
export const throttleLimits = (limits: number | ThrottleLimits | undefined): ThrottleLimits =>
  typeof limits === "number" ? { keyCreates: limits } : { ...limits };

export class Faults {
  private rules: { rule: FaultRule; hits: number; left: number }[] = [];
  private limits: ThrottleLimits;
  /** Each type's current 10-s window: when it started and how many requests it let through. */
  private windows = new Map<ThrottleBucket, { startMs: number; count: number }>();
  /** Requests of each type let through since the start, throttled or not (kvq rehearse measures a flow with it). */
  private passed = new Map<ThrottleBucket, number>();

  constructor(limits: number | ThrottleLimits = 0) {
    this.limits = throttleLimits(limits);
  }

  /**
   * A number: at most that many key creations per 10 s (0 turns it off), other types unchanged.
   * Limits by type: those types set (0 turns one off), the others unchanged.
   */
  setThrottle(limits: number | ThrottleLimits): void {
    const changed = throttleLimits(limits);
    this.limits = { ...this.limits, ...changed };
    for (const bucket of Object.keys(changed) as ThrottleBucket[]) this.windows.delete(bucket);
  }

  /** The limits now in force. */
  get throttle(): ThrottleLimits {
    return { ...this.limits };
  }

  inject(rule: FaultRule): InjectedFault {
    const entry = { rule, hits: 0, left: rule.times ?? Infinity };
    this.rules.push(entry);
    return {
      remove: () => {
        this.rules = this.rules.filter((r) => r !== entry);
      },
      get hits() {
        return entry.hits;
      },
    };
  }

  clear(): void {
    this.rules = [];
  }

  /** The error this request must get instead of its answer, if any. */
  check(route: Route, nowMs = Date.now()): VaultError | undefined {
    for (const entry of this.rules) {
      if (entry.left <= 0 || (entry.rule.operation !== "*" && entry.rule.operation !== route.operation)) continue;
      entry.left--;
      entry.hits++;
      const { fault } = entry.rule;
      return typeof fault === "string" ? NAMED_FAULTS[fault](route) : new VaultError(fault.status, fault.code, fault.message, fault.innerCode, fault.headers);
    }
    // Fixed 10-s windows, Retry-After = the rest of the window: a throttled client waits one window
    // per retry, as kvq rehearse's Azure estimate assumes. (A sliding window answered "1 s" again and
    // again while slots freed one by one, so a waiting client burnt its retries in seconds.)
    const limit = route.throttle ? (this.limits[route.throttle] ?? 0) : 0;
    if (route.throttle && limit > 0) {
      let window = this.windows.get(route.throttle);
      if (!window || nowMs - window.startMs >= WINDOW_MS) this.windows.set(route.throttle, (window = { startMs: nowMs, count: 0 }));
      if (window.count >= limit) {
        const retryAfterMs = WINDOW_MS - (nowMs - window.startMs);
        return throttled(Math.max(1, Math.ceil(retryAfterMs / 1000)));
      }
      window.count++;
    }
    if (route.throttle) this.passed.set(route.throttle, this.transactions(route.throttle) + 1);
    return undefined;
  }

  /**
   * How many requests of a type the vault has let through so far, counted as the service's limit
   * counts them: a request answered 429 (or failed by an injected error) is not among them.
   */
  transactions(type: ThrottleBucket): number {
    return this.passed.get(type) ?? 0;
  }
}

export function isForbiddenReason(name: string): name is ForbiddenReason {
  return Object.hasOwn(FORBIDDEN_REASONS, name);
}
