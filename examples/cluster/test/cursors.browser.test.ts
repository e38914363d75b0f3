import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { hasChromium, launchChromium, needsChromium, openPage, screenshot } from '@ghost-examples/shared/browser';
import { describeIfRedis, useRedisServer } from '../../../test/helpers/redis-server.js';
import { startClusterDemo, type ClusterDemo } from '../server.js';

describeIfRedis('the cluster cursors page', () => {
  needsChromium('cluster');
  (hasChromium ? describe : describe.skip)('in Chromium', () => {
    const redis = useRedisServer();
    let cluster: ClusterDemo;
    let browser: Browser;
    beforeAll(async () => {
      cluster = await startClusterDemo({ ports: [0, 0], redisUrl: redis.url });
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await cluster?.close();
    });

    it('a pointer on one node moves a ghost on the other', async () => {
      const errors: string[] = [];
      const [a, b] = await Promise.all(cluster.nodes.map((node) => openPage(browser, `${node.url}/cursors`, errors)));
      for (const page of [a!, b!]) await expect.poll(() => page.textContent('#status')).toBe('connected');
      const box = (await a!.locator('#board').boundingBox())!;
      for (let i = 1; i <= 10; i++) await a!.mouse.move(box.x + box.width * 0.25 + i, box.y + box.height * 0.5);
      const ghost = b!.locator('.ghost');
      await ghost.waitFor({ timeout: 10_000 });
      await b!.waitForFunction(() => {
        const dot = document.querySelector<HTMLElement>('.ghost');
        return !!dot && Math.abs(parseFloat(dot.style.top) - 50) < 1;
      }, undefined, { timeout: 10_000 });
      expect(await a!.locator('.ghost').count()).toBe(0); // never your own
      await screenshot(b!, 'cluster-cursors');
      expect(errors).toEqual([]);
    });
  });
});
