import { describe, expect, it } from 'vitest';
import type { PresenceMember } from '@ghost/client';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { openClient } from '../../../test/helpers/clients.js';
import { waitFor } from '../../../test/helpers/wait.js';

let running: RunningHub | undefined;

const client = (url: string) => openClient(url);

describe('presence handle', () => {
  it('others lists the members who tracked, in join order, never yourself, with colour and state', async () => {
    running = await startHub({ tickMs: 10 });
    const watcher = client(running.url);
    const lobby = watcher.presence('lobby');
    expect(lobby.others).toEqual([]);
    const a = client(running.url);
    const b = client(running.url);
    a.presence('lobby').track({ x: 1 });
    await waitFor(() => lobby.others.length === 1);
    b.presence('lobby').track({ x: 2 });
    await waitFor(() => lobby.others.length === 2);
    expect(lobby.others.map((m) => [m.id, m.state])).toEqual([[a.self!.id, { x: 1 }], [b.self!.id, { x: 2 }]]);
    expect(lobby.others[0]!.color).toBe(a.self!.color);
    expect(Object.isFrozen(lobby.others)).toBe(true);
    await waitFor(() => a.presence('lobby').others.length === 1);
    expect(a.presence('lobby').others.map((m) => m.id)).toEqual([b.self!.id]);
    expect(a.presence('lobby').self).toMatchObject({ id: a.self!.id, member: a.self!.id, state: { x: 1 } });
  });

  it('replaces others with a new array only when something changed, firing join, update, leave and change', async () => {
    running = await startHub({ tickMs: 10 });
    const watcher = client(running.url);
    const events: string[] = [];
    const lobby = watcher.presence('lobby');
    // What others was when the next diff after the join arrived: the update's listener runs before the
    // array is replaced.
    let othersAtUpdate: readonly PresenceMember[] | undefined;
    lobby.on('join', (m) => events.push(`join ${JSON.stringify(m.state)}`));
    lobby.on('update', (m) => {
      othersAtUpdate ??= lobby.others;
      events.push(`update ${JSON.stringify(m.state)}`);
    });
    lobby.on('leave', (_m, reason) => events.push(`leave ${reason}`));
    const arrays: (readonly PresenceMember[])[] = [];
    lobby.on('change', (others) => arrays.push(others));

    const mover = client(running.url);
    mover.presence('lobby').track({ x: 1 });
    await waitFor(() => events.length === 1);
    const before = lobby.others;
    mover.presence('lobby').track({ x: 2 });
    await waitFor(() => events.length === 2);
    expect(othersAtUpdate).toBe(before); // nothing changed until this update: same array
    expect(lobby.others).not.toBe(before);
    mover.presence('lobby').untrack();
    await waitFor(() => events.length === 3);
    expect(events).toEqual(['join {"x":1}', 'update {"x":2}', 'leave left']);
    expect(arrays.map((a) => a.length)).toEqual([1, 1, 0]);
  });

  it('sends at most one update per trackIntervalMs and the newest state wins', async () => {
    running = await startHub({ tickMs: 5 });
    const watcher = client(running.url);
    const states: unknown[] = [];
    watcher.presence('lobby').on('update', (m) => states.push(m.state));
    watcher.presence('lobby').on('join', (m) => states.push(m.state));
    const mover = openClient(running.url, { trackIntervalMs: 200 });
    await waitFor(() => mover.status === 'open');
    for (let i = 0; i < 10; i++) mover.presence('lobby').track({ i });
    await waitFor(() => states.length >= 2, 2000);
    // The next state, sent a trackIntervalMs later on the same path: any other send would be before it.
    mover.presence('lobby').track({ i: 10 });
    await waitFor(() => states.length >= 3, 2000);
    expect(states).toEqual([{ i: 0 }, { i: 9 }, { i: 10 }]);
  });

  it('leave() stops watching: others empties and no more events come', async () => {
    running = await startHub({ tickMs: 5 });
    const watcher = client(running.url);
    const mover = client(running.url);
    const witness = client(running.url);
    mover.presence('lobby').track(1);
    await waitFor(() => watcher.presence('lobby').others.length === 1 && witness.presence('lobby').others.length === 1);
    let changes = 0;
    watcher.presence('lobby').on('change', () => changes++);
    watcher.presence('lobby').leave();
    expect(changes).toBe(1);
    await watcher.topic('sync').publish('after the leave'); // the hub has read the leave
    mover.presence('lobby').track(2);
    // The witness got the tick with the update; a request the watcher makes after that is answered
    // behind anything that tick sent the watcher.
    await waitFor(() => witness.presence('lobby').others[0]?.state === 2);
    await watcher.topic('sync').publish('after the update');
    expect(changes).toBe(1);
    expect(running.hub.stats().rooms).toBe(1);
  });

  it('state is what you last tracked, before the welcome too, and the self event follows track, untrack and leave', async () => {
    running = await startHub({ tickMs: 5 });
    const me = client(running.url);
    const lobby = me.presence('lobby');
    const seen: unknown[] = [];
    lobby.on('self', (state) => seen.push(state));
    const mine = { x: 1 };
    lobby.track(mine);
    expect(me.self).toBeNull(); // not welcomed yet: `self` is null, `state` is already yours
    expect(lobby.state).toBe(mine);
    const watcher = client(running.url);
    await waitFor(() => watcher.presence('lobby').others.length === 1);
    lobby.untrack();
    expect(lobby.state).toBeUndefined();
    lobby.track({ x: 2 });
    lobby.leave();
    lobby.leave(); // already gone: nothing more to say
    expect(seen).toEqual([mine, undefined, { x: 2 }, undefined]);
    expect(lobby.state).toBeUndefined();
  });
});

