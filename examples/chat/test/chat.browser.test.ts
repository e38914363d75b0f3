// The chat demo in Debian's Chromium: channels by path, names, history, markup shown as text, and a
// server restart on the same port that the pages ride out, delivering what was typed meanwhile once.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, needsChromium, openPage, screenshot } from '@ghost-examples/shared/browser';
import type { Demo } from '@ghost-examples/shared/server';
import { startChatDemo } from '../server.js';

needsChromium('chat demo');

// Chromium logs each refused connection attempt while the server is down: expected during a restart.
const REFUSED = /WebSocket connection to .* failed/;

describe.skipIf(!hasChromium)('chat demo in Chromium', () => {
  let browser: Browser;
  let demo: Demo | undefined;
  const pages: Page[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterEach(async () => {
    await Promise.all(pages.splice(0).map((page) => page.close()));
    await demo?.close();
    demo = undefined;
    expect(errors.splice(0)).toEqual([]);
  });
  afterAll(() => browser?.close());

  async function open(channel: string): Promise<Page> {
    const page = await openPage(browser, `${demo!.url}/${channel}`, errors, REFUSED);
    pages.push(page);
    await expect.poll(() => page.textContent('#status')).toBe('connected');
    return page;
  }
  async function join(page: Page, name: string): Promise<void> {
    await page.fill('#name', name);
    await page.press('#name', 'Enter');
  }
  async function joined(page: Page, name: string): Promise<void> {
    await join(page, name);
    await expect.poll(() => page.textContent('#you')).toBe(`You are ${name}`);
    expect(await page.isVisible('#compose')).toBe(true);
  }
  async function say(page: Page, text: string): Promise<void> {
    await page.fill('#text', text);
    await page.press('#text', 'Enter');
  }
  const messagesOf = (page: Page) =>
    page.$$eval('#messages li', (items) => items.map((li) => `${li.querySelector('.user')!.textContent}: ${li.querySelector('.text')!.textContent}`));

  it('keeps names and messages to their channel, shows markup as text and the history to newcomers', async () => {
    demo = await startChatDemo({ port: 0 });
    const a = await open('fishing');
    const b = await open('fishing');
    const hiking = await open('hiking');
    expect(await a.textContent('#channel')).toBe('#fishing');
    expect(await a.title()).toBe('#fishing · Ghost chat');

    await joined(a, 'Ada');
    // The second fishing page may not have Ada (in any case): it is told, and asked again.
    for (const taken of ['Ada', 'ada']) {
      await join(b, taken);
      await expect.poll(() => b.textContent('#notice')).toBe('That name is taken in #fishing — pick another');
      expect(await b.isVisible('#identify')).toBe(true);
      expect(await b.isVisible('#compose')).toBe(false);
      await b.fill('#name', '');
      await b.evaluate(() => (document.getElementById('notice')!.textContent = ''));
    }
    await joined(b, 'Bob');
    await joined(hiking, 'Ada'); // another channel, another set of names

    await say(a, 'Best luck is in the morning');
    const xss = `<img src=x onerror="document.title='pwned'">`;
    await say(b, xss);
    await say(hiking, 'Trail is muddy');
    for (const page of [a, b]) {
      await expect.poll(() => messagesOf(page)).toEqual(['Ada: Best luck is in the morning', `Bob: ${xss}`]);
    }
    await expect.poll(() => messagesOf(hiking)).toEqual(['Ada: Trail is muddy']);
    // The markup is text: no element was made from it, and its handler never ran.
    expect(await a.$$('#messages img')).toHaveLength(0);
    expect(await a.title()).toBe('#fishing · Ghost chat');
    // Stamped with the time the hub accepted it.
    const stamp = await a.$eval('#messages time', (time) => Date.parse((time as HTMLTimeElement).dateTime));
    expect(Math.abs(Date.now() - stamp)).toBeLessThan(60_000);

    // A later visitor of #fishing sees the history at once, before picking a name.
    const c = await open('fishing');
    await expect.poll(() => messagesOf(c)).toEqual(['Ada: Best luck is in the morning', `Bob: ${xss}`]);
    expect(await c.isVisible('#identify')).toBe(true);
    await joined(c, 'Cy');
    await say(c, 'Hello all');
    await expect.poll(() => messagesOf(a)).toEqual(['Ada: Best luck is in the morning', `Bob: ${xss}`, 'Cy: Hello all']);
    expect(await messagesOf(hiking)).toEqual(['Ada: Trail is muddy']);
    await screenshot(a, 'chat');
  });

  it('rides out a server restart on the same port, sending what was typed offline exactly once', async () => {
    demo = await startChatDemo({ port: 0 });
    const { port } = demo;
    const a = await open('fishing');
    const b = await open('fishing');
    await joined(a, 'Ada');
    await joined(b, 'Bob');
    await say(a, 'before the restart');
    await expect.poll(() => messagesOf(b)).toEqual(['Ada: before the restart']);

    await demo.close();
    for (const page of [a, b]) await expect.poll(() => page.textContent('#status')).toBe('reconnecting…');
    await say(a, 'typed while offline');
    await expect.poll(() => a.textContent('#notice')).toBe('1 message waits to be sent: it goes out once back online');

    demo = await startChatDemo({ port });
    for (const page of [a, b]) await expect.poll(() => page.textContent('#status'), { timeout: 20_000 }).toBe('connected');
    // Ada's name was claimed again by itself, then the queued message went out: once, to both.
    const once = ['Ada: before the restart', 'Ada: typed while offline'];
    for (const page of [a, b]) await expect.poll(() => messagesOf(page), { timeout: 10_000 }).toEqual(once);
    expect(await a.textContent('#notice')).toBe('');
    await say(b, 'Bob is back too');
    const after = [...once, 'Bob: Bob is back too'];
    for (const page of [a, b]) await expect.poll(() => messagesOf(page)).toEqual(after);
    await new Promise((resolve) => setTimeout(resolve, 500)); // nothing arrives twice, even late
    for (const page of [a, b]) expect(await messagesOf(page)).toEqual(after);

    // The memory adapter kept names and history in the old process: a newcomer sees only what was
    // said since the restart.
    const c = await open('fishing');
    await expect.poll(() => messagesOf(c)).toEqual(['Ada: typed while offline', 'Bob: Bob is back too']);
  });
});
