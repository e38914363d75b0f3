// A chat name belongs to the user when the hub authenticates: two tabs of one user, on one node or
// on two, speak under the one name; another user gets it once the user's last connection in the
// room has let it go. Run over a memory bus and over a real redis-server.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { HubOptions } from '@ghost/server';
import { memoryBackplane, redisBackplane, type Backplane } from '../../../test/helpers/backplanes.js';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { describeIfRedis, useRedisServer } from '../../../test/helpers/redis-server.js';
import { sleep, waitFor, waitForAsync } from '../../../test/helpers/wait.js';

const CLAIM_TTL_MS = 600;
const userOf = (request: IncomingMessage) => new URL(request.url ?? '/', 'http://localhost').searchParams.get('user');
const options: HubOptions = { graceMs: 0, chat: { claimTtlMs: CLAIM_TTL_MS }, authenticate: (request) => ({ id: userOf(request) ?? 'nobody' }) };

let nextRef = 1;
async function request(client: RawClient, message: Record<string, unknown>) {
  const ref = nextRef++;
  client.send({ ...message, ref });
  return waitFor(() => client.messages.find((m) => (m.type === 'ack' || m.type === 'error') && m.ref === ref));
}

/** A connection of `user` reading the room `fishing`. */
async function tab(node: RunningHub, user: string) {
  const { client } = await RawClient.welcomed(node.url, `?user=${user}`);
  await request(client, { type: 'chat.join', room: 'fishing' });
  return client;
}

const identify = (client: RawClient, name: string) => request(client, { type: 'chat.identify', room: 'fishing', name });

/** Tries `name` until it is granted: a name let go by a user lapses within two renewal periods. */
function eventuallyGranted(client: RawClient, name: string) {
  return waitForAsync(async () => {
    const answer = await identify(client, name);
    return answer.type === 'ack' && answer;
  }, 5000, `${name} to be granted`);
}

function suite(makeBackplane: () => Promise<Backplane>) {
  async function nodes(count: number) {
    const backplane = await makeBackplane();
    const started: RunningHub[] = [];
    for (let i = 0; i < count; i++) started.push(await startHub({ ...options, nodeId: `node${i}`, adapter: await backplane.adapter(`node${i}`) }));
    return started;
  }

  it("two tabs of one user on two nodes speak under one name, which another user gets only after the user's last tab leaves", async () => {
    const [a, b] = await nodes(2);
    const first = await tab(a!, 'u1');
    const second = await tab(b!, 'u1');
    const bob = await tab(a!, 'u2');
    expect(await identify(first, 'Ada')).toMatchObject({ type: 'ack', result: { name: 'Ada' } });
    expect(await identify(second, 'ada')).toMatchObject({ type: 'ack', result: { name: 'ada' } });
    expect(await identify(bob, 'ADA')).toMatchObject({ type: 'error', code: 'NAME_TAKEN' });

    expect(await request(second, { type: 'chat.send', room: 'fishing', text: 'from the second tab' })).toMatchObject({ type: 'ack' });
    const heard = await first.next('chat.message');
    expect(heard.message).toMatchObject({ user: 'ada', userId: 'u1', text: 'from the second tab' });

    // The first tab leaves: the second, on the other node, still holds the name, past a whole TTL.
    expect(await request(first, { type: 'chat.leave', room: 'fishing' })).toMatchObject({ type: 'ack' });
    await sleep(CLAIM_TTL_MS * 1.5); // time is what is tested: the claim outlives its TTL only by being renewed
    expect(await identify(bob, 'Ada')).toMatchObject({ type: 'error', code: 'NAME_TAKEN' });
    expect(await request(second, { type: 'chat.send', room: 'fishing', text: 'still here' })).toMatchObject({ type: 'ack' });

    // The last tab goes: the name is free again.
    second.close();
    expect(await eventuallyGranted(bob, 'Ada')).toMatchObject({ result: { name: 'Ada' } });
  });

  it("one tab taking another name leaves the user's other tab its name", async () => {
    const [a] = await nodes(1);
    const first = await tab(a!, 'u1');
    const second = await tab(a!, 'u1');
    const bob = await tab(a!, 'u2');
    expect(await identify(first, 'Ada')).toMatchObject({ type: 'ack' });
    expect(await identify(second, 'Ada')).toMatchObject({ type: 'ack' });
    expect(await identify(second, 'Ada L')).toMatchObject({ type: 'ack' });
    await sleep(CLAIM_TTL_MS * 1.5); // time is what is tested: the first tab's claim outlives its TTL only by being renewed
    expect(await identify(bob, 'Ada')).toMatchObject({ type: 'error', code: 'NAME_TAKEN' });
    expect(await request(first, { type: 'chat.send', room: 'fishing', text: 'hi' })).toMatchObject({ type: 'ack' });
    expect((await second.next('chat.message')).message).toMatchObject({ user: 'Ada', userId: 'u1' });

    expect(await request(first, { type: 'chat.leave', room: 'fishing' })).toMatchObject({ type: 'ack' });
    expect(await eventuallyGranted(bob, 'Ada')).toMatchObject({ result: { name: 'Ada' } });
    // The user still speaks as "Ada L" in the other tab.
    expect(await identify(bob, 'Ada L')).toMatchObject({ type: 'error', code: 'NAME_TAKEN' });
  });
}

describe('chat names of a user, hubs on a memory bus', () => suite(async () => memoryBackplane()));

describeIfRedis('chat names of a user, hubs on a redis-server', () => {
  const redis = useRedisServer();
  suite(() => redisBackplane(redis));
});
