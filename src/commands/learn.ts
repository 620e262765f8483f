/** `kvq learn` (= `npm run learn`): step through the notebook in the terminal, on the same kernel. */
import { createInterface } from "node:readline/promises";
import { UsageError } from "../errors";
import { t } from "../i18n";
import { learn, type Choice, type LearnIO } from "../notebook/learn";
import { readNotebook } from "../notebook/notebook-file";
import { resolveNotebook } from "../notebook/tutorial-run";
import { wrapPlain } from "../notebook/terminal-markdown";
import { openTutorialTarget } from "../notebook/tutorial-target";
import { resolveLang } from "./run";

export async function learnCommand(options: { from?: number; lang?: string; vault?: string; notebook?: string }): Promise<number> {
  const lang = resolveLang(options.lang, options.notebook);
  const notebook = resolveNotebook(options.notebook, lang);
  // A wrong path is told before an emulator starts or a vault is asked.
  await readNotebook(notebook);
  const target = await openTutorialTarget({ vaultUrl: options.vault });
  // Ctrl-C while a cell runs stops that cell (the kernel runs in its own session, so only we hear
  // it) and the learner chooses again; at a prompt, where the terminal is raw, it is the key q.
  const interrupts = new EventTarget();
  const onSignal = () => interrupts.dispatchEvent(new Event("interrupt"));
  process.on("SIGINT", onSignal);
  try {
    process.stdout.write(`${wrapPlain(target.kind === "vault" ? t().runner.target.vault(target.vaultUrl) : t().runner.target.embedded(target.vaultUrl))}\n`);
    const io = terminalIO();
    try {
      await learn({ notebook, lang, target, io, from: options.from, interrupts });
    } finally {
      io.close();
    }
    return 0;
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  } finally {
    process.off("SIGINT", onSignal);
    await target.close();
  }
}

/**
 * Keys on a terminal (Enter, s, q without waiting for Enter, through raw mode); lines when stdin is
 * a pipe — read through one reader for the whole session, since a reader per question would
 * swallow the lines already buffered behind the first.
 */
function terminalIO(): LearnIO & { close(): void } {
  const stdin = process.stdin;
  const write = (text: string) => void process.stdout.write(text);
  if (!stdin.isTTY) {
    const rl = createInterface({ input: stdin, terminal: false });
    const lines = rl[Symbol.asyncIterator]();
    const next = async (prompt: string) => {
      write(prompt);
      const line = await lines.next();
      write("\n");
      return line.done ? "q" : line.value;
    };
    return { write, ask: next, choose: async (prompt) => toChoice(await next(prompt)), close: () => rl.close() };
  }
  return {
    write,
    isTerminal: process.stdout.isTTY === true,
    close: () => undefined,
    ask: async (prompt) => {
      const rl = createInterface({ input: stdin, output: process.stdout, terminal: true });
      try {
        return await rl.question(prompt);
      } finally {
        rl.close();
      }
    },
    choose: async (prompt) => {
      write(prompt);
      stdin.setRawMode(true);
      stdin.resume();
      // Digits gather into a step number (shown as typed), ended by Enter; the other keys act at once.
      let digits = "";
      try {
        for (;;) {
          const key = await new Promise<string>((resolve) => stdin.once("data", (data) => resolve(data.toString())));
          if (/^\d$/.test(key)) {
            digits += key;
            write(key);
            continue;
          }
          if ((key === "\x7f" || key === "\b") && digits) {
            digits = digits.slice(0, -1);
            write("\b \b");
            continue;
          }
          const enter = key === "\r" || key === "\n";
          if (enter && digits) {
            write("\n");
            return { step: Number(digits) };
          }
          const lower = key.toLowerCase();
          const choice: Choice | undefined = enter ? "run" : lower === "s" ? "skip" : lower === "b" ? "back" : lower === "q" || key === "\u0003" ? "quit" : undefined;
          if (choice) {
            write(`${digits ? "\b \b".repeat(digits.length) : ""}${choice === "run" ? "↵" : lower === "\u0003" ? "q" : lower}\n`);
            return choice;
          }
        }
      } finally {
        stdin.setRawMode(false);
        stdin.pause();
      }
    },
  };
}

const toChoice = (answer: string): Choice => {
  const a = answer.trim().toLowerCase();
  if (/^\d+$/.test(a)) return { step: Number(a) };
  return a === "" ? "run" : a.startsWith("s") ? "skip" : a.startsWith("b") ? "back" : a.startsWith("q") ? "quit" : "run";
};
