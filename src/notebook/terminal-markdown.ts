/**
 * A notebook's prose in a terminal, for `kvq learn`: headings, emphasis, lists, code and links,
 * wrapped to the terminal's width (colours only when asked). marked parses; the layout is ours,
 * because the terminal renderers wrap by counting UTF-16 units and cut words to fit (marked-terminal
 * 7 broke "AZURE_CLOUD" and "soft delete" across lines, and lost list indentation and links).
 *
 * Wrapping follows the Unicode line-breaking algorithm (UAX #14, the `linebreak` package) but keeps
 * only its breaks at spaces and beside East Asian wide characters: a line may end after a space or
 * after a CJK character, never inside a word, a name with dashes, an inline code span or a link's
 * address, and never before a closing 」）。 (UAX #14 forbids those). Widths are display columns
 * (`string-width`: a CJK character is two). A piece wider than the line (a long URL) gets a line of
 * its own rather than being cut. Mermaid diagrams cannot be drawn in a terminal, so they are shown
 * as their source under a note.
 */
import path from "node:path";
import { Marked, type Token, type Tokens } from "marked";
import { displayWidth } from "../i18n";

/** linebreak (foliojs, UAX #14) ships no types: the part of its API used here. */
type LineBreaker = new (text: string) => { nextBreak(): { position: number; required: boolean } | null };
const LineBreaker = require("linebreak") as LineBreaker;

export interface TerminalMarkdownOptions {
  /** Columns to fill; default terminalWidth(). */
  width?: number;
  /** ANSI styles (bold, colours). Default: stdout is a colour terminal (not NO_COLOR, not TERM=dumb). */
  colour?: boolean;
  diagramNote?: string;
  /** The folder the markdown's relative links start from (the notebook's): they are shown from the project's root. */
  linkBase?: string;
  /** The project's root, for relative links; default: the folder above linkBase. */
  root?: string;
}

/** Prose lines stay readable up to this many columns, however wide the terminal. */
export const MAX_PROSE_WIDTH = 100;

/** The terminal's width now (Node updates it on every resize), capped for reading. */
export const terminalWidth = (stream: { columns?: number } = process.stdout) => Math.min(stream.columns || 80, MAX_PROSE_WIDTH);

export const wantsColour = (stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env) =>
  Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== "dumb";

type Style = "bold" | "italic" | "code" | "link" | "strike" | "heading" | "dim";
interface Piece {
  text: string;
  styles: Style[];
  /** No line break anywhere inside (a code span, a link's address). */
  whole?: boolean;
}

const ANSI: Record<Style, [string, string]> = {
  bold: ["\x1b[1m", "\x1b[22m"],
  heading: ["\x1b[1m\x1b[4m", "\x1b[24m\x1b[22m"],
  italic: ["\x1b[3m", "\x1b[23m"],
  code: ["\x1b[33m", "\x1b[39m"],
  link: ["\x1b[36m", "\x1b[39m"],
  strike: ["\x1b[9m", "\x1b[29m"],
  dim: ["\x1b[2m", "\x1b[22m"],
};

export function renderTerminalMarkdown(markdown: string, options: TerminalMarkdownOptions = {}): string {
  const note = options.diagramNote ?? "(diagram: open the notebook in JupyterLab or VS Code to see it drawn)";
  const text = markdown.replace(/```mermaid\n([\s\S]*?)```/g, (_, body: string) => `${note}\n\n\`\`\`\n${body}\`\`\``);
  const renderer = new Layout(options.width ?? terminalWidth(), options.colour ?? wantsColour(), options.linkBase, options.root);
  return renderer.blocks(new Marked().lexer(text), "").join("\n").replace(/\n{3,}/g, "\n\n").replace(/^\n+/, "").trimEnd();
}

/**
 * Plain text (a message, not markdown) wrapped by the same rules, line by line; a wrapped line's
 * continuation keeps that line's indentation.
 */
export function wrapPlain(text: string, width = terminalWidth()): string {
  const layout = new Layout(width, false);
  return text
    .split("\n")
    .map((line) => {
      const indent = /^\s*/.exec(line)![0];
      return line.trim() ? layout.wrap([{ text: line.slice(indent.length), styles: [] }], indent, indent).join("\n") : line;
    })
    .join("\n");
}

class Layout {
  constructor(
    private readonly width: number,
    private readonly colour: boolean,
    private readonly linkBase?: string,
    private readonly root?: string,
  ) {}

  /** Block tokens as lines, each starting with `indent`; blocks are separated by a blank line. */
  blocks(tokens: Token[], indent: string, first = indent): string[] {
    const out: string[] = [];
    let previous: Token | undefined;
    for (const token of tokens) {
      const lines = this.block(token, out.length === 0 ? first : indent, indent);
      if (lines.length === 0) continue;
      // A tight list item's text runs straight into its nested list; other blocks have a blank line between.
      if (out.length > 0 && !(token.type === "list" && previous?.type === "text")) out.push("");
      out.push(...lines);
      previous = token;
    }
    return out;
  }

