// The React cursor demo end to end, in Debian's Chromium driven by playwright-core: the page runs
// under Vite's dev server (React's development build, in StrictMode), the cursors and the
// active-users panel as in examples/cursors, one join per visitor despite StrictMode's double
// mount, and a moving cursor re-rendering that cursor only.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type GhostClient } from '@ghost/client';
import { hasChromium, launchChromium, needsChromium, screenshot } from '@ghost-examples/shared/browser';
import { expectGhostAt, ghostIds, moveTo, tips } from '@ghost-examples/shared/cursors/board';
import { startCursorsReact, type CursorsReactDemo } from '../server.js';

/** The panel's rows, in order. */
const rows = (page: Page) =>
  page.$$eval('#visitors li', (els) =>
    els.map((el) => ({ id: (el as HTMLElement).dataset.visitor!, online: (el as HTMLElement).dataset.online === 'true', self: !!(el as HTMLElement).dataset.self })),
  );

/** What each component of the page has committed so far (see src/render-count.ts). */
const renders = (page: Page) => page.evaluate(() => ({ ...window.ghostRenders }));

needsChromium('React cursor demo');

describe.skipIf(!hasChromium)('React cursor demo in Chromium', () => {
  let demo: CursorsReactDemo;
  let browser: Browser;
  const errors: string[] = [];
  const pages: Page[] = [];
  const clients: GhostClient<any>[] = [];

  beforeAll(async () => {
    demo = await startCursorsReact({ port: 0 });
    browser = await launchChromium();
    // The first load has Vite transform the page and React: done once here, before any timing matters.
    const warm = await open(800, 600, 30_000);
    await warm.page.close();
    pages.length = 0;
  });

  afterEach(async () => {
    await Promise.all(pages.splice(0).map((page) => page.close()));
    await Promise.all(clients.splice(0).map((client) => client.close()));
    expect(errors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  /** A visitor's page (a browser context of its own: its own storage, so its own visitor), once connected. */
  async function open(width: number, height: number, timeout = 10_000) {
    const page = await (await browser.newContext()).newPage();
    pages.push(page);
    await page.setViewportSize({ width, height });
    const sent: string[] = [];
    page.on('websocket', (socket) => {
      if (socket.url().endsWith('/ghost') || socket.url().includes('/ghost?')) socket.on('framesent', ({ payload }) => sent.push(String(payload)));
    });
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    await page.goto(demo.url);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'connected', null, { timeout });
    return { page, sent };
  }

  /** A visitor without a browser: a Node client whose cursor sits still at (x, y). */
  function stillVisitor(x: number, y: number): GhostClient<any> {
    const client = createClient(`ws://localhost:${demo.port}/ghost`, { params: { visitor: 'still-visitor-0001' } });
    clients.push(client);
    client.presence('lobby').track({ x, y });
    return client;
  }

  it("shows each visitor the others' cursors at the same relative place, never their own, and who is online", async () => {
    const { page: a } = await open(1280, 800);
    const { page: b } = await open(820, 620);
    await moveTo(a, 0.2, 0.3);
    await moveTo(a, 0.6, 0.45);

    await expect.poll(async () => (await ghostIds(b)).length).toBe(1);
    const idA = (await ghostIds(b))[0]!;
    await expectGhostAt(b, idA, 0.6, 0.45);
    expect(await tips(a)).toEqual({}); // A never draws itself
    const colourA = await a.$eval('#you', (el) => getComputedStyle(el).backgroundColor);
    expect((await tips(b))[idA]!.fill).toBe(colourA);
    expect(await b.textContent('#count')).toBe('You and 1 other');

    // The panel: both online, B's own row marked.
    await expect.poll(async () => (await rows(b)).filter((row) => row.online).map((row) => row.id).sort()).toEqual([idA, (await rows(b)).find((row) => row.self)?.id].sort());
    await screenshot(b, 'cursors-react');

    // A's pointer leaves the board: its ghost goes. A closes its page: A shows offline.
    const box = await a.$eval('#board', (el) => el.getBoundingClientRect().top);
    await a.mouse.move(40, box / 2, { steps: 4 });
    await expect.poll(() => ghostIds(b)).toEqual([]);
    await a.close();
    await expect.poll(async () => (await rows(b)).find((row) => row.id === idA)?.online).toBe(false);
    expect(await b.textContent('#count')).toBe('Just you');
  });

  it('joins once under StrictMode: others see one join and no leave until the page closes', async () => {
    const watcher = stillVisitor(0.9, 0.9);
    const events: string[] = [];
    watcher.presence('lobby').on('join', (member) => events.push(`join ${member.id}`));
    watcher.presence('lobby').on('leave', (member, reason) => events.push(`leave ${member.id} ${reason}`));
    const { page: a, sent } = await open(1024, 640);
    await moveTo(a, 0.5, 0.5);
    await expect.poll(() => events.length).toBe(1);
    await moveTo(a, 0.25, 0.75);
    await new Promise((resolve) => setTimeout(resolve, 200)); // a few hub ticks for a stray leave or join to show
    const id = events[0]!.slice('join '.length);
    expect(events).toEqual([`join ${id}`]);
    const frames = sent.map((frame) => JSON.parse(frame) as { type: string; room?: string });
    expect(frames.filter((f) => f.type === 'presence.join')).toEqual([{ type: 'presence.join', room: 'lobby' }]);
    expect(frames.filter((f) => f.type === 'presence.leave')).toEqual([]);

    await a.close();
    await expect.poll(() => events).toEqual([`join ${id}`, `leave ${id} left`]);
  });

  it('moving one cursor re-renders that cursor, not the board, the header, the panel or the other cursor', async () => {
    stillVisitor(0.8, 0.2);
    const { page: a } = await open(1024, 640);
    const { page: b } = await open(900, 640);
    await expect.poll(async () => (await ghostIds(b)).length).toBe(1);
    const [stillId] = await ghostIds(b);
    await moveTo(a, 0.1, 0.1);
    await expect.poll(async () => (await ghostIds(b)).length).toBe(2);
    const idA = (await ghostIds(b)).find((id) => id !== stillId)!;
    await expectGhostAt(b, idA, 0.1, 0.1);
    await expectGhostAt(b, stillId!, 0.8, 0.2);
    // Everyone connected and listed: no panel update is still on its way.
    await expect.poll(async () => (await rows(b)).filter((row) => row.online).length).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const before = await renders(b);
    await moveTo(a, 0.3, 0.4);
    await moveTo(a, 0.55, 0.6);
    await moveTo(a, 0.7, 0.35);
    await expectGhostAt(b, idA, 0.7, 0.35);
    const after = await renders(b);
    const delta = Object.fromEntries(Object.keys(after).map((name) => [name, after[name]! - (before[name] ?? 0)]));
    console.info(`render counts on the watching page while one cursor moved: before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`);

    expect(delta[`cursor:${idA}`]).toBeGreaterThanOrEqual(3); // it glides: a render per frame it moved
    expect({ ...delta, [`cursor:${idA}`]: 0 }).toEqual(Object.fromEntries(Object.keys(after).map((name) => [name, 0])));
    expect(Object.keys(after).sort()).toEqual(['app', 'board', 'count', `cursor:${idA}`, `cursor:${stillId}`, 'panel', 'status', 'you'].sort());
  });
});
