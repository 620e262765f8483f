/**
 * Headless Chromium from the system (Debian's `chromium`), driven by playwright-core, which never
 * downloads a browser: it is given the executable's path. A fresh profile in a temp folder for
 * each launch, removed on close; nothing in the profile (sync, component updates, first-run pages)
 * reaches the network.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { IN_CI } from "./jupyter";

/** The browser: KVQ_TEST_CHROMIUM if set, else Debian's /usr/bin/chromium. */
export const CHROMIUM = process.env.KVQ_TEST_CHROMIUM || "/usr/bin/chromium";

export function needsChromium(): { skip: string | false } {
  if (existsSync(CHROMIUM) || IN_CI) return { skip: false };
  return { skip: `no browser at ${CHROMIUM}; install it with \`apt-get install --no-install-recommends chromium\`, or set KVQ_TEST_CHROMIUM` };
}

export interface Browser {
  context: BrowserContext;
  /** The profile folder (--user-data-dir): on every Chromium process's command line. */
  profile: string;
  /** Closes the browser (every Chromium process ends with it) and removes the profile. */
  close(): Promise<void>;
}

const FLAGS = ["--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is required${IN_CI ? " in CI (CI=true)" : ""} but ${CHROMIUM} does not exist; apt-get install chromium.`);
  const profile = mkdtempSync(path.join(tmpdir(), "kvq-chromium-"));
  try {
    // launchPersistentContext: the profile folder is ours (a fresh --user-data-dir), not Playwright's.
    // chromiumSandbox stays off (Playwright then passes --no-sandbox), which Chromium needs as root.
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 900 },
      timeout: 60_000,
    });
    return {
      context,
      profile,
      close: async () => {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}
