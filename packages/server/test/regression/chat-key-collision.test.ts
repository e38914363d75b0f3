// What broke: a room named x:name:y shared a store key with the name y:history claimed in room x (WRONGTYPE on Redis).
import { expect, it } from 'vitest';
import { startHub } from '../../../../test/helpers/hub.js';
import { RawClient } from '../../../../test/helpers/raw-client.js';

it("a room named like another room's name key does not collide with it", async () => {
  const running = await startHub();
  const { client } = await RawClient.welcomed(running.url);
  client.send({ type: 'chat.identify', room: 'x', name: 'y:history', ref: 1 });
  expect(await client.next('ack')).toMatchObject({ ref: 1 });
  client.send({ type: 'chat.identify', room: 'x:name:y', name: 'ada', ref: 2 });
  client.send({ type: 'chat.send', room: 'x:name:y', text: 'hello', ref: 3 });
  await client.next('ack');
  expect(await client.next('ack')).toMatchObject({ ref: 3, result: { text: 'hello' } });
  // The room's history holds its one message, nothing of the other room's name claim.
  const late = await RawClient.welcomed(running.url);
  late.client.send({ type: 'chat.join', room: 'x:name:y' });
  expect((await late.client.next('chat.history')).messages.map((m) => m.text)).toEqual(['hello']);
});
