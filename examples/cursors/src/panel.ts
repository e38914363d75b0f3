// The active-users panel: drawing only. It keeps the newest list it was given (by `rev`, whether it
// came from the topic or from GET /api/active-users) and draws it with textContent and attributes:
// a name is whatever a visitor typed, never markup.
import type { ActiveUser, ActiveUsersFeed } from '@ghost-examples/shared/cursors/feed';
import { displayName } from './names.js';

export class ActiveUsersPanel {
  private feed: ActiveUsersFeed | undefined;
  private self: string | undefined;

  constructor(private readonly list: HTMLElement, private readonly note: HTMLElement) {}

  /** Draws `feed` unless a newer one was drawn already. */
  show(feed: ActiveUsersFeed): void {
    if (this.feed && feed.rev <= this.feed.rev) return;
    this.feed = feed;
    this.render();
  }

  /** Marks your own row (your public visitor id, from the hub's welcome). */
  setSelf(id: string | undefined): void {
    if (id === this.self) return;
    this.self = id;
    this.render();
  }

  /** Nothing could be loaded at all. */
  fail(): void {
    if (!this.feed) this.show({ rev: 0, available: false, users: [] });
  }

  private render(): void {
    const feed = this.feed;
    if (!feed) return;
    this.list.replaceChildren(...feed.users.map((user) => this.row(user)));
    const online = feed.users.filter((user) => user.online).length;
    this.note.textContent = !feed.available ? 'Unavailable: the database is not answering.' : `${online} online`;
    this.note.dataset.state = feed.available ? 'ok' : 'unavailable';
  }

  private row(user: ActiveUser): HTMLLIElement {
    const li = document.createElement('li');
    li.dataset.visitor = user.id;
    li.dataset.online = String(user.online);
    if (user.id === this.self) li.dataset.self = 'true';
    li.title = `${user.id}, first seen ${new Date(user.firstSeen).toLocaleString()}`;
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.backgroundColor = user.color;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = displayName(user);
    const state = document.createElement('span');
    state.className = 'state';
    state.textContent = user.online ? 'online' : `seen ${new Date(user.lastSeen).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
    li.append(swatch, name);
    if (user.id === this.self) li.append(Object.assign(document.createElement('span'), { className: 'tag', textContent: 'you' }));
    li.append(state);
    return li;
  }
}
