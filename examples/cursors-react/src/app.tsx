// The page's layout, as in examples/cursors: a header, the board and the active-users panel. The board
// element's ref is shared by everything that shows cursors over it.
import { useRef } from 'react';
import { Board } from './board.js';
import { Header } from './header.js';
import { ActiveUsersPanel } from './panel.js';
import { useRenderCount } from './render-count.js';

export function App() {
  useRenderCount('app');
  const board = useRef<HTMLElement>(null);
  return (
    <>
      <Header />
      <div className="stage">
        <Board board={board} />
        <ActiveUsersPanel />
      </div>
    </>
  );
}
