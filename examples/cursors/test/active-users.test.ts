// The active-users list without a browser: Node clients connect as visitors, and the list is read
// from GET /api/active-users (which waits for the writes queued so far) and from the topic. Once on
// PGlite and once on a real PostgreSQL; then with the database down.
import type { IncomingMessage } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { createClient, type GhostClient } from '@ghost/client';
import { visitorFrom } from '@ghost-examples/shared/cursors/active-users';
import { startCursorDemo, type CursorDemo } from '../server.js';
import type { ActiveUser, ActiveUsersFeed } from '@ghost-examples/shared/cursors/feed';
import { backends, CLOSED_URL, needsBackend } from './databases.js';

const all = await backends();
const clients: GhostClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

/** A visitor's connection, open; `feeds` collects what the `active-users` topic sends it. */
async function connect(demo: CursorDemo, params: Record<string, string> = {}) {
  const client = createClient(`ws://localhost:${demo.port}/ghost`, { params });
  clients.push(client);
  const feeds: ActiveUsersFeed[] = [];
  client.topic('active-users').subscribe((feed) => feeds.push(feed as ActiveUsersFeed));
  await expect.poll(() => client.status).toBe('open');
  return { client, feeds, id: (client.self!.user as { id: string }).id };
}

/** The list once the hub has `connections` connections and their writes are done. */
async function settle(demo: CursorDemo, connections: number): Promise<ActiveUsersFeed> {
  await expect.poll(() => demo.hub.stats().connections + demo.hub.stats().resumable).toBe(connections);
  return (await fetch(`${demo.url}/api/active-users`)).json() as Promise<ActiveUsersFeed>;
}

const rowsOf = (feed: ActiveUsersFeed, id: string): ActiveUser[] => feed.users.filter((user) => user.id === id);

describe('visitorFrom (the hub\'s authenticate)', () => {
  const visitor = (query: string) => visitorFrom({ url: `/ghost?${query}` } as IncomingMessage);

  it('makes the same public id of the same secret, never the secret itself', () => {
    const a = visitor('visitor=abcdefgh-1234_XYZ');
    expect(a.id).toBe(visitor('visitor=abcdefgh-1234_XYZ').id);
    expect(a.id).not.toContain('abcdefgh');
    expect(a.color).toBe(visitor('visitor=abcdefgh-1234_XYZ').color);
    expect(a.id).not.toBe(visitor('visitor=abcdefgh-1234_XYz').id);
  });

  it('gives a fresh anonymous id to a missing or malformed secret', () => {
    for (const query of ['', 'visitor=short', 'visitor=has%20space%20inside', `visitor=${'x'.repeat(65)}`, 'visitor=%3Cscript%3E1234']) {
      const { id } = visitor(query);
      expect(id).toMatch(/^anon-/);
      expect(visitor(query).id).not.toBe(id);
    }
    expect(visitor(`visitor=${'x'.repeat(64)}`).id).not.toMatch(/^anon-/);
  });

  it('keeps a name only when it is short text', () => {
    expect(visitor('visitor=abcdefgh&name=%20Ada%20').name).toBe('Ada');
    expect(visitor(`name=${'n'.repeat(41)}`).name).toBeUndefined();
    expect(visitor('name=a%0Ab').name).toBeUndefined();
  });
});

