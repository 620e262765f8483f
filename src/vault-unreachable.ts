/**
 * "The vault cannot be reached" as a named failure: which kind (refused, host not found, TLS,
 * dropped) and — worked out once, when it happens — the likely cause: the emulator is not running,
 * it runs on another port than the settings say, an Azure vault name that does not exist, a host
 * that is no Key Vault address at all, a proxy replacing TLS certificates. explainError (vault-errors.ts)
 * turns the cause into the catalog's meaning and fix.
 */
import { connect } from "node:net";
import { t } from "./i18n";
import { emulatorStateDirFor, readEmulatorRecord } from "./emulator-record";
import { cloudOfHost } from "./vault-url";

export type ConnectionFailureKind = "refused" | "hostNotFound" | "tls" | "dropped";

/** Node's error codes (RestError.code carries them) by kind. */
const KIND_BY_CODE: Record<string, ConnectionFailureKind> = {
  ECONNREFUSED: "refused",
  EHOSTUNREACH: "refused",
  ENETUNREACH: "refused",
  ENOTFOUND: "hostNotFound",
  EAI_AGAIN: "hostNotFound",
  EAI_NONAME: "hostNotFound",
  ECONNRESET: "dropped",
  ETIMEDOUT: "dropped",
  ESOCKETTIMEDOUT: "dropped",
  EPIPE: "dropped",
  SELF_SIGNED_CERT_IN_CHAIN: "tls",
  DEPTH_ZERO_SELF_SIGNED_CERT: "tls",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "tls",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "tls",
  UNABLE_TO_GET_ISSUER_CERT: "tls",
  CERT_HAS_EXPIRED: "tls",
  ERR_TLS_CERT_ALTNAME_INVALID: "tls",
  CERT_SIGNATURE_FAILURE: "tls",
};

/** The kind of connection failure an error is, or undefined when it is something else (an HTTP answer, a bug). */
export function connectionFailureKind(error: unknown): ConnectionFailureKind | undefined {
  const e = error as { code?: unknown; message?: unknown; response?: unknown } | undefined;
  if (!e || e.response) return undefined;
  return typeof e.code === "string" ? KIND_BY_CODE[e.code] : undefined;
}

export type UnreachableCause = keyof ReturnType<typeof t>["failures"]["causes"];

export interface UnreachableDiagnosis {
  cause: UnreachableCause;
  /** The emulator's address when it runs elsewhere than the settings say. */
  running?: string;
  identityEndpoint?: string;
}

export class VaultUnreachableError extends Error {
  override readonly name = "VaultUnreachableError";
  constructor(
    /** The address tried, e.g. https://localhost:47443. */
    readonly url: string,
    readonly kind: ConnectionFailureKind,
    readonly diagnosis: UnreachableDiagnosis,
    /** Node's code, e.g. ECONNREFUSED. */
    readonly code: string,
  ) {
    super(t().failures.unreachable(url, t().failures.what[kind]));
  }
}

/** The meaning and fix for a diagnosis, in the current language. */
export function explainUnreachable(error: VaultUnreachableError): { meaning: string; fix: string } {
  const causes = t().failures.causes;
  const { cause, running, identityEndpoint } = error.diagnosis;
  const host = new URL(error.url).hostname;
  switch (cause) {
    case "emulatorOtherPort":
      return { meaning: causes.emulatorOtherPort.meaning(error.url, running!), fix: causes.emulatorOtherPort.fix(running!, identityEndpoint) };
    case "vaultNotFound":
    case "hostTypo":
      return { meaning: causes[cause].meaning(host), fix: causes[cause].fix };
    case "emulatorNotRunning":
    case "refused":
    case "dropped":
      return { meaning: causes[cause].meaning(error.url), fix: causes[cause].fix };
    default:
      return causes[cause];
  }
}

/** Works out the likely cause: a look at the emulator's record and, for a local vault, one quick probe of the port it records. */
export async function diagnoseUnreachable(url: string, kind: ConnectionFailureKind, local: boolean, env: NodeJS.ProcessEnv = process.env): Promise<UnreachableDiagnosis> {
  const target = new URL(url);
  if (kind === "tls") return { cause: local ? "tlsEmulator" : "tls" };
  if (kind === "dropped") return { cause: "dropped" };
  if (kind === "hostNotFound") return { cause: cloudOfHost(target.hostname.toLowerCase()) ? "vaultNotFound" : "hostTypo" };
  if (!local) return { cause: "refused" };
  const record = readEmulatorRecord(emulatorStateDirFor(env));
  const triedPort = Number(target.port || 443);
  if (record && record.port !== triedPort && (await portAnswers(record.port))) {
    return { cause: "emulatorOtherPort", running: record.url, identityEndpoint: record.identityEndpoint };
  }
  return { cause: "emulatorNotRunning" };
}

/** Whether something accepts connections on a loopback port (within a second). */
function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const done = (answers: boolean) => {
      socket.destroy();
      resolve(answers);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
