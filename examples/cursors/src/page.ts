// The page: `client.cursors` sends your pointer's place on the board and hands back everyone
// else's, smoothed; render.ts draws them. Bundled by server.ts.
import { createClient, type ClientStatus } from '@ghost/client';
import { CursorLayer } from './render.js';

const board = element('board');
const status = element('status');
const count = element('count');
const you = element('you');

const client = createClient('/ghost');
// Positions are fractions of the board, so every window size agrees. Your cursor is hidden from
// others while your pointer is off the board or this tab is hidden.
const cursors = client.cursors('lobby', { element: board });
const layer = new CursorLayer(board);

cursors.on('change', (others) => {
  layer.render(others);
  board.classList.toggle('haunted', others.length > 0);
  count.textContent = others.length === 0 ? 'Just you' : `You and ${others.length} other${others.length === 1 ? '' : 's'}`;
});
new ResizeObserver(() => layer.relayout()).observe(board);

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
  you.style.backgroundColor = self.color;
  you.title = `You are ${self.id}`;
}

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`index.html has no #${id}`);
  return found;
}
