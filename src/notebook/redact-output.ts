/**
 * One output of a cell with its secrets taken out, whatever its type: a stream's text, an error's
 * name, value and every traceback line, every text mime type of a display or result (base64 images
 * too: a secret cannot hide in them, and redacting is cheap), and every string, key or value, of a
 * JSON one (application/json: an execute_result of plain data).
 */
import type { Output } from "./notebook-file";

export function redactOutput(output: Output, redact: (text: string) => string): Output {
  switch (output.output_type) {
    case "stream":
      return { ...output, text: redact(String(output.text)) };
    case "error":
      return { ...output, ename: redact(output.ename), evalue: redact(output.evalue), traceback: output.traceback.map(redact) };
    default: {
      const data: Record<string, unknown> = {};
      for (const [mime, value] of Object.entries(output.data)) data[mime] = typeof value === "string" ? redact(value) : redactJson(value, redact);
      return { ...output, data };
    }
  }
}

/** Every string in a JSON value, keys included, redacted. */
function redactJson(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactJson(item, redact));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key), redactJson(item, redact)]));
  return value;
}