  private block(token: Token, first: string, indent: string): string[] {
    switch (token.type) {
      case "heading": {
        const t = token as Tokens.Heading;
        return this.wrap(this.inline(t.tokens, t.depth <= 2 ? ["heading"] : ["bold"]), first, indent);
      }
      case "paragraph":
        return this.wrap(this.inline((token as Tokens.Paragraph).tokens), first, indent);
      case "text": {
        const t = token as Tokens.Text;
        return this.wrap(t.tokens ? this.inline(t.tokens) : [{ text: t.text, styles: [] }], first, indent);
      }
      case "list":
        return this.list(token as Tokens.List, first, indent);
      case "code":
        return this.code((token as Tokens.Code).text, first, indent);
      case "blockquote":
        return this.blocks((token as Tokens.Blockquote).tokens, `${indent}│ `, `${first}│ `);
      case "hr":
        return [`${first}${"─".repeat(Math.max(1, this.width - displayWidth(first)))}`];
      case "space":
        return [];
      case "html":
        return this.wrap([{ text: (token as Tokens.HTML).text.trim(), styles: [] }], first, indent);
      default:
        return "raw" in token && typeof token.raw === "string" ? token.raw.trimEnd().split("\n").map((line, i) => `${i === 0 ? first : indent}${line}`) : [];
    }
  }

  /** `* item` / `1. item`: continuation lines under the item's text, a nested list one level in. */
  private list(list: Tokens.List, first: string, indent: string): string[] {
    const out: string[] = [];
    const start = typeof list.start === "number" ? list.start : 1;
    list.items.forEach((item, i) => {
      const bullet = list.ordered ? `${start + i}. ` : "* ";
      const hang = indent + " ".repeat(bullet.length);
      if (list.loose && i > 0) out.push("");
      out.push(...this.blocks(item.tokens, hang, `${i === 0 ? first : indent}${bullet}`));
    });
    return out;
  }

  /** Code keeps its lines; one wider than the terminal continues on the next, marked ↪, broken at a space when it has one. */
  private code(source: string, first: string, indent: string): string[] {
    const pad = `${indent}  `;
    const out: string[] = [];
    for (const [n, line] of source.replace(/\n$/, "").split("\n").entries()) {
      const lead = n === 0 ? `${first}  ` : pad;
      const ownIndent = /^\s*/.exec(line)![0];
      if (!line.trim()) {
        out.push(lead.trimEnd());
        continue;
      }
      const pieces = this.wrap([{ text: line.slice(ownIndent.length), styles: ["code"] }], `${lead}${ownIndent}`, `${pad}${ownIndent}${this.style("↪ ", ["dim"])}`, true);
      out.push(...pieces);
    }
    return out;
  }

