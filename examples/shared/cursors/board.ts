// What the cursor demos' browser tests read of the board, the same in both (a `#board`, and one
// `.ghost-cursor` per member with its `data-id`): where the ghosts are, and a real pointer moved over it.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** The board's inside (within its border), where ghosts are drawn, in the page's client pixels. */
export interface Box { left: number; top: number; width: number; height: number }

/** Where each ghost's arrow tip is, by member id. */
export type Tips = Record<string, { x: number; y: number; fill: string }>;

/** The board's inside, as `page` lays it out now. */
export const board = (page: Page): Promise<Box> =>
  page.$eval('#board', (el) => {
    const r = el.getBoundingClientRect();
    return { left: r.left + el.clientLeft, top: r.top + el.clientTop, width: el.clientWidth, height: el.clientHeight };
  });

/** Where the ghosts are drawn. The arrow's tip sits 1px inside its box, pulled back by 1px: the tip is the point. */
export const tips = (page: Page): Promise<Tips> =>
  page.$$eval('.ghost-cursor', (els) =>
    Object.fromEntries(
      els.map((el) => {
        const r = el.getBoundingClientRect();
        const fill = getComputedStyle(el.querySelector('path')!).fill;
        return [(el as SVGElement).dataset.id!, { x: r.left + 1, y: r.top + 1, fill }];
      }),
    ),
  );

/** The ids of the ghosts drawn. */
export const ghostIds = async (page: Page): Promise<string[]> => Object.keys(await tips(page));

/** Moves the real pointer, in several steps, to a place on the board given as fractions. */
export async function moveTo(page: Page, fx: number, fy: number): Promise<void> {
  const box = await board(page);
  await page.mouse.move(box.left + fx * box.width, box.top + fy * box.height, { steps: 8 });
}

/**
 * Waits until `page` draws the ghost `id` at fractions (fx, fy) of its own board, within 2px: the
 * ghost glides there, so this waits for it to settle.
 */
export async function expectGhostAt(page: Page, id: string, fx: number, fy: number): Promise<void> {
  const box = await board(page);
  const want = { x: box.left + fx * box.width, y: box.top + fy * box.height };
  await expect
    .poll(async () => {
      const tip = (await tips(page))[id];
      return tip ? Math.max(Math.abs(tip.x - want.x), Math.abs(tip.y - want.y)) : Infinity;
    }, { timeout: 5_000 })
    .toBeLessThanOrEqual(2);
}
