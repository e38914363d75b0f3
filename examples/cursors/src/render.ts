// Drawing only: no sockets, no pointer events, no smoothing here. `client.cursors` hands over the
// other visitors' cursors as fractions (0..1) of the board, already smoothed; this file turns each
// into an SVG arrow with its visitor's name at that place, so windows of any size agree.
import type { Cursor } from '@ghost/client';

/** What drawing a cursor needs: where, in which colour, and the name on its label. */
export type Ghost = Pick<Cursor, 'id' | 'color' | 'x' | 'y'> & { name: string };

const SVG_NS = 'http://www.w3.org/2000/svg';
// A classic pointer arrow whose tip is at (1, 1) of a 16 × 24 box.
const ARROW = 'M1 1 L1 19.5 L5.6 15 L8.8 22.5 L12.2 21.2 L9.2 14 L15 14 Z';

/** Keeps one labelled arrow per visitor on the board, in step with the list it is given. */
export class CursorLayer {
  private readonly arrows = new Map<string, HTMLElement>();
  private last: readonly Ghost[] = [];

  constructor(private readonly board: HTMLElement) {}

  /** Draws exactly these visitors: new arrows for newcomers, moved ones, and gone ones removed. */
  render(ghosts: readonly Ghost[]): void {
    this.last = ghosts;
    const width = this.board.clientWidth;
    const height = this.board.clientHeight;
    const seen = new Set<string>();
    for (const ghost of ghosts) {
      seen.add(ghost.id);
      const arrow = this.arrows.get(ghost.id) ?? this.create(ghost);
      // A visitor who renames reconnects under the same id: the label follows.
      const label = arrow.lastElementChild!;
      if (label.textContent !== ghost.name) label.textContent = ghost.name;
      arrow.style.transform = `translate(${ghost.x * width}px, ${ghost.y * height}px)`;
    }
    for (const [id, arrow] of this.arrows) {
      if (seen.has(id)) continue;
      arrow.remove();
      this.arrows.delete(id);
    }
  }

  /** Places the arrows again for the board's new size. */
  relayout(): void {
    this.render(this.last);
  }

  // <div class="ghost-cursor" data-id><svg>arrow</svg><span class="ghost-name">name</span></div>: the
  // arrow at the box's top left, the label hanging below and right of its tip.
  private create(ghost: Ghost): HTMLElement {
    const arrow = document.createElement('div');
    arrow.className = 'ghost-cursor';
    arrow.dataset.id = ghost.id;
    // Attributes and textContent only: nothing another visitor sends (a name included) is ever parsed
    // as markup, and `client.cursors` already checked x and y are numbers in 0..1.
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 16 24');
    svg.setAttribute('width', '16');
    svg.setAttribute('height', '24');
    svg.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', ARROW);
    path.setAttribute('fill', ghost.color);
    svg.append(path);
    const label = document.createElement('span');
    label.className = 'ghost-name';
    label.style.backgroundColor = ghost.color;
    arrow.append(svg, label);
    this.board.append(arrow);
    this.arrows.set(ghost.id, arrow);
    return arrow;
  }
}
