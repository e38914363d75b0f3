// The page before the active-users database is up: served, connected, cursors working, and the panel
// saying it is loading; then the database answers and the panel fills. The database is real PGlite,
// held shut until the test lets it answer.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '@ghost-examples/shared/cursors/db';
import { startCursorDemo, type CursorDemo } from '../server.js';
import { expectGhostAt, ghostIds, hasChromium, launchChromium, moveTo, needsChromium, openDemo } from './browser.js';

/** `db`, with every query held until `open()`: a database still starting, for as long as the test says. */
function heldShut(db: Db): { db: Db; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    db: {
      kind: db.kind,
      async query<Row>(sql: string, params?: unknown[]) {
        await opened;
        return db.query<Row>(sql, params);
      },
      close: () => db.close(),
    },
    open,
  };
}

const note = (page: Page) => page.$eval('#visitors-note', (el) => ({ text: el.textContent, state: (el as HTMLElement).dataset.state }));

needsChromium();

describe.skipIf(!hasChromium)('the cursor demo while its database starts', () => {
  let browser: Browser;
  let demo: CursorDemo | undefined;
  let store: ReturnType<typeof heldShut> | undefined;
  const pageErrors: string[] = [];
  const pages: Page[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterEach(async () => {
    store?.open(); // else closing the demo would wait for the held queries forever
    await Promise.all(pages.splice(0).map((page) => page.close()));
    await demo?.close();
    demo = undefined;
    expect(pageErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('serves the page, connects and moves cursors before the database answers, and says the panel is loading', async () => {
    store = heldShut(openDb()); // PGlite in memory
    demo = await startCursorDemo({ port: 0, database: store.db }); // resolves with the database held shut
    let answered: boolean | undefined;
    void demo.activeUsersReady.then((ok) => (answered = ok));

    const { page: a } = await openDemo(browser, demo.url, 1000, 660, pageErrors);
    const { page: b } = await openDemo(browser, demo.url, 900, 620, pageErrors);
    pages.push(a, b);
    for (const page of [a, b]) await expect.poll(() => page.textContent('#count')).toBe('2 online');
    await moveTo(a, 0.2, 0.3);
    await moveTo(a, 0.4, 0.5);
    await expect.poll(() => ghostIds(b)).toHaveLength(1);
    await expectGhostAt(b, (await ghostIds(b))[0]!, 0.4, 0.5);
    for (const page of [a, b]) expect(await note(page)).toEqual({ text: 'Loading…', state: 'loading' });
    expect(answered).toBeUndefined();

    // The database answers: the list comes to both pages (on the topic; the pages' GETs were waiting).
    store.open();
    expect(await demo.activeUsersReady).toBe(true);
    for (const page of [a, b]) await expect.poll(() => note(page)).toEqual({ text: '2 online', state: 'ok' });
  });
});
