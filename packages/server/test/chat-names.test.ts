// A chat name that renders like one already held must not be claimable: impersonation by look-alike.
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatNameRule } from '@ghost/server';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { waitFor } from '../../../test/helpers/wait.js';

const hubs: RunningHub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

let nextRef = 1;
async function identify(client: RawClient, name: string) {
  const ref = nextRef++;
  client.send({ type: 'chat.identify', room: 'lobby', name, ref });
  return waitFor(() => client.messages.find((m) => (m.type === 'ack' || m.type === 'error') && m.ref === ref), 5000, `answer ${ref}`);
}

async function chatHub(names?: ChatNameRule) {
  const running = await startHub(names ? { chat: { names } } : {});
  hubs.push(running);
  const { client: first } = await RawClient.welcomed(running.url);
  const { client: second } = await RawClient.welcomed(running.url);
  return { first, second };
}

describe('chat names', () => {
  it('refuses invisible and filler characters with INVALID_PAYLOAD, so no name can pass for another', async () => {
    const { first, second } = await chatHub();
    expect(await identify(first, 'Ada')).toMatchObject({ type: 'ack', result: { name: 'Ada' } });
    const lookAlikes = [
      'Ada\u3164', '\u3164Ada', 'A\uFFA0da', 'Ad\u115Fa', 'Ad\u1160a', 'Ada\u2800', 'A\u034Fda', 'Ada\uFE0F', 'Ada\u{E0100}',
      'A\u200Bda', 'Ada\u00AD', 'A\u2060da', '\u202EadA',
    ];
    for (const name of lookAlikes) {
      expect(await identify(second, name), JSON.stringify(name)).toMatchObject({ type: 'error', code: 'INVALID_PAYLOAD' });
    }
  });

  it('takes names that differ only in case, compatibility form or spacing for one name (NAME_TAKEN)', async () => {
    const { first, second } = await chatHub();
    expect(await identify(first, 'Ada  Lovelace')).toMatchObject({ type: 'ack' });
    for (const name of ['ada lovelace', 'ＡＤＡ Lovelace', 'Ada\u3000Lovelace', ' Ada Lovelace ']) {
      expect(await identify(second, name), JSON.stringify(name)).toMatchObject({ type: 'error', code: 'NAME_TAKEN' });
    }
    expect(await identify(second, 'Ada Byron')).toMatchObject({ type: 'ack' });
  });

  it("with chat.names 'single-script' refuses names mixing scripts, and keeps Latin with East Asian scripts", async () => {
    const { first, second } = await chatHub('single-script');
    expect(await identify(first, 'paypal')).toMatchObject({ type: 'ack' });
    // A Cyrillic "а" in a Latin name: it would look like "paypal".
    expect(await identify(second, 'p\u0430ypal')).toMatchObject({ type: 'error', code: 'INVALID_PAYLOAD' });
    expect(await identify(second, 'Αda')).toMatchObject({ type: 'error', code: 'INVALID_PAYLOAD' });
    expect(await identify(second, 'Иван')).toMatchObject({ type: 'ack', result: { name: 'Иван' } });
    expect(await identify(second, '山田 Taro たろう')).toMatchObject({ type: 'ack' });
  });

  it("by default ('any') lets a name mix scripts", async () => {
    const { first } = await chatHub();
    expect(await identify(first, 'p\u0430ypal')).toMatchObject({ type: 'ack' });
  });
});
