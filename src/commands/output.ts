/**
 * Human output for commands: an ora spinner per step on an interactive terminal; elsewhere (not a
 * TTY, NO_COLOR or CI set) one plain line when the step ends, so logs and notebooks never get
 * escape codes.
 */
import type { Ora } from "ora";

export const isInteractive = (stream: NodeJS.WriteStream = process.stdout) =>
  Boolean(stream.isTTY) && !process.env.CI && !process.env.NO_COLOR && process.env.TERM !== "dumb";

export type StepEnd = "succeed" | "fail" | "warn" | "info";
const PLAIN_SYMBOLS: Record<StepEnd, string> = { succeed: "✔", fail: "✖", warn: "⚠", info: "ℹ" };

export interface Step {
  /** Updates the text shown while the step runs (interactive only). */
  update(text: string): void;
  end(how: StepEnd, text: string): void;
}

export function startStep(text: string, stream: NodeJS.WriteStream = process.stdout): Step {
  if (!isInteractive(stream)) {
    return { update: () => undefined, end: (how, final) => stream.write(`${PLAIN_SYMBOLS[how]} ${final}\n`) };
  }
  // ora (with chalk and string-width: 60-70 ms) loads here, not with the CLI: most commands end,
  // or print plain lines, without a spinner.
  const { default: ora } = require("ora") as typeof import("ora");
  const spinner: Ora = ora({ text, stream }).start();
  return {
    update: (next) => {
      spinner.text = next;
    },
    end: (how, final) => {
      spinner[how](final);
    },
  };
}

/** Indents every line after the first, for details under a ✔/✖ line. */
export const indent = (text: string, by = "  ") => text.split("\n").join(`\n${by}`);
