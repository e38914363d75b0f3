// The browser's own cues to reconnect now, given for real by Chromium: the network coming back (the
// DevTools protocol's network emulation) and the tab becoming visible (switching tabs in one window).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHub } from '@ghost/server';
import { hasChromium, needsChromium } from '../../../examples/shared/browser.js';
import { launchTabbedChromium, type TabbedChromium } from '../../../examples/cursors/test/browser.js';
import { closeAfterTest } from '../../../test/helpers/cleanup.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

// The page's client waits a full minute between attempts (the jitter pinned at its ceiling), so a
// reconnect within seconds can only come from the environment's cue.
const PAGE_SCRIPT = `
import { createClient } from '@ghost/client';
Math.random = () => 0.999;
const client = createClient(location.origin.replace(/^http/, 'ws') + '/ghost', {
  backoff: { minDelayMs: 60000, maxDelayMs: 60000, factor: 1 },
});
window.ghostStatus = () => client.status;
`;

async function bundle(): Promise<string> {
  const result = await build({
    stdin: { contents: PAGE_SCRIPT, resolveDir: root, loader: 'js' },
    absWorkingDir: root,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    alias: {
      '@ghost/client': fileURLToPath(new URL('../src/index.ts', import.meta.url)),
      '@ghost/protocol': fileURLToPath(new URL('../../protocol/src/index.ts', import.meta.url)),
    },
  });
  return result.outputFiles[0]!.text;
}

/** An app serving the test page and a hub, with a way to cut every WebSocket from the server's side. */
async function startApp(script: string) {
  const sockets = new Set<Socket>();
  const server = http.createServer((request, response) => {
    if (request.url === '/client.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>reconnect</title><script type="module" src="/client.js"></script>');
  });
  server.on('upgrade', (_request, socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const hub = createHub();
  hub.attach(server, { path: '/ghost' });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closeAfterTest(async () => {
    await hub.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    /** Drops every WebSocket as a dying network would: no close frame. */
    cut: () => { for (const socket of sockets) socket.destroy(); },
  };
}

const status = (page: Page) => page.evaluate(() => (window as unknown as { ghostStatus(): string }).ghostStatus());

describe.skipIf(!hasChromium)('reconnecting in Chromium', () => {
  let script = '';
  let chromium: TabbedChromium;

  beforeAll(async () => {
    script = await bundle();
    chromium = await launchTabbedChromium();
  }, 30_000);
  afterAll(() => chromium?.close());

  it("tries at once when the network comes back ('online' from network emulation), not a minute later", async () => {
    const app = await startApp(script);
    const page = await chromium.context.newPage();
    await page.goto(app.url);
    await expect.poll(() => status(page)).toBe('open');

    const cdp = await chromium.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await expect.poll(() => page.evaluate(() => navigator.onLine)).toBe(false);
    app.cut();
    await expect.poll(() => status(page)).toBe('reconnecting');

    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await expect.poll(() => status(page), { timeout: 10_000 }).toBe('open');
    await page.close();
  });

  it('tries at once when its tab becomes visible again, not a minute later', async () => {
    const app = await startApp(script);
    const page = await chromium.context.newPage();
    await page.goto(app.url);
    await expect.poll(() => status(page)).toBe('open');

    const other = await chromium.context.newPage(); // a tab of the same window: the first is hidden now
    await expect.poll(() => page.evaluate(() => document.visibilityState)).toBe('hidden');
    app.cut();
    await expect.poll(() => status(page)).toBe('reconnecting');

    await page.bringToFront();
    await expect.poll(() => page.evaluate(() => document.visibilityState)).toBe('visible');
    await expect.poll(() => status(page), { timeout: 10_000 }).toBe('open');
    await other.close();
    await page.close();
  });
});

needsChromium('client reconnect');
