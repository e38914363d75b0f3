// Drawing only: no sockets here. Other visitors' cursors are SVG arrows placed over the board at
// their relative position (fractions 0..1 of the board), so windows of any size agree.

/** What the page tracks for you and receives for everyone else. */
export interface Point {
  /** 0 (left edge of the board) to 1 (right edge). */
  x: number;
  /** 0 (top edge of the board) to 1 (bottom edge). */
  y: number;
}

/** Another visitor, as the presence room reports them. */
export interface Ghost {
  readonly id: string;
  readonly color: string;
  readonly state: unknown;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
// A classic pointer arrow whose tip is at (1, 1) of a 16 × 24 box.
const ARROW = 'M1 1 L1 19.5 L5.6 15 L8.8 22.5 L12.2 21.2 L9.2 14 L15 14 Z';

/** Reads a point out of untrusted state: numbers in 0..1, or nothing. */
export function toPoint(state: unknown): Point | null {
  if (typeof state !== 'object' || state === null) return null;
  const { x, y } = state as Record<string, unknown>;
  if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) return null;
  return { x: clamp01(x), y: clamp01(y) };
}

/**
 * The pointer's place inside the board's border (where the arrows are drawn) as fractions of its
 * size, rounded to 4 decimals: under half a pixel on any screen, and a short frame.
 */
export function relativePoint(board: Element, clientX: number, clientY: number): Point {
  const box = board.getBoundingClientRect();
  const left = box.left + board.clientLeft;
  const top = box.top + board.clientTop;
  const round = (n: number) => Math.round(clamp01(n) * 10_000) / 10_000;
  return { x: round((clientX - left) / board.clientWidth), y: round((clientY - top) / board.clientHeight) };
}

/** Keeps one arrow per visitor on the board, in step with the list it is given. */
export class CursorLayer {
  private readonly cursors = new Map<string, SVGSVGElement>();
  private last: readonly Ghost[] = [];

  constructor(private readonly board: HTMLElement) {}

  /** Draws exactly these visitors: new arrows for newcomers, moved ones, and gone ones removed. */
  render(ghosts: readonly Ghost[]): void {
    this.last = ghosts;
    const width = this.board.clientWidth;
    const height = this.board.clientHeight;
    const seen = new Set<string>();
    for (const ghost of ghosts) {
      const point = toPoint(ghost.state);
      if (!point) continue;
      seen.add(ghost.id);
      const cursor = this.cursors.get(ghost.id) ?? this.create(ghost);
      cursor.style.transform = `translate(${point.x * width}px, ${point.y * height}px)`;
    }
    for (const [id, cursor] of this.cursors) {
      if (seen.has(id)) continue;
      cursor.remove();
      this.cursors.delete(id);
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
    // Attributes and textContent only: nothing another visitor sends is ever parsed as markup.
    const title = document.createElementNS(SVG_NS, 'title');
    title.textContent = `Visitor ${ghost.id}`;
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', ARROW);
    path.setAttribute('fill', ghost.color);
    svg.append(title, path);
    this.board.append(svg);
    this.cursors.set(ghost.id, svg);
    return svg;
  }
}

function clamp01(n: number): number {
  return n < 0 ? 0 : n > 1 ? 1 : n;
}
