// The page: `client.cursors` sends your pointer's place on the board and hands back everyone
// else's, smoothed; render.ts draws them. The active-users panel (panel.ts) is fed by the
// `active-users` topic, and by GET /api/active-users at each (re)connection. Bundled by server.ts.
import { createClient, type ClientStatus, type Cursor } from '@ghost/client';
import type { ActiveUsersFeed } from './feed.js';
import { ActiveUsersPanel } from './panel.js';
import { CursorLayer } from './render.js';

const board = element('board');
const status = element('status');
const count = element('count');
const you = element('you');

// You are the same visitor after a reload: a random id kept in localStorage, sent on every connection.
const client = createClient('/ghost', { params: { visitor: visitorSecret() } });
// Positions are fractions of the board, so every window size agrees. Your cursor is hidden from
// others while your pointer is off the board or this tab is hidden.
const cursors = client.cursors('lobby', { element: board });
const layer = new CursorLayer(board);

cursors.on('change', (others) => {
  layer.render(others.map((cursor) => ({ ...cursor, color: colorOf(cursor) })));
  board.classList.toggle('haunted', others.length > 0);
  count.textContent = others.length === 0 ? 'Just you' : `You and ${others.length} other${others.length === 1 ? '' : 's'}`;
});
new ResizeObserver(() => layer.relayout()).observe(board);

const panel = new ActiveUsersPanel(element('visitors'), element('visitors-note'));
client.topic('active-users').subscribe((feed) => panel.show(feed as ActiveUsersFeed));

showStatus(client.status);
client.on('status', showStatus);

// Leaving the page closes the connection on purpose, so the hub drops your cursor at once (a tab
// that just closes sends 1001, which the hub treats the same). Coming back from the back/forward
// cache needs a fresh connection: reload.
addEventListener('pagehide', () => void client.close());
addEventListener('pageshow', (event) => {
  if (event.persisted) location.reload();
});

function showStatus(value: ClientStatus): void {
  status.textContent = value;
  status.dataset.status = value;
  board.classList.toggle('offline', value !== 'open');
  const self = client.self;
  if (!self) return;
  you.style.backgroundColor = colorOf(self);
  you.title = `You are ${visitorId(self) ?? self.id}`;
  panel.setSelf(visitorId(self));
  // Updates published while this page was away are lost: fetch the list on each (re)connection.
  if (value === 'open') void loadActiveUsers();
}

async function loadActiveUsers(): Promise<void> {
  try {
    const response = await fetch('/api/active-users', { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    panel.show((await response.json()) as ActiveUsersFeed);
  } catch {
    panel.fail();
  }
}

/** The secret id that makes you the same visitor across reloads (the hub publishes only its hash). */
function visitorSecret(): string {
  const key = 'ghost-cursors-visitor';
  try {
    const kept = localStorage.getItem(key);
    if (kept && /^[A-Za-z0-9_-]{8,64}$/.test(kept)) return kept;
  } catch {
    // Storage blocked: a new visitor each load.
  }
  // getRandomValues, not randomUUID: the page may be opened over plain http from another machine.
  const fresh = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  try {
    localStorage.setItem(key, fresh);
  } catch {
    // As above.
  }
  return fresh;
}

/** The hub's user for a member: `{ id, color }`, made by the server from the visitor id. */
function visitorOf(member: { user?: unknown }): { id?: unknown; color?: unknown } {
  return typeof member.user === 'object' && member.user !== null ? member.user : {};
}

function visitorId(member: { user?: unknown }): string | undefined {
  const { id } = visitorOf(member);
  return typeof id === 'string' ? id : undefined;
}

/** A visitor's colour is the same in every tab; the hub's own colour is per connection. */
function colorOf(member: Pick<Cursor, 'color' | 'user'>): string {
  const { color } = visitorOf(member);
  return typeof color === 'string' ? color : member.color;
}

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`index.html has no #${id}`);
  return found;
}
