// What the demos' browser tests share: Debian's Chromium driven by playwright-core (never a
// downloaded browser), pages that record their errors, and where screenshots go.
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { it } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
  '--no-first-run', '--disable-component-update', '--disable-sync',
];
export const MISSING = `${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (this test never downloads a browser)`;
export const inCI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
export const hasChromium = existsSync(CHROMIUM);

/** Without Chromium: one test that skips, or fails in CI, where a missing browser is a broken machine. */
export function needsChromium(what: string): void {
  if (hasChromium) return;
  it(`needs ${CHROMIUM}`, (context) => {
    if (!inCI) {
      console.warn(`Skipping the ${what} browser tests: ${MISSING}`);
      context.skip(MISSING);
    }
    throw new Error(MISSING);
  });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Opens `url` in a new page of `browser`. Script errors and console errors go to `errors`, except
 * console messages matching `expected` (e.g. the failed connection attempts while a server restarts).
 */
export async function openPage(browser: Browser, url: string, errors: string[], expected?: RegExp): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1024, height: 640 });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !expected?.test(message.text())) errors.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  return page;
}

/** Saves a screenshot as `.screenshots/NAME.png` at the repository root (gitignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = fileURLToPath(new URL('../../.screenshots/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const path = `${dir}${name}.png`;
  await page.screenshot({ path });
  return path;
}
