// The pub/sub page in Debian's Chromium: it receives what the CLI publishes, what POST /publish/:topic
// sends and what GET /ping broadcasts, and nothing more from a topic once it unsubscribed.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, needsChromium, openPage, screenshot } from '@ghost-examples/shared/browser';
import type { Demo } from '@ghost-examples/shared/server';
import { startPubsubDemo } from '../server.js';
import { runCli } from './cli-process.js';

needsChromium('pubsub demo');

describe.skipIf(!hasChromium)('pubsub demo in Chromium', () => {
  let demo: Demo;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    demo = await startPubsubDemo({ port: 0 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  /** The log, oldest first, one `{ topic, from, data }` per line; the time is checked apart. */
  const logOf = (page: Page) =>
    page.$$eval('#log li', (items) =>
      items.reverse().map((li) => ({
        topic: li.querySelector('.topic')!.textContent,
        from: li.querySelector('.from')!.textContent,
        data: li.querySelector('.data')!.textContent,
      })),
    );
  const post = (topic: string, body: string, type = 'text/plain') =>
    fetch(`${demo.url}/publish/${topic}`, { method: 'POST', body, headers: { 'content-type': type } });

  async function subscribe(page: Page, topic: string, button = '#subscribe-button'): Promise<void> {
    await page.fill('#topic', topic);
    await page.click(button);
  }

  it('shows what the CLI, POST /publish/:topic and GET /ping send, and stops at unsubscribe', async () => {
    const page = await openPage(browser, demo.url, errors);
    await expect.poll(() => page.textContent('#status')).toBe('connected');

    await subscribe(page, 'world');
    await subscribe(page, 'other');
    await expect.poll(() => page.$$eval('#subscriptions li', (items) => items.map((li) => (li as HTMLElement).dataset.topic))).toEqual(['world', 'other']);
    await expect.poll(() => demo.hub.stats().topics).toBe(2); // the hub has both subscriptions

    // The CLI, as a separate process: the sender is its connection id.
    const cli = await runCli(['pub', 'world', 'Hello from the CLI'], `ws://localhost:${demo.port}/ghost`);
    expect(cli).toMatchObject({ code: 0, stdout: ['Published to world: the hub acknowledged it'] });
    await expect.poll(() => logOf(page)).toEqual([{ topic: 'world', from: expect.stringMatching(/^[\w-]{12}$/), data: 'Hello from the CLI' }]);

    // The server's routes: the sender is "server".
    expect((await post('world', '{"temperature":21.5}', 'application/json')).status).toBe(202);
    expect((await post('other', '<img src=x onerror="document.title=\'pwned\'">')).status).toBe(202);
    expect(await (await fetch(`${demo.url}/ping`)).text()).toBe('1\n');
    await expect.poll(() => logOf(page)).toEqual([
      { topic: 'world', from: expect.any(String), data: 'Hello from the CLI' },
      { topic: 'world', from: 'server', data: '{"temperature":21.5}' },
      { topic: 'other', from: 'server', data: '<img src=x onerror="document.title=\'pwned\'">' },
      { topic: '(broadcast)', from: 'server', data: '{"ping":1}' },
    ]);
    // Markup in a message is shown as text: no element was made from it.
    expect(await page.$$('#log img')).toHaveLength(0);
    expect(await page.title()).toBe('Ghost pubsub');
    // Each entry is stamped with the time the hub accepted it.
    const times = await page.$$eval('#log time', (items) => items.map((time) => Date.parse((time as HTMLTimeElement).dateTime)));
    for (const time of times) expect(Math.abs(Date.now() - time)).toBeLessThan(60_000);
    await screenshot(page, 'pubsub');

    // Unsubscribe from world (with the form's button); other stays.
    await subscribe(page, 'world', '#unsubscribe-button');
    await expect.poll(() => page.$$eval('#subscriptions li', (items) => items.map((li) => (li as HTMLElement).dataset.topic))).toEqual(['other']);
    await expect.poll(() => demo.hub.stats().topics).toBe(1); // the hub dropped it
    expect((await post('world', 'not for you any more')).status).toBe(202);
    await runCli(['pub', 'world', 'nor this'], `ws://localhost:${demo.port}/ghost`);
    expect((await post('other', 'still here')).status).toBe(202);
    // "still here" was sent last: once it is shown, anything for world would have been too.
    await expect.poll(async () => (await logOf(page)).at(-1)).toEqual({ topic: 'other', from: 'server', data: 'still here' });
    expect((await logOf(page)).map((entry) => entry.data)).not.toContain('not for you any more');
    expect((await logOf(page)).map((entry) => entry.data)).not.toContain('nor this');
    expect(await page.textContent('#notice')).toBe('Unsubscribed from world');

    await page.close();
    expect(errors).toEqual([]);
  });

  it('publishes from the page to itself and to another page', async () => {
    const a = await openPage(browser, demo.url, errors);
    const b = await openPage(browser, demo.url, errors);
    /** Publishes from the page's form; resolves once the hub acknowledged it. */
    const publish = async (page: Page, topic: string, message: string) => {
      await page.fill('#publish-topic', topic);
      await page.fill('#message', message);
      await page.click('#publish button[type="submit"]');
      await expect.poll(() => page.textContent('#notice')).toBe(`Published to ${topic}`);
    };
    for (const page of [a, b]) await expect.poll(() => page.textContent('#status')).toBe('connected');

    // Each page's own message comes back to it (marked as yours): its subscription is in place.
    await subscribe(a, 'news');
    await publish(a, 'news', 'from a');
    await expect.poll(async () => (await logOf(a)).map((e) => e.data)).toEqual(['from a']);
    expect((await logOf(a))[0]!.from).toMatch(/^[\w-]{12} \(you\)$/);
    await subscribe(b, 'news');
    await publish(b, 'news', 'from b');
    await expect.poll(async () => (await logOf(b)).map((e) => e.data)).toEqual(['from b']);
    await expect.poll(async () => (await logOf(a)).map((e) => e.data)).toEqual(['from a', 'from b']);
    expect((await logOf(a))[1]!.from).not.toMatch(/you/);

    // An invalid name is refused by the page, with the reason.
    await subscribe(a, 'two words');
    expect(await a.textContent('#notice')).toMatch(/^Invalid topic name "two words"/);
    await Promise.all([a.close(), b.close()]);
    expect(errors).toEqual([]);
  });
});
