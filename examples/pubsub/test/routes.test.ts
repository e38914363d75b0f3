// The pub/sub demo's HTTP routes, without a browser: what reaches a WebSocket subscriber, and the
// answers to requests that cannot be published.
import http from 'node:http';
import { createClient } from '@ghost/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAfterTest } from '../../../test/helpers/cleanup.js';
import type { Demo } from '@ghost-examples/shared/server';
import { MAX_BODY_BYTES, startPubsubDemo } from '../server.js';

describe('pubsub HTTP routes', () => {
  let demo: Demo;
  beforeAll(async () => {
    demo = await startPubsubDemo({ port: 0 });
  });
  afterAll(() => demo?.close());

  const post = (path: string, body: string, type = 'text/plain') =>
    fetch(`${demo.url}${path}`, { method: 'POST', body, headers: { 'content-type': type } });

  /** A Node client subscribed to `topic`, once the hub has the subscription, and what it received. */
  async function subscriber(topic: string) {
    const client = createClient(demo.url.replace('http', 'ws') + '/ghost');
    closeAfterTest(() => client.close());
    const received: unknown[] = [];
    const broadcasts: unknown[] = [];
    client.topic(topic).subscribe((data, meta) => received.push({ data, from: meta.from }));
    client.on('broadcast', (data) => broadcasts.push(data));
    // The hub reads a socket's frames in order, and a publisher's own copy comes before its ack: once
    // this publish is acknowledged, the subscription is in place.
    await client.topic(topic).publish('ready?');
    received.length = 0;
    return { received, broadcasts };
  }

  it('publishes a text body as a string and a JSON body as JSON, from the server', async () => {
    const { received } = await subscriber('world');
    const text = await post('/publish/world', 'Hello world!');
    expect(text.status).toBe(202);
    expect(await text.text()).toBe('Published to world\n');
    expect((await post('/publish/world', '{"n":1,"list":[true]}', 'application/json')).status).toBe(202);
    // curl -d sends application/x-www-form-urlencoded: not JSON, so the body is a string.
    expect((await post('/publish/world', '{"n":2}', 'application/x-www-form-urlencoded')).status).toBe(202);
    await expect.poll(() => received).toEqual([
      { data: 'Hello world!', from: null },
      { data: { n: 1, list: [true] }, from: null },
      { data: '{"n":2}', from: null },
    ]);
  });

  it('GET /ping broadcasts a counter to every client and answers with it', async () => {
    const { broadcasts } = await subscriber('anything');
    const first = Number(await (await fetch(`${demo.url}/ping`)).text());
    const second = await fetch(`${demo.url}/ping`);
    expect(await second.text()).toBe(`${first + 1}\n`);
    await expect.poll(() => broadcasts).toEqual([{ ping: first }, { ping: first + 1 }]);
  });

  it('refuses an invalid topic name with 400 and says which names are valid', async () => {
    for (const path of ['/publish/two%20words', '/publish/', '/publish/%E0%A4%A', `/publish/${'x'.repeat(129)}`]) {
      const response = await post(path, 'hi');
      expect(response.status, path).toBe(400);
      expect(await response.text()).toMatch(/^Invalid topic name .*: use 1 to 128 characters from A-Z a-z 0-9/);
    }
    // Slashes are allowed in names: this one is the topic "rooms/fishing".
    expect((await post('/publish/rooms/fishing', 'hi')).status).toBe(202);
  });

  it('refuses bad JSON with 400', async () => {
    const response = await post('/publish/world', '{"unclosed": ', 'application/json; charset=utf-8');
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/^The body is not valid JSON \(.+\); send plain text without Content-Type: application\/json\n$/);
  });

  it('refuses a body over the limit with 413, whether announced or streamed', async () => {
    expect((await post('/publish/world', 'x'.repeat(MAX_BODY_BYTES))).status).toBe(202);
    const announced = await post('/publish/world', 'x'.repeat(MAX_BODY_BYTES + 1));
    expect(announced.status).toBe(413);
    expect(await announced.text()).toBe(`The body is over ${MAX_BODY_BYTES} bytes\n`);
    expect(await streamed(`${demo.url}/publish/world`, 8, 4096)).toEqual({ status: 413, body: `The body is over ${MAX_BODY_BYTES} bytes\n` });
  });

  it('answers other methods and paths', async () => {
    expect((await fetch(`${demo.url}/publish/world`)).status).toBe(405);
    expect((await fetch(`${demo.url}/ping`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${demo.url}/nope`)).status).toBe(404);
    const page = await fetch(demo.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});

/** POSTs `count` chunks of `size` bytes without a Content-Length (chunked), as a stream would. */
function streamed(url: string, count: number, size: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers: { 'content-type': 'text/plain' } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body }));
    });
    // The server answers and closes before the whole body is sent: writing on may fail, that is fine.
    request.on('error', (error) => setTimeout(() => reject(error), 1_000));
    let sent = 0;
    const write = () => {
      if (sent++ === count) return request.end();
      request.write('y'.repeat(size), () => setTimeout(write, 5));
    };
    write();
  });
}
