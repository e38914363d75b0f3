// Runs bundles in Debian's Chromium (never a downloaded browser), as a user's page would load them:
// served by a real HTTP server, the one the hub is attached to (a page from a made-up origin may not
// open sockets to 127.0.0.1: Chromium's local network access checks refuse).
import type { RequestListener } from 'node:http';
import type { Browser } from 'playwright-core';
import { CHROMIUM, hasChromium, inCI, launchChromium, MISSING } from '@ghost-examples/shared/browser';

export { hasChromium, inCI, MISSING, CHROMIUM };

/** What a page saw: uncaught errors, and what the page put in `window.__seen`. */
export interface PageRun {
  errors: string[];
  seen: unknown[];
}

let browser: Browser | undefined;

export async function closeChromium(): Promise<void> {
  await browser?.close();
  browser = undefined;
}

/**
 * An app's request handler serving a page that loads `bundle` as `<script type="module">`, then a
 * second module script: module scripts run in document order, so once the second has run (it sets
 * `window.__done`), the first has run or thrown.
 */
export function pageWith(bundle: string): RequestListener {
  const page = '<!doctype html><title>bundle</title><script>window.__seen = [];</script>'
    + '<script type="module" src="/bundle.js"></script><script type="module" src="/done.js"></script>';
  return (request, response) => {
    const files: Record<string, [string, string]> = {
      '/': ['text/html', page],
      '/bundle.js': ['text/javascript', bundle],
      '/done.js': ['text/javascript', 'window.__done = true;'],
    };
    const [type, body] = files[request.url ?? '/'] ?? ['text/plain', 'not found'];
    response.writeHead(files[request.url ?? '/'] ? 200 : 404, { 'content-type': type });
    response.end(body);
  };
}

/** Opens `url` (served by {@link pageWith}) and waits for its scripts to run, then for `until` in the page if given. */
export async function runInChromium(url: string, until?: string): Promise<PageRun> {
  browser ??= await launchChromium();
  const page = await browser.newPage();
  try {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { __done?: boolean }).__done === true);
    if (until) await page.waitForFunction(until, undefined, { timeout: 10_000 });
    const seen = await page.evaluate(() => (window as unknown as { __seen: unknown[] }).__seen);
    return { errors, seen };
  } finally {
    await page.close();
  }
}
