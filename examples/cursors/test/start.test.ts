// `npm start` as a person runs it (the same `node --import tsx server.ts`), with a database that
// never answers: a TCP socket held open and silent. The URL is printed before the database said
// anything, and the page is served and the hub accepts a connection at once.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { createClient, type GhostClient } from '@ghost/client';
import { collectLines } from '../../../test/helpers/lines.js';

const folder = fileURLToPath(new URL('..', import.meta.url));
const stops: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A "database" that accepts connections and never says a word. */
async function silentDatabase(): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as net.AddressInfo).port;
}

it('prints its URL and serves the page before the active-users database has answered', async () => {
  const dbPort = await silentDatabase();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: folder,
    env: { ...process.env, PORT: '0', DATABASE_URL: `postgres://postgres@127.0.0.1:${dbPort}/test` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const closed = new Promise((resolve) => child.once('close', resolve));
  stops.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    const timer = setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), 10_000);
    await closed;
    clearTimeout(timer);
  });
  // Both streams in one list, in the order they came.
  const lines: string[] = [];
  collectLines(child.stdout!, lines);
  collectLines(child.stderr!, lines);

  await expect.poll(() => lines.find((line) => line.startsWith('Ghost cursors: ')), { timeout: 30_000 }).toBeDefined();
  const [first] = lines;
  expect(first).toMatch(/^Ghost cursors: http:\/\/localhost:\d+ .*active users: PostgreSQL, starting…/);
  const url = /http:\/\/localhost:\d+/.exec(first!)![0];

  // Served and connected, with the database still silent.
  const page = await fetch(url);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('id="board"');
  expect((await fetch(`${url}/page.js`)).status).toBe(200);
  const client: GhostClient = createClient(`${url.replace('http', 'ws')}/ghost`);
  stops.push(() => client.close());
  await expect.poll(() => client.status).toBe('open');

  // The database never answers: the demo says so after the URL, and the list says it is unavailable.
  await expect.poll(() => lines.some((line) => line.includes('[active-users] postgres failed')), { timeout: 30_000 }).toBe(true);
  expect(lines.findIndex((line) => line.includes('[active-users]'))).toBeGreaterThan(0);
  expect(await (await fetch(`${url}/api/active-users`)).json()).toMatchObject({ available: false, users: [] });
});
