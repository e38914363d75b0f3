// Drawing only: no sockets, no pointer events, no smoothing here. `client.cursors` hands over the
// other visitors' cursors as fractions (0..1) of the board, already smoothed; this file turns each
// into an SVG arrow at that place, so windows of any size agree.
import type { Cursor } from '@ghost/client';

/** What drawing a cursor needs. */
export type Ghost = Pick<Cursor, 'id' | 'color' | 'x' | 'y'>;

const SVG_NS = 'http://www.w3.org/2000/svg';
// A classic pointer arrow whose tip is at (1, 1) of a 16 × 24 box.
const ARROW = 'M1 1 L1 19.5 L5.6 15 L8.8 22.5 L12.2 21.2 L9.2 14 L15 14 Z';

/** Keeps one arrow per visitor on the board, in step with the list it is given. */
export class CursorLayer {
  private readonly arrows = new Map<string, SVGSVGElement>();
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

  private create(ghost: Ghost): SVGSVGElement {
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('class', 'ghost-cursor');
    svg.setAttribute('viewBox', '0 0 16 24');
    svg.setAttribute('width', '16');
    svg.setAttribute('height', '24');
    svg.dataset.id = ghost.id;
    // Attributes and textContent only: nothing another visitor sends is ever parsed as markup (and
    // `client.cursors` already checked x and y are numbers in 0..1).
    const title = document.createElementNS(SVG_NS, 'title');
    title.textContent = `Visitor ${ghost.id}`;
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', ARROW);
    path.setAttribute('fill', ghost.color);
    svg.append(title, path);
    this.board.append(svg);
    this.arrows.set(ghost.id, svg);
    return svg;
  }
}
