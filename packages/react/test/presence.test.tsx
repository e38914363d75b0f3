import { useEffect, useState } from 'react';
import { describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { usePresence, useOthers } from '@ghost/react';
import { startHub } from '../../../test/helpers/hub.js';
import { openClient } from '../../../test/helpers/clients.js';
import { closeAfterTest } from '../../../test/helpers/cleanup.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { sleep } from '../../../test/helpers/wait.js';
import { commitCounter, framesOf, recordingSocket, renderWith } from './helpers.js';

/** A raw socket watching `room`: the frames the hub sends another member, as they are. */
async function rawWatcher(url: string, room: string) {
  const { client } = await RawClient.welcomed(url);
  closeAfterTest(() => client.close());
  client.send({ type: 'presence.join', room });
  await client.next('presence.snapshot');
  const joinsOf = (id: string) => client.ofType('presence.diff').flatMap((d) => d.joins ?? []).filter((m) => m.id === id);
  const leavesOf = (id: string) => client.ofType('presence.diff').flatMap((d) => d.leaves ?? []).filter((m) => m.id === id);
  return { joinsOf, leavesOf };
}

describe('usePresence and useOthers', () => {
  it('sets your state for the others to see, and lists theirs', async () => {
    const { url } = await startHub({ tickMs: 10 });
    const client = openClient(url);
    const other = openClient(url);
    function Room() {
      const [me, setMe] = usePresence('lobby');
      const others = useOthers('lobby');
      return (
        <div>
          <p data-testid="me">{JSON.stringify(me ?? null)}</p>
          <button onClick={() => setMe({ x: 1 })}>x</button>
          <button onClick={() => setMe((previous) => ({ ...(previous as object), name: 'Ada' }))}>name</button>
          <ul>{others.map((m) => <li key={m.id}>{`${m.id} ${JSON.stringify(m.state)}`}</li>)}</ul>
        </div>
      );
    }
    renderWith(client, <Room />);
    expect(screen.getByTestId('me').textContent).toBe('null');
    fireEvent.click(screen.getByText('x'));
    fireEvent.click(screen.getByText('name'));
    expect(screen.getByTestId('me').textContent).toBe('{"x":1,"name":"Ada"}');
    await waitFor(() => expect(other.presence('lobby').others.map((m) => m.state)).toEqual([{ x: 1, name: 'Ada' }]));

    other.presence('lobby').track({ x: 9 });
    await screen.findByText(`${other.self!.id} {"x":9}`);
    expect(screen.getAllByRole('listitem')).toHaveLength(1); // never yourself
  });

  it('in StrictMode joins once: the others see one join and no leave, and one leave at unmount', async () => {
    const { url } = await startHub({ tickMs: 10 });
    const sent: string[] = [];
    const client = openClient(url, { WebSocket: recordingSocket(sent) });
    const watcher = await rawWatcher(url, 'lobby');
    function Me() {
      const [, setMe] = usePresence('lobby');
      useOthers('lobby');
      useEffect(() => setMe({ x: 0.5 }), [setMe]); // runs twice in StrictMode
      return <p>here</p>;
    }
    // Mounted once connected, so that every frame StrictMode's remount could cause is really sent.
    await waitFor(() => expect(client.status).toBe('open'));
    const view = renderWith(client, <Me />);
    await waitFor(() => expect(watcher.joinsOf(client.self?.id ?? '?')).toHaveLength(1));
    await sleep(100); // several hub ticks: a second join or a leave would be here by now
    const id = client.self!.id;
    expect(watcher.joinsOf(id)).toHaveLength(1);
    expect(watcher.leavesOf(id)).toEqual([]);
    // Not even coalesced away by the hub: the client never said leave, and said join once.
    expect(framesOf(sent, 'presence.join')).toEqual([{ type: 'presence.join', room: 'lobby' }]);
    expect(framesOf(sent, 'presence.leave')).toEqual([]);

    view.unmount();
    await waitFor(() => expect(watcher.leavesOf(id)).toEqual([{ id, reason: 'left' }]));
    expect(framesOf(sent, 'presence.leave')).toHaveLength(1);
  });

  it('stays in the room while any component uses it, and leaves after the last one unmounts', async () => {
    const { url } = await startHub({ tickMs: 10 });
    const client = openClient(url);
    const watcher = await rawWatcher(url, 'lobby');
    function Me() {
      const [, setMe] = usePresence('lobby');
      useEffect(() => setMe({ x: 1 }), [setMe]);
      return null;
    }
    function Count() {
      return <p data-testid="count">{useOthers('lobby', (others) => others.length)}</p>;
    }
    function Page() {
      const [me, setShowMe] = useState(true);
      const [count, setShowCount] = useState(true);
      return (
        <>
          {me && <Me />}
          {count && <Count />}
          <button onClick={() => setShowMe(false)}>hide me</button>
          <button onClick={() => setShowCount(false)}>hide count</button>
        </>
      );
    }
    renderWith(client, <Page />);
    await waitFor(() => expect(watcher.joinsOf(client.self?.id ?? '?')).toHaveLength(1));
    const id = client.self!.id;
    fireEvent.click(screen.getByText('hide me'));
    await sleep(100);
    expect(watcher.leavesOf(id)).toEqual([]); // the count still uses the room
    fireEvent.click(screen.getByText('hide count'));
    await waitFor(() => expect(watcher.leavesOf(id)).toEqual([{ id, reason: 'left' }]));
  });

  it('with a selector, re-renders only when what it selects changes', async () => {
    const { url } = await startHub({ tickMs: 10 });
    const client = openClient(url);
    const mover = openClient(url);
    const { counts, useCommits } = commitCounter();
    function Count() {
      useCommits('count');
      return <p data-testid="count">{useOthers('lobby', (others) => others.length)}</p>;
    }
    function Ids() {
      useCommits('ids');
      return <p data-testid="ids">{useOthers('lobby', (others) => others.map((m) => m.id)).join(',')}</p>;
    }
    function Everything() {
      useCommits('everything');
      return <p data-testid="everything">{useOthers('lobby').map((m) => JSON.stringify(m.state)).join(',')}</p>;
    }
    renderWith(client, <><Count /><Ids /><Everything /></>);
    mover.presence('lobby').track({ x: 0 });
    await waitFor(() => expect(screen.getByTestId('everything').textContent).toBe('{"x":0}'));
    expect(screen.getByTestId('count').textContent).toBe('1');
    const before = { ...counts };
    for (let x = 1; x <= 5; x++) {
      mover.presence('lobby').track({ x });
      await waitFor(() => expect(screen.getByTestId('everything').textContent).toBe(`{"x":${x}}`));
    }
    expect(counts.everything! - before.everything!).toBe(5);
    expect(counts.count).toBe(before.count);
    expect(counts.ids).toBe(before.ids);
  });
});