describe.each(all)('active users on $name', (backend) => {
  needsBackend(backend);

  describe.skipIf(!!backend.problem)('', () => {
    let demo: CursorDemo;

    beforeAll(async () => {
      demo = await startCursorDemo({ port: 0, limit: 3, ...backend.options() });
      expect(demo.db).toBe(backend.name);
    });

    afterAll(async () => {
      await demo?.close();
      await backend.cleanup();
    });

    it('keeps one row per visitor across connections, online while any of them is open', async () => {
      const tab1 = await connect(demo, { visitor: 'visitor-one-0001', name: 'Ada <b>' });
      let feed = await settle(demo, 1);
      expect(feed.available).toBe(true);
      const [row] = rowsOf(feed, tab1.id);
      expect(row).toMatchObject({ id: tab1.id, name: 'Ada <b>', online: true, color: expect.stringMatching(/^hsl\(/) });

      // A second tab of the same visitor: still one row; closing it leaves the visitor online.
      const tab2 = await connect(demo, { visitor: 'visitor-one-0001' });
      expect(tab2.id).toBe(tab1.id);
      feed = await settle(demo, 2);
      expect(rowsOf(feed, tab1.id)).toMatchObject([{ online: true, firstSeen: row!.firstSeen }]);
      // The topic carried the same list to the first tab (a newcomer gets it from the GET).
      await expect.poll(() => tab1.feeds.at(-1)?.rev ?? 0).toBeGreaterThanOrEqual(feed.rev);
      expect(tab1.feeds.at(-1)).toEqual(feed);
      await tab2.client.close();
      feed = await settle(demo, 1);
      expect(rowsOf(feed, tab1.id)).toMatchObject([{ online: true, name: 'Ada <b>' }]);

      // The last one closes: offline, seen now, first seen as before.
      await tab1.client.close();
      feed = await settle(demo, 0);
      const [gone] = rowsOf(feed, tab1.id);
      expect(gone).toMatchObject({ online: false, firstSeen: row!.firstSeen });
      expect(Date.parse(gone!.lastSeen)).toBeGreaterThanOrEqual(Date.parse(row!.lastSeen));

      // Back again (a reload): the same row, online, first seen unchanged.
      const back = await connect(demo, { visitor: 'visitor-one-0001' });
      expect(back.id).toBe(tab1.id);
      expect(rowsOf(await settle(demo, 1), tab1.id)).toMatchObject([{ online: true, firstSeen: row!.firstSeen }]);
    });

    it('lists the most recent visitors, online ones first, at most `limit`', async () => {
      const first = await connect(demo, { visitor: 'visitor-list-0001' });
      await first.client.close();
      await settle(demo, 0);
      const online = [];
      for (const n of [2, 3, 4]) online.push((await connect(demo, { visitor: `visitor-list-000${n}` })).id);
      const feed = await settle(demo, 3);
      expect(feed.users.map((user) => user.id).sort()).toEqual([...online].sort());
      expect(feed.users.every((user) => user.online)).toBe(true);
      // Anonymous (no visitor id): a row of its own, like anyone.
      const anonymous = await connect(demo);
      expect(anonymous.id).toMatch(/^anon-/);
      expect(rowsOf(await settle(demo, 4), anonymous.id)).toMatchObject([{ online: true, name: null }]);
    });
  });
});

describe('active users with the database down', () => {
  let demo: CursorDemo;
  let errors: MockInstance<typeof console.error>;

  beforeAll(async () => {
    errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    demo = await startCursorDemo({ port: 0, database: { url: CLOSED_URL } });
  });

  afterAll(async () => {
    await demo?.close();
    errors?.mockRestore();
  });

  it('logs it, says the list is unavailable, and the realtime path works as ever', async () => {
    const a = await connect(demo, { visitor: 'visitor-down-0001' });
    const b = await connect(demo, { visitor: 'visitor-down-0002' });
    expect(await settle(demo, 2)).toMatchObject({ available: false, users: [] });
    await expect.poll(() => a.feeds.at(-1)?.available).toBe(false);
    expect(errors.mock.calls.map((call) => String(call[0]))).toContainEqual(expect.stringContaining('[active-users] postgres failed'));

    // Presence, keyed by visitor: b sees a's state.
    const lobbyB = b.client.presence('lobby');
    a.client.presence('lobby').track({ x: 0.25, y: 0.5 });
    await expect.poll(() => lobbyB.others.map((member) => [member.id, member.state])).toEqual([[a.id, { x: 0.25, y: 0.5 }]]);
  });
});
