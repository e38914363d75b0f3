// The cursor demo end to end, in Debian's Chromium driven by playwright-core: three windows of
// different sizes, the pointer moved over the board in one, its ghost checked in the others.
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCursorDemo, type CursorDemo } from '../server.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
  '--no-first-run', '--disable-component-update', '--disable-sync',
];
const MISSING = `${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (this test never downloads a browser)`;
const inCI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const hasChromium = existsSync(CHROMIUM);
const screenshots = fileURLToPath(new URL('../../../.screenshots/', import.meta.url));

/** The board's inside (within its border), where ghosts are drawn, in the page's client pixels. */
interface Box { left: number; top: number; width: number; height: number }

/** Where each ghost's arrow tip is, by member id. */
type Tips = Record<string, { x: number; y: number; fill: string }>;

if (!hasChromium) {
  // In CI a missing browser is a broken machine, not a reason to pass quietly.
  it(`needs ${CHROMIUM}`, (context) => {
    if (!inCI) {
      console.warn(`Skipping the cursor demo's browser test: ${MISSING}`);
      context.skip(MISSING);
    }
    throw new Error(MISSING);
  });
}

describe.skipIf(!hasChromium)('cursor demo in Chromium', () => {
  let demo: CursorDemo;
  let browser: Browser;
  const pageErrors: string[] = [];
  const framesSent = new Map<Page, string[]>();

  beforeAll(async () => {
    demo = await startCursorDemo({ port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  async function open(width: number, height: number): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height } });
    const sent: string[] = [];
    framesSent.set(page, sent);
    page.on('websocket', (socket) => socket.on('framesent', ({ payload }) => sent.push(String(payload))));
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
    });
    await page.goto(demo.url);
    await expect.poll(() => page.textContent('#status')).toBe('open');
    return page;
  }

  const board = (page: Page): Promise<Box> =>
    page.$eval('#board', (el) => {
      const r = el.getBoundingClientRect();
      return { left: r.left + el.clientLeft, top: r.top + el.clientTop, width: el.clientWidth, height: el.clientHeight };
    });

  // The arrow's tip sits 1px inside its box, and the box is pulled back by 1px: the tip is the point.
  const tips = (page: Page): Promise<Tips> =>
    page.$$eval('.ghost-cursor', (els) =>
      Object.fromEntries(
        els.map((el) => {
          const r = el.getBoundingClientRect();
          const fill = getComputedStyle(el.querySelector('path')!).fill;
          return [(el as SVGElement).dataset.id!, { x: r.left + 1, y: r.top + 1, fill }];
        }),
      ),
    );

  /** Moves the real pointer, in several steps, to a place on the board given as fractions. */
  async function moveTo(page: Page, fx: number, fy: number): Promise<void> {
    const box = await board(page);
    await page.mouse.move(box.left + fx * box.width, box.top + fy * box.height, { steps: 8 });
  }

  /** Waits until `page` draws the ghost `id` at fractions (fx, fy) of its own board, within 2px. */
  async function expectGhostAt(page: Page, id: string, fx: number, fy: number): Promise<void> {
    const box = await board(page);
    const want = { x: box.left + fx * box.width, y: box.top + fy * box.height };
    await expect
      .poll(async () => {
        const tip = (await tips(page))[id];
        return tip ? Math.max(Math.abs(tip.x - want.x), Math.abs(tip.y - want.y)) : Infinity;
      }, { timeout: 5_000 })
      .toBeLessThanOrEqual(2);
  }

  it('shows each visitor the others\' cursors at the same relative place, never their own', async () => {
    // Three windows, three sizes: fractions of the board must land on the same spot in each.
    const a = await open(1280, 800);
    const b = await open(820, 620);
    const c = await open(1024, 700);

    await moveTo(a, 0.1, 0.15);
    await moveTo(a, 0.3, 0.6);

    // B sees exactly one ghost (A's) where A's pointer is, scaled to B's board.
    await expect.poll(async () => Object.keys(await tips(b)).length).toBe(1);
    const idA = Object.keys(await tips(b))[0]!;
    await expectGhostAt(b, idA, 0.3, 0.6);
    expect(await b.$eval(`[data-id="${idA}"]`, (el) => el.getAttribute('class'))).toBe('ghost-cursor');
    expect(await tips(a)).toEqual({}); // A never draws itself
    // Drawn in A's own colour (the swatch in A's header).
    const colourA = await a.$eval('#you', (el) => getComputedStyle(el).backgroundColor);
    expect((await tips(b))[idA]!.fill).toBe(colourA);

    // A second visitor: B now shows two ghosts.
    await moveTo(c, 0.5, 0.5);
    await moveTo(c, 0.7, 0.3);
    await expect.poll(async () => Object.keys(await tips(b)).length).toBe(2);
    const idC = Object.keys(await tips(b)).find((id) => id !== idA)!;
    await expectGhostAt(b, idC, 0.7, 0.3);
    await expectGhostAt(b, idA, 0.3, 0.6);
    expect(await b.textContent('#count')).toBe('You and 2 others');
    mkdirSync(screenshots, { recursive: true });
    await b.screenshot({ path: `${screenshots}cursors.png` });

    // A sees C, and never itself.
    await expectGhostAt(a, idC, 0.7, 0.3);
    expect(Object.keys(await tips(a))).toEqual([idC]);

    // What A sent: its position as fractions of the board, never pixels.
    const track = framesSent.get(a)!.map((frame) => JSON.parse(frame)).find((m) => m.type === 'presence.track');
    expect(track).toMatchObject({ room: 'lobby', state: { x: expect.any(Number), y: expect.any(Number) } });
    expect(track.state.x).toBeGreaterThanOrEqual(0);
    expect(track.state.x).toBeLessThanOrEqual(1);

    // A's pointer leaves the board (into the header): its ghost goes; C's stays.
    const boxA = await board(a);
    await a.mouse.move(boxA.left + 40, boxA.top / 2, { steps: 4 });
    await expect.poll(async () => Object.keys(await tips(b))).toEqual([idC]);
    await expect.poll(async () => Object.keys(await tips(c))).toEqual([]);

    // It comes back: so does the ghost, with the same id, at the new place.
    await moveTo(a, 0.85, 0.9);
    await expectGhostAt(b, idA, 0.85, 0.9);
    await expectGhostAt(c, idA, 0.85, 0.9);

    // A closes its window: B's ghost of A goes away too (well before the hub's 10 s grace period).
    const closedAt = Date.now();
    await a.close();
    await expect.poll(async () => Object.keys(await tips(b)), { timeout: 5_000 }).toEqual([idC]);
    expect(Date.now() - closedAt).toBeLessThan(5_000);
    expect(await b.textContent('#count')).toBe('You and 1 other');

    expect(pageErrors).toEqual([]);
  });
});
