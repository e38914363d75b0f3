// What broke: the hub checked for closing before the handshake's await, so a client whose upgrade was under way then was still welcomed.
import { expect, it } from 'vitest';
import { startHub } from '../../../../test/helpers/hub.js';
import { RawClient } from '../../../../test/helpers/raw-client.js';

it('a hub that is closing welcomes no newcomer: refused, or told 1001', async () => {
  const running = await startHub();
  await RawClient.welcomed(running.url);
  const closing = running.hub.close();
  const outcome = await RawClient.connect(running.url).then(
    async (late) => ({ code: await late.closed(), welcomed: late.ofType('welcome').length }),
    () => 'refused',
  );
  expect([{ code: 1001, welcomed: 0 }, 'refused']).toContainEqual(outcome);
  await closing;
});
