// The cursors page of the cluster example: open it on port 9000 and on 9001, and each window shows
// the other's pointer, though the two sockets are on different hub nodes.
import { createClient } from '@ghost/client';
import { statusBadge } from '@ghost-examples/shared/page';

const board = document.getElementById('board')!;
document.getElementById('node')!.textContent = `node :${location.port}`;
const client = createClient('/ghost');
statusBadge(client);
const cursors = client.cursors('cluster', { element: board });
const drawn = new Map<string, HTMLElement>();

cursors.on('change', (list) => {
  const seen = new Set<string>();
  for (const cursor of list) {
    seen.add(cursor.id);
    let dot = drawn.get(cursor.id);
    if (!dot) {
      dot = document.createElement('div');
      dot.className = 'ghost';
      dot.dataset.id = cursor.id;
      dot.style.background = cursor.color;
      board.append(dot);
      drawn.set(cursor.id, dot);
    }
    dot.style.left = `${cursor.x * 100}%`;
    dot.style.top = `${cursor.y * 100}%`;
  }
  for (const [id, dot] of drawn) {
    if (seen.has(id)) continue;
    dot.remove();
    drawn.delete(id);
  }
});
