// `ghost-hub` as an operator runs it: a child process configured by flags or environment, serving
// clients, the HTTP API and health, logging JSON lines, and draining on SIGTERM.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { describeIfRedis, useRedisServer } from '../../../test/helpers/redis-server.js';
import { startHubProcess } from './process.js';

const TOKEN = 'ghost-hub-test-token-0123456789';
const root = fileURLToPath(new URL('../../../', import.meta.url));

function publish(port: number, topic: string, data: unknown, token = TOKEN) {
  return fetch(`http://127.0.0.1:${port}/ghost-admin/topics/${topic}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(data),
  });
}

async function subscribed(url: string, topic: string) {
  const { client } = await RawClient.welcomed(url);
  client.send({ type: 'topic.subscribe', topic, ref: 1 });
  await client.next('ack');
  return client;
}

describe('ghost-hub', () => {
  it('starts, serves a client, publishes over HTTP, and on SIGTERM tells the client 1001 and exits 0', async () => {
    const hub = startHubProcess(['--port', '0', '--host', '127.0.0.1', '--node-id', 'solo'], { GHOST_API_TOKEN: TOKEN });
    const port = await hub.port();
    const client = await subscribed(`ws://127.0.0.1:${port}/ghost`, 'news');

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', node: 'solo', connections: 1 });
    expect((await publish(port, 'news', { headline: 'hi' })).status).toBe(202);
    expect(await client.next('topic.message')).toMatchObject({ topic: 'news', data: { headline: 'hi' } });
    expect((await publish(port, 'news', {}, 'wrong-token-wrong-token')).status).toBe(403);

    hub.child.kill('SIGTERM');
    expect(await client.closed()).toBe(1001);
    expect(await hub.exited).toEqual({ code: 0, signal: null });
    const events = hub.logs.map((line) => line.event);
    expect(events).toEqual(['starting', 'listening', 'draining', 'stopped']);
    expect(hub.logs[2]).toMatchObject({ level: 'info', signal: 'SIGTERM', connections: 1 });
    for (const line of hub.logs) expect(line).toEqual(expect.objectContaining({ time: expect.any(String), level: expect.any(String) }));
  });

  it('takes its configuration from the environment, flags winning, and has no API without a token', async () => {
    const hub = startHubProcess(['--path', '/realtime'], { PORT: '0', HOST: '127.0.0.1', GHOST_PATH: '/ignored', GHOST_LOG_LEVEL: 'debug' });
    const port = await hub.port();
    const { client, id } = await RawClient.welcomed(`ws://127.0.0.1:${port}/realtime`);
    expect((await hub.event('connection.open')).id).toBe(id);
    expect((await fetch(`http://127.0.0.1:${port}/ghost-admin/stats`)).status).toBe(404);
    client.close();
    expect((await hub.event('connection.close')).id).toBe(id);
    hub.child.kill('SIGTERM');
    expect((await hub.exited).code).toBe(0);
  });

  it('refuses bad configuration with the fix and exit code 2, before listening', async () => {
    const cases = [
      [['--port', 'eighty'], /--port must be a whole number/],
      [['--api-token', 'short'], /--api-token must be at least 16 characters/],
      [['--redis', 'localhost:6379'], /--redis must be a URL such as redis:\/\//],
      [['--colour', 'blue'], /unknown option "--colour"/],
      [['--port'], /--port needs a value/],
    ] as const;
    const runs = cases.map(([args]) => startHubProcess([...args]));
    for (const [i, hub] of runs.entries()) {
      expect((await hub.exited).code).toBe(2);
      expect(hub.stderr.join('\n')).toMatch(cases[i]![1]);
      expect(hub.stdout).toEqual([]);
    }
  });

  it('runs as `npx ghost-hub` in the repository right after npm install, with nothing built', async () => {
    // npm links a bin only if its file exists at install time: the bin is a file of the sources, not of dist.
    const { stdout } = await promisify(execFile)('npx', ['--no-install', 'ghost-hub', '--help'], { cwd: root, timeout: 20_000 });
    expect(stdout).toContain('Usage: ghost-hub [options]');
  });
});

describeIfRedis('ghost-hub nodes on one Redis', () => {
  const redis = useRedisServer();

  it('publish over HTTP on one node reaches a client of the other, and the cluster stats show both nodes', async () => {
    const env = { GHOST_API_TOKEN: TOKEN, GHOST_REDIS_URL: redis.url, HOST: '127.0.0.1', PORT: '0' };
    const a = startHubProcess(['--node-id', 'a'], env);
    const b = startHubProcess(['--node-id', 'b'], env);
    const [portA, portB] = [await a.port(), await b.port()];
    expect((await a.event('listening')).redis).toBe(redis.url);
    const client = await subscribed(`ws://127.0.0.1:${portB}/ghost`, 'deploys');
    expect((await publish(portA, 'deploys', { sha: 'abc' })).status).toBe(202);
    expect(await client.next('topic.message')).toMatchObject({ data: { sha: 'abc' } });

    // Nodes hear each other's heartbeat within a second; until then a node answers for itself alone.
    const clusterStats = async () =>
      (await fetch(`http://127.0.0.1:${portA}/ghost-admin/stats?scope=cluster`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    await expect.poll(clusterStats, { timeout: 5000 }).toMatchObject({ nodes: { a: { connections: 0 }, b: { connections: 1 } }, missing: [] });
    for (const node of [a, b]) node.child.kill('SIGTERM');
    expect(await client.closed()).toBe(1001);
    expect((await a.exited).code).toBe(0);
    expect((await b.exited).code).toBe(0);
  });
});
