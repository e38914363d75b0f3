import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';

let running: RunningHub | undefined;

describe('hub.attach', () => {
  it('welcomes a client with an id, a colour and a resume token', async () => {
    running = await startHub();
    const client = await RawClient.connect(running.url);
    const welcome = await client.next('welcome');
    expect(welcome.id).toMatch(/^[\w-]{12}$/);
    expect(welcome.color).toMatch(/^hsl\(/);
    expect(welcome.resumed).toBe(false);
    expect(welcome.resume.startsWith(`${welcome.id}.`)).toBe(true);
    expect(running.hub.stats().connections).toBe(1);
    client.close();
  });

  it('leaves the app routes and its other upgrade paths alone', async () => {
    running = await startHub();
    const body = await fetch(`http://127.0.0.1:${running.port}/hello`).then((r) => r.text());
    expect(body).toBe('app route /hello');

    const other = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${running!.port}/elsewhere`);
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('error', () => resolve(-1));
    });
    expect(other).toBe(404);
  });
});
