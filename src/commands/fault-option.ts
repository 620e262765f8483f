/** `--fault op=error`, as `kvq emulator` and `kvq rehearse` take it: an operation of the vault made to fail with a named error. */
import { UsageError } from "../errors";
import { isFaultName, NAMED_FAULTS, type FaultRule } from "../emulator/faults";
import { OPERATIONS } from "../emulator/routes";

/** "createKey=ForbiddenByRbac", or just "ForbiddenByFirewall" for every operation. */
export function parseFault(spec: string): FaultRule {
  const [left, right] = spec.includes("=") ? spec.split("=", 2) : ["*", spec];
  if (left !== "*" && !OPERATIONS.has(left)) {
    throw new UsageError(`--fault ${spec}: unknown operation "${left}". Operations: ${[...OPERATIONS].join(", ")}, or * for all.`);
  }
  if (!isFaultName(right)) throw new UsageError(`--fault ${spec}: unknown error "${right}". Errors: ${Object.keys(NAMED_FAULTS).join(", ")}.`);
  return { operation: left, fault: right };
}
