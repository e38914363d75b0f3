// What broke: a resume spent the old token at once, so a client whose welcome (with the new one) was lost could not resume.
import { expect, it } from 'vitest';
import { startHub } from '../../../../test/helpers/hub.js';
import { RawClient } from '../../../../test/helpers/raw-client.js';

it('a resume token stays good until the client used the new socket, so a lost welcome strands nothing', async () => {
  const running = await startHub({ graceMs: 5000 });
  const first = await RawClient.welcomed(running.url);
  first.client.socket.terminate();
  // The resume is accepted, but this socket dies before the client could read the welcome.
  const lost = await RawClient.welcomed(running.url, `?resume=${encodeURIComponent(first.resume)}`);
  expect(lost.id).toBe(first.id);
  lost.client.socket.terminate();
  const retry = await RawClient.welcomed(running.url, `?resume=${encodeURIComponent(first.resume)}`);
  expect(retry.id).toBe(first.id);
  retry.client.send({ type: 'pong' }); // now the client has the new token: the old one is spent
  // Answered in order after the pong: the hub has read it.
  retry.client.send({ type: 'topic.unsubscribe', topic: 'nothing', ref: 1 });
  await retry.client.next('ack');
  retry.client.socket.terminate();
  const replay = await RawClient.welcomed(running.url, `?resume=${encodeURIComponent(first.resume)}`);
  expect(replay.id).not.toBe(first.id);
  const proper = await RawClient.welcomed(running.url, `?resume=${encodeURIComponent(retry.resume)}`);
  expect(proper.id).toBe(first.id);
});
