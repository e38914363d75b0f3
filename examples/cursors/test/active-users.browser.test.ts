// The active-users panel end to end, in Chromium: two visitors (each page has a browser context of
// its own, so its own localStorage), a reload, a closed page. Once on PGlite and once on a real
// PostgreSQL; then with the database down, where the cursors must work all the same.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startCursorDemo, type CursorDemo } from '../server.js';
import { expectGhostAt, ghostIds, hasChromium, launchChromium, moveTo, needsChromium, openDemo } from './browser.js';
import { backends, CLOSED_URL, needsBackend } from './databases.js';

const screenshots = fileURLToPath(new URL('../../../.screenshots/', import.meta.url));
const all = await backends();

/** The panel's rows, in order. */
const rows = (page: Page) =>
  page.$$eval('#visitors li', (els) =>
    els.map((el) => ({ id: (el as HTMLElement).dataset.visitor!, online: (el as HTMLElement).dataset.online === 'true', self: !!(el as HTMLElement).dataset.self })),
  );
const rowsOf = async (page: Page, id: string) => (await rows(page)).filter((row) => row.id === id);
/** Your own public visitor id, from your row of the panel. */
const selfId = async (page: Page) => {
  await expect.poll(async () => (await rows(page)).filter((row) => row.self).length).toBe(1);
  return (await rows(page)).find((row) => row.self)!.id;
};

needsChromium();

describe.skipIf(!hasChromium)('active-users panel in Chromium', () => {
  let browser: Browser;
  let demo: CursorDemo | undefined;
  const pageErrors: string[] = [];
  const pages: Page[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterEach(async () => {
    await Promise.all(pages.splice(0).map((page) => page.close()));
    await demo?.close();
    demo = undefined;
    expect(pageErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function open(width: number, height: number): Promise<Page> {
    const { page } = await openDemo(browser, demo!.url, width, height, pageErrors);
    pages.push(page);
    return page;
  }

  for (const backend of all) {
    describe(`on ${backend.name}`, () => {
      needsBackend(backend);
      afterAll(() => backend.cleanup());

      it.skipIf(!!backend.problem)('shows who is online, keeps a visitor across a reload, and flips a closed page offline', async () => {
        demo = await startCursorDemo({ port: 0, ...backend.options() });
        const a = await open(1100, 700);
        const b = await open(1000, 660);
        const idA = await selfId(a);
        const idB = await selfId(b);
        expect(idA).not.toBe(idB);
        await expect.poll(() => rowsOf(b, idA)).toEqual([{ id: idA, online: true, self: false }]);
        await expect.poll(() => rowsOf(a, idB)).toEqual([{ id: idB, online: true, self: false }]);

        // A's cursor, on B's board, is keyed by A's visitor id and drawn in A's colour.
        await moveTo(a, 0.2, 0.3);
        await moveTo(a, 0.4, 0.5);
        await expectGhostAt(b, idA, 0.4, 0.5);
        const colourA = await a.$eval('#you', (el) => getComputedStyle(el).backgroundColor);
        expect(await b.$eval(`#visitors li[data-visitor="${idA}"] .swatch`, (el) => getComputedStyle(el).backgroundColor)).toBe(colourA);

        // C comes and goes: offline in B's panel.
        const c = await open(900, 600);
        const idC = await selfId(c);
        await expect.poll(() => rowsOf(b, idC)).toEqual([{ id: idC, online: true, self: false }]);
        await c.close();
        await expect.poll(() => rowsOf(b, idC)).toEqual([{ id: idC, online: false, self: false }]);

        // A reloads: the same visitor (one row, online), and its cursor comes back under the same id.
        await a.reload();
        await expect.poll(() => a.textContent('#status')).toBe('connected');
        expect(await selfId(a)).toBe(idA);
        await expect.poll(() => demo!.hub.stats().connections).toBe(2);
        await expect.poll(() => rowsOf(b, idA)).toEqual([{ id: idA, online: true, self: false }]);
        await expect.poll(() => rowsOf(a, idA)).toEqual([{ id: idA, online: true, self: true }]);
        expect(await rows(b)).toHaveLength(3);
        await moveTo(a, 0.6, 0.35);
        await moveTo(a, 0.7, 0.4);
        await expectGhostAt(b, idA, 0.7, 0.4);
        mkdirSync(screenshots, { recursive: true });
        if (backend.name === 'pglite') await b.screenshot({ path: `${screenshots}cursors-active-users.png` });

        // A closes: its cursor leaves B's board, and B's panel shows A offline (B still online).
        await a.close();
        await expect.poll(() => ghostIds(b)).toEqual([]);
        await expect.poll(() => rowsOf(b, idA)).toEqual([{ id: idA, online: false, self: false }]);
        expect(await rowsOf(b, idB)).toEqual([{ id: idB, online: true, self: true }]);
        expect(await b.textContent('#visitors-note')).toBe('1 online');
      });
    });
  }

  it('with visitorPer "browser", makes two tabs of one browser one cursor, in one colour, online until the last tab closes', async () => {
    demo = await startCursorDemo({ port: 0, visitorPer: 'browser' });
    const context = await browser.newContext(); // one storage: one visitor
    const { page: tab1 } = await openDemo(context, demo.url, 900, 600, pageErrors);
    const { page: tab2 } = await openDemo(context, demo.url, 900, 600, pageErrors);
    const other = await open(900, 600);
    const id = await selfId(tab1);
    expect(await selfId(tab2)).toBe(id);
    const colour = (page: Page) => page.$eval('#you', (el) => getComputedStyle(el).backgroundColor);
    expect(await colour(tab2)).toBe(await colour(tab1));

    // Whichever tab moves, the others see one cursor; a tab never sees its sibling.
    await moveTo(tab1, 0.2, 0.2);
    await moveTo(tab1, 0.3, 0.3);
    await expectGhostAt(other, id, 0.3, 0.3);
    await moveTo(tab2, 0.6, 0.6);
    await moveTo(tab2, 0.7, 0.7);
    await expectGhostAt(other, id, 0.7, 0.7);
    expect(await ghostIds(other)).toEqual([id]);
    expect(await ghostIds(tab1)).toEqual([]);

    await tab2.close();
    await expect.poll(() => demo!.hub.stats().connections).toBe(2);
    await fetch(`${demo.url}/api/active-users`); // the disconnect's write is done and published
    expect(await rowsOf(other, id)).toEqual([{ id, online: true, self: false }]);
    await context.close();
    await expect.poll(() => rowsOf(other, id)).toEqual([{ id, online: false, self: false }]);
  });

  it('keeps the cursors working with the database down, and says the panel is unavailable', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      demo = await startCursorDemo({ port: 0, database: { url: CLOSED_URL } });
      const a = await open(1000, 660);
      const b = await open(900, 640);
      await moveTo(a, 0.3, 0.3);
      await moveTo(a, 0.5, 0.6);
      await expect.poll(async () => (await ghostIds(b)).length).toBe(1);
      await expectGhostAt(b, (await ghostIds(b))[0]!, 0.5, 0.6);
      for (const page of [a, b]) {
        await expect.poll(() => page.textContent('#visitors-note')).toContain('Unavailable');
        expect(await rows(page)).toEqual([]);
      }
      expect(errors).toHaveBeenCalledWith(expect.stringContaining('[active-users] postgres failed'));
    } finally {
      errors.mockRestore();
    }
  });
});