  private inline(tokens: Token[] | undefined, styles: Style[] = []): Piece[] {
    const pieces: Piece[] = [];
    for (const token of tokens ?? []) {
      switch (token.type) {
        case "strong":
          pieces.push(...this.inline((token as Tokens.Strong).tokens, [...styles, "bold"]));
          break;
        case "em":
          pieces.push(...this.inline((token as Tokens.Em).tokens, [...styles, "italic"]));
          break;
        case "del":
          pieces.push(...this.inline((token as Tokens.Del).tokens, [...styles, "strike"]));
          break;
        case "codespan": {
          const code = unescapeHtml((token as Tokens.Codespan).text);
          pieces.push({ text: this.colour ? code : `\`${code}\``, styles: [...styles, "code"], whole: true });
          break;
        }
        case "link": {
          const link = token as Tokens.Link;
          const label = this.inline(link.tokens, [...styles, "link"]);
          const target = this.linkTarget(link.href);
          const labelText = label.map((p) => p.text).join("");
          if (labelText === target || labelText === target.replace(/#.*$/, "")) pieces.push({ text: target, styles: [...styles, "link"], whole: true });
          else pieces.push(...label, { text: " ", styles }, { text: `(${target})`, styles: [...styles, "dim"], whole: true });
          break;
        }
        case "image":
          pieces.push({ text: (token as Tokens.Image).text, styles });
          break;
        case "br":
          pieces.push({ text: "\n", styles });
          break;
        case "text": {
          const t = token as Tokens.Text;
          if (t.tokens && t.tokens.length > 0) pieces.push(...this.inline(t.tokens, styles));
          else pieces.push({ text: softBreaks(unescapeHtml(t.text)), styles });
          break;
        }
        case "escape":
          pieces.push({ text: (token as Tokens.Escape).text, styles });
          break;
        default:
          pieces.push({ text: softBreaks("text" in token && typeof token.text === "string" ? token.text : token.raw), styles });
      }
    }
    return pieces;
  }

  /** A relative link as a path from the project's root (`../setup.md#x` from notebooks/ → `setup.md#x`); URLs as they are. */
  private linkTarget(href: string): string {
    if (!this.linkBase || /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith("#")) return href;
    const [file, fragment] = href.split("#", 2) as [string, string?];
    const root = this.root ?? path.dirname(this.linkBase);
    const relative = path.relative(root, path.resolve(this.linkBase, file)).split(path.sep).join("/");
    return `${relative}${fragment ? `#${fragment}` : ""}`;
  }

  /** Greedy filling of lines at the allowed breaks; `first` and `indent` prefix the first and later lines. */
  wrap(pieces: Piece[], first: string, indent: string, keepSpaces = false): string[] {
    const text = pieces.map((p) => p.text).join("");
    if (!text.trim()) return [];
    // Each UTF-16 index: its piece, so styles survive the wrapping and no break lands inside a whole piece.
    const owner: number[] = [];
    pieces.forEach((p, i) => owner.push(...Array.from({ length: p.text.length }, () => i)));
    const breaks = allowedBreaks(text, (at) => pieces[owner[at]!]!.whole === true && owner[at - 1] === owner[at]);
    const lines: string[] = [];
    let lineStart = 0;
    let lastFit = -1;
    let prefix = first;
    const emit = (end: number) => {
      const slice = [lineStart, trimEndIndex(text, lineStart, end)] as const;
      lines.push(`${prefix}${this.styled(text, pieces, owner, slice[0], slice[1])}`);
      prefix = indent;
      lineStart = end;
      while (!keepSpaces && lineStart < text.length && text[lineStart] === " ") lineStart++;
      lastFit = -1;
    };
    for (const { position, required } of breaks) {
      const room = this.width - displayWidth(prefix);
      const segment = text.slice(lineStart, trimEndIndex(text, lineStart, position));
      if (displayWidth(segment) > room && lastFit > lineStart) {
        emit(lastFit);
      }
      if (required && position < text.length) {
        emit(position - (text[position - 1] === "\n" ? 1 : 0));
        lineStart = position;
        continue;
      }
      lastFit = position;
    }
    if (lineStart < text.length) emit(text.length);
    return lines;
  }

  private styled(text: string, pieces: Piece[], owner: number[], from: number, to: number): string {
    let out = "";
    for (let at = from; at < to; ) {
      let end = at;
      while (end < to && owner[end] === owner[at]) end++;
      out += this.style(text.slice(at, end).replace(/\n/g, ""), pieces[owner[at]!]!.styles);
      at = end;
    }
    return out;
  }

  private style(text: string, styles: Style[]): string {
    if (!this.colour || !text) return text;
    return styles.reduceRight((inner, s) => `${ANSI[s][0]}${inner}${ANSI[s][1]}`, text);
  }
}

/**
 * The breaks UAX #14 allows that this layout takes: after a space, or beside an East Asian wide
 * character (there words have no spaces between them), and every required one (a hard break).
 */
function allowedBreaks(text: string, insideWhole: (at: number) => boolean): { position: number; required: boolean }[] {
  const breaker = new LineBreaker(text);
  const found: { position: number; required: boolean }[] = [];
  for (let b = breaker.nextBreak(); b; b = breaker.nextBreak()) {
    const at = b.position;
    if (at < text.length && insideWhole(at)) continue;
    const before = text.codePointAt(at - 1 - (isLowSurrogate(text, at - 1) ? 1 : 0)) ?? 0;
    const after = text.codePointAt(at) ?? 0;
    if (b.required || at >= text.length || /\s/.test(String.fromCodePoint(before)) || isWide(before) || isWide(after)) found.push({ position: at, required: b.required });
  }
  return found;
}

const isLowSurrogate = (text: string, at: number) => at > 0 && /[\uDC00-\uDFFF]/.test(text[at] ?? "");
const isWide = (codePoint: number) => codePoint > 0 && displayWidth(String.fromCodePoint(codePoint)) === 2;
const trimEndIndex = (text: string, from: number, to: number) => {
  let end = to;
  while (end > from && /[ \n]/.test(text[end - 1]!)) end--;
  return end;
};

/**
 * A soft line break in the source is a space between words, and nothing between two CJK
 * characters (as CSS Text joins them): the notebooks' Chinese prose is wrapped in the source too.
 */
function softBreaks(text: string): string {
  return text.replace(/([^\n])?\n([^\n])?/g, (_, before?: string, after?: string) => {
    const joinTight = before !== undefined && after !== undefined && isWide(before.codePointAt(0)!) && isWide(after.codePointAt(0)!);
    return `${before ?? ""}${joinTight ? "" : " "}${after ?? ""}`;
  });
}

const unescapeHtml = (text: string) => text.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[e]!);
