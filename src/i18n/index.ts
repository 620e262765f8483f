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
 * Columns a string takes in a terminal: CJK characters and full-width punctuation take two. Used
 * to line up labels ("Where:    ", "位置：    ") and indent continuation lines under them.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += isWide(char.codePointAt(0)!) ? 2 : 1;
  return width;
}

/** `text` followed by spaces up to `width` columns (at least none). */
export const padDisplay = (text: string, width: number) => text + " ".repeat(Math.max(0, width - displayWidth(text)));

// East Asian Wide and Fullwidth ranges (Unicode UAX #11) that these messages can contain.
const isWide = (c: number) =>
  (c >= 0x1100 && c <= 0x115f) ||
  (c >= 0x2e80 && c <= 0x303e) ||
  (c >= 0x3041 && c <= 0x33ff) ||
  (c >= 0x3400 && c <= 0x4dbf) ||
  (c >= 0x4e00 && c <= 0x9fff) ||
  (c >= 0xa000 && c <= 0xa4cf) ||
  (c >= 0xac00 && c <= 0xd7a3) ||
  (c >= 0xf900 && c <= 0xfaff) ||
  (c >= 0xfe30 && c <= 0xfe4f) ||
  (c >= 0xff00 && c <= 0xff60) ||
  (c >= 0xffe0 && c <= 0xffe6) ||
  (c >= 0x20000 && c <= 0x3fffd);
