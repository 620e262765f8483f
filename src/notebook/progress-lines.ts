/**
 * ora's spinners, where nothing can redraw a line. In a kernel stdout is no terminal, so ora
 * prints its start as a line of its own ("- Creating RSA key k") and its end as another
 * ("✔ Created k"). A terminal would show only the end: so does whatever keeps or shows a cell's
 * output (the executed notebook, the docs, kvq run's and kvq learn's screens) — the start line is
 * dropped when its end line comes right after it. A start line without an end (the cell failed or
 * was stopped while it waited) stays: it says what was under way.
 */
import { joinMultiline, type Output } from "./notebook-file";

/** ora's persisted end line starts with one of log-symbols' marks (success, error, warning, info). */
const END_LINE = /^[✔✖⚠ℹ] /u;
const START_LINE = /^- \S/;

/** The text with each ora start line that is followed by its end line taken out. */
export function dropProgressStarts(text: string): string {
  const lines = text.split("\n");
  return lines.filter((line, i) => !(START_LINE.test(line) && END_LINE.test(lines[i + 1] ?? ""))).join("\n");
}

/** A cell's outputs with consecutive stdout streams joined (as Jupyter saves them) and ora's start lines dropped. */
export function collapseProgress(outputs: Output[]): Output[] {
  const merged: Output[] = [];
  for (const output of outputs) {
    const last = merged.at(-1);
    if (output.output_type === "stream" && last?.output_type === "stream" && last.name === output.name) {
      merged[merged.length - 1] = { ...last, text: joinMultiline(last.text) + joinMultiline(output.text) };
    } else merged.push(output);
  }
  return merged.map((o) => (o.output_type === "stream" && o.name === "stdout" ? { ...o, text: dropProgressStarts(joinMultiline(o.text)) } : o));
}

/**
 * For output shown as it arrives (kvq learn). On a terminal a start line is shown at once and
 * erased when its end line comes (as ora would redraw it); elsewhere it is held until the next
 * line shows whether its end follows. `flush` at the end of a cell lets a held start line through.
 */
export function progressFilter(write: (text: string) => void, options: { canErase: boolean }): { write(text: string): void; flush(): void } {
  let held = "";
  let startShown = false;
  let partial = "";
  return {
    write(text) {
      const lines = (partial + text).split("\n");
      partial = lines.pop()!;
      let out = "";
      for (const line of lines) {
        if (START_LINE.test(line)) {
          out += held;
          held = "";
          if (options.canErase) {
            out += `${line}\n`;
            startShown = true;
          } else held = `${line}\n`;
          continue;
        }
        if (END_LINE.test(line) && (held || startShown)) {
          if (startShown && !held) out += ERASE_PREVIOUS_LINE;
          held = "";
          startShown = false;
          out += `${line}\n`;
          continue;
        }
        out += `${held}${line}\n`;
        held = "";
        startShown = false;
      }
      if (out) write(out);
    },
    flush() {
      const rest = held + partial;
      held = partial = "";
      startShown = false;
      if (rest) write(rest);
    },
  };
}

/** Cursor up one line, then clear it (ECMA-48 CUU and EL). */
const ERASE_PREVIOUS_LINE = "\x1b[1A\r\x1b[2K";
