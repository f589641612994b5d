import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium, which CI installs with apt. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Chromium with a profile of its own, removed on close. */
export class Browser {
  private constructor(
    readonly context: BrowserContext,
    private readonly profileDir: string,
  ) {}

  static async launch(): Promise<Browser> {
    const profileDir = await mkdtemp(join(tmpdir(), 'cohort-chromium-'));
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1360, height: 900 },
    });
    return new Browser(context, profileDir);
  }

  async page(): Promise<Page> {
    return this.context.pages()[0] ?? (await this.context.newPage());
  }

  async close(): Promise<void> {
    await this.context.close();
    await rm(this.profileDir, { recursive: true, force: true });
  }
}

/** Saves a full-page screenshot as test-results/screenshots/<name>.png under `root`. */
export async function screenshot(page: Page, root: string, name: string): Promise<string> {
  const dir = join(root, 'test-results', 'screenshots');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
