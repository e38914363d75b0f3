// The command-line client as a person runs it: a child process printing lines.
import { expect, it } from 'vitest';
import { closeAfterTest } from '../../../test/helpers/cleanup.js';
import type { Demo } from '@ghost-examples/shared/server';
import { startPubsubDemo } from '../server.js';
import { runCli, startCli } from './cli-process.js';

async function demo(): Promise<Demo & { hubUrl: string }> {
  const started = await startPubsubDemo({ port: 0 });
  closeAfterTest(() => started.close());
  return { ...started, hubUrl: `ws://localhost:${started.port}/ghost` };
}

const post = (demo: Demo, topic: string, body: string, type = 'text/plain') =>
  fetch(`${demo.url}/publish/${topic}`, { method: 'POST', body, headers: { 'content-type': type } });

it('sub prints each message as a line until Ctrl-C', async () => {
  const server = await demo();
  const sub = startCli(['sub', 'world'], { GHOST_URL: server.hubUrl });
  closeAfterTest(() => sub.stop());
  await expect.poll(() => sub.stderr, { timeout: 15_000 }).toContain(`Subscribed to world at ${server.hubUrl}; Ctrl-C to stop`);
  await expect.poll(() => server.hub.stats().topics).toBe(1); // the hub has the CLI's subscription

  expect((await post(server, 'world', 'Hello world!')).status).toBe(202);
  expect((await post(server, 'world', '{"n":1}', 'application/json')).status).toBe(202);
  expect((await post(server, 'elsewhere', 'not for world')).status).toBe(202);
  const pub = await runCli(['pub', 'world', 'Hi', 'from', 'pub'], server.hubUrl);
  expect(pub).toMatchObject({ code: 0, stdout: ['Published to world: the hub acknowledged it'] });

  await expect.poll(() => sub.stdout.length).toBe(3);
  expect(sub.stdout[0]).toMatch(/^\d\d:\d\d:\d\d \[world\] server: Hello world!$/);
  expect(sub.stdout[1]).toMatch(/^\d\d:\d\d:\d\d \[world\] server: \{"n":1\}$/);
  expect(sub.stdout[2]).toMatch(/^\d\d:\d\d:\d\d \[world\] [\w-]{12}: Hi from pub$/); // the pub process's connection id
  expect(await sub.stop()).toBe(0); // Ctrl-C ends it cleanly
});

it('pub exits 1 with the reason for an invalid topic, and 2 with the usage when misused', async () => {
  const server = await demo();
  const invalid = await runCli(['pub', 'two words', 'hi'], server.hubUrl);
  expect(invalid.code).toBe(1);
  expect(invalid.stderr.join('\n')).toContain('INVALID_NAME: Invalid topic name "two words"');
  const usage = await runCli(['pub', 'world'], server.hubUrl);
  expect(usage).toMatchObject({ code: 2, stderr: ['usage: sub TOPIC... | pub TOPIC MESSAGE'] });
});

it('main.ts starts the server without arguments, on $PORT, printing its URL', async () => {
  const main = startCli([], { PORT: '0' }, 'main.ts');
  closeAfterTest(() => main.stop());
  await expect.poll(() => main.stdout[0], { timeout: 15_000 }).toMatch(/^Ghost pubsub: http:\/\/localhost:\d+$/);
  const url = main.stdout[0]!.slice('Ghost pubsub: '.length);
  expect((await fetch(url)).status).toBe(200);
  expect(await main.stop()).toBe(0);
});
