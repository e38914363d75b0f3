import { Component, useRef, useState, type ReactNode, type RefObject } from 'react';
import { describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { useCursors } from '@ghost/react';
import { startHub } from '../../../test/helpers/hub.js';
import { openClient } from '../../../test/helpers/clients.js';
import { commitCounter, renderWith } from './helpers.js';

// The pointer side of cursors needs a real layout (the browser test of examples/cursors-react moves
// a real pointer); here others' cursors come from Node clients, through a real hub.
describe('useCursors', () => {
  it("gives the others' cursors over the element, and a selected cursor re-renders only when it moves", async () => {
    const { url } = await startHub({ tickMs: 10 });
    const client = openClient(url);
    const still = openClient(url);
    const mover = openClient(url);
    const { counts, useCommits } = commitCounter();

    function Ghost({ board, id }: { board: RefObject<HTMLDivElement | null>; id: string }) {
      useCommits(id);
      const cursor = useCursors('lobby', board, (cursors) => cursors.find((c) => c.id === id));
      return <p data-testid={id}>{cursor ? `${cursor.x},${cursor.y}` : ''}</p>;
    }
    function Board() {
      useCommits('board');
      const board = useRef<HTMLDivElement>(null);
      const ids = useCursors('lobby', board, (cursors) => cursors.map((c) => c.id));
      return <div ref={board}>{ids.map((id) => <Ghost key={id} board={board} id={id} />)}</div>;
    }
    renderWith(client, <Board />);
    still.presence('lobby').track({ x: 0.25, y: 0.5 });
    mover.presence('lobby').track({ x: 0, y: 0 });
    await waitFor(() => expect(screen.getByTestId(still.self!.id).textContent).toBe('0.25,0.5'));
    await waitFor(() => expect(screen.getByTestId(mover.self!.id).textContent).toBe('0,0'));
    const before = { ...counts };

    mover.presence('lobby').track({ x: 1, y: 0.75 });
    // Smoothed: it glides there over a few frames, and comes to rest exactly on the last position.
    await waitFor(() => expect(screen.getByTestId(mover.self!.id).textContent).toBe('1,0.75'));
    expect(counts[mover.self!.id]! - before[mover.self!.id]!).toBeGreaterThan(1);
    expect(counts[still.self!.id]).toBe(before[still.self!.id]);
    expect(counts.board).toBe(before.board);

    mover.presence('lobby').untrack();
    await waitFor(() => expect(screen.queryByTestId(mover.self!.id)).toBeNull());
    expect(counts.board! - before.board!).toBe(1);
  });

  it('lists every cursor without a selector', async () => {
    const { url } = await startHub({ tickMs: 10 });
    const client = openClient(url);
    const other = openClient(url);
    function Board() {
      const board = useRef<HTMLDivElement>(null);
      const cursors = useCursors('lobby', board);
      return <div ref={board}>{cursors.map((c) => <p key={c.id}>{`${c.color} ${c.x},${c.y}`}</p>)}</div>;
    }
    renderWith(client, <Board />);
    other.presence('lobby').track({ x: 0.5, y: 0.5 });
    await waitFor(() => expect(screen.getByText(`${other.self?.color} 0.5,0.5`)).toBeTruthy());
  });

  it('leaves the room once the last component showing cursors unmounts', async () => {
    const running = await startHub({ tickMs: 10 });
    const client = openClient(running.url);
    function Board() {
      const board = useRef<HTMLDivElement>(null);
      return <div ref={board}>{useCursors('lobby', board).length}</div>;
    }
    function Page() {
      const [shown, setShown] = useState(true);
      return <>{shown && <Board />}<button onClick={() => setShown(false)}>hide</button></>;
    }
    renderWith(client, <Page />);
    await waitFor(() => expect(running.hub.stats().rooms).toBe(1));
    fireEvent.click(screen.getByText('hide'));
    await waitFor(() => expect(running.hub.stats().rooms).toBe(0));
  });

  it('says what to fix when the ref is not on an element', async () => {
    const { url } = await startHub();
    const client = openClient(url);
    const errors: string[] = [];
    class Catch extends Component<{ children: ReactNode }, { error?: Error }> {
      override state: { error?: Error } = {};
      static getDerivedStateFromError(error: Error) {
        return { error };
      }
      override componentDidCatch(error: Error) {
        errors.push(error.message);
      }
      override render() {
        return this.state.error ? <p>{this.state.error.message}</p> : this.props.children;
      }
    }
    function Forgot() {
      const board = useRef<HTMLDivElement>(null);
      useCursors('lobby', board);
      return <div />;
    }
    const quiet = console.error;
    console.error = () => {}; // React reports the caught error too
    try {
      renderWith(client, <Catch><Forgot /></Catch>);
      await waitFor(() => expect(errors.length).toBeGreaterThan(0));
    } finally {
      console.error = quiet;
    }
    expect(errors[0]).toMatch(/useCursors\('lobby', ref\): ref.current is empty.*<div ref=\{ref\}>/);
  });
});
