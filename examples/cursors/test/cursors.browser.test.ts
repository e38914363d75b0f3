// The cursor demo end to end, in Debian's Chromium driven by playwright-core: windows of different
// sizes, the pointer moved over the board in one, its ghost checked in the others.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCursorDemo, type CursorDemo } from '../server.js';
import {
  board, expectGhostAt, ghostIds, hasChromium, launchChromium, launchTabbedChromium, moveTo, needsChromium, openDemo, tips,
  type DemoPage, type TabbedChromium,
} from './browser.js';

const screenshots = fileURLToPath(new URL('../../../.screenshots/', import.meta.url));

needsChromium();

describe.skipIf(!hasChromium)('cursor demo in Chromium', () => {
  let demo: CursorDemo;
  let browser: Browser;
  let tabbed: TabbedChromium | undefined;
  const pageErrors: string[] = [];
  const pages: Page[] = [];

  beforeAll(async () => {
    demo = await startCursorDemo({ port: 0 });
    browser = await launchChromium();
  });

  afterEach(async () => {
    await Promise.all(pages.splice(0).map((page) => page.close()));
    await tabbed?.close();
    tabbed = undefined;
    expect(pageErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  async function open(width: number, height: number, target: Parameters<typeof openDemo>[0] = browser): Promise<DemoPage> {
    const opened = await openDemo(target, demo.url, width, height, pageErrors);
    pages.push(opened.page);
    return opened;
  }

  it('shows each visitor the others\' cursors at the same relative place, never their own', async () => {
    // Three windows, three sizes: fractions of the board must land on the same spot in each.
    const { page: a, sent: sentByA } = await open(1280, 800);
    const { page: b } = await open(820, 620);
    const { page: c } = await open(1024, 700);

    await moveTo(a, 0.1, 0.15);
    await moveTo(a, 0.3, 0.6);

    // B sees exactly one ghost (A's) where A's pointer is, scaled to B's board.
    await expect.poll(async () => (await ghostIds(b)).length).toBe(1);
    const idA = (await ghostIds(b))[0]!;
    await expectGhostAt(b, idA, 0.3, 0.6);
    expect(await b.$eval(`[data-id="${idA}"]`, (el) => el.getAttribute('class'))).toBe('ghost-cursor');
    expect(await tips(a)).toEqual({}); // A never draws itself
    // Drawn in A's own colour (the swatch in A's header).
    const colourA = await a.$eval('#you', (el) => getComputedStyle(el).backgroundColor);
    expect((await tips(b))[idA]!.fill).toBe(colourA);

    // A second visitor: B now shows two ghosts.
    await moveTo(c, 0.5, 0.5);
    await moveTo(c, 0.7, 0.3);
    await expect.poll(async () => (await ghostIds(b)).length).toBe(2);
    const idC = (await ghostIds(b)).find((id) => id !== idA)!;
    await expectGhostAt(b, idC, 0.7, 0.3);
    await expectGhostAt(b, idA, 0.3, 0.6);
    expect(await b.textContent('#count')).toBe('3 online');
    mkdirSync(screenshots, { recursive: true });
    await b.screenshot({ path: `${screenshots}cursors.png` });

    // A sees C, and never itself.
    await expectGhostAt(a, idC, 0.7, 0.3);
    expect(await ghostIds(a)).toEqual([idC]);

    // What A sent: its position as fractions of the board, never pixels.
    const track = sentByA.map((frame) => JSON.parse(frame)).find((m) => m.type === 'presence.track' && m.room === 'lobby');
    expect(track).toMatchObject({ room: 'lobby', state: { x: expect.any(Number), y: expect.any(Number) } });
    expect(track.state.x).toBeGreaterThanOrEqual(0);
    expect(track.state.x).toBeLessThanOrEqual(1);

    // A's pointer leaves the board (into the header): its ghost goes; C's stays.
    const boxA = await board(a);
    await a.mouse.move(boxA.left + 40, boxA.top / 2, { steps: 4 });
    await expect.poll(() => ghostIds(b)).toEqual([idC]);
    await expect.poll(() => ghostIds(c)).toEqual([]);

    // It comes back: so does the ghost, with the same id, at the new place.
    await moveTo(a, 0.85, 0.9);
    await expectGhostAt(b, idA, 0.85, 0.9);
    await expectGhostAt(c, idA, 0.85, 0.9);

    // A closes its window: B's ghost of A goes away too (well before the hub's 10 s grace period).
    const closedAt = Date.now();
    await a.close();
    await expect.poll(() => ghostIds(b), { timeout: 5_000 }).toEqual([idC]);
    expect(Date.now() - closedAt).toBeLessThan(5_000);
    await expect.poll(() => b.textContent('#count')).toBe('2 online');
  });

  it('hides a visitor\'s cursor while their tab is hidden, until their pointer moves again', async () => {
    // A is a tab in a window of its own Chromium (see launchTabbedChromium); B a window as before.
    tabbed = await launchTabbedChromium();
    const { page: a } = await open(1100, 700, tabbed.context);
    const { page: b } = await open(860, 640);

    await moveTo(a, 0.2, 0.3);
    await moveTo(a, 0.4, 0.55);
    await expect.poll(async () => (await ghostIds(b)).length).toBe(1);
    const idA = (await ghostIds(b))[0]!;
    await expectGhostAt(b, idA, 0.4, 0.55);

    // Another tab comes to the front of A's window: A's document is really hidden now.
    const other = await tabbed.context.newPage();
    await expect.poll(() => a.evaluate(() => document.visibilityState)).toBe('hidden');
    await expect.poll(() => ghostIds(b)).toEqual([]);
    expect(await b.textContent('#count')).toBe('2 online'); // hidden, not gone

    // Back to A's tab, and the pointer moves: the ghost is back, at the new place.
    await a.bringToFront();
    await expect.poll(() => a.evaluate(() => document.visibilityState)).toBe('visible');
    await moveTo(a, 0.75, 0.2);
    await expectGhostAt(b, idA, 0.75, 0.2);
    await other.close();
  });
});
