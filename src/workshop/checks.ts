/**
 * The doctor's checklist as a table: each check has an id, a title, what it needs from earlier
 * checks, and a function that returns pass / warn / fail with a detail and, when something is
 * wrong, the exact fix. Adding a check is adding a row.
 */
import type { TokenCredential } from "@azure/identity";
import type { KeyClient } from "@azure/keyvault-keys";
import type { QuickstartConfig } from "../env";
import type { KindId } from "../kinds/index";

export type CheckStatus = "pass" | "warn" | "fail" | "skip";

export interface CheckOutcome {
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export interface CheckResult extends CheckOutcome {
  id: string;
  title: string;
  seconds: number;
}

/** What the checks learn and hand on to the next ones. */
export interface DoctorContext {
  env: NodeJS.ProcessEnv;
  projectRoot: string;
  envFile?: string;
  config?: QuickstartConfig;
  credential?: TokenCredential;
  client?: KeyClient;
  /** Filled by the first permissions check (of its kind's probe) for the soft-delete check. */
  probe?: { recoveryLevel?: string; recoverableDays?: number; kind: KindId };
}

export interface Check {
  id: string;
  title: string;
  /** Checks whose success this one needs; if one did not pass (warn counts as passed), this one is skipped. */
  needs?: string[];
  run(ctx: DoctorContext): Promise<CheckOutcome>;
}

export const pass = (detail: string): CheckOutcome => ({ status: "pass", detail });
export const warn = (detail: string, fix?: string): CheckOutcome => ({ status: "warn", detail, fix });
/** fix may be left out when the detail already carries a fix per problem. */
export const fail = (detail: string, fix?: string): CheckOutcome => ({ status: "fail", detail, fix });
