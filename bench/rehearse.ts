/**
 * The workshop benchmark (issue 5): 50 attendees' full flows at once against an emulator held to
 * Azure's real create limit (20 per 10 s). Printed, never asserted: all should finish, with zero
 * leftover keys. `KVQ_BENCH_ATTENDEES` changes the room size.
 */
import { formatReport } from "../src/commands/rehearse";
import { rehearse } from "../src/workshop/rehearse";

async function main(): Promise<void> {
  const attendees = Number(process.env.KVQ_BENCH_ATTENDEES ?? 50);
  const report = await rehearse({ attendees });
  process.stdout.write(formatReport(report));
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
