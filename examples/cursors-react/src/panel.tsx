// The active-users panel: the newest list (by `rev`) from the `active-users` topic, or from
// GET /api/active-users each time the connection opens (a topic has no history: that is how a
// newcomer, or a page back from a lost connection, gets the current list). React escapes the text:
// a name is whatever a visitor typed, never markup.
import { useEffect, useState } from 'react';
import { useClient, useStatus } from '@ghost/react';
import type { ActiveUser, ActiveUsersFeed } from '@ghost-examples/shared/cursors/feed';
import { useTopic } from './ghost.js';
import { useRenderCount } from './render-count.js';
import { visitorId } from './visitor.js';

export function ActiveUsersPanel() {
  useRenderCount('panel');
  const [feed, setFeed] = useState<ActiveUsersFeed | 'failed' | undefined>();
  const keepNewest = (next: ActiveUsersFeed) => setFeed((kept) => (typeof kept === 'object' && next.rev <= kept.rev ? kept : next));
  useTopic('active-users', keepNewest);
  const status = useStatus();
  const self = useClient().self;
  useEffect(() => {
    if (status !== 'open') return;
    let current = true;
    fetch('/api/active-users', { cache: 'no-store' })
      .then((response) => (response.ok ? (response.json() as Promise<ActiveUsersFeed>) : Promise.reject(new Error(`HTTP ${response.status}`))))
      .then((next) => current && keepNewest(next))
      .catch(() => current && setFeed((kept) => kept ?? 'failed'));
    return () => {
      current = false;
    };
  }, [status]);

  const list = typeof feed === 'object' ? feed : undefined;
  const available = list?.available ?? false;
  const online = list?.users.filter((user) => user.online).length ?? 0;
  const note = feed === undefined ? 'Loading…' : available ? `${online} online` : 'Unavailable: the database is not answering.';
  const me = self ? visitorId(self) : undefined;
  return (
    <aside id="active-users" aria-labelledby="active-users-title">
      <h2 id="active-users-title">Active users</h2>
      <p id="visitors-note" className="note" aria-live="polite" data-state={feed === undefined ? undefined : available ? 'ok' : 'unavailable'}>{note}</p>
      <ol id="visitors">{list?.users.map((user) => <Row key={user.id} user={user} self={user.id === me} />)}</ol>
    </aside>
  );
}

function Row({ user, self }: { user: ActiveUser; self: boolean }) {
  const seen = new Date(user.lastSeen).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return (
    <li data-visitor={user.id} data-online={String(user.online)} data-self={self ? 'true' : undefined} title={`${user.id}, first seen ${new Date(user.firstSeen).toLocaleString()}`}>
      <span className="swatch" style={{ backgroundColor: user.color }} />
      <span className="name">{user.name ?? `Visitor ${user.id.slice(0, 6)}`}</span>
      {self && <span className="tag">you</span>}
      <span className="state">{user.online ? 'online' : `seen ${seen}`}</span>
    </li>
  );
}
