// What broke: a request refused by the rate limit got no answer with its ref, so the client's promise for it waited forever.
import { expect, it } from 'vitest';
import { startHub } from '../../../../test/helpers/hub.js';
import { RawClient } from '../../../../test/helpers/raw-client.js';

it('a rate-limited request is answered with its ref, so no promise waits forever', async () => {
  const running = await startHub({ limits: { messagesPerSecond: 1, burst: 1 } });
  const { client } = await RawClient.welcomed(running.url);
  client.send({ type: 'topic.subscribe', topic: 'a', ref: 1 });
  client.send({ type: 'topic.subscribe', topic: 'b', ref: 2 });
  client.send({ type: 'topic.subscribe', topic: 'c', ref: 3 });
  expect(await client.next('ack')).toMatchObject({ ref: 1 });
  expect(await client.next('error')).toMatchObject({ code: 'RATE_LIMITED', ref: 2 });
  expect(await client.next('error')).toMatchObject({ code: 'RATE_LIMITED', ref: 3 });
});
