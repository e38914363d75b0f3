// Shared by the demo's browser tests: Debian's Chromium driven by playwright-core (never a
// downloaded browser), and the few ways the tests look at the page.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect, it } from 'vitest';

import { CHROMIUM, CHROMIUM_ARGS, hasChromium, inCI, MISSING } from '@ghost-examples/shared/browser';

export { CHROMIUM, hasChromium };
// Where the ghosts are, and a real pointer over the board: the same in the React demo, so shared.
export { board, expectGhostAt, ghostIds, moveTo, tips, type Box, type Tips } from '@ghost-examples/shared/cursors/board';

/** Without Chromium: one test that skips, or fails in CI, where a missing browser is a broken machine. */
export function needsChromium(): void {
  if (hasChromium) return;
  it(`needs ${CHROMIUM}`, (context) => {
    if (!inCI) {
      console.warn(`Skipping the cursor demo's browser tests: ${MISSING}`);
      context.skip(MISSING);
    }
    throw new Error(MISSING);
  });
}

/** Chromium as playwright-core starts it: each page in a window of its own, always visible. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A Chromium whose pages are tabs of one window: opening a tab hides the one before, for real. */
export interface TabbedChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Starts Chromium itself and attaches playwright-core over CDP with `noDefaults`: playwright-core's
 * own launch turns on focus emulation, which keeps every page visible (`document.hidden` never
 * becomes true, whatever the DevTools protocol asks). Here pages are tabs of one window, so bringing
 * another tab to the front hides a page the way a visitor switching tabs does.
 */
export async function launchTabbedChromium(): Promise<TabbedChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'ghost-chromium-'));
  // A process group of its own, so that nothing of it outlives the test, whatever happens.
  const child = spawn(CHROMIUM, [...CHROMIUM_ARGS, '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const stop = async () => {
    // A child killed by a signal has exitCode null and signalCode set: check both.
    const running = () => child.exitCode === null && child.signalCode === null;
    if (running()) await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (running()) process.kill(-child.pid!, 'SIGKILL');
    await exited;
    // Helpers may still be letting go of the profile for a moment after the browser exits.
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  };
  try {
    const endpoint = await devToolsEndpoint(child);
    const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true, isLocal: true });
    return {
      context: browser.contexts()[0]!,
      close: async () => {
        // Closing a browser playwright-core attached to only disconnects: ask Chromium itself to quit.
        const session = await browser.newBrowserCDPSession().catch(() => undefined);
        await session?.send('Browser.close').catch(() => {});
        await browser.close().catch(() => {});
        await stop();
      },
    };
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    await stop();
    throw error;
  }
}

/** Chromium prints `DevTools listening on ws://…` on stderr once it accepts connections. */
function devToolsEndpoint(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start within 20 s:\n${output}`)), 20_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /DevTools listening on (ws:\/\/\S+)/.exec(output);
      if (!found) return;
      clearTimeout(timer);
      resolve(found[1]!);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

/** A demo page, with the WebSocket frames it sent and received and anything it reported as an error. */
export interface DemoPage {
  page: Page;
  sent: string[];
  received: string[];
}

/** Opens the demo in a new page of `target` at this viewport size and waits until it is connected. */
export async function openDemo(target: Browser | BrowserContext, url: string, width: number, height: number, errors: string[]): Promise<DemoPage> {
  const page = await target.newPage();
  await page.setViewportSize({ width, height });
  const sent: string[] = [];
  const received: string[] = [];
  page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => sent.push(String(payload)));
    socket.on('framereceived', ({ payload }) => received.push(String(payload)));
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  await expect.poll(() => page.textContent('#status')).toBe('connected');
  return { page, sent, received };
}
