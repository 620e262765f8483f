/**
 * One output of a cell with its secrets taken out, whatever its type: a stream's text, an error's
 * value and every traceback line (tslab sends none, other kernels do), and every text mime type
 * of a display or result (base64 images too: a secret cannot hide in them, and redacting is cheap).
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
      for (const [mime, value] of Object.entries(output.data)) data[mime] = typeof value === "string" ? redact(value) : value;
      return { ...output, data };
    }
  }
}
