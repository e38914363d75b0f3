// "Open the demo in two windows", the way everyone does it: two pages of one browser context, which
// share localStorage. Each window is a visitor of its own by default; with visitorPer 'browser' the
// two are one visitor.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCursorDemo, type CursorDemo } from '../server.js';
import { expectGhostAt, ghostIds, hasChromium, launchChromium, moveTo, needsChromium, openDemo } from './browser.js';

/** The panel's rows: name, and whether online. */
const panelRows = (page: Page) =>
  page.$$eval('#visitors li', (els) => els.map((el) => ({ name: el.querySelector('.name')!.textContent, online: (el as HTMLElement).dataset.online === 'true' })));
/** The labels of the cursors drawn, by visitor id. */
const labels = (page: Page) =>
  page.$$eval('.ghost-cursor', (els) => Object.fromEntries(els.map((el) => [(el as HTMLElement).dataset.id!, el.querySelector('.ghost-name')?.textContent ?? null])));
const header = (page: Page) => page.textContent('#count');
const panelNote = (page: Page) => page.textContent('#visitors-note');
const hintShown = (page: Page) => page.isVisible('#hint');

needsChromium();

// Each test opens pages, renames and reloads: on a busy machine that takes more than the project's 60 s.
describe.skipIf(!hasChromium)('two windows of one browser', { timeout: 120_000 }, () => {
  let browser: Browser;
  let demo: CursorDemo | undefined;
  let context: BrowserContext | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
    await demo?.close();
    demo = undefined;
    expect(pageErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("see each other's cursors, labelled with the names given, and agree that 2 are online", async () => {
    demo = await startCursorDemo({ port: 0 });
    context = await browser.newContext(); // one storage, as two windows of one browser have
    const { page: a } = await openDemo(context, demo.url, 1000, 660, pageErrors);
    const { page: b } = await openDemo(context, demo.url, 900, 620, pageErrors);

    // Header and panel agree, in both windows, and the "open a second window" hint is gone.
    for (const page of [a, b]) {
      await expect.poll(() => header(page)).toBe('2 online');
      await expect.poll(() => panelNote(page)).toBe('2 online');
      expect(await hintShown(page)).toBe(false);
    }

    // A gives a name (Enter): B's panel shows it once A is back.
    await a.fill('#name', '  Ada  ');
    await a.press('#name', 'Enter');
    expect(await a.inputValue('#name')).toBe('Ada');
    await expect.poll(async () => (await panelRows(b)).find((row) => row.name === 'Ada')).toEqual({ name: 'Ada', online: true });
    await expect.poll(() => a.textContent('#status')).toBe('connected');

    // A's pointer on the board: B draws it, with A's name on it.
    await moveTo(a, 0.2, 0.3);
    await moveTo(a, 0.4, 0.5);
    await expect.poll(async () => Object.values(await labels(b))).toEqual(['Ada']);
    const [idA] = await ghostIds(b);
    await expectGhostAt(b, idA!, 0.4, 0.5);

    // B, who gave no name, is labelled as the panel lists it.
    await moveTo(b, 0.6, 0.6);
    await moveTo(b, 0.7, 0.4);
    await expect.poll(async () => Object.values(await labels(a)).length).toBe(1);
    const [labelB] = Object.values(await labels(a));
    expect(labelB).toMatch(/^Visitor /);
    expect((await panelRows(a)).map((row) => row.name).sort()).toEqual(['Ada', labelB].sort());
    expect(await ghostIds(a)).not.toContain(idA); // never yourself
  });

  it("keep a window's name and visitor across its reload; the hint comes back once alone", async () => {
    demo = await startCursorDemo({ port: 0 });
    context = await browser.newContext();
    const { page: a } = await openDemo(context, demo.url, 1000, 660, pageErrors);
    const { page: b } = await openDemo(context, demo.url, 900, 620, pageErrors);
    await a.fill('#name', 'Ada');
    await a.press('#name', 'Enter');
    await expect.poll(async () => (await panelRows(b)).find((row) => row.name === 'Ada')).toEqual({ name: 'Ada', online: true });
    await expect.poll(() => a.textContent('#status')).toBe('connected');
    await moveTo(a, 0.2, 0.3);
    await moveTo(a, 0.4, 0.5);
    await expect.poll(async () => Object.values(await labels(b))).toEqual(['Ada']);
    const [idA] = await ghostIds(b);

    // A reload keeps A's name and A's visitor: the same cursor, still labelled Ada; still 2 online.
    await a.reload();
    await expect.poll(() => a.textContent('#status')).toBe('connected');
    expect(await a.inputValue('#name')).toBe('Ada');
    await moveTo(a, 0.3, 0.3);
    await moveTo(a, 0.5, 0.2);
    await expectGhostAt(b, idA!, 0.5, 0.2);
    expect(await labels(b)).toEqual({ [idA!]: 'Ada' });
    for (const page of [a, b]) {
      await expect.poll(() => header(page)).toBe('2 online');
      await expect.poll(() => panelNote(page)).toBe('2 online');
    }

    // A closes: B is alone again, and the hint is back.
    await a.close();
    await expect.poll(() => header(b)).toBe('1 online');
    await expect.poll(() => panelNote(b)).toBe('1 online');
    expect(await hintShown(b)).toBe(true);
  });

  it("with visitorPer 'browser', are one visitor: one online, and neither draws the other", async () => {
    demo = await startCursorDemo({ port: 0, visitorPer: 'browser' });
    context = await browser.newContext();
    const { page: a } = await openDemo(context, demo.url, 1000, 660, pageErrors);
    const { page: b } = await openDemo(context, demo.url, 900, 620, pageErrors);
    // Someone in another browser sees A's moves, so "B draws nothing" is checked after they arrived.
    const elsewhere = await browser.newContext();
    try {
      const { page: c } = await openDemo(elsewhere, demo.url, 900, 620, pageErrors);
      await moveTo(a, 0.2, 0.3);
      await moveTo(a, 0.4, 0.5);
      await expect.poll(() => ghostIds(c)).toHaveLength(1);
      await expectGhostAt(c, (await ghostIds(c))[0]!, 0.4, 0.5);
      expect(await ghostIds(b)).toEqual([]);
      await c.close();

      for (const page of [a, b]) {
        await expect.poll(() => header(page)).toBe('1 online');
        await expect.poll(() => panelNote(page)).toBe('1 online');
        expect(await hintShown(page)).toBe(true);
      }
    } finally {
      await elsewhere.close();
    }
  });
});
