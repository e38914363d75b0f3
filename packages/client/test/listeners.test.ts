// An app's listener that throws runs inside the client's socket callbacks: its throw must come out on
// the client's `error` event, and the client must go on as if the listener had returned.
import { describe, expect, it } from 'vitest';
import { ErrorCode, type ClientOptions, type GhostError } from '@ghost/client';
import { startHub } from '../../../test/helpers/hub.js';
import { FAST_BACKOFF, openClient } from '../../../test/helpers/clients.js';
import { waitFor } from '../../../test/helpers/wait.js';

const client = (url: string, options: ClientOptions = {}) => openClient(url, { ...FAST_BACKOFF, ...options });

describe('a listener that throws', () => {
  it('on a presence room, a chat room and the client: reported as INTERNAL with the throw as cause, and the client goes on', async () => {
    const running = await startHub({ tickMs: 5 });
    const watcher = client(running.url);
    const errors: GhostError[] = [];
    watcher.on('error', (error) => errors.push(error));
    const thrown = { presence: new Error('presence listener'), chat: new Error('chat listener'), broadcast: new Error('broadcast listener') };
    watcher.presence('lobby').on('join', () => {
      throw thrown.presence;
    });
    watcher.chat('fishing').on('message', () => {
      throw thrown.chat;
    });
    watcher.on('broadcast', () => {
      throw thrown.broadcast;
    });
    await waitFor(() => watcher.status === 'open');

    const other = client(running.url);
    other.presence('lobby').track({ x: 1 });
    await waitFor(() => errors.length === 1);
    await other.chat('fishing').identify('ada');
    await other.chat('fishing').send('hi');
    await waitFor(() => errors.length === 2);
    await running.hub.broadcast('news');
    await waitFor(() => errors.length === 3);

    expect(errors.map((e) => [e.code, e.message, e.cause])).toEqual([
      [ErrorCode.INTERNAL, 'A listener threw', thrown.presence],
      [ErrorCode.INTERNAL, 'A listener threw', thrown.chat],
      [ErrorCode.INTERNAL, 'A listener threw', thrown.broadcast],
    ]);
    // What the handles keep was updated all the same, and the link stayed up.
    expect(watcher.presence('lobby').others.map((m) => m.state)).toEqual([{ x: 1 }]);
    expect(watcher.chat('fishing').history.map((m) => m.text)).toEqual(['hi']);
    expect(watcher.status).toBe('open');
  });

  it('on the error event itself: swallowed, not reported again (that would call it again)', async () => {
    const running = await startHub();
    const c = client(running.url);
    let calls = 0;
    c.on('error', () => {
      calls += 1;
      throw new Error('error listener');
    });
    await waitFor(() => c.status === 'open');
    c.on('broadcast', () => {
      throw new Error('broadcast listener');
    });
    await running.hub.broadcast('news');
    await waitFor(() => calls === 1);
    await running.hub.broadcast('again');
    await waitFor(() => calls === 2);
    expect(c.status).toBe('open');
  });
});
