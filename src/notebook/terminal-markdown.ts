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
  return (marked.parse(text) as string).replace(/\n{3,}/g, "\n\n").trimEnd();
}
