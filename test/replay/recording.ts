/**
 * Recordings in the Azure SDK test proxy's format (Azure/azure-sdk-tools, test-proxy): one JSON file
 * per test, `Entries[]` of a request (RequestUri, RequestMethod, RequestHeaders, RequestBody) and the
 * service's answer (StatusCode, ResponseHeaders, ResponseBody). Our fixtures are these files as the
 * Azure SDK for JS recorded them (test/fixtures/recordings/README.md says what was transcribed how).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export interface RecordedEntry {
  RequestUri: string;
  RequestMethod: string;
  RequestHeaders: Record<string, string>;
  RequestBody: unknown;
  StatusCode: number;
  ResponseHeaders: Record<string, string>;
  ResponseBody: unknown;
}

export interface Recording {
  /** The file's path below its kind's folder, e.g. "keyrotation/recording_rotate_a_key.json". */
  name: string;
  entries: RecordedEntry[];
}

export function loadRecording(folder: string, name: string): Recording {
  const parsed = JSON.parse(readFileSync(path.join(folder, name), "utf8")) as { Entries: RecordedEntry[] };
  return { name, entries: parsed.Entries };
}

/** Every recording in a kind's folder, suites and tests in name order. */
export function loadRecordings(folder: string): Recording[] {
  return readdirSync(folder, { recursive: true, encoding: "utf8" })
    .filter((file) => /(^|[\\/])recording_[^\\/]+\.json$/.test(file))
    .map((file) => file.split(path.sep).join("/"))
    .sort()
    .map((name) => loadRecording(folder, name));
}
