// The chat demo's routes, without a browser.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Demo } from '@ghost-examples/shared/server';
import { startChatDemo } from '../server.js';

let demo: Demo;
beforeAll(async () => {
  demo = await startChatDemo({ port: 0 });
});
afterAll(() => demo?.close());

it('serves the page for a channel, redirects / to /lobby and answers 404 for other paths', async () => {
  const fishing = await fetch(`${demo.url}/fishing`);
  expect(fishing.status).toBe(200);
  expect(fishing.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(await fishing.text()).toContain('<script type="module" src="/page.js"></script>');

  const root = await fetch(`${demo.url}/`, { redirect: 'manual' });
  expect(root.status).toBe(302);
  expect(root.headers.get('location')).toBe('/lobby');

  for (const path of ['/two%20words', '/fishing/', '/a/b', `/${'x'.repeat(65)}`, '/index.html', '/%3Cscript%3E']) {
    const response = await fetch(`${demo.url}${path}`);
    expect(response.status, path).toBe(404);
    expect(await response.text()).toContain('No such channel');
  }
  expect((await fetch(`${demo.url}/page.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect((await fetch(`${demo.url}/fishing`, { method: 'POST' })).status).toBe(405);
});
