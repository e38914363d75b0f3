// What broke: binary frames did not count against the rate limit, so a flood of them was never closed.
import { expect, it } from 'vitest';
import { startHub } from '../../../../test/helpers/hub.js';
import { RawClient } from '../../../../test/helpers/raw-client.js';

it('a flood of binary frames is rate limited and closed like any other flood', async () => {
  const running = await startHub({ limits: { messagesPerSecond: 10, burst: 10 } });
  const { client } = await RawClient.welcomed(running.url);
  for (let i = 0; i < 300; i++) client.socket.send(Buffer.from([i & 255]), { binary: true });
  expect(await client.closed()).toBe(1008);
});
