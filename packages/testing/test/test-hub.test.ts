import http from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode } from '@ghost/client';
import { connectClient, startTestHub, TEST_BACKOFF, waitFor, whenOpen } from '@ghost/testing';
import { describe, expect, it, onTestFinished } from 'vitest';

/** The status of a plain HTTP GET, or the error code when nothing listens. */
function get(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    http.get(url, { agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

describe('@ghost/testing', () => {
  it('starts a hub on a free port and connects clients that talk through it', async () => {
    const kit = await startTestHub({}, { cleanup: onTestFinished });
    expect(kit.url).toBe(`ws://127.0.0.1:${kit.port}/ghost`);
    const [ada, bob] = await Promise.all([kit.connect(), kit.connect()]);
    expect(ada.status).toBe('open');
    expect(ada.self?.id).not.toBe(bob.self?.id);
    const received = new Promise((resolve) => bob.topic('news').subscribe((data, { from }) => resolve({ data, from })));
    await waitFor(() => kit.hub.stats().topics === 1, { what: 'the subscription' });
    await ada.topic('news').publish({ headline: 'hi' });
    expect(await received).toEqual({ data: { headline: 'hi' }, from: ada.self?.id });
  });

  it('close() closes its clients, the hub and the server, and may be called twice', async () => {
    const kit = await startTestHub({}, { handler: (_request, response) => response.end('app') });
    const connected = await kit.connect();
    const connecting = kit.client();
    expect(await get(`http://127.0.0.1:${kit.port}/`)).toBe(200);
    await Promise.all([kit.close(), kit.close()]);
    expect([connected.status, connecting.status]).toEqual(['closed', 'closed']);
    expect(await get(`http://127.0.0.1:${kit.port}/`)).toBe('ECONNREFUSED');
  });

  it('hands its close to the cleanup registrar, and is disposable', async () => {
    const registered: (() => Promise<void>)[] = [];
    const kit = await startTestHub({}, { cleanup: (close) => registered.push(close) });
    expect(registered).toEqual([kit.close]);
    const client = await kit.connect();
    await kit[Symbol.asyncDispose]();
    expect(client.status).toBe('closed');
    await registered[0]!(); // what the test runner does later: a no-op now
  });

  it('without a handler, plain HTTP requests get 404 and the hub still serves its path', async () => {
    const kit = await startTestHub({}, { path: '/realtime', cleanup: onTestFinished });
    expect(kit.url.endsWith('/realtime')).toBe(true);
    expect(await get(`http://127.0.0.1:${kit.port}/`)).toBe(404);
    expect((await kit.connect()).status).toBe('open');
  });

  it('connect rejects with the refusal when the hub refuses the client, and closes it', async () => {
    const kit = await startTestHub({ authenticate: (request) => (request.url?.includes('token=ok') ? { id: 'ada' } : null) }, { cleanup: onTestFinished });
    await expect(kit.connect()).rejects.toMatchObject({ code: ErrorCode.UNAUTHORIZED });
    const ada = await kit.connect({ params: { token: 'ok' } });
    expect(ada.self?.user).toEqual({ id: 'ada' });
  });

  it('waitFor resolves with the first truthy value, and names what it waited for when it gives up', async () => {
    let n = 0;
    expect(await waitFor(() => ++n >= 3 && n, { intervalMs: 1 })).toBe(3);
    await expect(waitFor(() => false, { timeoutMs: 30, what: 'nothing' })).rejects.toThrow('Timed out after 30 ms waiting for nothing');
  });

  it('connect gives up after connectTimeoutMs when nothing answers', async () => {
    // A server that takes the upgrade and never answers: the client stays `connecting`.
    const silent = http.createServer();
    const held = new Set<Duplex>();
    silent.on('upgrade', (_request, socket: Duplex) => held.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => {
      for (const socket of held) socket.destroy();
      silent.close(() => resolve());
    }));
    const port = (silent.address() as { port: number }).port;
    await expect(connectClient(`ws://127.0.0.1:${port}/ghost`, {}, { timeoutMs: 200, cleanup: onTestFinished })).rejects.toThrow(/did not connect within 200 ms/);
  });

  it('a client of a hub restarted on the same port reconnects, and whenOpen says when', async () => {
    const first = await startTestHub({ graceMs: 0 });
    const client = await connectClient(first.url, TEST_BACKOFF, { cleanup: onTestFinished });
    const before = client.self?.id;
    await first.close();
    expect(client.status).not.toBe('open');
    await startTestHub({}, { port: first.port, cleanup: onTestFinished });
    await whenOpen(client);
    expect(client.self?.id).not.toBe(before);
  });
});
