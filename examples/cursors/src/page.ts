// The page: `client.cursors` sends your pointer's place on the board and hands back everyone
// else's, smoothed; render.ts draws them, each labelled with its visitor's name. The presence room
// `online` says who is here (the header's count); the active-users panel (panel.ts) is fed by the
// `active-users` topic, and by GET /api/active-users at each (re)connection. Bundled by server.ts.
import { createClient, type ClientStatus, type Cursor, type GhostClient } from '@ghost/client';
import { byId, statusBadge } from '@ghost-examples/shared/page';
import type { ActiveUsersFeed } from '@ghost-examples/shared/cursors/feed';
import { cleanName, displayName } from './names.js';
import { ActiveUsersPanel } from './panel.js';
import { CursorLayer } from './render.js';

const board = byId('board');
const count = byId('count');
const hint = byId('hint');
const you = byId('you');
const nameForm = byId<HTMLFormElement>('name-form');
const nameInput = byId<HTMLInputElement>('name');
const NAME_KEY = 'ghost-cursors-name';

// One visitor per window by default: the id lives in sessionStorage (this tab only, kept across its
// reloads). With the server's VISITOR_PER=browser, in localStorage: every window of this browser is
// one visitor, one cursor and one row (server.ts sets the attribute).
const perBrowser = document.documentElement.dataset.visitorPer === 'browser';
const secret = visitorSecret(perBrowser ? 'localStorage' : 'sessionStorage');
const layer = new CursorLayer(board);
const panel = new ActiveUsersPanel(byId('visitors'), byId('visitors-note'));
new ResizeObserver(() => layer.relayout()).observe(board);

nameInput.value = storedName();
let session!: Session;
connect(nameInput.value);

// A new name reaches the others through a new connection (it is part of who you are to the hub, and
// of your row in the table): Enter or leaving the field.
nameForm.addEventListener('submit', (event) => {
  event.preventDefault();
  nameInput.blur();
  void rename();
});
nameInput.addEventListener('change', () => void rename());

// Leaving the page closes the connection on purpose, so the hub drops your cursor at once (a tab
// that just closes sends 1001, which the hub treats the same). Coming back from the back/forward
// cache needs a fresh connection: reload.
addEventListener('pagehide', () => void session.client.close());
addEventListener('pageshow', (event) => {
  if (event.persisted) location.reload();
});

interface Session {
  client: GhostClient;
  name: string;
  close(): Promise<void>;
}

/** Connects as `name` (the session from now on), with the board's cursors, the `online` room and the panel's topic. */
function connect(name: string): void {
  const client = createClient('/ghost', { params: name ? { visitor: secret, name } : { visitor: secret } });
  // Positions are fractions of the board, so every window size agrees. Your cursor is hidden from
  // others while your pointer is off the board or this tab is hidden.
  const cursors = client.cursors('lobby', { element: board });
  cursors.on('change', (others) => layer.render(others.map(ghostOf)));
  // Everyone connected tracks here, pointer or not: the header counts visitors, as the panel does.
  const online = client.presence('online');
  online.track({});
  online.on('change', (others) => showCompany(others.length));
  // Until the room's member list comes: just you.
  showCompany(0);
  client.topic('active-users').subscribe((feed) => panel.show(feed as ActiveUsersFeed));
  session = {
    client,
    name,
    async close() {
      cursors.destroy();
      await client.close();
      layer.render([]);
    },
  };
  statusBadge(client, (status) => showStatus(client, status));
}

async function rename(): Promise<void> {
  const name = cleanName(nameInput.value);
  nameInput.value = name;
  if (name === session.name) return;
  storeName(name);
  // Closed first: the hub keys presence by visitor, so the new connection joins with the new name.
  const old = session;
  session = { ...old, name };
  await old.close();
  connect(name);
}

function showCompany(others: number): void {
  count.textContent = `${others + 1} online`;
  hint.hidden = others > 0;
}

function showStatus(client: GhostClient, status: ClientStatus): void {
  if (client !== session.client) return; // a connection left behind by a rename
  board.classList.toggle('offline', status !== 'open');
  const self = client.self;
  if (!self) return;
  const visitor = visitorOf(self);
  you.style.backgroundColor = colorOf(self);
  you.title = `You are ${displayName(visitor)}`;
  nameInput.placeholder = displayName({ id: visitor.id });
  panel.setSelf(visitor.id);
  // Updates published while this page was away are lost: fetch the list on each (re)connection.
  if (status === 'open') void loadActiveUsers();
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

function ghostOf(cursor: Cursor): { id: string; color: string; x: number; y: number; name: string } {
  return { id: cursor.id, x: cursor.x, y: cursor.y, color: colorOf(cursor), name: displayName(visitorOf(cursor)) };
}

/**
 * The secret id that makes you the same visitor across reloads (the hub publishes only its hash):
 * kept in `where`, made up on the first visit.
 */
function visitorSecret(where: 'localStorage' | 'sessionStorage'): string {
  const key = 'ghost-cursors-visitor';
  const kept = read(where, key);
  if (kept && /^[A-Za-z0-9_-]{8,64}$/.test(kept)) return kept;
  // getRandomValues, not randomUUID: the page may be opened over plain http from another machine.
  const fresh = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  write(where, key, fresh);
  return fresh;
}

// Your name is this window's (kept across its reloads), and a new window starts with the last name
// you gave in this browser (NAME_KEY, at the top).
function storedName(): string {
  return cleanName(read('sessionStorage', NAME_KEY) ?? read('localStorage', NAME_KEY) ?? '');
}

function storeName(name: string): void {
  write('sessionStorage', NAME_KEY, name);
  write('localStorage', NAME_KEY, name);
}

function read(where: 'localStorage' | 'sessionStorage', key: string): string | null {
  try {
    return window[where].getItem(key);
  } catch {
    return null; // storage blocked: a new visitor each load, and no name kept
  }
}

function write(where: 'localStorage' | 'sessionStorage', key: string, value: string): void {
  try {
    window[where].setItem(key, value);
  } catch {
    // As above.
  }
}

/** The hub's user for a member: `{ id, color, name? }`, made by the server from the visitor id. */
function visitorOf(member: { id: string; user?: unknown }): { id: string; name?: string } {
  const user = typeof member.user === 'object' && member.user !== null ? (member.user as { id?: unknown; name?: unknown }) : {};
  return {
    id: typeof user.id === 'string' ? user.id : member.id,
    ...(typeof user.name === 'string' ? { name: user.name } : {}),
  };
}

/** A visitor's colour is the same in every tab; the hub's own colour is per connection. */
function colorOf(member: Pick<Cursor, 'color' | 'user'>): string {
  const user = member.user as { color?: unknown } | undefined;
  return typeof user?.color === 'string' ? user.color : member.color;
}
