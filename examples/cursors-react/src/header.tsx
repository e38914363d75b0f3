// Your colour, how many others are here, and the connection status. Each part re-renders only when
// what it shows changes: a cursor moving elsewhere re-renders none of them.
import { useClient, useStatus } from '@ghost/react';
import { statusLabel } from '@ghost-examples/shared/page';
import { useOthers } from './ghost.js';
import { useRenderCount } from './render-count.js';
import { colorOf, visitorId } from './visitor.js';

export function Header() {
  return (
    <header>
      <h1><You /> Ghost cursors</h1>
      <Count />
      <Status />
    </header>
  );
}

function You() {
  useRenderCount('you');
  useStatus(); // `self` is new at each welcome, which the status turning `open` announces
  const self = useClient().self;
  const style = self ? { backgroundColor: colorOf(self) } : undefined;
  return <span id="you" className="you" style={style} title={self ? `You are ${visitorId(self) ?? self.id}` : 'Your colour'} />;
}

function Count() {
  useRenderCount('count');
  const others = useOthers('lobby', (members) => members.length);
  return <p id="count" aria-live="polite">{others === 0 ? 'Just you' : `You and ${others} other${others === 1 ? '' : 's'}`}</p>;
}

function Status() {
  useRenderCount('status');
  const status = useStatus();
  return <p id="status" className="status" data-status={status}>{statusLabel(status)}</p>;
}
