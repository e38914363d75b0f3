// A client closed for flooding still gets the answer to every request the hub carried out: a message
// that went out to others is acked before the 1008, or it was not sent at all.
import { afterEach, describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { sleep } from '../../../test/helpers/wait.js';

let running: RunningHub | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('a flood close', () => {
  it('acks every publish that reached subscribers before closing with 1008', async () => {
    // The app's authorize takes its time (a database, say): the publishes it lets through are
    // delivered after the flood was already refused.
    const authorize = async () => {
      await sleep(100);
      return true;
    };
    running = await startHub({ authorize, limits: { messagesPerSecond: 1, burst: 5 } });
    const { client: subscriber } = await RawClient.welcomed(running.url);
    subscriber.send({ type: 'topic.subscribe', topic: 'news', ref: 1 });
    await subscriber.next('ack');
    const { client: flooder } = await RawClient.welcomed(running.url);
    // All at once, so the hub reads them together: the first few are carried out, the rest refused
    // until the limit's patience is out.
    for (let ref = 1; ref <= 200; ref++) flooder.send({ type: 'topic.publish', topic: 'news', data: { ref }, ref });
    expect(await flooder.closed(5000)).toBe(1008);
    await sleep(200);

    const delivered = subscriber.ofType('topic.message').map((m) => (m.data as { ref: number }).ref);
    const acked = flooder.ofType('ack').map((m) => m.ref);
    expect(delivered.length).toBeGreaterThan(0);
    expect(acked).toEqual(delivered);
    expect(flooder.ofType('error').every((e) => e.code === 'RATE_LIMITED')).toBe(true);
  });
});
