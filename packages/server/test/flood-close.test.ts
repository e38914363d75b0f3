// A client closed for flooding still gets the answer to every request the hub carried out: a message
// that went out to others is acked before the 1008, or it was not sent at all.
import { afterEach, describe, expect, it } from 'vitest';
import type { Authorize } from '@ghost/server';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { waitFor } from '../../../test/helpers/wait.js';
import { FLOOD_LIMIT } from '../src/router.js';

let running: RunningHub | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('a flood close', () => {
  it('acks every publish that reached subscribers before closing with 1008', async () => {
    // The app's authorize takes its time (a database, say): it answers the flooder's publishes only once
    // the flood was refused, so those it lets through are delivered after that.
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const authorize: Authorize = async (_user, _target, action) => {
      if (action === 'publish') await answered;
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
    // Each refusal in a row is answered, up to the one that decides the close.
    await waitFor(() => flooder.ofType('error').length >= FLOOD_LIMIT - 1, 5000, 'the flood to be refused');
    expect(flooder.ofType('ack')).toEqual([]); // what was let in still waits for authorize
    answer();
    expect(await flooder.closed(5000)).toBe(1008);
    // The server's own publish comes after every delivery of the flooder's on the subscriber's socket.
    await running.hub.publish('news', { ref: 0 });
    await waitFor(() => subscriber.ofType('topic.message').some((m) => (m.data as { ref: number }).ref === 0), 3000, 'the later message');

    const delivered = subscriber.ofType('topic.message').map((m) => (m.data as { ref: number }).ref).filter((ref) => ref !== 0);
    const acked = flooder.ofType('ack').map((m) => m.ref);
    expect(delivered.length).toBeGreaterThan(0);
    expect(acked).toEqual(delivered);
    expect(flooder.ofType('error').every((e) => e.code === 'RATE_LIMITED')).toBe(true);
  });
});
