// Random and malformed frames against a real hub: it answers with codes, stays up, pollutes nothing,
// and a bystander's traffic arrives intact all along.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isErrorCode } from '@ghost/protocol';
import { startHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { waitFor } from '../../../test/helpers/wait.js';

const keys = fc.constantFrom('type', 'topic', 'room', 'data', 'state', 'ref', 'name', 'text', '__proto__', 'constructor', 'prototype');
const types = fc.constantFrom(
  'topic.subscribe', 'topic.unsubscribe', 'topic.publish', 'presence.join', 'presence.track', 'presence.untrack',
  'presence.leave', 'chat.join', 'chat.identify', 'chat.send', 'chat.leave', 'pong', 'welcome', 'ack', '', 'x'.repeat(300),
);
const weird = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER + 2), fc.constant(-1), fc.boolean(), fc.constant(null),
  fc.constant('two words'), fc.constant('a'.repeat(200)), fc.constant('\u202e\u0000\ud800'),
);
const value = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small' }, weird, fc.array(tie('any'), { maxLength: 4 }), fc.dictionary(fc.oneof(keys, fc.string()), tie('any'), { maxKeys: 4 })),
})).any;
/** A well-formed message, then mutated: wrong types, missing and extra fields, prototype keys. */
const mutated = fc.record({ type: types, topic: fc.option(weird), room: fc.option(weird), data: fc.option(value), state: fc.option(value), ref: fc.option(weird), name: fc.option(weird), text: fc.option(weird) }, { requiredKeys: ['type'] })
  .map((message) => JSON.stringify(message));
const deep = fc.integer({ min: 100, max: 5000 }).map((depth) => `{"type":"topic.publish","topic":"t","data":${'['.repeat(depth)}${']'.repeat(depth)}}`);
const frames = fc.oneof(
  mutated,
  value.map((v) => JSON.stringify(v) ?? 'undefined'),
  fc.string({ unit: 'binary', maxLength: 200 }),
  deep,
  fc.constant('{"type":"topic.publish","topic":"t","data":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}}'),
);

describe('fuzz', () => {
  it('survives thousands of random and mutated frames: coded answers, no pollution, bystander intact', async () => {
    const { url, hub } = await startHub({ limits: { messagesPerSecond: 100_000, burst: 100_000 } });
    const bystander = await RawClient.connect(url);
    const publisher = await RawClient.connect(url);
    await bystander.next('welcome');
    await publisher.next('welcome');
    bystander.send({ type: 'topic.subscribe', topic: 'calm', ref: 1 });
    await bystander.next('ack');

    let fuzzed = 0;
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(frames, { minLength: 20, maxLength: 60 }), async (batch) => {
        const attacker = await RawClient.connect(url);
        await attacker.next('welcome');
        for (const frame of batch) attacker.send(frame);
        attacker.socket.send(Buffer.from(batch[0] ?? 'x'), { binary: true });
        fuzzed += batch.length + 1;
        publisher.send({ type: 'topic.publish', topic: 'calm', data: { round }, ref: round + 10 });
        round += 1;
        // Every frame got an answer or was accepted; none made the hub send an invalid message.
        attacker.send({ type: 'topic.subscribe', topic: 'still-alive', ref: 999_999 });
        await waitFor(() => attacker.messages.some((m) => (m.type === 'ack' || m.type === 'error') && m.ref === 999_999) || attacker.closeCode, 5000, 'the attacker to be answered');
        expect(attacker.invalid).toEqual([]);
        for (const error of attacker.ofType('error')) expect(isErrorCode(error.code)).toBe(true);
        attacker.close();
      }),
      { numRuns: 200, seed: 42 },
    );

    await waitFor(() => bystander.ofType('topic.message').length === round, 5000, 'every calm message');
    expect(bystander.ofType('topic.message').map((m) => (m.data as { round: number }).round)).toEqual([...Array(round).keys()]);
    expect(bystander.invalid).toEqual([]);
    expect(bystander.closeCode).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(hub.stats().connections).toBeGreaterThanOrEqual(2);
    console.log(`fuzz: ${fuzzed} frames in ${round} batches`);
  });
});
