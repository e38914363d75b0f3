// What broke: a member who untracked and tracked again within one tick, around a newcomer's snapshot, was never shown to that newcomer.
import { expect, it } from 'vitest';
import { startHub } from '../../../../test/helpers/hub.js';
import { RawClient } from '../../../../test/helpers/raw-client.js';

it('a member who untracks and re-tracks around a newcomer snapshot is still shown to the newcomer', async () => {
  const running = await startHub({ tickMs: 150 });
  const m = await RawClient.welcomed(running.url);
  const old = await RawClient.welcomed(running.url);
  old.client.send({ type: 'presence.join', room: 'lobby' });
  m.client.send({ type: 'presence.track', room: 'lobby', state: 1 });
  await old.client.next('presence.diff', 1000); // m announced
  m.client.send({ type: 'presence.untrack', room: 'lobby', ref: 1 });
  await m.client.next('ack');
  const newcomer = await RawClient.welcomed(running.url);
  newcomer.client.send({ type: 'presence.join', room: 'lobby', ref: 1 });
  await newcomer.client.next('ack');
  m.client.send({ type: 'presence.track', room: 'lobby', state: 2 });
  expect((await newcomer.client.next('presence.snapshot')).members).toEqual([]);
  expect(await newcomer.client.next('presence.diff', 1000)).toMatchObject({ joins: [{ id: m.id, state: 2 }] });
  // The old watcher saw no leave: for it, a join of a known member is an update.
  const diff = await old.client.next('presence.diff', 1000);
  expect(diff.leaves).toBeUndefined();
  expect(diff.joins).toMatchObject([{ id: m.id, state: 2 }]);
});
