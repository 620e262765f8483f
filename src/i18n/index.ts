/**
 * The language of the messages learners meet (issue 6): English or Traditional Chinese (Taiwan),
 * chosen from the environment the same way in the notebook's helpers, the runner and every `kvq`
 * command, and read at the moment a message is made — so `setLang`, or a KVQ_LANG loaded from
 * .env, applies to the next message without re-importing anything.
 *
 * No i18n library: the catalogs are plain typed objects, and a message with values is a function,
 * so a missing or misspelt key, or a message called with the wrong values, is a compile error.
 * i18next / FormatJS look messages up by string key and interpolate at run time (typing them needs
 * declaration merging or code generation), and bring plural/ICU machinery two languages do not need.
 */
import { en, type Messages } from "./en";
import { zhTW } from "./zh-TW";

// An ES module (Node ≥ 20.19 requires it as CommonJS does); the helpers load it in the kernel too.
const stringWidth = (require("string-width") as typeof import("string-width")).default;

export type { Messages } from "./en";

export type Lang = "en" | "zh-TW";

export const LANGS: readonly Lang[] = ["en", "zh-TW"];

const CATALOGS: Record<Lang, Messages> = { en, "zh-TW": zhTW };

/** Locale names that mean Traditional Chinese as written in Taiwan: zh_TW.UTF-8, zh-TW, zh_Hant, zh-Hant-TW … */
const TRADITIONAL_CHINESE = /^zh[_-](tw|hant)/i;

/** The locale variables POSIX consults for messages, in the order it does (the first non-empty one decides). */
const LOCALE_VARIABLES = ["LC_ALL", "LC_MESSAGES", "LANG"] as const;

/**
 * Set by the kernelspec of each notebook edition (kernel/kernelspec.ts): the notebook's language,
 * which wins over the locale but not over KVQ_LANG.
 */
export const NOTEBOOK_LANG_VARIABLE = "KVQ_NOTEBOOK_LANG";

/**
 * The language to use: KVQ_LANG when it is set, then the notebook edition's (KVQ_NOTEBOOK_LANG, set
 * by its kernel), otherwise the first non-empty of LC_ALL,
 * LC_MESSAGES and LANG. Whichever variable decides, a value starting with zh_TW, zh-TW, zh_Hant or
 * zh-Hant (any case) means "zh-TW"; anything else — en_US.UTF-8, C, zh_CN, a language we do not
 * have — means English, as an unknown locale means the C locale to POSIX programs.
 */
export function detectLang(env: NodeJS.ProcessEnv = process.env): Lang {
  const explicit = env.KVQ_LANG?.trim() || env[NOTEBOOK_LANG_VARIABLE]?.trim();
  const decides = explicit || LOCALE_VARIABLES.map((name) => env[name]?.trim()).find((value) => value);
  return decides && TRADITIONAL_CHINESE.test(decides) ? "zh-TW" : "en";
}

/**
 * A language name as a person types it (`--lang zh-TW`, `zh_TW`, `zh-Hant`, `en`, `en-US`), or
 * undefined when it is none we have — for options that should refuse what they do not know.
 */
export function parseLang(text: string): Lang | undefined {
  const value = text.trim();
  if (TRADITIONAL_CHINESE.test(value)) return "zh-TW";
  if (/^en([_-]|$)/i.test(value)) return "en";
  return undefined;
}

/**
 * Chooses the language for this process and every process it starts (the notebook kernel inherits
 * the environment, so the helpers inside it speak the same language as the runner).
 */
export function setLang(lang: Lang): void {
  process.env.KVQ_LANG = lang;
}

/** The catalog of the language in effect now: `t().cleanup.purged(name)`. */
export const t = (): Messages => CATALOGS[detectLang()];

/** One language's catalog, whatever the environment says (tests, and output that must be in a given language). */
export const messagesFor = (lang: Lang): Messages => CATALOGS[lang];

/**
 * Columns a string takes in a terminal: East Asian wide and full-width characters take two, escape
 * codes none (string-width, Unicode's East Asian Width data). Used to line up labels ("Where:    ",
 * "位置：    "), indent continuation lines under them, and wrap `kvq learn`'s prose.
 */
export const displayWidth = (text: string): number => stringWidth(text);

/** `text` followed by spaces up to `width` columns (at least none). */
export const padDisplay = (text: string, width: number) => text + " ".repeat(Math.max(0, width - displayWidth(text)));
