/**
 * "The vault is busy": a pipeline policy that notices HTTP 429 answers (and 503 with Retry-After,
 * which the SDK retries the same way), so a learner sees a plain
 * sentence while the SDK's own retry policy waits the Retry-After the service asked for (FACTS.md
 * §2), instead of a silent pause or, after the last retry, a stack trace.
 */
import type { PipelinePolicy, PipelineResponse } from "@azure/core-rest-pipeline";
import { t } from "./i18n";

export interface ThrottleNotice {
  /** Seconds the service asked the client to wait. */
  retryAfterSeconds: number;
  method: string;
  url: string;
  /** 429, or 503 with Retry-After. */
  status?: number;
}

export const THROTTLE_NOTICE_POLICY = "kvqThrottleNotice";

const RETRY_AFTER_HEADERS = ["retry-after-ms", "x-ms-retry-after-ms", "retry-after"];

/** Retry-After in seconds from the headers the SDK honours: retry-after-ms, x-ms-retry-after-ms, Retry-After (seconds or a date). */
export function retryAfterSeconds(response: PipelineResponse, now = Date.now()): number {
  for (const name of RETRY_AFTER_HEADERS.slice(0, 2)) {
    const ms = Number(response.headers.get(name));
    if (Number.isFinite(ms) && ms > 0) return Math.ceil(ms / 1000);
  }
  const value = response.headers.get("retry-after");
  if (!value) return 0;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? 0 : Math.max(0, Math.ceil((date - now) / 1000));
}

/** What the learner sees while the SDK waits, in the language of the moment it happens. */
export const defaultThrottleMessage = (notice: ThrottleNotice) => t().throttle.busy(notice.retryAfterSeconds, notice.status);

/** Runs on every attempt (position "perRetry"), so each 429 the retry policy sees is reported once. */
export function throttleNoticePolicy(notify: (notice: ThrottleNotice) => void): PipelinePolicy {
  return {
    name: THROTTLE_NOTICE_POLICY,
    async sendRequest(request, next) {
      const response = await next(request);
      const busy = response.status === 429 || (response.status === 503 && RETRY_AFTER_HEADERS.some((name) => response.headers.has(name)));
      if (busy) {
        notify({ retryAfterSeconds: retryAfterSeconds(response), method: request.method, url: request.url.replace(/\?.*$/, ""), status: response.status });
      }
      return response;
    },
  };
}
