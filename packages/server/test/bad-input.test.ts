import { describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';

let running: RunningHub | undefined;

describe('bad input', () => {
  it('answers each malformed frame with a coded error; the connection, its topic and a bystander carry on', async () => {
    running = await startHub();
    const bad = await RawClient.connect(running.url);
    const bystander = await RawClient.connect(running.url);
    await bad.next('welcome');
    await bystander.next('welcome');
    for (const client of [bad, bystander]) client.send({ type: 'topic.subscribe', topic: 'room', ref: 1 });
    await bad.next('ack');
    await bystander.next('ack');

    const frames: [string, string][] = [
      ['{nope', 'BAD_FRAME'],
      ['[]', 'BAD_FRAME'],
      ['{"type":"launch.missiles"}', 'UNKNOWN_TYPE'],
      ['{"type":"topic.publish","topic":"room","ref":9}', 'INVALID_PAYLOAD'],
      ['{"type":"topic.publish","topic":"no spaces","data":1,"ref":10}', 'INVALID_NAME'],
      ['{"type":"presence.track","room":"lobby"}', 'INVALID_PAYLOAD'],
      // Not an error: a __proto__ key is plain data, and must pollute nothing on its way.
      ['{"type":"topic.publish","topic":"room","data":{"__proto__":{"admin":true}}}', ''],
    ];
    for (const [frame] of frames) bad.send(frame);
    bad.socket.send(Buffer.from([1, 2, 3]), { binary: true });

    for (const [, code] of frames.filter(([, c]) => c)) {
      expect((await bad.next('error')).code).toBe(code);
    }
    expect((await bad.next('error')).code).toBe('BAD_FRAME'); // the binary frame
    expect(bad.ofType('error').find((e) => e.code === 'INVALID_PAYLOAD')?.ref).toBe(9);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();

    bad.send({ type: 'topic.publish', topic: 'room', data: 'still here', ref: 11 });
    expect(await bad.next('ack')).toMatchObject({ ref: 11 });
    const got = bystander.ofType('topic.message');
    await bystander.next('topic.message');
    await bystander.next('topic.message');
    expect(got.map((m) => m.data)).toContain('still here');
    expect(bad.closeCode).toBeUndefined();
    expect(bystander.invalid).toEqual([]);
  });

  it('closes a socket that sends a frame over the size limit with 1009, and no one else', async () => {
    running = await startHub({ limits: { maxFrameBytes: 1024 } });
    const big = await RawClient.connect(running.url);
    const other = await RawClient.connect(running.url);
    await big.next('welcome');
    big.send({ type: 'topic.publish', topic: 'x', data: 'y'.repeat(2000) });
    expect(await big.closed()).toBe(1009);
    other.send({ type: 'topic.subscribe', topic: 'x', ref: 1 });
    expect(await other.next('ack')).toMatchObject({ ref: 1 });
  });

  it('answers a flood with RATE_LIMITED, then closes it with 1008 if it keeps on', async () => {
    running = await startHub({ limits: { messagesPerSecond: 10, burst: 5 } });
    const flood = await RawClient.connect(running.url);
    await flood.next('welcome');
    for (let i = 0; i < 8; i++) flood.send({ type: 'topic.subscribe', topic: `t${i}`, ref: i });
    expect(await flood.next('error')).toMatchObject({ code: 'RATE_LIMITED' });
    expect(flood.ofType('ack').length).toBeLessThanOrEqual(6);
    expect(flood.closeCode).toBeUndefined();
    for (let i = 0; i < 200; i++) flood.send({ type: 'pong' });
    expect(await flood.closed()).toBe(1008);
  });
});
