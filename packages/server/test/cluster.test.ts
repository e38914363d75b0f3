import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBus, memoryAdapter } from '@ghost/server';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { sleep, waitFor } from '../../../test/helpers/wait.js';

const nodes: RunningHub[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

async function cluster(count: number) {
  const bus = createMemoryBus();
  for (let i = 0; i < count; i++) nodes.push(await startHub({ adapter: memoryAdapter({ bus }), nodeId: `node${i}` }));
  return bus;
}

async function connect(url: string) {
  const client = await RawClient.connect(url);
  await client.next('welcome');
  return client;
}

describe('hubs sharing a memory bus', () => {
  it('deliver topic messages, broadcasts and direct messages across nodes, once each', async () => {
    const bus = await cluster(3);
    const [a, b, c] = await Promise.all(nodes.map((n) => connect(n.url)));
    for (const client of [a!, b!]) {
      client.send({ type: 'topic.subscribe', topic: 'world', ref: 1 });
      await client.next('ack');
    }
    expect(bus.subscriberCount('ghost:topic:world')).toBe(2);

    c!.send({ type: 'topic.publish', topic: 'world', data: 'hi', ref: 1 });
    expect(await a!.next('topic.message')).toMatchObject({ data: 'hi' });
    expect(await b!.next('topic.message')).toMatchObject({ data: 'hi' });

    await nodes[1]!.hub.broadcast('all');
    for (const client of [a!, b!, c!]) expect(await client.next('broadcast')).toMatchObject({ data: 'all' });

    const cId = (c!.messages[0] as { id: string }).id;
    await nodes[0]!.hub.sendTo(cId, 'to c');
    expect(await c!.next('direct')).toMatchObject({ data: 'to c' });

    await sleep(30);
    expect(a!.ofType('topic.message')).toHaveLength(1);
    expect(b!.ofType('topic.message')).toHaveLength(1);
    expect(c!.ofType('broadcast')).toHaveLength(1);
  });

  it('a node subscribes to a topic channel only while it has local subscribers', async () => {
    const bus = await cluster(2);
    const a = await connect(nodes[0]!.url);
    a.send({ type: 'topic.subscribe', topic: 'news', ref: 1 });
    await a.next('ack');
    expect(bus.subscriberCount('ghost:topic:news')).toBe(1);
    a.send({ type: 'topic.unsubscribe', topic: 'news', ref: 2 });
    await a.next('ack');
    expect(bus.subscriberCount('ghost:topic:news')).toBe(0);
  });

  it('a partitioned node still serves its own clients, and rejoins the cluster when healed', async () => {
    const bus = await cluster(2);
    const local = await connect(nodes[0]!.url);
    const remote = await connect(nodes[1]!.url);
    for (const client of [local, remote]) {
      client.send({ type: 'topic.subscribe', topic: 't', ref: 1 });
      await client.next('ack');
    }
    bus.partition('node0');
    await nodes[0]!.hub.publish('t', 'during');
    expect(await local.next('topic.message')).toMatchObject({ data: 'during' });
    await sleep(30);
    expect(remote.ofType('topic.message')).toEqual([]);

    bus.heal();
    await nodes[0]!.hub.publish('t', 'after');
    await waitFor(() => remote.ofType('topic.message').length === 1);
    expect(remote.ofType('topic.message')[0]).toMatchObject({ data: 'after' });
  });
});
