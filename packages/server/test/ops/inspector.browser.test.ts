// The inspector page in headless Chromium: it logs in with the token, then follows the hub live.
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBus, memoryAdapter } from '@ghost/server';
import { hasChromium, launchChromium, needsChromium, openPage, screenshot } from '../../../../examples/shared/browser.js';
import { closeAfterTest } from '../../../../test/helpers/cleanup.js';
import { startHub } from '../../../../test/helpers/hub.js';
import { RawClient } from '../../../../test/helpers/raw-client.js';
import { call, startOpsHub, TOKEN } from './ops-hub.js';

const userFrom = (request: { url?: string }) => ({ id: new URL(request.url ?? '/', 'http://x').searchParams.get('user') ?? 'anonymous' });

describe('the inspector page', () => {
  needsChromium('inspector');
  (hasChromium ? describe : describe.skip)('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('shows a member join, move and leave, live, with the rest of the cluster around it', async () => {
      const bus = createMemoryBus();
      const cluster = { tickMs: 10, nodeHeartbeatMs: 100, nodeTimeoutMs: 1000, authenticate: userFrom, recovery: { topics: ['deploys'] } };
      const running = await startOpsHub({ ...cluster, nodeId: 'hub-a', adapter: memoryAdapter({ bus }) }, { token: TOKEN, inspectorIntervalMs: 100 });
      const other = await startHub({ ...cluster, nodeId: 'hub-b', adapter: memoryAdapter({ bus }) });
      const errors: string[] = [];
      const page = await openPage(browser, `${running.base}/#token=${TOKEN}`, errors);
      await page.locator('#status.live').waitFor();
      expect(page.url()).not.toContain(TOKEN); // the token left the address bar at once

      // Around the member under test: people on both nodes, topics with traffic and history.
      const track = async (url: string, user: string, room: string, state: unknown) => {
        const { client, id } = await RawClient.welcomed(url, `?user=${user}`);
        client.send({ type: 'presence.track', room, state });
        return { client, id };
      };
      await track(running.url, 'grace', 'lobby', { x: 0.12, y: 0.4, name: 'Grace' });
      const linus = await track(other.url, 'linus', 'lobby', { x: 0.8, y: 0.33, name: 'Linus' });
      await track(running.url, 'barbara', 'canvas', { x: 0.5, y: 0.5, tool: 'pen' });
      for (const topic of ['deploys', 'chat:general']) {
        const { client } = await RawClient.welcomed(running.url, '?user=watcher');
        client.send({ type: 'topic.subscribe', topic, ref: 1 });
        await client.next('ack');
      }
      const traffic = setInterval(() => void running.hub.publish('chat:general', { text: 'hi' }), 50);
      closeAfterTest(() => clearInterval(traffic));
      for (let i = 1; i <= 3; i++) await running.hub.publish('deploys', { sha: `c0ffee${i}` });

      const { client: ada, id } = await track(running.url, 'ada', 'lobby', { x: 0.3, y: 0.6, name: 'Ada' });
      const row = page.locator(`[data-room="lobby"] [data-member="${id}"]`);
      await row.waitFor();
      const state = () => row.locator('[data-state]').textContent();
      await expect.poll(state).toBe('{"x":0.3,"y":0.6,"name":"Ada"}');

      ada.send({ type: 'presence.track', room: 'lobby', state: { x: 0.35, y: 0.55, name: 'Ada' } });
      await expect.poll(state).toBe('{"x":0.35,"y":0.55,"name":"Ada"}');
      // A member connected to the other node is there too, and so is that node.
      await expect.poll(() => page.locator(`[data-member="${linus.id}"] td`).nth(1).textContent()).toBe('hub-b');
      await page.locator('[data-room="canvas"] [data-member]').waitFor();
      await page.locator('[data-node="hub-b"]').waitFor();
      await expect.poll(() => page.locator('[data-topic="deploys"] [data-history]').textContent()).toBe('3 messages kept');
      await expect.poll(async () => Number(await page.locator('[data-topic="chat:general"] td').nth(2).textContent())).toBeGreaterThan(0);
      await page.setViewportSize({ width: 1200, height: 820 });
      await screenshot(page, 'inspector');

      ada.close(1000);
      await row.waitFor({ state: 'detached' });
      expect(errors).toEqual([]);
    });

    it('asks for the token, refuses a wrong one, and serves its live feed only with a ticket', async () => {
      const running = await startOpsHub();
      const errors: string[] = [];
      const page = await openPage(browser, `${running.base}/`, errors, /401|403/);
      await page.locator('#login').waitFor();
      expect(await page.locator('#main').isHidden()).toBe(true);
      await page.fill('#token', 'not-the-token-at-all');
      await page.click('button[type=submit]');
      await expect.poll(() => page.locator('#login-error').textContent()).toBe('That token was refused');
      await page.fill('#token', TOKEN);
      await page.click('button[type=submit]');
      await page.locator('#status.live').waitFor();
      await expect.poll(() => page.locator('[data-stat="connections"] b').textContent()).toBe('0');

      const refused = (query: string) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`${running.base.replace('http', 'ws')}/inspector/live${query}`);
          ws.on('error', (error) => resolve(error.message));
          ws.on('open', () => resolve('open'));
        });
      expect(await refused('')).toMatch(/401/);
      expect(await refused('?ticket=made-up')).toMatch(/401/);
      const { body } = await call(`${running.base}/inspector/ticket`, { method: 'POST' });
      expect(await refused(`?ticket=${body.ticket}`)).toBe('open');
      expect(await refused(`?ticket=${body.ticket}`)).toMatch(/401/); // one use only
      expect(errors).toEqual([]);
    });
  });
});
