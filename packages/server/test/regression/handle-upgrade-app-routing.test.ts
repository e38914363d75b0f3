// What it guards (no bug on record, filed with the regressions from the start): an app that routes upgrades itself hands one to hub.handleUpgrade, without attach.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { createHub } from '@ghost/server';
import { RawClient } from '../../../../test/helpers/raw-client.js';

it('hub.handleUpgrade serves an app that routes upgrades itself', async () => {
  const hub = createHub();
  const server = http.createServer();
  server.on('upgrade', (request, socket, head) => {
    if (request.url?.startsWith('/realtime')) void hub.handleUpgrade(request, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = await RawClient.connect(`ws://127.0.0.1:${port}/realtime`);
  expect((await client.next('welcome')).v).toBe(1);
  await hub.close();
  await new Promise((resolve) => server.close(resolve));
});
