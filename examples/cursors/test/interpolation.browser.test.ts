// Smoothing in a real page: a Node client moves its cursor at 30 Hz (the hub's tick), and the page,
// drawing at its display rate, must show the ghost in between the positions it received, moving one
// way only, and come to rest exactly on the last one.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type GhostClient } from '@ghost/client';
import { startCursorDemo, type CursorDemo } from '../server.js';
import { expectGhostAt, hasChromium, launchChromium, needsChromium, openDemo } from './browser.js';

needsChromium();

// The mover's pace: time is what is under test here, the page smoothing between updates it gets at 30 Hz.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Where a ghost is drawn, in px from the board's inside corner, read from its transform. */
interface Drawn { x: number; y: number }

describe.skipIf(!hasChromium)('cursor smoothing in Chromium', () => {
  let demo: CursorDemo;
  let browser: Browser;
  let mover: GhostClient | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    demo = await startCursorDemo({ port: 0 });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await mover?.close();
    await browser?.close();
    await demo?.close();
  });

  it('draws positions in between the updates it receives, and ends exactly on the last one', async () => {
    const { page, received } = await openDemo(browser, demo.url, 900, 640, pageErrors);
    mover = createClient(`ws://localhost:${demo.port}/ghost`);
    const lobby = mover.presence('lobby');
    await expect.poll(() => mover!.status).toBe('open');
    // Presence is keyed by visitor (presenceKey 'user'): the member id is the user's id, not the connection's.
    const id = (mover.self!.user as { id: string }).id;

    // Where the cursor starts: the ghost appears there at once.
    const path = Array.from({ length: 16 }, (_, i) => ({ x: (20 + 4 * i) / 100, y: (30 + 2 * i) / 100 }));
    lobby.track(path[0]!);
    await expectGhostAt(page, id, path[0]!.x, path[0]!.y);

    // From now on, record the ghost's transform at every animation frame of the page.
    await page.evaluate((id) => {
      const w = window as unknown as { trace: string[] };
      w.trace = [];
      const record = () => {
        const ghost = document.querySelector<SVGElement>(`.ghost-cursor[data-id="${id}"]`);
        if (ghost) w.trace.push(ghost.style.transform);
        requestAnimationFrame(record);
      };
      requestAnimationFrame(record);
    }, id);
    const receivedBefore = received.length;

    // 15 more positions at 30 Hz.
    for (const point of path.slice(1)) {
      await sleep(1000 / 30);
      lobby.track(point);
    }
    const last = path.at(-1)!;
    await expectGhostAt(page, id, last.x, last.y);
    // A few more frames at rest, counted in the page's own animation frames.
    const framesAtArrival = await page.evaluate(() => (window as unknown as { trace: string[] }).trace.length);
    await page.waitForFunction((n) => (window as unknown as { trace: string[] }).trace.length >= n, framesAtArrival + 10);

    const { width, height, trace } = await page.evaluate(() => {
      const board = document.getElementById('board')!;
      return { width: board.clientWidth, height: board.clientHeight, trace: (window as unknown as { trace: string[] }).trace };
    });
    const drawn: Drawn[] = trace.map((transform) => {
      const match = /translate\(([-\d.e]+)px(?:, ([-\d.e]+)px)?\)/.exec(transform);
      expect(match, transform).not.toBeNull();
      return { x: Number(match![1]), y: Number(match![2] ?? 0) };
    });
    // How many of the mover's positions reached the page (the hub sends at most one per tick).
    const updates = received
      .slice(receivedBefore)
      .map((frame) => JSON.parse(frame) as { type: string; updates?: { id: string }[]; joins?: { id: string }[] })
      .filter((m) => m.type === 'presence.diff')
      .reduce((n, m) => n + [...(m.updates ?? []), ...(m.joins ?? [])].filter((u) => u.id === id).length, 0);
    const px = (p: { x: number; y: number }): Drawn => ({ x: p.x * width, y: p.y * height });
    const near = (a: Drawn, b: Drawn) => Math.abs(a.x - b.x) < 0.01 && Math.abs(a.y - b.y) < 0.01;
    const distinct = drawn.filter((d, i) => i === 0 || !near(d, drawn[i - 1]!));
    const between = distinct.filter((d) => !path.some((p) => near(d, px(p))));
    const summary = `${updates} updates received, ${drawn.length} frames, ${distinct.length} distinct positions, ${between.length} between updates`;

    expect(updates, summary).toBeGreaterThanOrEqual(2);
    expect(distinct.length, summary).toBeGreaterThan(updates);
    expect(between.length, summary).toBeGreaterThan(0);
    // One way only, never past the ends: the path goes right and down.
    for (let i = 1; i < drawn.length; i++) {
      expect(drawn[i]!.x, summary).toBeGreaterThanOrEqual(drawn[i - 1]!.x - 0.01);
      expect(drawn[i]!.y, summary).toBeGreaterThanOrEqual(drawn[i - 1]!.y - 0.01);
    }
    expect(drawn[0]!.x).toBeGreaterThanOrEqual(px(path[0]!).x - 0.01);
    // At rest exactly on the last position received.
    expect(drawn.at(-1)!.x).toBeCloseTo(px(last).x, 2);
    expect(drawn.at(-1)!.y).toBeCloseTo(px(last).y, 2);
    console.log(`cursor smoothing: ${summary}`);

    await page.close();
    expect(pageErrors).toEqual([]);
  });
});