describe('presence across a reconnect', () => {
  it('an untrack made while offline reaches the hub when the session resumes: no stuck ghost', async () => {
    running = await startHub({ tickMs: 5, graceMs: 5000 });
    const tcp = new Map<string, import('node:net').Socket>();
    running.hub.on('connection', ({ id, request }) => tcp.set(id, request.socket as import('node:net').Socket));
    const watcher = client(running.url);
    // Back exactly 200 ms after the drop (no random draw): long enough to be offline for the untrack.
    const mover = openClient(running.url, { backoff: { minDelayMs: 200, maxDelayMs: 200, random: () => 1 } });
    mover.presence('lobby').track({ x: 0.5 });
    await waitFor(() => watcher.presence('lobby').others.length === 1);
    const id = mover.self!.id;
    tcp.get(id)!.destroy();
    await waitFor(() => mover.status === 'reconnecting');
    mover.presence('lobby').untrack();
    await waitFor(() => mover.status === 'open');
    expect(mover.self!.id).toBe(id); // resumed: the hub kept the member through the blip
    await waitFor(() => watcher.presence('lobby').others.length === 0, 2000, 'the ghost to go');
  });

  it('status listeners see the new self when the status turns open', async () => {
    running = await startHub();
    const c = openClient(running.url);
    const seen: unknown[] = [];
    c.on('status', (s) => seen.push([s, c.self?.id]));
    await waitFor(() => seen.length === 1);
    expect(seen[0]).toEqual(['open', expect.any(String)]);
  });
});

describe('presence at scale and per user', () => {
  it('concurrent joins: everyone ends with everyone else, with exactly one join each and no leave', async () => {
    running = await startHub({ tickMs: 15 });
    const crowd = Array.from({ length: 12 }, () => client(running!.url));
    const events = crowd.map(() => ({ joins: [] as string[], leaves: 0 }));
    crowd.forEach((c, i) => {
      const room = c.presence('lobby');
      room.on('join', (m) => events[i]!.joins.push(m.id));
      room.on('leave', () => events[i]!.leaves++);
      room.track({ i });
    });
    await waitFor(() => crowd.every((c) => c.presence('lobby').others.length === 11), 5000, 'everyone to see everyone');
    for (let round = 0; round < 3; round++) crowd.forEach((c, i) => c.presence('lobby').track({ i, round }));
    // The last round reached everyone: a join or leave those updates set off came before it.
    await waitFor(() => crowd.every((c) => c.presence('lobby').others.every((m) => (m.state as { round?: number }).round === 2)), 5000, 'the last round everywhere');
    crowd.forEach((c, i) => {
      const others = new Set(crowd.filter((o) => o !== c).map((o) => o.self!.id));
      expect(new Set(events[i]!.joins)).toEqual(others);
      expect(events[i]!.joins).toHaveLength(11);
      expect(events[i]!.leaves).toBe(0);
    });
  });

  it("keyed by user: two tabs of one person are one member, gone only when the last tab goes, never among the person's own others", async () => {
    running = await startHub({
      tickMs: 10,
      presenceKey: 'user',
      authenticate: (request) => ({ id: new URL(request.url!, 'http://x').searchParams.get('user')! }),
    });
    const as = (user: string) => {
      return openClient(running!.url, { params: { user } });
    };
    const bob = as('bob');
    const tab1 = as('ada');
    const tab2 = as('ada');
    tab1.presence('lobby').track({ tab: 1 });
    tab2.presence('lobby').track({ tab: 2 });
    bob.presence('lobby').track({ bob: true });
    await waitFor(() => bob.presence('lobby').others.length === 1 && (bob.presence('lobby').others[0]!.state as { tab: number }).tab === 2);
    expect(bob.presence('lobby').others[0]).toMatchObject({ id: 'ada', user: { id: 'ada' } });
    await waitFor(() => tab1.presence('lobby').others.length === 1);
    expect(tab1.presence('lobby').others.map((m) => m.id)).toEqual(['bob']);
    expect(tab2.presence('lobby').others.map((m) => m.id)).toEqual(['bob']);

    // Each tab learns the id others see for it, and finds itself by it in others' lists.
    expect([tab1.self!.member, tab2.presence('lobby').self!.member]).toEqual(['ada', 'ada']);
    expect(tab1.self!.id).not.toBe('ada');
    expect(bob.presence('lobby').others.map((m) => m.id)).toEqual([tab1.self!.member]);

    const leaves: string[] = [];
    bob.presence('lobby').on('leave', (m, reason) => leaves.push(`${m.id} ${reason}`));
    await tab1.close();
    await waitFor(() => running!.hub.stats().connections === 2, 2000, 'the hub to let tab1 go');
    // A state from the other tab, after tab1 went: a leave for ada would reach bob before it, or with it.
    tab2.presence('lobby').track({ tab: 3 });
    await waitFor(() => (bob.presence('lobby').others[0]?.state as { tab?: number } | undefined)?.tab === 3);
    expect(bob.presence('lobby').others.map((m) => m.id)).toEqual(['ada']);
    expect(leaves).toEqual([]);
    await tab2.close();
    await waitFor(() => leaves.length === 1);
    expect(leaves).toEqual(['ada left']);
  });
});
