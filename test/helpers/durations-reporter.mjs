// A node:test reporter that records how long each test file ran (its process, start to end, in ms)
// as one JSON object in the file KVQ_TEST_DURATIONS_OUT names; test/run.ts reads it to start the
// longest files first next time. Node's own reporters print no per-file time. The file is rewritten,
// synchronously, as each test file completes: --test-force-exit can end the runner before a
// reporter's last output is flushed. It prints nothing. Plain JavaScript: the test runner loads
// reporters before any TypeScript loader could help.
import { writeFileSync } from "node:fs";

export default async function* durations(source) {
  const out = process.env.KVQ_TEST_DURATIONS_OUT;
  const measured = {};
  for await (const event of source) {
    // A file's own entry in the run is the test named by its path.
    const { name, file, details } = event.data ?? {};
    if (!out || event.type !== "test:complete" || !file || name !== file || typeof details?.duration_ms !== "number") continue;
    measured[file] = Math.round(details.duration_ms);
    writeFileSync(out, JSON.stringify(measured));
  }
  yield* [];
}
