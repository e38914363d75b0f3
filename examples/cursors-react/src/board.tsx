// The shared board. The board selects only the ids of the cursors over it, so it re-renders when
// someone comes or goes; each <Ghost> selects its own cursor, so a move re-renders that ghost alone.
import type { RefObject } from 'react';
import { useStatus } from '@ghost/react';
import { useCursors } from './ghost.js';
import { useRenderCount } from './render-count.js';
import { colorOf } from './visitor.js';

// A classic pointer arrow whose tip is at (1, 1) of a 16 × 24 box.
const ARROW = 'M1 1 L1 19.5 L5.6 15 L8.8 22.5 L12.2 21.2 L9.2 14 L15 14 Z';

export function Board({ board }: { board: RefObject<HTMLElement | null> }) {
  useRenderCount('board');
  const ids = useCursors('lobby', board, (cursors) => cursors.map((cursor) => cursor.id));
  const offline = useStatus() !== 'open';
  const className = [ids.length > 0 && 'haunted', offline && 'offline'].filter(Boolean).join(' ');
  return (
    <main id="board" ref={board} className={className} aria-label="Shared board: move your pointer here">
      <p className="hint">Open this page in a second window and move your pointer here.</p>
      {ids.map((id) => <Ghost key={id} id={id} board={board} />)}
    </main>
  );
}

function Ghost({ id, board }: { id: string; board: RefObject<HTMLElement | null> }) {
  useRenderCount(`cursor:${id}`);
  const cursor = useCursors('lobby', board, (cursors) => cursors.find((c) => c.id === id));
  if (!cursor) return null;
  // Fractions of the board's inside, which is what percentages of an absolutely positioned child are.
  const style = { left: `${cursor.x * 100}%`, top: `${cursor.y * 100}%` };
  return (
    <svg className="ghost-cursor" data-id={id} viewBox="0 0 16 24" width="16" height="24" style={style}>
      <title>{`Visitor ${id}`}</title>
      <path d={ARROW} fill={colorOf(cursor)} />
    </svg>
  );
}
