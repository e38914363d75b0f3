// What broke: a subscribe and an unsubscribe racing could leave the hub subscribed on the bus to a topic nobody here wanted.
import { expect, it } from 'vitest';
import { createMemoryBus, memoryAdapter } from '@ghost/server';
import { startHub } from '../../../../test/helpers/hub.js';
import { RawClient } from '../../../../test/helpers/raw-client.js';

it('a subscribe and an unsubscribe racing leave no orphan bus subscription', async () => {
  const bus = createMemoryBus();
  const running = await startHub({ adapter: memoryAdapter({ bus }) });
  const { client } = await RawClient.welcomed(running.url);
  for (let i = 0; i < 5; i++) {
    client.send({ type: 'topic.subscribe', topic: 'flip' });
    client.send({ type: 'topic.unsubscribe', topic: 'flip' });
  }
  client.send({ type: 'topic.subscribe', topic: 'flop', ref: 1 });
  await client.next('ack');
  // The memory bus (un)subscribes in promise jobs, which all run before the hub's next turn: every
  // step of 'flip', taken in before 'flop', is done by the time that ack is out.
  expect(bus.subscriberCount('ghost:topic:{flip}')).toBe(0);
  expect(bus.subscriberCount('ghost:topic:{flop}')).toBe(1);
  expect(running.hub.stats().topics).toBe(1);
});
