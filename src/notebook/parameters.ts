/**
 * Parameters, papermill's convention (https://papermill.readthedocs.io/en/latest/usage-parameterize.html):
 * the code cell tagged `parameters` holds the defaults; the values given on the command line go
 * into a new cell tagged `injected-parameters` right after it, which a re-run replaces (never a
 * second one). papermill has no TypeScript translator; this is it.
 *
 * The injected cell redeclares each name with the keyword and the type of its default (tslab
 * allows redeclaring const/let in a later cell, FACTS.md §6), so a value of the wrong type is a
 * TypeScript error in that cell, not a surprise three steps later.
 */
import { ParameterError } from "./errors";
import { cellSource, hasTag, type Cell, type CodeCell, type Notebook } from "./notebook-file";

export const PARAMETERS_TAG = "parameters";
export const INJECTED_PARAMETERS_TAG = "injected-parameters";

export type ParameterValue = string | number | boolean | null | unknown[] | { [key: string]: unknown };

/** A parameter declared in the parameters cell: `const keyName: string = "…"`. */
export interface DeclaredParameter {
  name: string;
  keyword: "const" | "let" | "var";
  /** The type annotation as written, if any ("string", "number", "2048 | 3072"…). */
  type?: string;
  /** The default's expression as written. */
  defaultSource: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** Reserved words (ES strict mode and TypeScript); contextual keywords such as `type` are valid names. */
const RESERVED = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for function if " +
    "import in instanceof new null return super switch this throw true try typeof var void while with " +
    "implements interface let package private protected public static yield await").split(" "),
);
const DECLARATION = /^(?:export\s+)?(const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*([^=]+?))?\s*=\s*(.*?);?\s*(?:\/\/.*)?$/;

/** Index of the first code cell tagged `parameters`, or -1. */
export const findParametersCell = (nb: Notebook): number =>
  nb.cells.findIndex((cell) => cell.cell_type === "code" && hasTag(cell, PARAMETERS_TAG));

/** The top-level `const|let|var name[: type] = default` lines of a parameters cell, in order. */
export function parseDeclaredParameters(source: string): DeclaredParameter[] {
  const found = new Map<string, DeclaredParameter>();
  for (const line of source.split(/\r?\n/)) {
    if (/^\s/.test(line)) continue; // indented: inside a block or a multi-line literal
    const m = DECLARATION.exec(line);
    if (!m) continue;
    const [, keyword, name, type, defaultSource] = m;
    found.set(name!, { name: name!, keyword: keyword as DeclaredParameter["keyword"], type: type?.trim(), defaultSource: defaultSource! });
  }
  return [...found.values()];
}

/**
 * `name=value` → name and typed value. Values are typed as papermill's CLI types -p values: a
 * number, true/false, JSON (object, array, quoted string, null), else the text itself. When the
 * default is a string (annotation `string`, or a quoted default), the text is kept as it is, so
 * `--param keyName=2024` stays "2024".
 */
export function parseParameterArg(arg: string): { name: string; raw: string } {
  const eq = arg.indexOf("=");
  if (eq <= 0) {
    throw new ParameterError("parameter-invalid", `--param ${JSON.stringify(arg)} is not name=value.`, "Write it as --param name=value, e.g. --param keyName=my-key.");
  }
  const name = arg.slice(0, eq).trim();
  validateName(name);
  return { name, raw: arg.slice(eq + 1) };
}

