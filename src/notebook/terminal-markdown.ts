/**
 * A notebook's prose in a terminal, for `kvq learn`: headings, emphasis, lists, code and links
 * rendered by marked-terminal (colours only on a colour terminal). Mermaid diagrams cannot be drawn
 * in a terminal, so they are shown as their source under a note.
 */
import { Marked } from "marked";
import { markedTerminal } from "marked-terminal";

export function renderTerminalMarkdown(markdown: string, options: { width?: number; diagramNote?: string } = {}): string {
  const note = options.diagramNote ?? "(diagram: open the notebook in JupyterLab or VS Code to see it drawn)";
  const text = markdown.replace(/```mermaid\n([\s\S]*?)```/g, (_, body: string) => `${note}\n\n\`\`\`\n${body}\`\`\``);
  const marked = new Marked();
  // marked-terminal's typings lag behind marked's extension type; the runtime contract is the documented one.
  marked.use(markedTerminal({ reflowText: true, width: options.width ?? Math.min(process.stdout.columns || 80, 100), tab: 2 }) as Parameters<Marked["use"]>[0]);
  // marked-terminal 7 prints a text token's raw text. In a tight list item marked (≥ 12) hands over
  // the item's words as one text token whose inline tokens (bold, code, links) are only in
  // `tokens`: rendered here, so `* **the emulator**` shows bold, not asterisks. Other text tokens
  // (no inline tokens) go back to marked-terminal (returning false falls through to it).
  marked.use({
    renderer: {
      text(token) {
        return "tokens" in token && token.tokens && token.tokens.length > 0 ? this.parser.parseInline(token.tokens) : false;
      },
    },
  });
  return (marked.parse(text) as string).replace(/\n{3,}/g, "\n\n").trimEnd();
}
