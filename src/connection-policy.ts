/**
 * Fail fast when the vault cannot be reached. The SDK's retry policy retries refused connections
 * and unresolved host names like a busy service — with maxRetries 10 that is four minutes of
 * silence. This policy runs inside the retry loop (position "perRetry") and counts each request's
 * connection failures; past a small budget per kind it throws a VaultUnreachableError, which the
 * retry policy does not retry (it only retries RestErrors), so the learner sees the named cause in
 * about a second. Throttling (429/503 answers) never reaches it: those are responses, not errors.
 */
import type { PipelinePolicy, PipelineRequest } from "@azure/core-rest-pipeline";
import { connectionFailureKind, diagnoseUnreachable, VaultUnreachableError, type ConnectionFailureKind } from "./vault-unreachable";

export const CONNECTION_POLICY = "kvqConnectionFailFast";

/** Retries allowed per kind: one quick retry for a blip, none for a certificate, the SDK's 3 for a dropped connection. */
export const CONNECTION_RETRIES: Record<ConnectionFailureKind, number> = { refused: 1, hostNotFound: 1, tls: 0, dropped: 3 };

export function connectionFailFastPolicy(options: { maxRetries: number; local: boolean; env: NodeJS.ProcessEnv }): PipelinePolicy {
  const failures = new WeakMap<PipelineRequest, number>();
  return {
    name: CONNECTION_POLICY,
    async sendRequest(request, next) {
      try {
        return await next(request);
      } catch (error) {
        const kind = connectionFailureKind(error);
        if (!kind) throw error;
        const count = (failures.get(request) ?? 0) + 1;
        failures.set(request, count);
        if (count <= Math.min(CONNECTION_RETRIES[kind], options.maxRetries)) throw error;
        const origin = new URL(request.url).origin;
        const diagnosis = await diagnoseUnreachable(origin, kind, options.local, options.env);
        throw Object.assign(new VaultUnreachableError(origin, kind, diagnosis, String((error as { code?: string }).code)), { cause: error });
      }
    },
  };
}
