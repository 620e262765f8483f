/**
 * The one reviewed table of the ways the emulator's answers may differ from the recorded service's.
 * A difference the replay finds fails the suite unless an entry here matches it, and an entry that
 * matches nothing fails it too (the table never keeps an excuse the emulator no longer needs).
 *
 * The bar for an entry: no client can see it in a learner's output or in an SDK's behaviour. Each
 * says what differs, why the emulator does it so, and why nothing a client does changes with it.
 * Kind-independent: an entry names a header or a body path, whatever the object.
 */
import type { Difference } from "./compare";

export interface Deviation {
  id: string;
  /** Matches Difference.where. */
  where: RegExp;
  /** The emulator's value, when only some values are accepted. */
  actual?: (value: unknown) => boolean;
  reason: string;
}

export const DEVIATIONS: Deviation[] = [
  {
    id: "service-version",
    where: /^header x-ms-keyvault-service-version$/,
    actual: (v) => v === "kvq-emulator",
    reason:
      "The service's build number (1.9.3347.1 and the like). The emulator names itself instead, so that a trace, an instructor or a support question can tell an emulator's answer from Azure's. No SDK reads the header.",
  },
  {
    id: "region",
    where: /^header x-ms-keyvault-region$/,
    actual: (v) => v === "local",
    reason: "The Azure region the vault lives in (westus2). The emulator lives on this machine and says so. No SDK reads the header.",
  },
  {
    id: "rbac-assignment",
    where: /^header x-ms-keyvault-rbac-assignment-id$/,
    actual: (v) => v === undefined,
    reason:
      "The id of the Azure role assignment that allowed the request. The emulator has no role assignments (access is its token check), and an invented id would point nowhere. No SDK reads the header.",
  },
  {
    id: "hsts",
    where: /^header strict-transport-security$/,
    actual: (v) => v === undefined,
    reason:
      "HSTS for one year, subdomains included. Sent from https://localhost it would make a browser refuse every plain-HTTP server on localhost for a year, Jupyter's own (http://localhost:8888) among them. Node's HTTP client, which the SDK uses, ignores the header.",
  },
  {
    id: "challenge-message-2026",
    where: /^body\.error\.message$/,
    actual: (v) => v === "AKV10000: Request is missing a Bearer, PoP, or MTLS_POP token.",
    reason:
      "The 401 challenge's message as the service words it since 2026 (recorded: every 2026 recording). Recordings from 2024 and 2025 have its older wording, \"Request is missing a Bearer or PoP token.\"; the emulator answers as the service does today. The SDKs read the challenge's WWW-Authenticate header, never this message.",
  },
];

/** The differences no deviation accepts, and which deviations accepted at least one. */
export function unaccepted(differences: Difference[], used: Set<string>): Difference[] {
  return differences.filter((d) => {
    const deviation = DEVIATIONS.find((dev) => dev.where.test(d.where) && (dev.actual === undefined || dev.actual(d.actual)));
    if (deviation) used.add(deviation.id);
    return !deviation;
  });
}
