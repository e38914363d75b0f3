// What broke: unreadable frames on the bus were counted and nothing else, so garbage there vanished without a trace.
import { expect, it } from 'vitest';
import { createMemoryBus, memoryAdapter } from '@ghost/server';
import { startHub } from '../../../../test/helpers/hub.js';
import { RawClient } from '../../../../test/helpers/raw-client.js';

it('garbage on the bus is dropped and reported through the error event, never thrown, and delivery goes on', async () => {
  const bus = createMemoryBus();
  const running = await startHub({ adapter: memoryAdapter({ bus }) });
  const errors: Error[] = [];
  running.hub.on('error', (e) => errors.push(e));
  const { client } = await RawClient.welcomed(running.url);
  client.send({ type: 'topic.subscribe', topic: 'news', ref: 1 });
  await client.next('ack');
  const intruder = memoryAdapter({ bus });
  await intruder.start({ nodeId: 'intruder', onError: () => undefined });
  await intruder.publish('ghost:topic:{news}', 'not an envelope');
  await intruder.publish('ghost:topic:{news}', '{"v":1,"node":"intruder","kind":"topic"}');
  // The bus delivers in order: by the time this arrives, both frames above were read.
  await intruder.publish('ghost:topic:{news}', JSON.stringify({ v: 1, node: 'intruder', kind: 'topic', topic: 'news', frame: '{"type":"topic.message","topic":"news","data":"relayed","from":null,"ts":0}' }));
  expect((await client.next('topic.message')).data).toBe('relayed');
  expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/^Dropped 1 unreadable frame/)]);
  await running.hub.publish('news', 'still here');
  expect((await client.next('topic.message')).data).toBe('still here');
});