export function typedValue(raw: string, declared?: DeclaredParameter): ParameterValue {
  if (declared && declaresString(declared)) return raw;
  const text = raw.trim();
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) && Number.isFinite(Number(text))) return Number(text);
  if (text === "true" || text === "false") return text === "true";
  if (/^[[{"]/.test(text) || text === "null") {
    try {
      return JSON.parse(text) as ParameterValue;
    } catch {
      // Not JSON after all: a string that starts with a bracket.
    }
  }
  return raw;
}

/**
 * The injected cell's TypeScript. Each name keeps its default's type: the annotation as written, or
 * the widened type of a literal default (`const rsaKeySize = 2048` → `: number`). Without that,
 * `const keyName = "my-key"` would have the literal type "my-key", and a later `keyName === ""`
 * would stop compiling; with it, `--param rsaKeySize=big` is a type error in this very cell.
 */
export function renderInjectedSource(values: Array<{ declared: DeclaredParameter; value: ParameterValue }>): string {
  const lines = ["// Parameters injected by kvq run (--param); this cell is replaced on every run."];
  for (const { declared, value } of values) {
    const type = declaredType(declared);
    lines.push(`${declared.keyword} ${declared.name}${type ? `: ${type}` : ""} = ${JSON.stringify(value)};`);
  }
  return lines.join("\n");
}

/** The annotation, or the widened type of a string, number or boolean literal default. */
export function declaredType(d: DeclaredParameter): string | undefined {
  if (d.type) return d.type;
  const value = d.defaultSource.trim();
  if (/^(["'`]).*\1$/.test(value)) return "string";
  if (/^-?(\d[\d_]*\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value)) return "number";
  if (value === "true" || value === "false") return "boolean";
  return undefined;
}

export interface ParameterizeResult {
  notebook: Notebook;
  /** Index of the injected cell in the new notebook, or -1 when no parameters were given. */
  injectedCellIndex: number;
  values: Record<string, ParameterValue>;
}

/**
 * Returns a copy of the notebook with the `injected-parameters` cell for `params` (name=value
 * strings, or a name → raw value map). Any previous injected cell is removed first. With no
 * params the notebook is returned as it is (papermill does the same).
 */
export function parameterizeNotebook(nb: Notebook, params: string[] | Record<string, string>): ParameterizeResult {
  const pairs = Array.isArray(params) ? params.map(parseParameterArg) : Object.entries(params).map(([name, raw]) => (validateName(name), { name, raw }));
  if (pairs.length === 0) return { notebook: nb, injectedCellIndex: -1, values: {} };

  const parametersIndex = findParametersCell(nb);
  if (parametersIndex < 0) {
    throw new ParameterError(
      "parameters-cell-missing",
      `The notebook has no cell tagged "${PARAMETERS_TAG}", so --param ${pairs[0]!.name}=… has nowhere to go.`,
      `Tag the cell that declares the defaults with "${PARAMETERS_TAG}" (Jupyter: Property Inspector → Cell Tags).`,
    );
  }
  const declared = parseDeclaredParameters(cellSource(nb.cells[parametersIndex]!));
  const byName = new Map(declared.map((d) => [d.name, d]));
  const unknown = pairs.filter((p) => !byName.has(p.name)).map((p) => p.name);
  if (unknown.length > 0) {
    const known = declared.map((d) => d.name);
    throw new ParameterError(
      "parameter-unknown",
      `Unknown parameter${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}. ` +
        (known.length ? `The notebook's parameters are: ${known.join(", ")}.` : `The "${PARAMETERS_TAG}" cell declares none.`),
      "Use one of those names, or declare it in the parameters cell as `const name = default;`.",
    );
  }
  // Last one wins, in the order of the parameters cell.
  const values: Record<string, ParameterValue> = {};
  for (const p of pairs) values[p.name] = typedValue(p.raw, byName.get(p.name));
  const ordered = declared.filter((d) => d.name in values).map((d) => ({ declared: d, value: values[d.name]! }));

  const cells = nb.cells.filter((cell) => !(cell.cell_type === "code" && hasTag(cell, INJECTED_PARAMETERS_TAG)));
  const at = cells.indexOf(nb.cells[parametersIndex]!) + 1;
  const injected: CodeCell = {
    cell_type: "code",
    // Stable, so re-runs and regenerated docs do not churn; ids are part of nbformat 4.5+.
    ...(nb.nbformat_minor >= 5 ? { id: "injected-parameters" } : {}),
    metadata: { tags: [INJECTED_PARAMETERS_TAG] },
    source: renderInjectedSource(ordered),
    outputs: [],
    execution_count: null,
  };
  const next: Cell[] = [...cells.slice(0, at), injected, ...cells.slice(at)];
  return { notebook: { ...nb, cells: next }, injectedCellIndex: at, values };
}

function validateName(name: string): void {
  if (!IDENTIFIER.test(name) || RESERVED.has(name)) {
    throw new ParameterError(
      "parameter-invalid",
      `--param name ${JSON.stringify(name)} is not a usable TypeScript identifier.`,
      "Use the variable's name as declared in the parameters cell (letters, digits, _ or $; not a keyword).",
    );
  }
}

const declaresString = (d: DeclaredParameter): boolean => declaredType(d) === "string";
